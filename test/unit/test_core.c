/*
 * test_core.c - unit tests of the secant_pre core (sp_core, sp_codec,
 * sp_envelope) without PostgreSQL: known answers from
 * test/vectors/scheme-v1.json and envelope.json (through the generated
 * vectors.h), every value of scheme-v1-invalid.json refused at its stage,
 * and properties checked with randomness from a printed seed (test_seed.h:
 * "# seed HEX" first; SECANT_PRE_SEED=HEX replays a run).
 *
 * Output: "ok - name" or "not ok - name" per check, "# ..." notes, and one
 * final line "N passed, M failed".  Exit status 1 if any check failed.
 * Random bytes are never printed, only the seed of the test stream.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <utf8proc.h>

#include "sp_codec.h"
#include "sp_seal.h"
#include "sp_core.h"
#include "sp_envelope.h"
#include "sp_keyfile.h"
#include "sp_random.h"
#include "sp_text.h"
#include "test_seed.h"
#include "vectors.h"

/* ---- harness ---- */

static int	n_pass;
static int	n_fail;

/* Count one check and print its TAP-like line. */
static void
check_(int ok, const char *name)
{
	if (ok)
	{
		n_pass++;
		printf("ok - %s\n", name);
	}
	else
	{
		n_fail++;
		printf("not ok - %s\n", name);
	}
}

/* Same, with a printf-style name. */
static void
checkf_(int ok, const char *fmt,...)
{
	char		name[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	check_(ok, name);
}

#define CHECK(cond, name) check_((cond) ? 1 : 0, (name))
#define CHECKF(cond, ...) checkf_((cond) ? 1 : 0, __VA_ARGS__)

/* A comment line in the output (not a check). */
static void
note(const char *fmt,...)
{
	va_list		ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/*
 * An aggregate of many sub-checks reported as one check: loops over bytes
 * or levels would otherwise print thousands of lines.  Keeps the first
 * failure's description.
 */
typedef struct agg
{
	int			bad;
	char		first[400];
} agg;

static void
agg_fail(agg *a, const char *fmt,...)
{
	va_list		ap;

	if (a->bad++ == 0)
	{
		va_start(ap, fmt);
		vsnprintf(a->first, sizeof a->first, fmt, ap);
		va_end(ap);
	}
}

#define AGG(a, cond, ...) \
	do { if (!(cond)) agg_fail(&(a), __VA_ARGS__); } while (0)

/* Report an aggregate as one check. */
static void
agg_check(const agg *a, const char *name)
{
	if (a->bad == 0)
		check_(1, name);
	else
		checkf_(0, "%s (%d failures; first: %s)", name, a->bad, a->first);
}

/* ---- helpers ---- */

static void *
xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

static int
is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t		acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= b[i];
	return acc == 0;
}

/* Index of the first differing byte, or -1. */
static long
first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long) i;
	return -1;
}

/* Name of the ciphertext field holding byte off (layout of SCHEME.md). */
static const char *
ct_field(const uint8_t *ct, size_t ctlen, size_t off)
{
	static char buf[64];
	size_t		a,
				hops;
	int			level;

	if (off < 4)
		return "magic";
	if (off == 4)
		return "version";
	if (off == 5)
		return "level";
	if (off < 8)
		return "reserved";
	if (off < 72)
		return off < 40 ? "P0.P" : "P0.sigma";
	if (off < 104)
		return "E";
	if (off < 136)
		return "V";
	if (off < 168)
		return "s";
	if (off < 192)
		return "nonce";
	if (off < 196 || ctlen < 196)
		return "aad length";
	a = (size_t) ct[192] | (size_t) ct[193] << 8 | (size_t) ct[194] << 16 |
		(size_t) ct[195] << 24;
	level = ct[5];
	if (off < 196 + a)
		return "aad";
	hops = (size_t) (level > 0 ? level - 1 : 0);
	if (off < 196 + a + 128 * hops)
	{
		size_t		k = (off - 196 - a) / 128,
					r = (off - 196 - a) % 128;

		snprintf(buf, sizeof buf, "hop %zu %s", k + 1,
				 r < 32 ? "P.P" : r < 64 ? "P.sigma" : r < 96 ? "X" : "T");
		return buf;
	}
	return "body";
}

/* Name of the grant field holding byte off. */
static const char *
grant_field(size_t off)
{
	if (off < 4)
		return "magic";
	if (off == 4)
		return "version";
	if (off < 8)
		return "reserved";
	if (off < 72)
		return off < 40 ? "from.P" : "from.sigma";
	if (off < 136)
		return off < 104 ? "to.P" : "to.sigma";
	if (off < 168)
		return "X";
	if (off < 200)
		return "rk";
	if (off < 208)
		return "not_after";
	return "signature";
}

/* Expand a seed, counting a failure as a check. */
static void
expand(sp_secret *key, const uint8_t seed[SP_SEEDBYTES])
{
	int			rc = sp_secret_expand(key, seed);

	if (rc != SP_OK)
		checkf_(0, "sp_secret_expand (rc %d)", rc);
}

/* A fresh random key. */
static void
fresh_key(sp_secret *key)
{
	uint8_t		seed[SP_SEEDBYTES];

	sp_random_bytes(seed, sizeof seed);
	expand(key, seed);
	sodium_memzero(seed, sizeof seed);
}

/*
 * Decrypt into a fresh buffer pre-filled with 0xa5.  *wiped tells whether
 * the buffer holds only zero bytes afterwards.  The ciphertext must have
 * passed the layout check.  Returns sp_decrypt's code; *mout receives the
 * buffer (free it) if mout is not NULL.
 */
static int
try_decrypt(const uint8_t *ct, size_t ctlen, const sp_secret *key,
			uint8_t **mout, size_t *mlen, int *wiped)
{
	size_t		cap = sp_plaintext_bytes(ct, ctlen);
	uint8_t    *m = xmalloc(cap);
	size_t		len = (size_t) -1;
	int			rc;

	memset(m, 0xa5, cap);
	rc = sp_decrypt(m, cap, &len, ct, ctlen, key);
	if (wiped)
		*wiped = is_zero(m, cap);
	if (mlen)
		*mlen = len;
	if (mout)
		*mout = m;
	else
		free(m);
	return rc;
}

/* Decode a text form into a fresh buffer (free it). */
static int
decode_text(sp_kind kind, const char *text, size_t textlen, uint8_t **bin,
			size_t *len)
{
	size_t		cap = sp_text_decoded_max(textlen);

	*bin = xmalloc(cap);
	*len = 0;
	return sp_text_decode(*bin, cap, len, kind, text, textlen);
}

/* Decode then fully validate a text form; the first failing code. */
static int
decode_validate(sp_kind kind, const char *text)
{
	uint8_t    *bin;
	size_t		len;
	int			rc;

	rc = decode_text(kind, text, strlen(text), &bin, &len);
	if (rc == SP_OK)
		rc = sp_validate(kind, bin, len);
	free(bin);
	return rc;
}

/* Encrypt m for pk with fresh randomness into a fresh buffer (free it). */
static int
encrypt_fresh(uint8_t **ct, size_t *ctlen, const uint8_t pk[SP_PUBLICKEYBYTES],
			  const uint8_t *m, size_t mlen, const uint8_t *aad, size_t aadlen)
{
	uint8_t		r[SP_SCALARBYTES],
				u[SP_SCALARBYTES],
				nonce[SP_NONCEBYTES];
	int			rc;

	sp_random_scalar(r);
	sp_random_scalar(u);
	sp_random_bytes(nonce, sizeof nonce);
	*ctlen = sp_ciphertext_bytes(1, aadlen, mlen);
	*ct = xmalloc(*ctlen);
	rc = sp_encrypt(*ct, *ctlen, pk, m, mlen, aad, aadlen, r, u, nonce);
	sodium_memzero(r, sizeof r);
	sodium_memzero(u, sizeof u);
	return rc;
}

/* Re-encrypt into a fresh buffer of ctlen + SP_HOPBYTES (free it). */
static int
reencrypt_fresh(uint8_t **out, size_t *outlen, const uint8_t *ct,
				size_t ctlen, const uint8_t grant[SP_GRANTBYTES])
{
	*outlen = ctlen + SP_HOPBYTES;
	*out = xmalloc(*outlen);
	return sp_reencrypt(*out, *outlen, ct, ctlen, grant);
}

/* A grant with fresh randomness. */
static int
grant_fresh(uint8_t g[SP_GRANTBYTES], const sp_secret *from,
			const uint8_t to[SP_PUBLICKEYBYTES], int64_t not_after)
{
	uint8_t		x[SP_SCALARBYTES];
	int			rc;

	sp_random_scalar(x);
	rc = sp_grant(g, from, to, not_after, x);
	sodium_memzero(x, sizeof x);
	return rc;
}

/* ---- error codes and kinds ---- */

static void
test_misc(void)
{
	static const int codes[] = {
		SP_OK, SP_EPREFIX, SP_EBASE64, SP_ELENGTH, SP_EMAGIC, SP_EVERSION,
		SP_ERESERVED, SP_ELEVEL, SP_ELEVELMAX, SP_EPOINT, SP_ESCALAR, SP_ECAPSULE,
		SP_ESIGNATURE, SP_ESAMEKEY, SP_ERECIPIENT, SP_EMAXLEVEL,
		SP_EWRONGKEY, SP_EDECRYPT, SP_ERANDOM, SP_ETOOLONG, SP_EINTERNAL,
		SP_ENOMEM
	};
	static const struct
	{
		sp_kind		kind;
		const char *prefix;
		const char *name;
		size_t		bytes;
	}			kinds[] = {
		{SP_KIND_SECRET_KEY, "presk_", "pre_secret_key", 32},
		{SP_KIND_PUBLIC_KEY, "prepk_", "pre_public_key", 64},
		{SP_KIND_GRANT, "pregrant_", "pre_grant", 272},
		{SP_KIND_CIPHERTEXT, "prect_", "pre_ciphertext", 0},
		{SP_KIND_TOKEN, "pretok_", "pre_token", 16},
	};
	agg			a = {0};

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
	{
		const char *s = sp_strerror(codes[i]);

		AGG(a, s != NULL && s[0] != '\0', "sp_strerror(%d) empty", codes[i]);
	}
	agg_check(&a, "sp_strerror: a sentence for every code");

	CHECK(sp_err_is_malformed(SP_EPREFIX) && sp_err_is_malformed(SP_EBASE64) &&
		  sp_err_is_malformed(SP_ELENGTH) && sp_err_is_malformed(SP_EMAGIC) &&
		  sp_err_is_malformed(SP_EVERSION) && sp_err_is_malformed(SP_ERESERVED) &&
		  sp_err_is_malformed(SP_ELEVEL) && sp_err_is_malformed(SP_ELEVELMAX),
		  "sp_err_is_malformed: layout codes are malformed");
	CHECK(!sp_err_is_malformed(SP_OK) && !sp_err_is_malformed(SP_EPOINT) &&
		  !sp_err_is_malformed(SP_ECAPSULE) &&
		  !sp_err_is_malformed(SP_ESIGNATURE) &&
		  !sp_err_is_malformed(SP_EDECRYPT),
		  "sp_err_is_malformed: invalid-value codes are not malformed");

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
	{
		CHECKF(strcmp(sp_kind_prefix(kinds[i].kind), kinds[i].prefix) == 0 &&
			   strcmp(sp_kind_name(kinds[i].kind), kinds[i].name) == 0 &&
			   sp_kind_bytes(kinds[i].kind) == kinds[i].bytes,
			   "kind %s: prefix, name and size", kinds[i].name);
	}

	/* sizes (SCHEME.md layout) */
	CHECK(sp_ciphertext_bytes(1, 0, 0) == 196 + 16, "size of an empty level-1 ciphertext");
	CHECK(sp_ciphertext_bytes(16, 10, 5) == 196 + 10 + 128 * 15 + 5 + 16,
		  "size of a level-16 ciphertext");
	CHECK(sp_ciphertext_bytes(0, 0, 0) == 0 && sp_ciphertext_bytes(17, 0, 0) == 0 &&
		  sp_ciphertext_bytes(-1, 0, 0) == 0,
		  "sp_ciphertext_bytes: level outside 1..16 gives 0");
	CHECK(sp_ciphertext_bytes(1, SP_MAXDATABYTES + 1, 0) == 0 &&
		  sp_ciphertext_bytes(1, 0, SP_MAXDATABYTES + 1) == 0 &&
		  sp_ciphertext_bytes(1, (size_t) -1, (size_t) -1) == 0,
		  "sp_ciphertext_bytes: over-long aad or message gives 0");
}

/* ---- known answers ---- */

static void
test_kat_keys(void)
{
	for (int i = 0; i < KAT_NKEYS; i++)
	{
		const kat_key *k = &kat_keys[i];
		uint8_t		pk[SP_PUBLICKEYBYTES];
		sp_secret	key;
		char		text[256];
		int			rc;

		memset(pk, 0, sizeof pk);
		rc = sp_public_key(pk, k->seed);
		CHECKF(rc == SP_OK && memcmp(pk, k->pk, sizeof pk) == 0,
			   "KAT %s: public key of the seed (rc %d, first differing byte %ld)",
			   k->name, rc, first_diff(pk, k->pk, sizeof pk));
		rc = sp_secret_expand(&key, k->seed);
		CHECKF(rc == SP_OK && memcmp(key.pk, k->pk, sizeof pk) == 0,
			   "KAT %s: expanded key holds the public key (rc %d)", k->name, rc);
		sp_secret_wipe(&key);
		CHECKF(sp_public_key_validate(k->pk) == SP_OK &&
			   sp_validate(SP_KIND_PUBLIC_KEY, k->pk, 64) == SP_OK &&
			   sp_validate(SP_KIND_SECRET_KEY, k->seed, 32) == SP_OK,
			   "KAT %s: public key and seed are valid", k->name);
		rc = sp_text_encode(text, sizeof text, SP_KIND_PUBLIC_KEY, k->pk, 64);
		CHECKF(rc == SP_OK && strcmp(text, k->pk_text) == 0,
			   "KAT %s: text form of the public key", k->name);
		rc = sp_text_encode(text, sizeof text, SP_KIND_SECRET_KEY, k->seed, 32);
		CHECKF(rc == SP_OK && strcmp(text, k->seed_text) == 0,
			   "KAT %s: text form of the seed", k->name);
		CHECKF(decode_validate(SP_KIND_PUBLIC_KEY, k->pk_text) == SP_OK &&
			   decode_validate(SP_KIND_SECRET_KEY, k->seed_text) == SP_OK,
			   "KAT %s: text forms decode and validate", k->name);
	}
}

static void
test_kat_encrypt(void)
{
	size_t		len = sp_ciphertext_bytes(1, KAT_AAD_LEN, KAT_MESSAGE_LEN);
	uint8_t    *ct;
	char	   *text;
	int			rc;
	long		d;

	CHECKF(len == KAT_CT1_LEN, "KAT encrypt: sp_ciphertext_bytes = %d", KAT_CT1_LEN);
	if (len != KAT_CT1_LEN)
		return;
	ct = xmalloc(len);
	memset(ct, 0, len);
	rc = sp_encrypt(ct, len, kat_keys[KAT_GROUP].pk, kat_message, KAT_MESSAGE_LEN,
					kat_aad, KAT_AAD_LEN, kat_r, kat_u, kat_nonce);
	d = first_diff(ct, kat_ct1, len);
	CHECKF(rc == SP_OK && d < 0,
		   "KAT encrypt: level-1 ciphertext byte for byte (rc %d, first difference at %ld: %s)",
		   rc, d, d < 0 ? "-" : ct_field(kat_ct1, len, (size_t) d));
	rc = sp_encrypt(ct, len - 1, kat_keys[KAT_GROUP].pk, kat_message, KAT_MESSAGE_LEN,
					kat_aad, KAT_AAD_LEN, kat_r, kat_u, kat_nonce);
	CHECKF(rc == SP_ELENGTH, "encrypt: output one byte short refused (rc %d)", rc);
	free(ct);

	text = xmalloc(sp_text_bytes(SP_KIND_CIPHERTEXT, KAT_CT1_LEN));
	rc = sp_text_encode(text, sp_text_bytes(SP_KIND_CIPHERTEXT, KAT_CT1_LEN),
						SP_KIND_CIPHERTEXT, kat_ct1, KAT_CT1_LEN);
	CHECK(rc == SP_OK && strcmp(text, kat_cts[0].text) == 0,
		  "KAT encrypt: text form of the level-1 ciphertext");
	free(text);
}

static void
test_kat_grants(void)
{
	for (int i = 0; i < 3; i++)
	{
		const kat_hop *h = &kat_hops[i];
		uint8_t		g[SP_GRANTBYTES];
		char		text[512];
		sp_secret	from;
		int			rc;
		long		d;

		expand(&from, kat_keys[h->from].seed);
		memset(g, 0, sizeof g);
		rc = sp_grant(g, &from, kat_keys[h->to].pk, h->not_after, h->x);
		sp_secret_wipe(&from);
		d = first_diff(g, h->grant, sizeof g);
		CHECKF(rc == SP_OK && d < 0,
			   "KAT grant %s -> %s byte for byte (rc %d, first difference at %ld: %s)",
			   kat_keys[h->from].name, kat_keys[h->to].name, rc, d,
			   d < 0 ? "-" : grant_field((size_t) d));
		rc = sp_grant_validate(h->grant);
		CHECKF(rc == SP_OK, "KAT grant %d is valid (rc %d)", i + 1, rc);
		CHECKF(sp_grant_not_after(h->grant) == h->not_after,
			   "KAT grant %d: not_after", i + 1);
		rc = sp_text_encode(text, sizeof text, SP_KIND_GRANT, h->grant, SP_GRANTBYTES);
		CHECKF(rc == SP_OK && strcmp(text, h->grant_text) == 0,
			   "KAT grant %d: text form", i + 1);
	}
}

static void
test_kat_chain(void)
{
	/* every level is valid, with the right accessors */
	for (int l = 0; l < 4; l++)
	{
		const kat_ct *c = &kat_cts[l];
		int			rc = sp_ciphertext_validate(c->ct, c->len);
		int			acc = 1;

		CHECKF(rc == SP_OK, "KAT level %d ciphertext is valid (rc %d)", c->level, rc);
		if (rc != SP_OK)
			continue;
		acc = sp_ciphertext_level(c->ct) == c->level &&
			sp_ciphertext_aadlen(c->ct) == KAT_AAD_LEN &&
			memcmp(sp_ciphertext_recipient(c->ct), kat_keys[c->recipient].pk, 64) == 0 &&
			sp_ciphertext_body_offset(c->ct) ==
			(size_t) (196 + KAT_AAD_LEN + 128 * (c->level - 1)) &&
			sp_plaintext_bytes(c->ct, c->len) == KAT_MESSAGE_LEN &&
			c->len == sp_ciphertext_bytes(c->level, KAT_AAD_LEN, KAT_MESSAGE_LEN);
		for (int k = 1; k < c->level; k++)
		{
			const uint8_t *hop = sp_ciphertext_hop(c->ct, k);
			const uint8_t *g = kat_hops[k - 1].grant;

			acc = acc && hop != NULL &&
				memcmp(hop, g + SP_GR_TO, 64) == 0 &&
				memcmp(hop + 64, g + SP_GR_X, 32) == 0;
		}
		CHECKF(acc, "KAT level %d: level, aad length, recipient, hops, body offset, sizes",
			   c->level);
	}

	/* re-encryption L1 -> L2 -> L3 -> L4 from the KAT grants */
	for (int l = 0; l < 3; l++)
	{
		const kat_ct *c = &kat_cts[l],
				   *next = &kat_cts[l + 1];
		uint8_t    *out;
		size_t		outlen;
		int			rc;
		long		d;

		CHECKF(c->len + SP_HOPBYTES == next->len, "KAT level %d size is level %d + 128",
			   next->level, c->level);
		if (c->len + SP_HOPBYTES != next->len)
			continue;
		rc = reencrypt_fresh(&out, &outlen, c->ct, c->len, kat_hops[l].grant);
		d = first_diff(out, next->ct, outlen);
		CHECKF(rc == SP_OK && d < 0,
			   "KAT re-encrypt L%d -> L%d byte for byte (rc %d, first difference at %ld: %s)",
			   c->level, next->level, rc, d,
			   d < 0 || rc != SP_OK ? "-" : ct_field(next->ct, next->len, (size_t) d));
		rc = sp_reencrypt(out, outlen - 1, c->ct, c->len, kat_hops[l].grant);
		CHECKF(rc == SP_ELENGTH, "re-encrypt: output one byte short refused (rc %d)", rc);
		free(out);
	}

	/* grants that do not apply */
	{
		uint8_t    *out;
		size_t		outlen;
		int			rc;

		rc = reencrypt_fresh(&out, &outlen, kat_ct1, KAT_CT1_LEN, kat_hops[1].grant);
		free(out);
		CHECKF(rc == SP_ERECIPIENT, "KAT: user->device grant on a level-1 ciphertext of the group refused (rc %d)", rc);
		rc = reencrypt_fresh(&out, &outlen, kat_ct4, KAT_CT4_LEN, kat_hops[2].grant);
		free(out);
		CHECKF(rc == SP_ERECIPIENT, "KAT: device->backup grant on a level-4 ciphertext of the backup refused (rc %d)", rc);
		rc = reencrypt_fresh(&out, &outlen, kat_ct2, KAT_CT2_LEN, kat_hops[0].grant);
		free(out);
		CHECKF(rc == SP_ERECIPIENT, "KAT: group->user grant applied twice refused (rc %d)", rc);
	}

	/* decryption at every level: right key, then every wrong key */
	for (int l = 0; l < 4; l++)
	{
		const kat_ct *c = &kat_cts[l];
		sp_secret	key;
		uint8_t    *m;
		size_t		mlen;
		int			rc,
					wiped;

		if (sp_ciphertext_check_layout(c->ct, c->len) != SP_OK)
		{
			checkf_(0, "KAT level %d: layout", c->level);
			continue;
		}
		expand(&key, kat_keys[c->recipient].seed);
		rc = try_decrypt(c->ct, c->len, &key, &m, &mlen, &wiped);
		sp_secret_wipe(&key);
		CHECKF(rc == SP_OK && mlen == KAT_MESSAGE_LEN &&
			   memcmp(m, kat_message, KAT_MESSAGE_LEN) == 0,
			   "KAT decrypt level %d with the %s key gives the message (rc %d)",
			   c->level, kat_keys[c->recipient].name, rc);
		free(m);
		for (int k = 0; k < KAT_NKEYS; k++)
		{
			if (k == c->recipient)
				continue;
			expand(&key, kat_keys[k].seed);
			rc = try_decrypt(c->ct, c->len, &key, NULL, NULL, &wiped);
			sp_secret_wipe(&key);
			CHECKF(rc == SP_EWRONGKEY && wiped,
				   "KAT decrypt level %d with the %s key: SP_EWRONGKEY, output zero (rc %d)",
				   c->level, kat_keys[k].name, rc);
		}
	}
}

static void
test_kat_token(void)
{
	uint8_t		tok[SP_TOKENBYTES];
	char		text[64];
	int			rc;

	memset(tok, 0, sizeof tok);
	rc = sp_token(tok, kat_index_key, (const uint8_t *) kat_keyword, strlen(kat_keyword));
	CHECKF(rc == SP_OK && memcmp(tok, kat_token, sizeof tok) == 0,
		   "KAT token of '%s' (rc %d)", kat_keyword, rc);
	rc = sp_text_encode(text, sizeof text, SP_KIND_TOKEN, kat_token, SP_TOKENBYTES);
	CHECK(rc == SP_OK && strcmp(text, kat_token_text) == 0, "KAT token: text form");
	CHECK(decode_validate(SP_KIND_TOKEN, kat_token_text) == SP_OK,
		  "KAT token: text form decodes and validates");
	rc = sp_token(tok, kat_index_key, (const uint8_t *) "", 0);
	CHECKF(rc == SP_OK && memcmp(tok, kat_token, sizeof tok) != 0,
		   "token of the empty word (rc %d)", rc);
}

/* ---- keyword normalisation (sp_text) ---- */

static sp_text_work text_work;

/* Concatenate the words of a walk, each followed by '|'. */
typedef struct words_out
{
	char		buf[8192];
	size_t		len;
	int			calls;
	int			stop_after;		/* ask to stop after this many words */
} words_out;

static int
collect_word(void *arg, const uint8_t *word, size_t len)
{
	words_out  *o = arg;

	o->calls++;
	if (o->len + len + 1 <= sizeof o->buf)
	{
		memcpy(o->buf + o->len, word, len);
		o->len += len;
		o->buf[o->len++] = '|';
	}
	return 0;
}

static int
stop_after_words(void *arg)
{
	words_out  *o = arg;

	return o->stop_after > 0 && o->calls >= o->stop_after;
}

/* True when the scratch space holds no byte of text. */
static int
scratch_wiped(void)
{
	return sodium_is_zero((const unsigned char *) text_work.cps,
						  sizeof text_work.cps) &&
		sodium_is_zero(text_work.utf8, sizeof text_work.utf8);
}

/* Normalise len bytes of s as a keyword: is it want? */
static int
keyword_is(const char *s, size_t len, const char *want)
{
	const uint8_t *out;
	size_t		outlen;
	int			rc = sp_text_normalise(&text_work, (const uint8_t *) s, len,
									   &out, &outlen);

	return rc == SP_OK && outlen == strlen(want) &&
		memcmp(out, want, outlen) == 0 && out[outlen] == 0;
}

/* A buffer of n copies of the UTF-8 of s, after a prefix. */
static char *
repeat_text(const char *prefix, const char *s, size_t n, size_t *len)
{
	size_t		pl = strlen(prefix),
				sl = strlen(s);
	char	   *b = xmalloc(pl + n * sl + 1);

	memcpy(b, prefix, pl);
	for (size_t i = 0; i < n; i++)
		memcpy(b + pl + i * sl, s, sl);
	*len = pl + n * sl;
	b[*len] = 0;
	return b;
}

static void
test_keywords(void)
{
	static const char *const samples[] = {
		"  Diabetes\t", "Stra\xc3\x9f" "e", "E\xcc\x81" "cole", "\xef\xac\x81le",
		"\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8", "\xce\x91\xcd\x85", "=\xcc\xb8",
		"\xef\xb7\xba", "\xe2\x80\x8bzero", "HbA1c 7.9 %",
	};
	words_out	o = {{0}, 0, 0, 0};
	const uint8_t *out;
	size_t		outlen,
				len;
	char	   *t,
			   *want;
	int			rc,
				same = 1;

	/* stream-safe text: the bytes utf8proc_map() gives, trimmed */
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
	{
		uint8_t    *ref = NULL;
		utf8proc_ssize_t n = utf8proc_map((const uint8_t *) samples[i],
										  (utf8proc_ssize_t) strlen(samples[i]), &ref,
										  UTF8PROC_STABLE | UTF8PROC_COMPOSE |
										  UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
										  UTF8PROC_IGNORE);
		char	   *r = (char *) ref;

		while (n > 0 && (r[n - 1] == ' ' || r[n - 1] == '\t'))
			r[--n] = 0;
		while (*r == ' ')
			r++;
		same &= n >= 0 && keyword_is(samples[i], strlen(samples[i]), r);
		free(ref);
	}
	CHECK(same, "keywords: stream-safe samples normalise as utf8proc_map does");

	/* 40 + 40 marks: parts of 30, each reordered and composed alone */
	{
		char	   *m1 = repeat_text("a", "\xcc\x81", 40, &len);
		char	   *doc = repeat_text(m1, "\xcc\x96", 40, &len);
		char	   *w1 = repeat_text("\xc3\xa1", "\xcc\x81", 29, &outlen);
		char	   *w2 = repeat_text(w1, "\xcc\x96", 20, &outlen);
		char	   *w3 = repeat_text(w2, "\xcc\x81", 10, &outlen);

		want = repeat_text(w3, "\xcc\x96", 20, &outlen);
		CHECK(keyword_is(doc, len, want),
			  "keywords: a run of 80 non-starters is cut after each 30th (UAX #15)");
		rc = sp_text_normalise(&text_work, (const uint8_t *) want, outlen, &out, &outlen);
		CHECK(rc == SP_OK && strcmp((const char *) out, want) == 0,
			  "keywords: the stream-safe form of that run normalises to itself");
		free(m1);
		free(doc);
		free(w1);
		free(w2);
		free(w3);
		free(want);
	}

	/* limits */
	t = repeat_text("", "a", SP_MAXWORDBYTES, &len);
	CHECK(keyword_is(t, len, t), "keywords: a keyword of 4096 bytes");
	free(t);
	t = repeat_text("", "a", SP_MAXWORDBYTES + 1, &len);
	rc = sp_text_normalise(&text_work, (const uint8_t *) t, len, &out, &outlen);
	CHECKF(rc == SP_EWORDLONG && outlen == 0, "keywords: 4097 bytes: SP_EWORDLONG (rc %d)", rc);
	rc = sp_text_words(&text_work, (const uint8_t *) t, len, 0, collect_word, &o);
	CHECKF(rc == SP_EWORDLONG && o.calls == 0,
		   "keywords: a word of 4097 bytes in a document: SP_EWORDLONG (rc %d)", rc);
	free(t);
	t = repeat_text("", "a", SP_MAXWORDBYTES + 8, &len);
	memset(t + SP_MAXWORDBYTES, ' ', 8);
	rc = sp_text_normalise(&text_work, (const uint8_t *) t, len, &out, &outlen);
	CHECKF(rc == SP_OK && outlen == SP_MAXWORDBYTES,
		   "keywords: white space past the limit at the end is trimmed (rc %d)", rc);
	free(t);
	t = repeat_text("a", "\xcc\x81", 6000, &len);
	rc = sp_text_words(&text_work, (const uint8_t *) t, len, 0, collect_word, &o);
	CHECKF(rc == SP_EWORDLONG, "keywords: 6000 marks on one letter: SP_EWORDLONG (rc %d)", rc);
	free(t);
	t = repeat_text("", "ab ", SP_MAXTEXTBYTES / 3, &len);
	rc = sp_text_words(&text_work, (const uint8_t *) t, SP_MAXTEXTBYTES, 0, collect_word, &o);
	CHECKF(rc == SP_OK, "keywords: a document of 1 MiB (rc %d)", rc);
	free(t);
	t = repeat_text("", " ", SP_MAXTEXTBYTES + 1, &len);
	rc = sp_text_words(&text_work, (const uint8_t *) t, len, 0, collect_word, &o);
	CHECKF(rc == SP_ETEXTLONG, "keywords: a document of 1 MiB + 1: SP_ETEXTLONG (rc %d)", rc);
	rc = sp_text_normalise(&text_work, (const uint8_t *) t, len, &out, &outlen);
	CHECKF(rc == SP_ETEXTLONG, "keywords: a keyword text of 1 MiB + 1: SP_ETEXTLONG (rc %d)", rc);
	free(t);

	/* invalid UTF-8 is found before any word is handed out */
	o.calls = 0;
	rc = sp_text_words(&text_work, (const uint8_t *) "abc def \x80", 9, 0, collect_word, &o);
	CHECKF(rc == SP_EUTF8 && o.calls == 0, "keywords: invalid UTF-8 before any word (rc %d)", rc);

	/* the stop callback ends the walk; the scratch space is wiped */
	memset(&o, 0, sizeof o);
	o.stop_after = 2;
	text_work.stop = stop_after_words;
	text_work.stop_arg = &o;
	rc = sp_text_words(&text_work, (const uint8_t *) "one two three four", 18, 1,
					   collect_word, &o);
	CHECKF(rc == SP_ECANCELED && o.calls == 2 && scratch_wiped(),
		   "keywords: stop callback: SP_ECANCELED after 2 words, scratch wiped (rc %d, %d calls)",
		   rc, o.calls);
	text_work.stop = NULL;
	memset(&o, 0, sizeof o);
	rc = sp_text_words(&text_work, (const uint8_t *) "One two, THREE", 14, 0, collect_word, &o);
	CHECK(rc == SP_OK && o.len == 14 && memcmp(o.buf, "one|two|three|", 14) == 0 &&
		  scratch_wiped(), "keywords: words of a document; scratch wiped");
	sp_text_wipe(&text_work);
	CHECK(sodium_is_zero((const unsigned char *) &text_work, sizeof text_work),
		  "keywords: sp_text_wipe clears everything");
}

/* ---- sp_text_tokens: the tokens of a document ---- */

/* sp_grow_fn over realloc, counting its calls; fails from call fail_at on. */
typedef struct grow_count
{
	int			calls;
	int			fail_at;		/* 0: never */
} grow_count;

static void *
grow_counted(void *arg, void *old, size_t used_bytes, size_t new_bytes)
{
	grow_count *g = arg;

	(void) used_bytes;
	if (++g->calls == g->fail_at)
		return NULL;
	return realloc(old, new_bytes);
}

static void
test_text_tokens(void)
{
	uint8_t		key[SP_INDEXKEYBYTES];
	uint8_t		want[SP_TOKENBYTES];
	char		doc[1024];
	char		word[16];
	size_t		len = 0;
	grow_count	g = {0, 0};
	sp_token_list list = {NULL, 0, 0, grow_counted, &g};
	int			sorted = 1,
				found = 0;
	int			rc;

	memset(key, 0x42, sizeof key);
	/* 100 distinct words, each twice: 200 tokens grown 64 -> 128 -> 256 */
	for (int i = 0; i < 200; i++)
		len += (size_t) snprintf(doc + len, sizeof doc - len, "w%d ", i % 100);
	rc = sp_text_tokens(&text_work, key, (const uint8_t *) doc, len, 0, &list);
	for (size_t i = 1; rc == SP_OK && i < list.n; i++)
		sorted &= memcmp(list.tokens[i - 1], list.tokens[i], SP_TOKENBYTES) < 0;
	for (int i = 0; rc == SP_OK && i < 100; i++)
	{
		snprintf(word, sizeof word, "w%d", i);
		if (sp_token(want, key, (const uint8_t *) word, strlen(word)) != SP_OK)
			break;
		for (size_t k = 0; k < list.n; k++)
			found += memcmp(list.tokens[k], want, SP_TOKENBYTES) == 0;
	}
	CHECKF(rc == SP_OK && list.n == 100 && sorted && found == 100 && g.calls == 3,
		   "sp_text_tokens: 200 words, 100 distinct: their 100 tokens, sorted, "
		   "the list grown 3 times (rc %d, n %zu, found %d, grown %d)",
		   rc, list.n, found, g.calls);
	free(list.tokens);

	/* prefixes: "searching" gives sea, sear, ..., searchin and itself */
	memset(&list, 0, sizeof list);
	list.grow = grow_counted;
	list.grow_arg = &g;
	rc = sp_text_tokens(&text_work, key, (const uint8_t *) "Searching", 9, 1, &list);
	CHECKF(rc == SP_OK && list.n == 7,
		   "sp_text_tokens: a word of 9 letters with prefixes: 7 tokens (rc %d, n %zu)",
		   rc, list.n);
	free(list.tokens);

	/* the allocator fails: SP_ENOMEM, no tokens */
	memset(&list, 0, sizeof list);
	g.calls = 0;
	g.fail_at = 2;
	list.grow = grow_counted;
	list.grow_arg = &g;
	rc = sp_text_tokens(&text_work, key, (const uint8_t *) doc, len, 0, &list);
	CHECKF(rc == SP_ENOMEM && list.n == 0,
		   "sp_text_tokens: the allocator fails on its second call: SP_ENOMEM (rc %d)", rc);
	free(list.tokens);

	/* errors of sp_text_words pass through */
	memset(&list, 0, sizeof list);
	g.fail_at = 0;
	list.grow = grow_counted;
	list.grow_arg = &g;
	rc = sp_text_tokens(&text_work, key, (const uint8_t *) "abc \x80", 5, 0, &list);
	CHECKF(rc == SP_EUTF8 && list.n == 0 && list.tokens == NULL,
		   "sp_text_tokens: invalid UTF-8: SP_EUTF8 before any token (rc %d)", rc);
}

/* ---- scheme-v1-invalid.json ---- */

/* A valid value of the same type, to show the check can pass. */
static const char *
counterpart(sp_kind kind)
{
	switch (kind)
	{
		case SP_KIND_SECRET_KEY:
			return kat_keys[KAT_USER].seed_text;
		case SP_KIND_PUBLIC_KEY:
			return kat_keys[KAT_USER].pk_text;
		case SP_KIND_GRANT:
			return kat_hops[0].grant_text;
		case SP_KIND_CIPHERTEXT:
			return kat_cts[1].text;
		case SP_KIND_TOKEN:
			return kat_token_text;
		default:
			return "";
	}
}

static void
test_invalid(void)
{
	for (int i = 0; i < KAT_NINVALID; i++)
	{
		const kat_invalid *c = &kat_invalid_cases[i];

		if (strcmp(c->stage, "input") == 0)
		{
			int			rc = decode_validate(c->kind, c->value);
			int			rc_ok = decode_validate(c->kind, counterpart(c->kind));

			CHECKF(rc < 0, "invalid %d (%s, input): %s: refused (%s)", i + 1,
				   c->type, c->why, sp_strerror(rc));
			CHECKF(rc_ok == SP_OK, "invalid %d: a valid %s passes the same checks (rc %d)",
				   i + 1, c->type, rc_ok);
		}
		else if (strcmp(c->stage, "reencrypt") == 0)
		{
			uint8_t    *ct,
					   *g,
					   *out;
			size_t		ctlen,
						glen,
						outlen;
			int			rc1,
						rc2,
						rc;

			rc1 = decode_text(SP_KIND_CIPHERTEXT, c->value, strlen(c->value), &ct, &ctlen);
			if (rc1 == SP_OK)
				rc1 = sp_validate(SP_KIND_CIPHERTEXT, ct, ctlen);
			rc2 = decode_text(SP_KIND_GRANT, c->grant, strlen(c->grant), &g, &glen);
			if (rc2 == SP_OK)
				rc2 = sp_validate(SP_KIND_GRANT, g, glen);
			CHECKF(rc1 == SP_OK && rc2 == SP_OK,
				   "invalid %d (reencrypt): %s: ciphertext and grant valid on input (rc %d, %d)",
				   i + 1, c->why, rc1, rc2);
			if (rc1 == SP_OK && rc2 == SP_OK)
			{
				rc = reencrypt_fresh(&out, &outlen, ct, ctlen, g);
				free(out);
				CHECKF(rc == c->expect, "invalid %d (reencrypt): %s: refused with %d (rc %d)",
					   i + 1, c->why, c->expect, rc);
			}
			if (rc1 == SP_OK && sp_ciphertext_level(ct) == SP_MAXLEVEL)
			{
				/* the note of this case: the device decrypts it */
				sp_secret	key;
				uint8_t    *m;
				size_t		mlen;
				int			wiped;

				expand(&key, kat_keys[KAT_DEVICE].seed);
				rc = try_decrypt(ct, ctlen, &key, &m, &mlen, &wiped);
				sp_secret_wipe(&key);
				CHECKF(rc == SP_OK && mlen == 13 && memcmp(m, "level sixteen", 13) == 0,
					   "invalid %d: the level-16 value decrypts to 'level sixteen' (rc %d)",
					   i + 1, rc);
				free(m);
			}
			free(ct);
			free(g);
		}
		else if (strcmp(c->stage, "decrypt") == 0)
		{
			uint8_t    *ct;
			size_t		ctlen;
			sp_secret	key;
			int			rc,
						wiped;

			rc = decode_text(SP_KIND_CIPHERTEXT, c->value, strlen(c->value), &ct, &ctlen);
			if (rc == SP_OK)
				rc = sp_validate(SP_KIND_CIPHERTEXT, ct, ctlen);
			CHECKF(rc == SP_OK, "invalid %d (decrypt): %s: valid on input (rc %d)",
				   i + 1, c->why, rc);
			if (rc == SP_OK)
			{
				expand(&key, kat_keys[c->key].seed);
				rc = try_decrypt(ct, ctlen, &key, NULL, NULL, &wiped);
				sp_secret_wipe(&key);
				CHECKF((rc == SP_EWRONGKEY || rc == SP_EDECRYPT) && wiped,
					   "invalid %d (decrypt): %s: refused with the %s key, output zero (rc %d)",
					   i + 1, c->why, kat_keys[c->key].name, rc);
			}
			free(ct);
		}
		else
			checkf_(0, "invalid %d: unknown stage %s", i + 1, c->stage);
	}
}

/* ---- properties with fresh randomness ---- */

/*
 * Round trip through a chain of 16 fresh keys: encrypt for key 0, re-encrypt
 * to key 1, ... key 15 (level 16), decrypting at every level; the 16th
 * re-encryption is refused.
 */
static void
chain16(size_t mlen, size_t aadlen)
{
	sp_secret	keys[SP_MAXLEVEL + 1];
	uint8_t		grants[SP_MAXLEVEL][SP_GRANTBYTES];
	uint8_t    *m = xmalloc(mlen),
			   *aad = xmalloc(aadlen),
			   *ct,
			   *next;
	size_t		ctlen,
				nextlen;
	agg			a_valid = {0},
				a_size = {0},
				a_acc = {0},
				a_dec = {0},
				a_wrong = {0},
				a_re = {0},
				a_grant = {0};
	char		name[128];
	int			rc;

	sp_random_bytes(m, mlen);
	sp_random_bytes(aad, aadlen);
	for (int i = 0; i <= SP_MAXLEVEL; i++)
		fresh_key(&keys[i]);
	for (int i = 0; i < SP_MAXLEVEL; i++)
	{
		rc = grant_fresh(grants[i], &keys[i], keys[i + 1].pk, i * 1000);
		AGG(a_grant, rc == SP_OK && sp_grant_validate(grants[i]) == SP_OK &&
			sp_grant_not_after(grants[i]) == i * 1000,
			"grant %d -> %d (rc %d)", i, i + 1, rc);
	}

	rc = encrypt_fresh(&ct, &ctlen, keys[0].pk, m, mlen, aad, aadlen);
	CHECKF(rc == SP_OK, "chain16 (m %zu, aad %zu): encrypt (rc %d)", mlen, aadlen, rc);
	for (int n = 1; rc == SP_OK && n <= SP_MAXLEVEL; n++)
	{
		uint8_t    *out;
		size_t		outlen;
		int			vrc = sp_ciphertext_validate(ct, ctlen),
					wiped;

		AGG(a_valid, vrc == SP_OK, "level %d: rc %d", n, vrc);
		AGG(a_size, ctlen == 196 + aadlen + 128 * (size_t) (n - 1) + mlen + 16 &&
			ctlen == sp_ciphertext_bytes(n, aadlen, mlen),
			"level %d: %zu bytes", n, ctlen);
		if (vrc != SP_OK)
			break;
		AGG(a_acc, sp_ciphertext_level(ct) == n &&
			sp_ciphertext_aadlen(ct) == aadlen &&
			memcmp(sp_ciphertext_recipient(ct), keys[n - 1].pk, 64) == 0 &&
			sp_plaintext_bytes(ct, ctlen) == mlen &&
			memcmp(ct + SP_CT_AAD, aad, aadlen) == 0,
			"level %d", n);

		rc = try_decrypt(ct, ctlen, &keys[n - 1], &out, &outlen, &wiped);
		AGG(a_dec, rc == SP_OK && outlen == mlen && memcmp(out, m, mlen) == 0,
			"level %d: rc %d", n, rc);
		free(out);
		/* the next key, and the first key (original recipient) */
		rc = try_decrypt(ct, ctlen, &keys[n], NULL, NULL, &wiped);
		AGG(a_wrong, rc == SP_EWRONGKEY && wiped, "level %d, next key: rc %d", n, rc);
		if (n > 1)
		{
			rc = try_decrypt(ct, ctlen, &keys[0], NULL, NULL, &wiped);
			AGG(a_wrong, rc == SP_EWRONGKEY && wiped, "level %d, key 0: rc %d", n, rc);
		}

		rc = reencrypt_fresh(&next, &nextlen, ct, ctlen, grants[n - 1]);
		if (n < SP_MAXLEVEL)
		{
			AGG(a_re, rc == SP_OK &&
				memcmp(next, ct, 5) == 0 && next[5] == n + 1 &&
				memcmp(next + 6, ct + 6, ctlen - mlen - 16 - 6) == 0 &&
				memcmp(next + ctlen - mlen - 16, grants[n - 1] + SP_GR_TO, 64) == 0 &&
				memcmp(next + ctlen - mlen - 16 + 64, grants[n - 1] + SP_GR_X, 32) == 0 &&
				memcmp(next + nextlen - mlen - 16, ct + ctlen - mlen - 16, mlen + 16) == 0,
				"L%d -> L%d: rc %d", n, n + 1, rc);
			free(ct);
			ct = next;
			ctlen = nextlen;
			rc = SP_OK;
		}
		else
		{
			free(next);
			snprintf(name, sizeof name,
					 "chain16 (m %zu, aad %zu): re-encrypt L16 -> L17 refused with SP_EMAXLEVEL (rc %d)",
					 mlen, aadlen, rc);
			CHECK(rc == SP_EMAXLEVEL, name);
			rc = SP_OK;
		}
	}
	CHECKF(sp_ciphertext_bytes(SP_MAXLEVEL + 1, aadlen, mlen) == 0,
		   "chain16 (m %zu, aad %zu): no size for level 17", mlen, aadlen);

#define AGGCHECK(a, what) \
	do { \
		snprintf(name, sizeof name, "chain16 (m %zu, aad %zu): %s", mlen, aadlen, what); \
		agg_check(&(a), name); \
	} while (0)
	AGGCHECK(a_grant, "15 + 1 fresh grants valid, not_after kept");
	AGGCHECK(a_valid, "levels 1..16 valid");
	AGGCHECK(a_size, "size = 196 + A + 128(n-1) + len + 16 at levels 1..16");
	AGGCHECK(a_acc, "level, aad length, aad, recipient, plaintext size at levels 1..16");
	AGGCHECK(a_dec, "decrypt gives the message at levels 1..16");
	AGGCHECK(a_wrong, "other keys refused with SP_EWRONGKEY, output zero");
	AGGCHECK(a_re, "re-encrypt only raises the level and appends (to, X, T)");
#undef AGGCHECK

	free(ct);
	free(m);
	free(aad);
	for (int i = 0; i <= SP_MAXLEVEL; i++)
		sp_secret_wipe(&keys[i]);
}

static void
test_chain16(void)
{
	chain16(0, 0);
	chain16(1, 0);
	chain16(0, 1);
	chain16(37, 11);
	chain16(1 + randombytes_uniform(400), randombytes_uniform(200));
}

/*
 * Flip bits of a level-3 ciphertext (keys k0 -> k1 -> k2) and check each
 * region for what SCHEME.md guarantees:
 *
 *  magic, version, reserved: the layout check fails (EMAGIC, EVERSION,
 *    ERESERVED).
 *  level (all 255 changes): the level n' = 3 ^ mask.  n' = 1 or 2 is a
 *    consistent layout (the hop records then count as body): valid, but
 *    the AEAD fails for its new current recipient and every other key gets
 *    EWRONGKEY.  n' >= 4 needs more hop records than there are bytes (the
 *    body is only 56 bytes), n' > 16 or 0 is out of range: malformed.
 *  P0: a valid point encoding either fails as a point or, if still valid
 *    (the sigma half keeps a valid Ed25519 point for some flips), changes
 *    AD and K: EDECRYPT.
 *  E, V, s: point, scalar or capsule check fails.
 *  nonce, aad, body: valid; EDECRYPT.
 *  aad length: the layout moves; nothing may both validate and decrypt.
 *  hop 1 P, X, T: either an invalid point or the derived S changes:
 *    EDECRYPT.
 *  hop 1 sigma: used nowhere (only Pk.P enters Hs, and only the last
 *    hop's key is compared with the holder).  A flip that keeps a valid
 *    Ed25519 point is accepted and decrypts to the *original* message: the
 *    scheme does not bind it.  We assert that no flip there gives a
 *    different plaintext, and report how many were accepted.
 *  hop 2 P and sigma: the current recipient changes: EWRONGKEY (or an
 *    invalid point).
 *  hop 2 X, T: EDECRYPT (or an invalid point).
 *
 * And everywhere except hop 1 sigma: no flip both validates and decrypts.
 */
static void
test_flip_ciphertext(void)
{
	enum { MLEN = 40, ALEN = 11 };
	sp_secret	k[3];
	uint8_t		m[MLEN],
				aad[ALEN],
				g01[SP_GRANTBYTES],
				g12[SP_GRANTBYTES],
			   *c1,
			   *c2,
			   *ct,
			   *f;
	size_t		l1,
				l2,
				len;
	size_t		h1 = 196 + ALEN,
				h2 = h1 + 128,
				body = h2 + 128;
	agg			a_never = {0},
				a_region = {0},
				a_wipe = {0},
				a_sigma = {0};
	int			tried = 0,
				sigma_accepted = 0,
				valid_flips = 0;
	int			rc;

	for (int i = 0; i < 3; i++)
		fresh_key(&k[i]);
	sp_random_bytes(m, sizeof m);
	sp_random_bytes(aad, sizeof aad);
	rc = encrypt_fresh(&c1, &l1, k[0].pk, m, MLEN, aad, ALEN);
	rc = rc ? rc : grant_fresh(g01, &k[0], k[1].pk, 0);
	rc = rc ? rc : grant_fresh(g12, &k[1], k[2].pk, 0);
	rc = rc ? rc : reencrypt_fresh(&c2, &l2, c1, l1, g01);
	rc = rc ? rc : reencrypt_fresh(&ct, &len, c2, l2, g12);
	CHECKF(rc == SP_OK && len == body + MLEN + 16 &&
		   sp_ciphertext_validate(ct, len) == SP_OK,
		   "flip: a valid level-3 ciphertext to start from (rc %d)", rc);
	if (rc != SP_OK)
		return;
	free(c1);
	free(c2);

	f = xmalloc(len);
	for (size_t i = 0; i < len; i++)
	{
		const char *field = ct_field(ct, len, i);
		int			all_masks = i < body || i == len - 1;

		for (int mask = 1; mask < 256; mask++)
		{
			int			v,
						dec[3],
						any_ok = 0,
						wiped;
			uint8_t    *out[3] = {NULL, NULL, NULL};
			size_t		outlen[3];

			/* every single bit in the header and hop records, a rotating
			 * bit in the body, and every value of the level byte */
			if (i == SP_CT_LEVEL)
				;
			else if (all_masks ? (mask & (mask - 1)) != 0 : mask != 1 << (i % 8))
				continue;
			tried++;
			memcpy(f, ct, len);
			f[i] ^= (uint8_t) mask;
			v = sp_ciphertext_validate(f, len);
			for (int j = 0; j < 3; j++)
			{
				dec[j] = 1;		/* not tried */
				if (v != SP_OK)
					continue;
				dec[j] = try_decrypt(f, len, &k[j], &out[j], &outlen[j], &wiped);
				if (dec[j] == SP_OK)
					any_ok = 1;
				else
					AGG(a_wipe, wiped, "byte %zu (%s) ^ 0x%02x, key %d: rc %d, output not zero",
						i, field, mask, j, dec[j]);
			}
			if (v == SP_OK)
				valid_flips++;

			if (i >= h1 + 32 && i < h1 + 64)
			{
				/* hop 1 sigma: never a different plaintext */
				if (any_ok)
					sigma_accepted++;
				for (int j = 0; j < 3; j++)
					AGG(a_sigma, dec[j] != SP_OK ||
						(outlen[j] == MLEN && memcmp(out[j], m, MLEN) == 0),
						"byte %zu ^ 0x%02x: key %d decrypts to another message", i, mask, j);
			}
			else
				AGG(a_never, !any_ok, "byte %zu (%s) ^ 0x%02x: validates (rc %d) and decrypts",
					i, field, mask, v);

			if (i < 4)
				AGG(a_region, v == SP_EMAGIC, "byte %zu (magic) ^ 0x%02x: rc %d", i, mask, v);
			else if (i == 4)
				AGG(a_region, v == SP_EVERSION, "byte 4 (version) ^ 0x%02x: rc %d", mask, v);
			else if (i == SP_CT_LEVEL)
			{
				int			n = 3 ^ mask;

				if (n == 1 || n == 2)
					AGG(a_region, v == SP_OK && dec[n - 1] == SP_EDECRYPT &&
						dec[(n == 1) ? 1 : 0] == SP_EWRONGKEY && dec[2] == SP_EWRONGKEY,
						"level 3 -> %d: rc %d, decrypt %d %d %d", n, v, dec[0], dec[1], dec[2]);
				else if (n >= 4 && n <= 16)
					AGG(a_region, v < 0 && sp_err_is_malformed(v),
						"level 3 -> %d: rc %d", n, v);
				else
					AGG(a_region, v == SP_ELEVEL || v == SP_ELEVELMAX || v == SP_ELENGTH,
						"level 3 -> %d: rc %d", n, v);
			}
			else if (i < 8)
				AGG(a_region, v == SP_ERESERVED, "byte %zu (reserved) ^ 0x%02x: rc %d", i, mask, v);
			else if (i < SP_CT_E)
				AGG(a_region, v == SP_EPOINT ||
					(v == SP_OK && dec[2] == SP_EDECRYPT &&
					 dec[0] == SP_EWRONGKEY && dec[1] == SP_EWRONGKEY),
					"byte %zu (%s) ^ 0x%02x: rc %d, decrypt %d", i, field, mask, v, dec[2]);
			else if (i < SP_CT_NONCE)
				AGG(a_region, v == SP_EPOINT || v == SP_ESCALAR || v == SP_ECAPSULE,
					"byte %zu (%s) ^ 0x%02x: rc %d", i, field, mask, v);
			else if (i < SP_CT_AADLEN || (i >= SP_CT_AAD && i < h1) || i >= body)
				AGG(a_region, v == SP_OK && dec[2] == SP_EDECRYPT &&
					dec[0] == SP_EWRONGKEY && dec[1] == SP_EWRONGKEY,
					"byte %zu (%s) ^ 0x%02x: rc %d, decrypt %d", i, field, mask, v, dec[2]);
			else if (i < SP_CT_AAD)
				;				/* aad length: only the general rule */
			else if (i < h1 + 32 || (i >= h1 + 64 && i < h2) || i >= h2 + 64)
				AGG(a_region, v == SP_EPOINT || (v == SP_OK && dec[2] == SP_EDECRYPT),
					"byte %zu (%s) ^ 0x%02x: rc %d, decrypt %d", i, field, mask, v, dec[2]);
			else if (i >= h2)	/* hop 2 public key: the current recipient */
				AGG(a_region, v == SP_EPOINT ||
					(v == SP_OK && dec[0] == SP_EWRONGKEY && dec[1] == SP_EWRONGKEY &&
					 dec[2] == SP_EWRONGKEY),
					"byte %zu (%s) ^ 0x%02x: rc %d, decrypt %d", i, field, mask, v, dec[2]);
			else				/* hop 1 sigma */
				AGG(a_region, v == SP_EPOINT || v == SP_OK,
					"byte %zu (%s) ^ 0x%02x: rc %d", i, field, mask, v);
			for (int j = 0; j < 3; j++)
				free(out[j]);
		}
	}
	note("flip: %d changed ciphertexts, %d of them valid on input", tried, valid_flips);
	agg_check(&a_never, "flip level 3: no change outside hop 1 sigma both validates and decrypts");
	agg_check(&a_region, "flip level 3: each region refused where and how SCHEME.md says");
	agg_check(&a_wipe, "flip level 3: every failed decryption leaves the output zero");
	agg_check(&a_sigma, "flip level 3: a change of hop 1 sigma never yields another message");
	if (sigma_accepted > 0)
		note("flip: %d changes of hop 1's sigma (the delegate's Ed25519 key, bound by "
			 "nothing in the scheme) were accepted and decrypt to the original message",
			 sigma_accepted);
	free(f);
	free(ct);
	for (int i = 0; i < 3; i++)
		sp_secret_wipe(&k[i]);
}

/* Every single-bit change of a grant fails sp_grant_validate. */
static void
test_flip_grant(void)
{
	sp_secret	a,
				b;
	uint8_t		g[SP_GRANTBYTES],
				f[SP_GRANTBYTES];
	agg			ag = {0};
	int			rc;

	fresh_key(&a);
	fresh_key(&b);
	rc = grant_fresh(g, &a, b.pk, 1700000000);
	CHECKF(rc == SP_OK && sp_grant_validate(g) == SP_OK, "flip: a valid grant (rc %d)", rc);
	for (size_t i = 0; i < SP_GRANTBYTES; i++)
		for (int bit = 0; bit < 8; bit++)
		{
			memcpy(f, g, sizeof f);
			f[i] ^= (uint8_t) (1 << bit);
			rc = sp_grant_validate(f);
			AGG(ag, rc < 0, "byte %zu (%s) bit %d: rc %d", i, grant_field(i), bit, rc);
		}
	agg_check(&ag, "flip grant: every single-bit change (272 x 8) is refused");
	sp_secret_wipe(&a);
	sp_secret_wipe(&b);
}

/* Properties of sp_grant beyond the vectors. */
static void
test_grant_misc(void)
{
	sp_secret	a,
				b;
	uint8_t		g[SP_GRANTBYTES],
				g2[SP_GRANTBYTES],
				bad[SP_PUBLICKEYBYTES];
	int			rc;

	fresh_key(&a);
	fresh_key(&b);
	rc = grant_fresh(g, &a, a.pk, 0);
	CHECKF(rc < 0, "grant to oneself refused (rc %d)", rc);
	memset(bad, 0, sizeof bad);
	rc = grant_fresh(g, &a, bad, 0);
	CHECKF(rc == SP_EPOINT, "grant to an all-zero public key refused with SP_EPOINT (rc %d)", rc);
	memcpy(bad, b.pk, sizeof bad);
	bad[31] ^= 0x80;				/* ristretto encodings have the top bit clear */
	rc = grant_fresh(g, &a, bad, 0);
	CHECKF(rc == SP_EPOINT, "grant to a public key with an invalid P refused (rc %d)", rc);
	rc = grant_fresh(g, &a, b.pk, -1);
	CHECKF(rc == SP_OK && sp_grant_not_after(g) == -1 && sp_grant_validate(g) == SP_OK,
		   "grant keeps a negative not_after (rc %d)", rc);
	rc = grant_fresh(g, &a, b.pk, INT64_MAX);
	CHECKF(rc == SP_OK && sp_grant_not_after(g) == INT64_MAX,
		   "grant keeps not_after = INT64_MAX (rc %d)", rc);
	rc = grant_fresh(g2, &a, b.pk, INT64_MAX);
	CHECK(rc == SP_OK && memcmp(g, g2, SP_GR_X) == 0 &&
		  memcmp(g + SP_GR_X, g2 + SP_GR_X, 32) != 0,
		  "two grants a -> b differ in X (fresh x)");
	sp_secret_wipe(&a);
	sp_secret_wipe(&b);
}

/* Round trip of the text forms of every kind, and strict decoding. */
static void
test_text(void)
{
	static const sp_kind kinds[] = {
		SP_KIND_SECRET_KEY, SP_KIND_PUBLIC_KEY, SP_KIND_GRANT,
		SP_KIND_CIPHERTEXT, SP_KIND_TOKEN
	};
	static const char b64url[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	for (size_t ki = 0; ki < sizeof kinds / sizeof kinds[0]; ki++)
	{
		sp_kind		kind = kinds[ki];
		const char *prefix = sp_kind_prefix(kind);
		size_t		plen = strlen(prefix);
		agg			a_rt = {0},
					a_ws = {0},
					a_strict = {0};
		int			first = kind == SP_KIND_CIPHERTEXT ? 1 : (int) sp_kind_bytes(kind);
		int			last = kind == SP_KIND_CIPHERTEXT ? 100 : first;

		for (int n = first; n <= last; n++)
		{
			size_t		tcap = sp_text_bytes(kind, (size_t) n),
						len;
			uint8_t    *bin = xmalloc((size_t) n),
					   *dec;
			char	   *text = xmalloc(tcap),
					   *ref = xmalloc(tcap),
					   *mut = xmalloc(tcap + 16);
			size_t		tlen;
			int			rc;

			sp_random_bytes(bin, (size_t) n);
			rc = sp_text_encode(text, tcap, kind, bin, (size_t) n);
			memcpy(ref, prefix, plen);
			sodium_bin2base64(ref + plen, tcap - plen, bin, (size_t) n,
							  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
			AGG(a_rt, rc == SP_OK && strlen(text) + 1 == tcap && strcmp(text, ref) == 0,
				"%d bytes: encode (rc %d)", n, rc);
			if (rc != SP_OK)
				goto next;
			tlen = strlen(text);
			AGG(a_rt, sp_text_kind(text, tlen) == (int) kind, "%d bytes: sp_text_kind", n);
			rc = decode_text(kind, text, tlen, &dec, &len);
			AGG(a_rt, rc == SP_OK && len == (size_t) n && memcmp(dec, bin, len) == 0,
				"%d bytes: decode (rc %d)", n, rc);
			free(dec);
			rc = sp_text_encode(text, tcap - 1, kind, bin, (size_t) n);
			AGG(a_rt, rc == SP_ELENGTH, "%d bytes: encode into one char too few (rc %d)", n, rc);
			rc = sp_text_encode(text, tcap, kind, bin, (size_t) n);

			/* surrounding white space is accepted */
			snprintf(mut, tcap + 16, " \t\r\n%s\n\t ", text);
			rc = decode_text(kind, mut, strlen(mut), &dec, &len);
			AGG(a_ws, rc == SP_OK && len == (size_t) n && memcmp(dec, bin, len) == 0,
				"%d bytes: with white space around (rc %d)", n, rc);
			free(dec);

#define REFUSED(what) \
	do { \
		rc = decode_text(kind, mut, mlen_, &dec, &len); \
		free(dec); \
		AGG(a_strict, rc < 0, "%d bytes, %s: rc %d", n, (what), rc); \
	} while (0)
			{
				size_t		mlen_;
				size_t		mid = plen + (tlen - plen) / 2;
				size_t		nchars = tlen - plen;
				static const char bad[] = {'+', '/', '*', '.', ' ', '\0', '\x80', '='};

				/* padding */
				snprintf(mut, tcap + 16, "%s=", text);
				mlen_ = strlen(mut);
				REFUSED("'=' appended");
				snprintf(mut, tcap + 16, "%s==", text);
				mlen_ = strlen(mut);
				REFUSED("'==' appended");
				/* characters outside the alphabet, in the middle */
				for (size_t b = 0; b < sizeof bad; b++)
				{
					memcpy(mut, text, tlen + 1);
					mut[mid] = bad[b];
					mlen_ = tlen;
					{
						char		what[48];

						snprintf(what, sizeof what, "character 0x%02x inside", (unsigned char) bad[b]);
						REFUSED(what);
					}
				}
				/* non-zero trailing bits (when there are any) */
				if (((size_t) n * 8) % 6 != 0)
				{
					int			unused = (int) (nchars * 6 - (size_t) n * 8);
					const char *p = strchr(b64url, text[tlen - 1]);

					for (int bit = 0; p != NULL && bit < unused; bit++)
					{
						memcpy(mut, text, tlen + 1);
						mut[tlen - 1] = b64url[(p - b64url) ^ (1 << bit)];
						mlen_ = tlen;
						REFUSED("non-zero trailing bits");
					}
				}
				/* one character more or fewer (a ciphertext has no fixed size) */
				if (kind != SP_KIND_CIPHERTEXT)
				{
					memcpy(mut, text, tlen + 1);
					mlen_ = tlen - 1;
					REFUSED("last character removed");
					snprintf(mut, tcap + 16, "%sA", text);
					mlen_ = strlen(mut);
					REFUSED("a character appended");
				}
				/* white space inside */
				memcpy(mut, text, mid);
				mut[mid] = ' ';
				memcpy(mut + mid + 1, text + mid, tlen - mid + 1);
				mlen_ = tlen + 1;
				REFUSED("a space inside");
				/* prefixes: missing, upper case, every other kind's, empty body */
				memcpy(mut, text + plen, nchars + 1);
				mlen_ = nchars;
				REFUSED("no prefix");
				memcpy(mut, text, tlen + 1);
				mut[0] = 'P';
				mlen_ = tlen;
				REFUSED("prefix in upper case");
				for (size_t o = 0; o < sizeof kinds / sizeof kinds[0]; o++)
				{
					if (kinds[o] == kind)
						continue;
					snprintf(mut, tcap + 16, "%s%s", sp_kind_prefix(kinds[o]), text + plen);
					mlen_ = strlen(mut);
					REFUSED("another kind's prefix");
				}
				snprintf(mut, tcap + 16, "%s", prefix);
				mlen_ = plen;
				REFUSED("nothing after the prefix");
				snprintf(mut, tcap + 16, "%s  ", prefix);
				mlen_ = plen + 2;
				REFUSED("only spaces after the prefix");
				mlen_ = 0;
				mut[0] = '\0';
				REFUSED("empty text");
				/* too small an output buffer: refused, never overrun */
				{
					uint8_t    *small = xmalloc((size_t) n - 1);

					len = 0;
					rc = sp_text_decode(small, (size_t) n - 1, &len, kind, text, tlen);
					AGG(a_strict, rc < 0, "%d bytes into %d: rc %d", n, n - 1, rc);
					free(small);
				}
			}
#undef REFUSED
	next:
			free(bin);
			free(text);
			free(ref);
			free(mut);
		}
		checkf_(a_rt.bad == 0, "text %s: encode/decode round trip%s%s", sp_kind_name(kind),
				a_rt.bad ? ": " : "", a_rt.first);
		checkf_(a_ws.bad == 0, "text %s: white space around is accepted%s%s",
				sp_kind_name(kind), a_ws.bad ? ": " : "", a_ws.first);
		checkf_(a_strict.bad == 0,
				"text %s: strict (padding, alphabet, trailing bits, length, prefix, empty)%s%s",
				sp_kind_name(kind), a_strict.bad ? ": " : "", a_strict.first);
	}

	/* fixed-size kinds: a wrong decoded length is refused with SP_ELENGTH */
	{
		uint8_t		buf[300];
		char		text[512];
		uint8_t    *dec;
		size_t		len;
		int			rc;
		agg			a = {0};

		memset(buf, 7, sizeof buf);
		for (size_t ki = 0; ki < sizeof kinds / sizeof kinds[0]; ki++)
		{
			size_t		want = sp_kind_bytes(kinds[ki]);
			size_t		tries[2];

			if (want == 0)
				continue;
			tries[0] = want - 1;
			tries[1] = want + 1;
			for (int t = 0; t < 2; t++)
			{
				/* encode as a ciphertext (variable length), then swap prefixes */
				rc = sp_text_encode(text, sizeof text, SP_KIND_CIPHERTEXT, buf, tries[t]);
				if (rc == SP_OK)
				{
					char		text2[600];

					snprintf(text2, sizeof text2, "%s%s", sp_kind_prefix(kinds[ki]),
							 text + strlen("prect_"));
					rc = decode_text(kinds[ki], text2, strlen(text2), &dec, &len);
					free(dec);
				}
				AGG(a, rc == SP_ELENGTH, "%s of %zu bytes: rc %d", sp_kind_name(kinds[ki]),
					tries[t], rc);
			}
		}
		agg_check(&a, "text: a fixed-size kind of the wrong length is refused with SP_ELENGTH");
	}
	CHECK(sp_text_kind("pretok_AAAA", 11) == SP_KIND_TOKEN &&
		  sp_text_kind("pregrant_", 9) == SP_KIND_GRANT &&
		  sp_text_kind("prex_AAAA", 9) == -1 && sp_text_kind("", 0) == -1,
		  "sp_text_kind by prefix");
}

/* Empty message and empty aad. */
static void
test_empty(void)
{
	static const struct
	{
		size_t		mlen,
					aadlen;
	}			cases[] = {{0, 0}, {0, 5}, {5, 0}};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
	{
		size_t		mlen = cases[i].mlen,
					aadlen = cases[i].aadlen;
		sp_secret	a,
					b;
		uint8_t		mbuf[8] = "hello",
					abuf[8] = "extra",
					g[SP_GRANTBYTES],
				   *ct,
				   *ct2,
				   *out;
		size_t		ctlen,
					ct2len,
					outlen;
		int			rc,
					rc2,
					wiped;

		fresh_key(&a);
		fresh_key(&b);
		rc = encrypt_fresh(&ct, &ctlen, a.pk, mbuf, mlen, abuf, aadlen);
		CHECKF(rc == SP_OK && ctlen == 196 + aadlen + mlen + 16 &&
			   sp_ciphertext_validate(ct, ctlen) == SP_OK,
			   "message of %zu bytes, aad of %zu: encrypt and validate (rc %d)",
			   mlen, aadlen, rc);
		if (rc == SP_OK)
		{
			rc = try_decrypt(ct, ctlen, &a, &out, &outlen, &wiped);
			CHECKF(rc == SP_OK && outlen == mlen && memcmp(out, mbuf, mlen) == 0,
				   "message of %zu bytes, aad of %zu: decrypt at level 1 (rc %d)",
				   mlen, aadlen, rc);
			free(out);
			rc = grant_fresh(g, &a, b.pk, 0);
			rc2 = rc ? rc : reencrypt_fresh(&ct2, &ct2len, ct, ctlen, g);
			if (rc2 == SP_OK)
			{
				rc2 = sp_ciphertext_validate(ct2, ct2len);
				if (rc2 == SP_OK)
					rc2 = try_decrypt(ct2, ct2len, &b, &out, &outlen, &wiped);
				else
					out = NULL;
				CHECKF(rc2 == SP_OK && outlen == mlen && memcmp(out, mbuf, mlen) == 0,
					   "message of %zu bytes, aad of %zu: re-encrypt, decrypt at level 2 (rc %d)",
					   mlen, aadlen, rc2);
				free(out);
				free(ct2);
			}
			else
				checkf_(0, "message of %zu bytes, aad of %zu: re-encrypt (rc %d)",
						mlen, aadlen, rc2);
		}
		free(ct);
		sp_secret_wipe(&a);
		sp_secret_wipe(&b);
	}
}

/* A 1 MiB message, through two hops. */
static void
test_big(void)
{
	const size_t mlen = 1024 * 1024;
	sp_secret	k[3];
	uint8_t		g01[SP_GRANTBYTES],
				g12[SP_GRANTBYTES],
				aad[100];
	uint8_t    *m = xmalloc(mlen),
			   *c1,
			   *c2,
			   *c3,
			   *out;
	size_t		l1,
				l2,
				l3,
				outlen;
	int			rc,
				wiped;

	for (int i = 0; i < 3; i++)
		fresh_key(&k[i]);
	sp_random_bytes(m, mlen);
	sp_random_bytes(aad, sizeof aad);
	rc = encrypt_fresh(&c1, &l1, k[0].pk, m, mlen, aad, sizeof aad);
	CHECKF(rc == SP_OK && l1 == 196 + 100 + mlen + 16, "1 MiB: encrypt (rc %d)", rc);
	rc = rc ? rc : grant_fresh(g01, &k[0], k[1].pk, 0);
	rc = rc ? rc : grant_fresh(g12, &k[1], k[2].pk, 0);
	rc = rc ? rc : reencrypt_fresh(&c2, &l2, c1, l1, g01);
	rc = rc ? rc : reencrypt_fresh(&c3, &l3, c2, l2, g12);
	CHECKF(rc == SP_OK && l3 == 196 + 100 + 256 + mlen + 16 &&
		   sp_ciphertext_validate(c3, l3) == SP_OK,
		   "1 MiB: two re-encryptions, valid level 3 (rc %d)", rc);
	if (rc == SP_OK)
	{
		rc = try_decrypt(c3, l3, &k[2], &out, &outlen, &wiped);
		CHECKF(rc == SP_OK && outlen == mlen && memcmp(out, m, mlen) == 0,
			   "1 MiB: decrypt at level 3 (rc %d)", rc);
		free(out);
		rc = try_decrypt(c1, l1, &k[0], &out, &outlen, &wiped);
		CHECKF(rc == SP_OK && outlen == mlen && memcmp(out, m, mlen) == 0,
			   "1 MiB: decrypt at level 1 (rc %d)", rc);
		free(out);
		c3[l3 - 1 - mlen / 2] ^= 0x10;
		rc = try_decrypt(c3, l3, &k[2], NULL, NULL, &wiped);
		CHECKF(rc == SP_EDECRYPT && wiped,
			   "1 MiB: a changed body byte gives SP_EDECRYPT and 1 MiB of zeros (rc %d)", rc);
		free(c2);
		free(c3);
	}
	free(c1);
	free(m);
	for (int i = 0; i < 3; i++)
		sp_secret_wipe(&k[i]);
}

/* Unusable caller randomness: zero and non-canonical scalars. */
static void
test_zero_random(void)
{
	/* l = 2^252 + 27742317777372353535851937790883648493 */
	static const uint8_t ell[32] = {
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2,
		0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10
	};
	uint8_t		zero[32],
				ell1[32],
				ones[32],
				good[32],
				neg[32],
				nonce[SP_NONCEBYTES],
				g[SP_GRANTBYTES];
	const uint8_t *bad[4];
	const char *badname[4] = {"0", "l", "l + 1", "2^256 - 1"};
	sp_secret	a,
				b;
	size_t		ctlen = sp_ciphertext_bytes(1, 0, 4);
	uint8_t    *ct = xmalloc(ctlen);
	int			rc;

	memset(zero, 0, sizeof zero);
	memcpy(ell1, ell, sizeof ell1);
	ell1[0]++;
	memset(ones, 0xff, sizeof ones);
	bad[0] = zero;
	bad[1] = ell;
	bad[2] = ell1;
	bad[3] = ones;
	fresh_key(&a);
	fresh_key(&b);
	sp_random_scalar(good);
	sp_random_bytes(nonce, sizeof nonce);

	for (int i = 0; i < 4; i++)
	{
		rc = sp_encrypt(ct, ctlen, a.pk, (const uint8_t *) "data", 4, (const uint8_t *) "", 0,
						bad[i], good, nonce);
		CHECKF(rc == SP_ERANDOM, "encrypt with r = %s refused with SP_ERANDOM (rc %d)",
			   badname[i], rc);
		rc = sp_encrypt(ct, ctlen, a.pk, (const uint8_t *) "data", 4, (const uint8_t *) "", 0,
						good, bad[i], nonce);
		CHECKF(rc == SP_ERANDOM, "encrypt with u = %s refused with SP_ERANDOM (rc %d)",
			   badname[i], rc);
		rc = sp_grant(g, &a, b.pk, 0, bad[i]);
		CHECKF(rc == SP_ERANDOM, "grant with x = %s refused with SP_ERANDOM (rc %d)",
			   badname[i], rc);
	}
	/* r + u = 0 mod l: E + V is the identity, S would be too */
	crypto_core_ristretto255_scalar_negate(neg, good);
	rc = sp_encrypt(ct, ctlen, a.pk, (const uint8_t *) "data", 4, (const uint8_t *) "", 0,
					good, neg, nonce);
	CHECKF(rc == SP_ERANDOM, "encrypt with r + u = 0 refused with SP_ERANDOM (rc %d)", rc);
	/* an invalid recipient */
	memset(g, 0, SP_PUBLICKEYBYTES);
	rc = sp_encrypt(ct, ctlen, g, (const uint8_t *) "data", 4, (const uint8_t *) "", 0, good, good, nonce);
	CHECKF(rc == SP_EPOINT, "encrypt for an all-zero public key refused with SP_EPOINT (rc %d)", rc);
	/* and the control: the same call with good randomness works */
	rc = sp_encrypt(ct, ctlen, a.pk, (const uint8_t *) "data", 4, (const uint8_t *) "", 0, good, good, nonce);
	CHECKF(rc == SP_OK && sp_ciphertext_validate(ct, ctlen) == SP_OK,
		   "encrypt with good randomness (r = u) works (rc %d)", rc);
	free(ct);
	sp_secret_wipe(&a);
	sp_secret_wipe(&b);
}

/* Output buffers of the wrong size. */
static void
test_sizes(void)
{
	sp_secret	a;
	uint8_t    *ct,
				m[8];
	size_t		ctlen,
				mlen;
	int			rc;

	fresh_key(&a);
	rc = encrypt_fresh(&ct, &ctlen, a.pk, (const uint8_t *) "12345678", 8,
					   (const uint8_t *) "", 0);
	if (rc == SP_OK)
	{
		memset(m, 0xa5, sizeof m);
		rc = sp_decrypt(m, 7, &mlen, ct, ctlen, &a);
		CHECKF(rc < 0, "decrypt into a buffer one byte short refused (rc %d)", rc);
		rc = sp_ciphertext_validate(ct, 196 + 15);
		CHECKF(rc == SP_ELENGTH, "a body of 15 bytes (shorter than the tag): SP_ELENGTH (rc %d)", rc);
		rc = sp_ciphertext_validate(ct, 195);
		CHECKF(rc == SP_ELENGTH, "a ciphertext shorter than the header: SP_ELENGTH (rc %d)", rc);
		rc = sp_ciphertext_validate(ct, 0);
		CHECKF(rc == SP_ELENGTH, "an empty ciphertext: SP_ELENGTH (rc %d)", rc);
	}
	else
		checkf_(0, "sizes: encrypt (rc %d)", rc);
	free(ct);
	{
		uint8_t		nonce[SP_NONCEBYTES];

		sp_random_bytes(nonce, sizeof nonce);
		rc = sp_encrypt(m, sizeof m, a.pk, m, SP_MAXDATABYTES + 1, m, 0, a.p, a.p, nonce);
	}
	CHECKF(rc == SP_ETOOLONG || rc == SP_ELENGTH,
		   "encrypt of a message over SP_MAXDATABYTES refused (rc %d)", rc);
	sp_secret_wipe(&a);
}

/* sp_secret_wipe leaves all zeros. */
static void
test_wipe(void)
{
	sp_secret	key;

	fresh_key(&key);
	CHECK(!is_zero(&key, sizeof key), "expanded key is not zero");
	sp_secret_wipe(&key);
	CHECK(is_zero(&key, sizeof key), "sp_secret_wipe leaves the struct all zeros");
}

/*
 * RFC 9496 rejects a point encoding with bit 255 set (it is >= p), and
 * SCHEME.md wants canonical encodings; libsodium 1.0.18's
 * crypto_core_ristretto255_is_valid_point() accepts it (and decodes it as
 * the point with the bit cleared), so the core must check the bit itself.
 */
static void
test_noncanonical_points(void)
{
	uint8_t		pk[SP_PUBLICKEYBYTES],
				ct[KAT_CT2_LEN];
	static const struct
	{
		size_t		off;
		const char *name;
	}			fields[] = {
		{SP_CT_P0, "P0.P"},
		{196 + KAT_AAD_LEN, "hop 1 P.P"},
		{196 + KAT_AAD_LEN + 64, "hop 1 X"},
		{196 + KAT_AAD_LEN + 96, "hop 1 T"},
	};
	int			rc;

	memcpy(pk, kat_keys[KAT_USER].pk, sizeof pk);
	pk[31] |= 0x80;
	rc = sp_public_key_validate(pk);
	CHECKF(rc == SP_EPOINT, "public key whose P has bit 255 set refused with SP_EPOINT (rc %d)", rc);
	rc = sp_validate(SP_KIND_PUBLIC_KEY, pk, sizeof pk);
	CHECKF(rc == SP_EPOINT, "sp_validate: the same public key refused (rc %d)", rc);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
	{
		memcpy(ct, kat_ct2, sizeof ct);
		ct[fields[i].off + 31] |= 0x80;
		rc = sp_ciphertext_validate(ct, sizeof ct);
		CHECKF(rc == SP_EPOINT,
			   "KAT level 2 with bit 255 of %s set refused with SP_EPOINT (rc %d)",
			   fields[i].name, rc);
	}
}

/*
 * A text of a fixed-size kind, of the wrong length, in a buffer without a
 * terminating NUL: sp_text_decode takes a length and must not read past it
 * (AddressSanitizer and valgrind report an over-read).  Last, because an
 * over-read aborts the sanitizer build.
 */
static void
test_text_unterminated(void)
{
	static const sp_kind kinds[] = {
		SP_KIND_SECRET_KEY, SP_KIND_PUBLIC_KEY, SP_KIND_GRANT, SP_KIND_TOKEN
	};

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
	{
		const char *prefix = sp_kind_prefix(kinds[i]);
		size_t		plen = strlen(prefix),
					tlen = plen + 10;
		char	   *text = xmalloc(tlen);
		uint8_t		bin[300];
		size_t		len;
		int			rc;

		memcpy(text, prefix, plen);
		memset(text + plen, 'A', tlen - plen);	/* no NUL */
		rc = sp_text_decode(bin, sizeof bin, &len, kinds[i], text, tlen);
		CHECKF(rc < 0, "text %s of 10 characters without a NUL: refused (rc %d)",
			   sp_kind_name(kinds[i]), rc);
		free(text);
	}
}

/* The key cache: only valid keys are kept, a hit is a valid key, and the
 * cached validators agree with the plain ones on valid and invalid values. */
static void
test_keycache(void)
{
	static sp_keycache cache;
	uint8_t		pk[SP_PUBLICKEYBYTES];
	uint8_t		bad[SP_PUBLICKEYBYTES];
	uint8_t		ct[sizeof kat_ct3];

	memcpy(pk, kat_grant1 + SP_GR_FROM, SP_PUBLICKEYBYTES);
	memcpy(bad, pk, SP_PUBLICKEYBYTES);
	bad[SP_PUBLICKEYBYTES - 1] ^= 0x80;	/* sigma no longer valid, or another */
	CHECK(sp_public_key_validate_cached(pk, &cache) == SP_OK &&
		  cache.full[pk[0]] && memcmp(cache.key[pk[0]], pk, SP_PUBLICKEYBYTES) == 0,
		  "keycache: a valid key is kept in its slot");
	CHECK(sp_public_key_validate_cached(pk, &cache) == SP_OK,
		  "keycache: a cached key stays valid");
	CHECK(sp_public_key_validate_cached(bad, &cache) == sp_public_key_validate(bad),
		  "keycache: a key in a cached key's slot is checked, not trusted");
	memset(bad, 0, sizeof bad);
	CHECK(sp_public_key_validate_cached(bad, &cache) == SP_EPOINT && !cache.full[0],
		  "keycache: an invalid key is refused and not kept");
	CHECK(sp_ciphertext_validate_cached(kat_ct3, sizeof kat_ct3, &cache) == SP_OK &&
		  sp_grant_validate_cached(kat_grant2, &cache) == SP_OK,
		  "keycache: KAT ciphertext and grant valid through the cache");
	memcpy(ct, kat_ct3, sizeof ct);
	ct[SP_CT_S] ^= 1;
	CHECK(sp_ciphertext_validate_cached(ct, sizeof ct, &cache) == sp_ciphertext_validate(ct, sizeof ct) &&
		  sp_ciphertext_validate(ct, sizeof ct) != SP_OK,
		  "keycache: a broken capsule is refused with a warm cache");
}

/* ---- envelopes (test/vectors/envelope.json) ---- */

/*
 * Open body next to key ciphertext kc into a buffer pre-filled with 0xa5;
 * *wiped tells whether it holds only zeros afterwards.  Returns the sp_err.
 */
static int
env_open(const kat_env *e, int kc, const uint8_t *body, size_t bodylen,
		 uint8_t **mout, size_t *mlen, int *version, int *wiped)
{
	size_t		cap = sp_envelope_plaintext_bytes(bodylen);
	uint8_t    *m = xmalloc(cap);
	int			rc;

	memset(m, 0xa5, cap);
	*mlen = (size_t) -1;
	rc = sp_envelope_open(m, cap, mlen, version, e->data_key,
						  kat_env_kcs[kc].ct, kat_env_kcs[kc].len,
						  body, bodylen);
	*wiped = is_zero(m, cap);
	*mout = m;
	return rc;
}

/* The key ciphertexts: reproduced by the core, holding their data keys. */
static void
test_envelope_key_cts(void)
{
	for (int i = 0; i < KAT_ENV_NKC; i++)
	{
		const kat_env_kc *k = &kat_env_kcs[i];
		uint8_t    *ct = xmalloc(k->len);
		uint8_t		dk[SP_ENVELOPE_KEYBYTES];
		size_t		dklen = 0;
		sp_secret	key;
		int			rc = SP_OK;

		if (k->recipient >= 0)
			rc = sp_encrypt(ct, k->len, kat_keys[k->recipient].pk, k->data_key,
							sizeof k->data_key, k->aad, k->aadlen,
							kat_r, kat_u, kat_nonce);
		else if (k->from >= 0)
			rc = sp_reencrypt(ct, k->len, kat_env_kcs[k->from].ct,
							  kat_env_kcs[k->from].len,
							  kat_hops[k->hop - 1].grant);
		else
			memcpy(ct, k->ct, k->len);
		CHECKF(rc == SP_OK && memcmp(ct, k->ct, k->len) == 0 &&
			   sp_ciphertext_validate(ct, k->len) == SP_OK,
			   "envelope KAT: key ciphertext %s reproduced and valid", k->name);
		if (k->from < 0)
		{
			expand(&key, k->seed != NULL ? k->seed
				   : kat_keys[k->recipient].seed);
			rc = sp_decrypt(dk, sizeof dk, &dklen, k->ct, k->len, &key);
			CHECKF(rc == SP_OK && dklen == sizeof dk &&
				   memcmp(dk, k->data_key, sizeof dk) == 0,
				   "envelope KAT: key ciphertext %s holds its data key", k->name);
			sp_secret_wipe(&key);
		}
		free(ct);
	}
}

/* A valid case: seal gives the body byte for byte, open gives it back. */
static void
test_envelope_valid(const kat_env *e)
{
	const kat_env_kc *k = &kat_env_kcs[e->kc];
	size_t		n = sp_envelope_body_bytes(e->version, e->plaintextlen);
	uint8_t    *body = xmalloc(n);
	uint8_t    *m;
	size_t		mlen;
	int			version,
				wiped,
				rc;
	long		d;

	CHECKF(n == e->bodylen, "envelope KAT %s: sp_envelope_body_bytes", e->name);
	rc = sp_envelope_seal(body, n, e->version, e->data_key, e->nonce,
						  k->ct, k->len, e->plaintext, e->plaintextlen);
	d = n == e->bodylen ? first_diff(body, e->body, n) : 0;
	CHECKF(rc == SP_OK && d < 0,
		   "envelope KAT %s: seal v%d byte for byte (rc %d, first difference at %ld)",
		   e->name, e->version, rc, d);
	free(body);

	rc = env_open(e, e->kc, e->body, e->bodylen, &m, &mlen, &version, &wiped);
	CHECKF(rc == SP_OK && version == e->version && mlen == e->plaintextlen &&
		   memcmp(m, e->plaintext, mlen) == 0,
		   "envelope KAT %s: opens as v%d to the plaintext (rc %d, v%d)",
		   e->name, e->version, rc, version);
	free(m);
	if (e->also >= 0)
	{
		rc = env_open(e, e->also, e->body, e->bodylen, &m, &mlen, &version,
					  &wiped);
		CHECKF(rc == SP_OK && mlen == e->plaintextlen &&
			   memcmp(m, e->plaintext, mlen) == 0,
			   "envelope KAT %s: opens with the re-encrypted key ciphertext %s",
			   e->name, kat_env_kcs[e->also].name);
		free(m);
	}
	if (e->adlen > 0)
	{
		/* the Python associated data is the one libsodium needs */
		size_t		h = e->version == SP_ENVELOPE_V2 ? SP_ENVELOPE_HEADERBYTES : 0;

		m = xmalloc(e->plaintextlen);
		rc = crypto_aead_xchacha20poly1305_ietf_decrypt(m, NULL, NULL,
														e->body + h + 24, e->bodylen - h - 24,
														e->ad, e->adlen, e->body + h,
														e->data_key);
		CHECKF(rc == 0, "envelope KAT %s: body opens under the vector's associated data",
			   e->name);
		free(m);
	}
}

/* A case that must not open: refused with its code, nothing left behind. */
static void
test_envelope_invalid(const kat_env *e)
{
	uint8_t    *m;
	size_t		mlen;
	int			version,
				wiped;
	int			rc = env_open(e, e->kc, e->body, e->bodylen, &m, &mlen,
							  &version, &wiped);

	CHECKF(rc == e->expect && mlen == 0 && version == 0 && wiped,
		   "envelope invalid %s: refused (rc %d), no plaintext (%s)",
		   e->name, rc, e->why);
	free(m);
}

static void
test_envelope_kat(void)
{
	test_envelope_key_cts();
	for (int i = 0; i < KAT_ENV_N; i++)
	{
		if (kat_envs[i].version == 0)
			test_envelope_invalid(&kat_envs[i]);
		else
			test_envelope_valid(&kat_envs[i]);
	}
}

/* Parser: field positions and every refusal of sp_envelope_parse. */
static void
test_envelope_parse(void)
{
	uint8_t		b[64] = {'S', 'P', 'E', 'N', 2, 0, 0, 0};
	sp_envelope_body p;

	CHECK(sp_envelope_parse(&p, 2, b, 48) == SP_OK && p.version == 2 &&
		  p.headerlen == 8 && p.nonce == b + 8 && p.sealed == b + 32 &&
		  p.sealedlen == 16, "envelope parse: v2 fields");
	CHECK(sp_envelope_parse(&p, 1, b, 48) == SP_OK && p.version == 1 &&
		  p.headerlen == 0 && p.nonce == b && p.sealed == b + 24 &&
		  p.sealedlen == 24, "envelope parse: the same bytes as v1");
	CHECK(sp_envelope_version(b, 48) == SP_ENVELOPE_V2 &&
		  sp_envelope_version(b, 47) == SP_ENVELOPE_V1 &&
		  sp_envelope_version(b, 40) == SP_ENVELOPE_V1 &&
		  sp_envelope_version(b, 39) == SP_ELENGTH,
		  "envelope version: v2 from 48 bytes with the marker, v1 from 40");
	CHECK(sp_envelope_parse(&p, 2, b, 47) == SP_ELENGTH &&
		  sp_envelope_parse(&p, 1, b, 39) == SP_ELENGTH &&
		  sp_envelope_parse(&p, 3, b, 64) == SP_EVERSION &&
		  sp_envelope_parse(&p, 0, b, 64) == SP_EVERSION,
		  "envelope parse: short bodies and unknown versions refused");
	b[4] = 3;
	CHECK(sp_envelope_parse(&p, 2, b, 48) == SP_EVERSION &&
		  sp_envelope_version(b, 48) == SP_ENVELOPE_V1,
		  "envelope parse: version byte 3 is not v2 (read as v1)");
	b[4] = 2;
	b[7] = 1;
	CHECK(sp_envelope_parse(&p, 2, b, 48) == SP_ERESERVED &&
		  sp_envelope_version(b, 48) == SP_ENVELOPE_V1,
		  "envelope parse: a reserved byte set is not v2 (read as v1)");
	b[7] = 0;
	b[3] = 'M';
	CHECK(sp_envelope_parse(&p, 2, b, 48) == SP_EMAGIC,
		  "envelope parse: wrong magic refused as v2");
	CHECK(sp_envelope_body_bytes(1, 0) == 40 && sp_envelope_body_bytes(2, 0) == 48 &&
		  sp_envelope_body_bytes(2, 100) == 148 && sp_envelope_body_bytes(3, 0) == 0 &&
		  sp_envelope_body_bytes(2, SP_MAXDATABYTES + 1) == 0 &&
		  sp_envelope_plaintext_bytes(39) == 0 &&
		  sp_envelope_plaintext_bytes(48) == 8,
		  "envelope sizes");
}

/* Seal and open refuse wrong sizes, versions and key ciphertexts. */
static void
test_envelope_refusals(void)
{
	const kat_env *e = &kat_envs[1];	/* v2-record */
	const kat_env_kc *k = &kat_env_kcs[e->kc];
	uint8_t    *body = xmalloc(e->bodylen + 1);
	uint8_t    *m = xmalloc(e->bodylen);
	uint8_t    *bad = xmalloc(k->len);
	size_t		mlen = 1;

	memset(body, 0xa5, e->bodylen);
	CHECK(sp_envelope_seal(body, e->bodylen - 1, 2, e->data_key, e->nonce,
						   k->ct, k->len, e->plaintext, e->plaintextlen) == SP_ELENGTH &&
		  sp_envelope_seal(body, e->bodylen + 1, 2, e->data_key, e->nonce,
						   k->ct, k->len, e->plaintext, e->plaintextlen) == SP_ELENGTH,
		  "envelope seal: a body buffer of the wrong size refused");
	CHECK(sp_envelope_seal(body, e->bodylen, 3, e->data_key, e->nonce,
						   k->ct, k->len, e->plaintext, e->plaintextlen) == SP_EVERSION,
		  "envelope seal: an unknown version refused");
	memcpy(bad, k->ct, k->len);
	bad[0] = 'X';
	CHECK(sp_envelope_seal(body, e->bodylen, 2, e->data_key, e->nonce,
						   bad, k->len, e->plaintext, e->plaintextlen) == SP_EMAGIC &&
		  sp_envelope_open(m, e->bodylen, &mlen, NULL, e->data_key, bad,
						   k->len, e->body, e->bodylen) == SP_EMAGIC &&
		  mlen == 0,
		  "envelope: a key ciphertext of bad layout refused");
	CHECK(sp_envelope_open(m, sp_envelope_plaintext_bytes(e->bodylen) - 1, &mlen,
						   NULL, e->data_key, k->ct, k->len, e->body,
						   e->bodylen) == SP_ELENGTH && mlen == 0,
		  "envelope open: a plaintext buffer one byte short refused");
	free(bad);
	free(body);
	free(m);
}

/* Round trips with fresh randomness; every flipped byte is refused. */
static void
test_envelope_random(void)
{
	static const size_t sizes[] = {0, 1, 15, 16, 17, 63, 64, 65, 1000, 70000};
	const kat_env_kc *k = &kat_env_kcs[0];
	uint8_t		dk[SP_ENVELOPE_KEYBYTES],
				nonce[SP_ENVELOPE_NONCEBYTES];
	agg			rt = {0},
				flip = {0};

	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
	{
		size_t		mlen = sizes[s],
					n = sp_envelope_body_bytes(2, mlen),
					cap = sp_envelope_plaintext_bytes(n),
					got = 0;
		uint8_t    *m = xmalloc(mlen),
				   *body = xmalloc(n),
				   *out = xmalloc(cap);
		int			v = 0;

		sp_random_bytes(dk, sizeof dk);
		sp_random_bytes(nonce, sizeof nonce);
		sp_random_bytes(m, mlen);
		AGG(rt, sp_envelope_seal(body, n, 2, dk, nonce, k->ct, k->len, m, mlen) == SP_OK &&
			sp_envelope_open(out, cap, &got, &v, dk, k->ct, k->len, body, n) == SP_OK &&
			v == 2 && got == mlen && memcmp(out, m, mlen) == 0,
			"%zu bytes", mlen);
		for (size_t i = 0; i < n && mlen < 2000; i++)
		{
			body[i] ^= 0x40;
			AGG(flip, sp_envelope_open(out, cap, &got, NULL, dk, k->ct, k->len,
									   body, n) == SP_EDECRYPT &&
				got == 0 && is_zero(out, cap),
				"%zu bytes, byte %zu", mlen, i);
			body[i] ^= 0x40;
		}
		free(m);
		free(body);
		free(out);
	}
	agg_check(&rt, "envelope: v2 round trips of 0 .. 70000 bytes, fresh keys and nonces");
	agg_check(&flip, "envelope: every flipped byte of a v2 body refused, no plaintext");
	sodium_memzero(dk, sizeof dk);
}

/*
 * The body is bound to KAD of its key ciphertext: every flip in magic,
 * version, P0 .. aad that keeps the layout valid is refused.  (That the
 * level is not bound is the KAT case opened with a re-encrypted key
 * ciphertext.)
 */
static void
test_envelope_binding(void)
{
	const kat_env *e = &kat_envs[1];	/* v2-record */
	const kat_env_kc *k = &kat_env_kcs[e->kc];
	uint8_t    *ct = xmalloc(k->len);
	uint8_t    *m = xmalloc(e->bodylen);
	size_t		kad_end = SP_CT_AAD + sp_ciphertext_aadlen(k->ct),
				mlen;
	int			tried = 0;
	agg			a = {0};

	memcpy(ct, k->ct, k->len);
	for (size_t i = 0; i < kad_end; i++)
	{
		int			rc;

		if (i >= SP_CT_LEVEL && i < SP_CT_P0)
			continue;
		ct[i] ^= 0x01;
		rc = sp_envelope_open(m, e->bodylen, &mlen, NULL, e->data_key, ct,
							  k->len, e->body, e->bodylen);
		if (sp_ciphertext_check_layout(ct, k->len) == SP_OK)
		{
			tried++;
			AGG(a, rc == SP_EDECRYPT, "key ciphertext byte %zu: rc %d", i, rc);
		}
		ct[i] ^= 0x01;
	}
	AGG(a, tried >= 180, "only %d bytes tried", tried);
	agg_check(&a, "envelope: the body is bound to the key ciphertext's magic, version, P0 .. aad");
	free(ct);
	free(m);
}

/*
 * Rotation: a trusted client opens a body and seals the plaintext again
 * under a new data key and a new key ciphertext; the old data key no
 * longer opens the new body.
 */
static void
test_envelope_rotation(void)
{
	const kat_env *e = &kat_envs[1];	/* v2-record */
	const kat_env_kc *k = &kat_env_kcs[e->kc];
	uint8_t		dk[SP_ENVELOPE_KEYBYTES],
				nonce[SP_ENVELOPE_NONCEBYTES];
	uint8_t    *kc2,
			   *m = xmalloc(e->bodylen),
			   *body2 = xmalloc(e->bodylen);
	size_t		kc2len,
				mlen;
	int			ok;

	sp_random_bytes(dk, sizeof dk);
	sp_random_bytes(nonce, sizeof nonce);
	ok = encrypt_fresh(&kc2, &kc2len, kat_keys[KAT_USER].pk, dk, sizeof dk,
					   (const uint8_t *) "record:4711", 11) == SP_OK;
	ok = ok && sp_envelope_open(m, e->bodylen, &mlen, NULL, e->data_key,
								k->ct, k->len, e->body, e->bodylen) == SP_OK;
	ok = ok && sp_envelope_seal(body2, e->bodylen, 2, dk, nonce, kc2, kc2len,
								m, mlen) == SP_OK;
	ok = ok && sp_envelope_open(m, e->bodylen, &mlen, NULL, dk, kc2, kc2len,
								body2, e->bodylen) == SP_OK &&
		mlen == e->plaintextlen && memcmp(m, e->plaintext, mlen) == 0;
	CHECK(ok, "envelope rotation: open, seal under a new data key and key ciphertext, open");
	CHECK(sp_envelope_open(m, e->bodylen, &mlen, NULL, e->data_key, kc2, kc2len,
						   body2, e->bodylen) == SP_EDECRYPT &&
		  sp_envelope_open(m, e->bodylen, &mlen, NULL, dk, k->ct, k->len,
						   body2, e->bodylen) == SP_EDECRYPT,
		  "envelope rotation: the old data key or key ciphertext no longer opens it");
	sodium_memzero(dk, sizeof dk);
	free(kc2);
	free(m);
	free(body2);
}

static void
test_envelope(void)
{
	test_envelope_kat();
	test_envelope_parse();
	test_envelope_refusals();
	test_envelope_random();
	test_envelope_binding();
	test_envelope_rotation();
}

/* Sealed grants: seal with a fixed seed, open; every refusal. */
static void
test_seal(void)
{
	uint8_t		sk[SP_SERVER_SECRETBYTES],
				sk2[SP_SERVER_SECRETBYTES],
				pk[SP_SERVER_PUBLICBYTES],
				keyid[SP_KEYIDBYTES],
				dbid[SP_DBIDBYTES],
				other_db[SP_DBIDBYTES],
				seed[SP_SEALSEEDBYTES],
				key[SP_SEALKEYBYTES],
				sealed[SP_SEALEDBYTES],
				again[SP_SEALEDBYTES],
				grant[SP_GRANTBYTES];
	uint8_t		box[SP_SEALEDBYTES];
	uint8_t		plain[SP_SEALPLAINBYTES];

	memset(sk, 0x11, sizeof sk);
	memset(sk2, 0x22, sizeof sk2);
	memset(dbid, 0x33, sizeof dbid);
	memset(other_db, 0x34, sizeof other_db);
	memset(seed, 0x44, sizeof seed);
	CHECKF(sp_server_public(pk, keyid, sk) == SP_OK, "seal: server public key");
	sp_seal_key(key, pk, dbid);
	CHECKF(sp_seal_key_validate(key) == SP_OK && memcmp(key, "SPSK\x01\0\0\0", 8) == 0 &&
		   memcmp(key + 8, keyid, SP_KEYIDBYTES) == 0, "seal: sealing key layout");
	CHECKF(sp_seal_grant(sealed, kat_grant1, key, seed) == SP_OK &&
		   memcmp(sealed, "SPSG\x01\0\0\0", 8) == 0 &&
		   memcmp(sealed + 8, keyid, SP_KEYIDBYTES) == 0, "seal: sealed layout");
	CHECKF(sp_seal_grant(again, kat_grant1, key, seed) == SP_OK &&
		   memcmp(again, sealed, SP_SEALEDBYTES) == 0, "seal: deterministic for a seed");
	CHECKF(sp_open_sealed_grant(grant, sealed, sk, dbid) == SP_OK &&
		   memcmp(grant, kat_grant1, SP_GRANTBYTES) == 0, "seal: opens to the grant");
	/* libsodium's own sealed box opens it: the bytes are crypto_box_seal's */
	CHECKF(crypto_box_seal_open(plain, sealed + 8 + SP_KEYIDBYTES,
								SP_SEALEDBYTES - 8 - SP_KEYIDBYTES, pk, sk) == 0 &&
		   memcmp(plain + SP_KEYIDBYTES + SP_DBIDBYTES, kat_grant1, SP_GRANTBYTES) == 0,
		   "seal: a libsodium sealed box");
	memset(grant, 0xaa, sizeof grant);
	CHECKF(sp_open_sealed_grant(grant, sealed, sk, other_db) == SP_EDATABASE,
		   "seal: another database refused");
	CHECKF(sp_open_sealed_grant(grant, sealed, sk2, dbid) == SP_EWRONGKEY,
		   "seal: another server key refused");
	/*
	 * A box sealed to this server by hand, its inner key id another one
	 * (the outer is this server's): "sealed to another server key"
	 * (SCHEME.md, "Opening"), not "for another database".  The control: the
	 * same by hand with this server's key id opens.
	 */
	for (int k = 0; k < 2; k++)
	{
		memcpy(plain, keyid, SP_KEYIDBYTES);
		plain[0] ^= (uint8_t) k;
		memcpy(plain + SP_KEYIDBYTES, dbid, SP_DBIDBYTES);
		memcpy(plain + SP_KEYIDBYTES + SP_DBIDBYTES, kat_grant1, SP_GRANTBYTES);
		memcpy(box, sealed, 8 + SP_KEYIDBYTES);
		if (crypto_box_seal(box + 8 + SP_KEYIDBYTES, plain, sizeof plain, pk) != 0)
			abort();
		CHECKF(sp_open_sealed_grant(grant, box, sk, dbid) == (k ? SP_EWRONGKEY : SP_OK),
			   k ? "seal: an inner key id not the server's refused as another server key"
			   : "seal (control): a box sealed by hand with the server's key id opens");
	}
	memcpy(box, sealed, sizeof box);
	box[SP_SEALEDBYTES - 1] ^= 1;
	CHECKF(sp_open_sealed_grant(grant, box, sk, dbid) == SP_EDECRYPT, "seal: tampered box refused");
	memcpy(box, sealed, sizeof box);
	box[0] ^= 1;
	CHECKF(sp_open_sealed_grant(grant, box, sk, dbid) == SP_EMAGIC &&
		   sp_validate(SP_KIND_SEALED_GRANT, box, sizeof box) == SP_EMAGIC, "seal: bad magic");
	memcpy(box, sealed, sizeof box);
	box[5] = 1;
	CHECKF(sp_sealed_validate(box) == SP_ERESERVED, "seal: reserved bytes");
	memcpy(box, key, SP_SEALKEYBYTES);
	box[9] ^= 1;
	CHECKF(sp_seal_key_validate(box) != SP_OK, "seal: a sealing key whose id does not match its key");
	CHECKF(sp_seal_grant(again, kat_grant1, box, seed) != SP_OK, "seal: refuses a bad sealing key");
	/* a sealed non-grant (bad signature) is refused when opened */
	memcpy(grant, kat_grant1, sizeof grant);
	grant[SP_GRANTBYTES - 1] ^= 1;
	CHECKF(sp_seal_grant(again, grant, key, seed) == SP_OK &&
		   sp_open_sealed_grant(grant, again, sk, dbid) == SP_ESIGNATURE, "seal: a bad grant inside is refused");
	CHECKF(sodium_is_zero(grant, sizeof grant), "seal: nothing left in the output on refusal");
}

/*
 * Known answers of sealed.json (computed by test/vectors/gen_sealed.py with
 * libsodium called directly): the server key, its id, the sealing key and
 * the sealed bytes for a seed are reproduced, each opens to its grant with
 * its server's key and identity, and each invalid value is refused with
 * its error by the first vector's server.
 */
static void
test_sealed_kat(void)
{
	for (int i = 0; i < KAT_NSEALED; i++)
	{
		const kat_sealed *v = &kat_sealeds[i];
		uint8_t		pk[SP_SERVER_PUBLICBYTES],
					keyid[SP_KEYIDBYTES],
					key[SP_SEALKEYBYTES],
					sealed[SP_SEALEDBYTES],
					grant[SP_GRANTBYTES];

		checkf_(sp_server_public(pk, keyid, v->server_secret) == SP_OK &&
				memcmp(pk, v->server_public, sizeof pk) == 0 &&
				memcmp(keyid, v->key_id, sizeof keyid) == 0,
				"sealed KAT %d: server public key and key id", i);
		sp_seal_key(key, v->server_public, v->dbid);
		checkf_(memcmp(key, v->sealing_key, sizeof key) == 0, "sealed KAT %d: sealing key", i);
		checkf_(sp_seal_grant(sealed, v->grant, v->sealing_key, v->seed) == SP_OK &&
				memcmp(sealed, v->sealed, sizeof sealed) == 0, "sealed KAT %d: sealed bytes", i);
		checkf_(sp_validate(SP_KIND_SEALED_GRANT, v->sealed, SP_SEALEDBYTES) == SP_OK &&
				sp_open_sealed_grant(grant, v->sealed, v->server_secret, v->dbid) == SP_OK &&
				memcmp(grant, v->grant, sizeof grant) == 0, "sealed KAT %d: opens to its grant", i);
	}
	for (int i = 0; i < KAT_NSEALED_BAD; i++)
	{
		const kat_sealed_bad *b = &kat_sealed_bads[i];
		uint8_t		grant[SP_GRANTBYTES];
		int			rc = sp_open_sealed_grant(grant, b->sealed, kat_sealeds[0].server_secret,
											  kat_sealeds[0].dbid);

		checkf_(b->error == 0 ? (rc != SP_OK && sp_sealed_validate(b->sealed) == rc)
				: rc == b->error, "sealed invalid: %s", b->name);
	}
}

/* ---- protected key files (sp_keyfile) ---- */

/* Known answers of keyfile.json: seal reproduces the file, open recovers it. */
static void
test_keyfile_kat(void)
{
	for (int i = 0; i < KAT_NKEYFILES; i++)
	{
		const kat_keyfile *v = &kat_keyfiles[i];
		size_t		plen = strlen(v->passphrase);
		uint8_t		file[SP_KF_BYTES];
		uint8_t		secret[SP_KF_SECRETBYTES];
		char		text[SP_KF_TEXTBYTES];
		sp_kf_header h;
		int			rc;

		rc = sp_keyfile_seal(file, v->content, v->secret, v->passphrase, plen,
							 v->opslimit, v->memlimit, v->salt, v->nonce);
		checkf_(rc == SP_KF_OK && memcmp(file, v->file, SP_KF_BYTES) == 0,
				"keyfile KAT %d: seal gives the vector's bytes", i);
		rc = sp_keyfile_text_encode(text, file);
		checkf_(rc == SP_KF_OK && strcmp(text, v->text) == 0,
				"keyfile KAT %d: text form", i);
		rc = sp_keyfile_text_decode(file, v->text, strlen(v->text));
		checkf_(rc == SP_KF_OK && memcmp(file, v->file, SP_KF_BYTES) == 0,
				"keyfile KAT %d: text decodes to the bytes", i);
		rc = sp_keyfile_open(secret, &h, v->file, SP_KF_BYTES, v->passphrase, plen);
		checkf_(rc == SP_KF_OK && memcmp(secret, v->secret, SP_KF_SECRETBYTES) == 0 &&
				h.content == v->content && h.opslimit == v->opslimit &&
				h.memlimit == v->memlimit,
				"keyfile KAT %d: open recovers the secret and the header", i);
		rc = sp_keyfile_open(secret, &h, v->file, SP_KF_BYTES, "wrong", 5);
		checkf_(rc == SP_KF_EPASSPHRASE && is_zero(secret, sizeof secret),
				"keyfile KAT %d: a wrong passphrase is refused, output zero", i);
	}
}

/* Every byte of a file is authenticated or checked: a flip never opens. */
static void
test_keyfile_flips(void)
{
	const kat_keyfile *v = &kat_keyfiles[0];
	size_t		plen = strlen(v->passphrase);
	uint8_t		file[SP_KF_BYTES];
	uint8_t		secret[SP_KF_SECRETBYTES];
	sp_kf_header h;
	int			opened = 0;
	int			nonzero = 0;

	for (size_t off = 0; off < SP_KF_BYTES; off++)
	{
		memcpy(file, v->file, SP_KF_BYTES);
		file[off] ^= 0x01;
		/* the limits: stay in range but cheap (opslimit 1 -> 0 is refused) */
		if (sp_keyfile_open(secret, &h, file, SP_KF_BYTES, v->passphrase, plen) == SP_KF_OK)
			opened++;
		if (!is_zero(secret, sizeof secret))
			nonzero++;
	}
	CHECK(opened == 0 && nonzero == 0, "keyfile: no one-bit flip of any of the 112 bytes opens");
	memcpy(file, v->file, SP_KF_BYTES);
	file[SP_KF_VER] = 2;
	CHECK(sp_keyfile_parse(file, SP_KF_BYTES, &h) == SP_KF_EVERSION, "keyfile: version 2 refused");
	memcpy(file, v->file, SP_KF_BYTES);
	file[SP_KF_RESERVED] = 1;
	CHECK(sp_keyfile_parse(file, SP_KF_BYTES, &h) == SP_KF_ERESERVED, "keyfile: reserved byte refused");
	memcpy(file, v->file, SP_KF_BYTES);
	file[SP_KF_MEMLIMIT + 4] = 1;	/* 4 GiB + 8 KiB */
	CHECK(sp_keyfile_parse(file, SP_KF_BYTES, &h) == SP_KF_ELIMITS, "keyfile: memlimit above 1 GiB refused");
	memcpy(file, v->file, SP_KF_BYTES);
	file[SP_KF_OPSLIMIT] = 0;
	CHECK(sp_keyfile_parse(file, SP_KF_BYTES, &h) == SP_KF_ELIMITS, "keyfile: opslimit 0 refused");
	CHECK(sp_keyfile_parse(v->file, SP_KF_BYTES - 1, &h) == SP_KF_ETEXT, "keyfile: short file refused");
	CHECK(sp_keyfile_open(secret, &h, v->file, SP_KF_BYTES, "", 0) == SP_KF_EEMPTY,
		  "keyfile: empty passphrase refused");
	CHECK(sp_keyfile_text_decode(file, "prelocked_AAAA", 14) == SP_KF_ETEXT &&
		  sp_keyfile_text_decode(file, v->text + 1, strlen(v->text) - 1) == SP_KF_ETEXT,
		  "keyfile: bad text forms refused");
	CHECK(sp_keyfile_is_text("  prelocked_x", 13) && !sp_keyfile_is_text("presk_x", 7),
		  "keyfile: the prefix is recognised");
}

static void
test_keyfile(void)
{
	test_keyfile_kat();
	test_keyfile_flips();
}

int
main(void)
{
	/* line-buffered even into a file: a sanitizer abort keeps the lines */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (test_seed_install() != 0 || sp_init() != SP_OK)
	{
		printf("not ok - sp_init\n0 passed, 1 failed\n");
		return 1;
	}
	test_misc();
	test_keycache();
	test_kat_keys();
	test_kat_encrypt();
	test_kat_grants();
	test_kat_chain();
	test_kat_token();
	test_keywords();
	test_text_tokens();
	test_invalid();
	test_chain16();
	test_flip_ciphertext();
	test_flip_grant();
	test_grant_misc();
	test_text();
	test_empty();
	test_big();
	test_zero_random();
	test_sizes();
	test_wipe();
	test_noncanonical_points();
	test_text_unterminated();
	test_envelope();
	test_seal();
	test_sealed_kat();
	test_keyfile();
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail > 0 ? 1 : 0;
}
