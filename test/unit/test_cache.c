/*
 * test_cache.c - unit tests of sp_cache.h (re-encryption cache, a path's
 * constant hops, decryption context) without PostgreSQL: every cached
 * result equals the uncached one (sp_reencrypt, sp_decrypt), byte for byte
 * and code for code, on the known-answer chain, on many random paths of
 * levels 1..16, on tampered values and on forged grants; validation through
 * the validation cache gives sp_ciphertext_validate's codes on mixed
 * batches of valid and invalid values; caches are
 * bounded, evict, rebind and wipe.
 *
 * Randomness from a printed seed (test_seed.h; SECANT_PRE_SEED=HEX replays).
 * Output as test_core.c: "ok - name" / "not ok - name" per check, one
 * final line "N passed, M failed"; exit status 1 if any check failed.
 */
#define _GNU_SOURCE				/* memmem */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sp_cache.h"
#include "sp_core.h"
#include "sp_random.h"
#include "test_seed.h"
#include "vectors.h"

/* ---- harness ---- */

static int	n_pass;
static int	n_fail;

static void
checkf_(int ok, const char *fmt,...)
{
	char		name[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	if (ok)
		n_pass++;
	else
		n_fail++;
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
}

#define CHECK(cond, ...) checkf_((cond) ? 1 : 0, __VA_ARGS__)

/* Many sub-checks reported as one (keeps the first failure). */
typedef struct agg
{
	int			bad;
	long		n;
	char		first[300];
} agg;

static void
agg_(agg *a, int ok, const char *fmt,...)
{
	va_list		ap;

	a->n++;
	if (ok || a->bad++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(a->first, sizeof a->first, fmt, ap);
	va_end(ap);
}

#define AGG(a, cond, ...) agg_(&(a), (cond) ? 1 : 0, __VA_ARGS__)

static void
agg_report(const agg *a, const char *name)
{
	if (a->bad == 0)
		checkf_(1, "%s (%ld checks)", name, a->n);
	else
		checkf_(0, "%s (%d of %ld failed; first: %s)", name, a->bad, a->n,
				a->first);
}

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

/* ---- caches on the heap ---- */

static sp_rcache *
rcache_new(unsigned slots)
{
	size_t		n = sp_rcache_bytes(slots);
	sp_rcache  *c = xmalloc(n);

	if (sp_rcache_init(c, n, slots) != SP_OK)
	{
		fprintf(stderr, "sp_rcache_init failed\n");
		exit(2);
	}
	return c;
}

static sp_dctx *
dctx_new(unsigned slots)
{
	size_t		n = sp_dctx_bytes(slots);
	sp_dctx    *c = xmalloc(n);

	if (sp_dctx_init(c, n, slots) != SP_OK)
	{
		fprintf(stderr, "sp_dctx_init failed\n");
		exit(2);
	}
	return c;
}

static void
rcache_free(sp_rcache *c)
{
	sp_rcache_wipe(c);
	free(c);
}

static void
dctx_free(sp_dctx *c)
{
	sp_dctx_wipe(c);
	free(c);
}

/* ---- comparisons of cached and uncached ---- */

/*
 * Re-encrypt ct with grant both ways (output buffers pre-filled with
 * different junk) and compare codes and every output byte; returns the
 * code and, on SP_OK, the result in *res (malloc'd) when res != NULL.
 */
static int
reenc_both(agg *a, const char *what, const uint8_t *ct, size_t ctlen,
		   const uint8_t *grant, sp_rcache *cache, uint8_t **res)
{
	size_t		outlen = ctlen + SP_HOPBYTES;
	uint8_t    *o1 = xmalloc(outlen),
			   *o2 = xmalloc(outlen);
	int			r1,
				r2;

	memset(o1, 0xa5, outlen);
	memset(o2, 0xa5, outlen);
	r1 = sp_reencrypt(o1, outlen, ct, ctlen, grant);
	r2 = sp_reencrypt_cached(o2, outlen, ct, ctlen, grant, cache);
	AGG(*a, r1 == r2 && memcmp(o1, o2, outlen) == 0,
		"%s: re-encrypt rc %d vs cached %d, bytes %s", what, r1, r2,
		memcmp(o1, o2, outlen) == 0 ? "equal" : "differ");
	/* a short output buffer: same refusal */
	if (outlen > 1)
	{
		r1 = sp_reencrypt(o1, outlen - 1, ct, ctlen, grant);
		r2 = sp_reencrypt_cached(o2, outlen - 1, ct, ctlen, grant, cache);
		AGG(*a, r1 == r2, "%s: short buffer rc %d vs %d", what, r1, r2);
	}
	free(o2);
	r1 = sp_reencrypt(o1, outlen, ct, ctlen, grant);
	if (res != NULL && r1 == SP_OK)
		*res = o1;
	else
		free(o1);
	return r1;
}

/*
 * Decrypt ct with key both ways and compare codes, lengths, plaintext and
 * the "buffer wiped on failure" contract.
 */
static int
dec_both(agg *a, const char *what, const uint8_t *ct, size_t ctlen,
		 const sp_secret *key, sp_dctx *ctx)
{
	size_t		cap = sp_ciphertext_check_layout(ct, ctlen) == SP_OK
		? sp_plaintext_bytes(ct, ctlen) : 0;
	uint8_t    *m1 = xmalloc(cap + 1),
			   *m2 = xmalloc(cap + 1);
	size_t		l1 = 7,
				l2 = 9;
	int			r1,
				r2;

	memset(m1, 0xa5, cap + 1);
	memset(m2, 0xa5, cap + 1);
	r1 = sp_decrypt(m1, cap, &l1, ct, ctlen, key);
	r2 = sp_decrypt_cached(m2, cap, &l2, ct, ctlen, key, ctx);
	AGG(*a, r1 == r2 && l1 == l2 && memcmp(m1, m2, cap) == 0,
		"%s: decrypt rc %d vs cached %d, len %zu vs %zu", what, r1, r2, l1, l2);
	free(m1);
	free(m2);
	return r1;
}

/* Validate ct both ways: the same code; returns it. */
static int
val_both(agg *a, const char *what, const uint8_t *ct, size_t ctlen,
		 sp_vcache *cache)
{
	int			r1 = sp_ciphertext_validate(ct, ctlen),
				r2 = sp_ciphertext_validate_path(ct, ctlen, cache);

	AGG(*a, r1 == r2, "%s: validate rc %d vs cached %d", what, r1, r2);
	return r1;
}

static sp_vcache *
vcache_new(unsigned slots)
{
	size_t		n = sp_vcache_bytes(slots);
	sp_vcache  *c = xmalloc(n);

	if (sp_vcache_init(c, n, slots) != SP_OK)
	{
		fprintf(stderr, "sp_vcache_init failed\n");
		exit(2);
	}
	return c;
}

static void
vcache_free(sp_vcache *c)
{
	sp_vcache_wipe(c);
	free(c);
}

/* ---- fixtures ---- */

#define NKEYS 8

static sp_secret keys[NKEYS];
static uint8_t grants[NKEYS][NKEYS][SP_GRANTBYTES];	/* [from][to], from != to */

static void
fixtures(void)
{
	for (int i = 0; i < NKEYS; i++)
	{
		uint8_t		seed[SP_SEEDBYTES];

		sp_random_bytes(seed, sizeof seed);
		if (sp_secret_expand(&keys[i], seed) != SP_OK)
			exit(2);
		sodium_memzero(seed, sizeof seed);
	}
	for (int i = 0; i < NKEYS; i++)
		for (int j = 0; j < NKEYS; j++)
		{
			uint8_t		x[SP_SCALARBYTES];

			if (i == j)
				continue;
			sp_random_scalar(x);
			if (sp_grant(grants[i][j], &keys[i], keys[j].pk, 0, x) != SP_OK)
				exit(2);
		}
}

/* A fresh level-1 value for key k, with a random message and aad. */
static uint8_t *
encrypt_for(int k, size_t *ctlen)
{
	uint8_t		r[SP_SCALARBYTES],
				u[SP_SCALARBYTES],
				nonce[SP_NONCEBYTES],
				m[80],
				aad[40];
	size_t		mlen = randombytes_uniform(sizeof m),
				aadlen = randombytes_uniform(sizeof aad);
	uint8_t    *ct;

	sp_random_scalar(r);
	sp_random_scalar(u);
	sp_random_bytes(nonce, sizeof nonce);
	sp_random_bytes(m, sizeof m);
	sp_random_bytes(aad, sizeof aad);
	*ctlen = sp_ciphertext_bytes(1, aadlen, mlen);
	ct = xmalloc(*ctlen);
	if (sp_encrypt(ct, *ctlen, keys[k].pk, m, mlen, aad, aadlen, r, u,
				   nonce) != SP_OK)
		exit(2);
	return ct;
}

/* ---- tests ---- */

static void
test_api(void)
{
	uint8_t		junk[4096];
	size_t		mlen = 5;
	uint8_t		out[KAT_CT1_LEN + SP_HOPBYTES],
				m[64];
	sp_secret	key;

	CHECK(sp_rcache_bytes(0) == 0 && sp_rcache_bytes(SP_CACHE_MAXSLOTS + 1) == 0 &&
		  sp_rcache_bytes(1) > 0 && sp_rcache_bytes(2) > sp_rcache_bytes(1),
		  "sp_rcache_bytes: 0 out of range, grows with slots");
	CHECK(sp_dctx_bytes(0) == 0 && sp_dctx_bytes(SP_CACHE_MAXSLOTS + 1) == 0 &&
		  sp_dctx_bytes(1) > 0 && sp_dctx_bytes(2) > sp_dctx_bytes(1),
		  "sp_dctx_bytes: 0 out of range, grows with slots");
	CHECK(sp_rcache_init((sp_rcache *) junk, sp_rcache_bytes(4) - 1, 4) == SP_ELENGTH &&
		  sp_rcache_init((sp_rcache *) junk, sizeof junk, 0) == SP_ELENGTH &&
		  sp_rcache_init(NULL, 100, 1) == SP_ELENGTH,
		  "sp_rcache_init refuses short storage, zero slots, NULL");
	CHECK(sp_dctx_init((sp_dctx *) junk, sp_dctx_bytes(4) - 1, 4) == SP_ELENGTH &&
		  sp_dctx_init((sp_dctx *) junk, sizeof junk, 0) == SP_ELENGTH,
		  "sp_dctx_init refuses short storage, zero slots");
	memset(junk, 0x5a, sizeof junk);
	CHECK(sp_reencrypt_cached(out, sizeof out, kat_ct1, KAT_CT1_LEN, kat_grant1,
							  (sp_rcache *) junk) == SP_EINTERNAL,
		  "an uninitialised re-encryption cache is refused (SP_EINTERNAL)");
	if (sp_secret_expand(&key, kat_keys[KAT_GROUP].seed) != SP_OK)
		exit(2);
	memset(m, 0xa5, sizeof m);
	CHECK(sp_decrypt_cached(m, sizeof m, &mlen, kat_ct1, KAT_CT1_LEN, &key,
							(sp_dctx *) junk) == SP_EINTERNAL && mlen == 0 &&
		  sodium_is_zero(m, sizeof m),
		  "an uninitialised decryption context is refused, buffer wiped");
	sp_secret_wipe(&key);
	CHECK(sp_reencrypt_cached(out, sizeof out, kat_ct1, KAT_CT1_LEN, kat_grant1,
							  NULL) == SP_OK &&
		  memcmp(out, kat_ct2, KAT_CT2_LEN) == 0,
		  "sp_reencrypt_cached without a cache gives the KAT level 2");
}

/* The known-answer chain through the caches, cold and warm. */
static void
test_kat(void)
{
	const uint8_t *kgr[3] = {kat_grant1, kat_grant2, kat_grant3};
	sp_rcache  *rc = rcache_new(16);
	sp_dctx    *dc = dctx_new(16);
	uint8_t		gpath[3 * SP_GRANTBYTES];
	uint8_t		suffix[2 * SP_HOPBYTES];
	uint8_t		out[KAT_CT4_LEN];
	uint64_t	hits,
				misses;

	for (int pass = 0; pass < 2; pass++)
		for (int l = 0; l < 3; l++)
		{
			const kat_ct *c = &kat_cts[l],
					   *next = &kat_cts[l + 1];
			int			rc2 = sp_reencrypt_cached(out, next->len, c->ct, c->len,
												  kgr[l], rc);

			CHECK(rc2 == SP_OK && memcmp(out, next->ct, next->len) == 0,
				  "KAT cached re-encrypt L%d -> L%d byte for byte (%s cache, rc %d)",
				  c->level, next->level, pass ? "warm" : "cold", rc2);
		}
	sp_rcache_stats(rc, &hits, &misses);
	CHECK(misses == 2 && hits == 2,
		  "KAT: the L2 and L3 products computed once, then found (%llu hits, %llu misses)",
		  (unsigned long long) hits, (unsigned long long) misses);

	/* the path group -> user -> device -> backup from level 1, and its tails */
	for (int i = 0; i < 3; i++)
		memcpy(gpath + i * SP_GRANTBYTES, kgr[i], SP_GRANTBYTES);
	for (int start = 0; start < 3; start++)
	{
		int			hops = 3 - start;
		const kat_ct *c = &kat_cts[start];
		int			r1 = sp_path_suffix(suffix, (size_t) (hops - 1) * SP_HOPBYTES,
										gpath + start * SP_GRANTBYTES, hops);
		int			r2 = sp_reencrypt_path(out, KAT_CT4_LEN, c->ct, c->len,
										   kgr[start], suffix, hops - 1, rc);

		CHECK(r1 == SP_OK && r2 == SP_OK && memcmp(out, kat_ct4, KAT_CT4_LEN) == 0,
			  "KAT path of %d hops from level %d gives the level-4 vector (rc %d, %d)",
			  hops, c->level, r1, r2);
	}
	CHECK(sp_path_suffix(suffix, SP_HOPBYTES, gpath + SP_GRANTBYTES, 1) == SP_ELENGTH &&
		  sp_path_suffix(suffix, 0, gpath, 0) == SP_EMAXLEVEL,
		  "sp_path_suffix refuses a wrong length and zero hops");
	{
		/* group->user, then device->backup: not a chain */
		uint8_t		broken[2 * SP_GRANTBYTES];

		memcpy(broken, kat_grant1, SP_GRANTBYTES);
		memcpy(broken + SP_GRANTBYTES, kat_grant3, SP_GRANTBYTES);
		memset(suffix, 0x77, sizeof suffix);
		CHECK(sp_path_suffix(suffix, SP_HOPBYTES, broken, 2) == SP_ERECIPIENT &&
			  sodium_is_zero(suffix, SP_HOPBYTES) &&
			  sp_reencrypt(out, KAT_CT3_LEN, kat_ct2, KAT_CT2_LEN, kat_grant3) == SP_ERECIPIENT,
			  "a path that is not a chain: SP_ERECIPIENT, as sp_reencrypt, suffix wiped");
	}

	/* decryption at every level, cold then warm, right and wrong keys */
	for (int pass = 0; pass < 2; pass++)
		for (int l = 0; l < 4; l++)
		{
			const kat_ct *c = &kat_cts[l];

			for (int k = 0; k < KAT_NKEYS; k++)
			{
				sp_secret	key;
				uint8_t		m[KAT_MESSAGE_LEN];
				size_t		mlen = 3;
				int			r;

				if (sp_secret_expand(&key, kat_keys[k].seed) != SP_OK)
					exit(2);
				memset(m, 0xa5, sizeof m);
				r = sp_decrypt_cached(m, sizeof m, &mlen, c->ct, c->len, &key, dc);
				if (k == c->recipient)
					CHECK(r == SP_OK && mlen == KAT_MESSAGE_LEN &&
						  memcmp(m, kat_message, KAT_MESSAGE_LEN) == 0,
						  "KAT cached decrypt level %d with the %s key (%s, rc %d)",
						  c->level, kat_keys[k].name, pass ? "warm" : "cold", r);
				else
					CHECK(r == SP_EWRONGKEY && mlen == 0 && sodium_is_zero(m, sizeof m),
						  "KAT cached decrypt level %d with the %s key: SP_EWRONGKEY, wiped",
						  c->level, kat_keys[k].name);
				sp_secret_wipe(&key);
			}
		}
	rcache_free(rc);
	dctx_free(dc);
}

/*
 * Random paths over NKEYS keys, levels 1..16: every prefix of the path
 * re-encrypted step by step, cached and not; the path from every start
 * level through sp_reencrypt_path; every level decrypted by its recipient
 * and by another key, through one shared context that keeps switching
 * holders and evicting (small caches on purpose).
 */
static void
test_random_paths(int trials)
{
	sp_rcache  *rc_small = rcache_new(3),
			   *rc_big = rcache_new(256);
	sp_dctx    *dc_small = dctx_new(2),
			   *dc_big = dctx_new(256);
	sp_vcache  *vc_small = vcache_new(2),
			   *vc_big = vcache_new(256);
	agg			val = {0},
				re = {0},
				path = {0},
				dec = {0},
				tamper = {0};
	int			levels_seen[SP_MAXLEVEL + 1] = {0};
	uint64_t	hits,
				misses;

	for (int t = 0; t < trials; t++)
	{
		int			hops = 1 + (int) randombytes_uniform(SP_MAXLEVEL - 1);
		int			who[SP_MAXLEVEL];
		uint8_t    *ct[SP_MAXLEVEL + 1];
		size_t		len[SP_MAXLEVEL + 1];
		uint8_t    *gpath;
		char		what[64];

		/* short paths more often: they are the common case; the first
		 * trial is the longest path, so that every level is covered */
		if (t % 3 != 0)
			hops = 1 + (int) randombytes_uniform(4);
		if (t == 0)
			hops = SP_MAXLEVEL - 1;
		gpath = xmalloc((size_t) hops * SP_GRANTBYTES);
		who[0] = (int) randombytes_uniform(NKEYS);
		for (int i = 1; i <= hops; i++)
			who[i] = (who[i - 1] + 1 + (int) randombytes_uniform(NKEYS - 1)) % NKEYS;
		for (int i = 0; i < hops; i++)
			memcpy(gpath + (size_t) i * SP_GRANTBYTES, grants[who[i]][who[i + 1]],
				   SP_GRANTBYTES);
		ct[1] = encrypt_for(who[0], &len[1]);
		for (int n = 1; n <= hops; n++)
		{
			sp_rcache  *c = (n + t) % 2 ? rc_small : rc_big;

			snprintf(what, sizeof what, "trial %d L%d->L%d", t, n, n + 1);
			if (reenc_both(&re, what, ct[n], len[n], grants[who[n - 1]][who[n]],
						   c, &ct[n + 1]) != SP_OK)
			{
				AGG(re, 0, "%s: re-encryption failed", what);
				hops = n - 1;
				break;
			}
			len[n + 1] = len[n] + SP_HOPBYTES;
		}
		/* past level 16: refused alike */
		if (hops + 1 == SP_MAXLEVEL)
			reenc_both(&re, "level 16", ct[SP_MAXLEVEL], len[SP_MAXLEVEL],
					   grants[who[hops]][who[hops - 1]], rc_big, NULL);

		/* the path from each start level in one call */
		for (int s = 1; s <= hops; s++)
		{
			int			h = hops - s + 1;
			size_t		sl = (size_t) (h - 1) * SP_HOPBYTES;
			uint8_t    *suffix = xmalloc(sl);
			uint8_t    *out = xmalloc(len[hops + 1]);
			int			r1 = sp_path_suffix(suffix, sl,
											gpath + (size_t) (s - 1) * SP_GRANTBYTES, h);
			int			r2 = sp_reencrypt_path(out, len[hops + 1], ct[s], len[s],
											   gpath + (size_t) (s - 1) * SP_GRANTBYTES,
											   suffix, h - 1, s % 2 ? rc_small : NULL);

			AGG(path, r1 == SP_OK && r2 == SP_OK &&
				memcmp(out, ct[hops + 1], len[hops + 1]) == 0,
				"trial %d: path of %d hops from L%d (rc %d, %d)", t, h, s, r1, r2);
			/* one more hop than the buffer: refused like sp_reencrypt */
			r2 = sp_reencrypt_path(out, len[hops + 1] - 1, ct[s], len[s],
								   gpath + (size_t) (s - 1) * SP_GRANTBYTES,
								   suffix, h - 1, rc_small);
			AGG(path, r2 == SP_ELENGTH, "trial %d: short path output rc %d", t, r2);
			free(out);
			free(suffix);
		}

		/* decrypt every level: its recipient and one other key */
		for (int n = 1; n <= hops + 1; n++)
		{
			int			other = (who[n - 1] + 1) % NKEYS;

			levels_seen[n]++;
			snprintf(what, sizeof what, "trial %d validate L%d", t, n);
			AGG(val, val_both(&val, what, ct[n], len[n], vc_small) == SP_OK,
				"%s (small) failed", what);
			AGG(val, val_both(&val, what, ct[n], len[n], vc_big) == SP_OK,
				"%s (big) failed", what);
			snprintf(what, sizeof what, "trial %d decrypt L%d", t, n);
			AGG(dec, dec_both(&dec, what, ct[n], len[n], &keys[who[n - 1]],
							  dc_small) == SP_OK, "%s (small) failed", what);
			AGG(dec, dec_both(&dec, what, ct[n], len[n], &keys[who[n - 1]],
							  dc_big) == SP_OK, "%s (big) failed", what);
			/* the same value again, same holder: from the context */
			sp_dctx_stats(dc_big, &hits, &misses);
			dec_both(&dec, what, ct[n], len[n], &keys[who[n - 1]], dc_big);
			{
				uint64_t	h2,
							m2;

				sp_dctx_stats(dc_big, &h2, &m2);
				AGG(dec, n == 1 ? h2 == hits && m2 == misses
					: h2 == hits + 1 && m2 == misses,
					"%s: again, not from the context", what);
			}
			dec_both(&dec, what, ct[n], len[n], &keys[other], dc_big);
		}

		/* tampered top value: one byte of each hop record, and of the body */
		{
			int			n = hops + 1;
			size_t		off;
			uint8_t    *bad = xmalloc(len[n]);

			for (int k = 1; k < n; k++)
				for (int field = 0; field < 4; field++)
				{
					/* P.P, X, T and P.sigma of hop k */
					static const size_t at[4] = {0, 64, 96, 32};

					memcpy(bad, ct[n], len[n]);
					off = (size_t) (sp_ciphertext_hop(ct[n], k) - ct[n]) + at[field] +
						randombytes_uniform(32);
					bad[off] ^= (uint8_t) (1 + randombytes_uniform(255));
					snprintf(what, sizeof what, "trial %d L%d hop %d byte %zu", t, n, k, off);
					val_both(&tamper, what, bad, len[n], vc_big);
					val_both(&tamper, what, bad, len[n], vc_small);
					dec_both(&tamper, what, bad, len[n], &keys[who[n - 1]], dc_big);
					if (n < SP_MAXLEVEL)
						reenc_both(&tamper, what, bad, len[n],
								   grants[who[n - 1]][(who[n - 1] + 1) % NKEYS],
								   rc_big, NULL);
				}
			memcpy(bad, ct[n], len[n]);
			bad[len[n] - 1] ^= 1;
			dec_both(&tamper, "tampered tag", bad, len[n], &keys[who[n - 1]], dc_big);
			free(bad);
		}
		for (int n = 1; n <= hops + 1; n++)
			free(ct[n]);
		free(gpath);
	}
	agg_report(&re, "random paths: sp_reencrypt_cached == sp_reencrypt at every level");
	agg_report(&path, "random paths: sp_reencrypt_path == step-by-step re-encryption from every start level");
	agg_report(&dec, "random paths: sp_decrypt_cached == sp_decrypt at every level, right and wrong keys");
	agg_report(&val, "random paths: sp_ciphertext_validate_path == sp_ciphertext_validate at every level");
	agg_report(&tamper, "random paths: tampered hop records and tags give the same codes and bytes");
	{
		int			all = 1;

		for (int n = 1; n <= SP_MAXLEVEL; n++)
			all = all && levels_seen[n] > 0;
		CHECK(all, "random paths covered every level 1..16");
	}
	sp_rcache_stats(rc_big, &hits, &misses);
	CHECK(hits > 0 && misses > 0, "the large re-encryption cache was hit (%llu) and missed (%llu)",
		  (unsigned long long) hits, (unsigned long long) misses);
	sp_dctx_stats(dc_big, &hits, &misses);
	CHECK(hits > 0 && misses > 0, "the large decryption context was hit (%llu) and missed (%llu)",
		  (unsigned long long) hits, (unsigned long long) misses);
	sp_vcache_stats(vc_big, &hits, &misses);
	CHECK(hits > 0 && misses > 0, "the large validation cache was hit (%llu) and missed (%llu)",
		  (unsigned long long) hits, (unsigned long long) misses);
	rcache_free(rc_small);
	rcache_free(rc_big);
	dctx_free(dc_small);
	dctx_free(dc_big);
	vcache_free(vc_small);
	vcache_free(vc_big);
}

/*
 * Many values on one path: after the first, every re-encryption at level
 * >= 2 and every decryption is a cache hit; values on many paths through
 * a context big enough for all of them.
 */
static void
test_many_values(void)
{
	enum
	{
		VALUES = 40, PATHS = 12
	};
	sp_rcache  *rc = rcache_new(64);
	sp_dctx    *dc = dctx_new(1024);	/* no eviction among 12 paths */
	agg			a = {0};
	uint64_t	hits,
				misses;

	/* one path 0 -> 1 -> 2 -> 3: L1 values, L2, L3, L4 */
	for (int v = 0; v < VALUES; v++)
	{
		size_t		len;
		uint8_t    *c1 = encrypt_for(0, &len),
				   *c2,
				   *c3,
				   *c4;

		reenc_both(&a, "one path L1", c1, len, grants[0][1], rc, &c2);
		reenc_both(&a, "one path L2", c2, len + SP_HOPBYTES, grants[1][2], rc, &c3);
		reenc_both(&a, "one path L3", c3, len + 2 * SP_HOPBYTES, grants[2][3], rc, &c4);
		dec_both(&a, "one path decrypt L4", c4, len + 3 * SP_HOPBYTES, &keys[3], dc);
		free(c1);
		free(c2);
		free(c3);
		free(c4);
	}
	agg_report(&a, "values on one path: cached == uncached");
	sp_rcache_stats(rc, &hits, &misses);
	CHECK(misses == 2 && hits == 2 * (VALUES - 1),
		  "one path: 2 products computed, then %d hits (%llu hits, %llu misses)",
		  2 * (VALUES - 1), (unsigned long long) hits, (unsigned long long) misses);
	sp_dctx_stats(dc, &hits, &misses);
	CHECK(misses == 1 && hits == VALUES - 1,
		  "one path: d_1 computed once for the holder (%llu hits, %llu misses)",
		  (unsigned long long) hits, (unsigned long long) misses);

	/* PATHS different level-3 paths to key 7, values interleaved */
	sp_dctx_wipe(dc);
	memset(&a, 0, sizeof a);
	for (int v = 0; v < VALUES * 3; v++)
	{
		int			p = v % PATHS;
		/* paths a0 -> 6 -> 7 and a0 -> a0 + 1 -> 7, for a0 in 0..5 */
		int			a0 = p % 6,
					a1 = p < 6 ? 6 : (a0 + 1) % 6;
		size_t		len;
		uint8_t    *c1,
				   *c2,
				   *c3;

		c1 = encrypt_for(a0, &len);
		reenc_both(&a, "many paths L1", c1, len, grants[a0][a1], rc, &c2);
		reenc_both(&a, "many paths L2", c2, len + SP_HOPBYTES, grants[a1][7], rc, &c3);
		dec_both(&a, "many paths decrypt L3", c3, len + 2 * SP_HOPBYTES, &keys[7], dc);
		free(c1);
		free(c2);
		free(c3);
	}
	agg_report(&a, "values on 12 paths: cached == uncached");
	sp_dctx_stats(dc, &hits, &misses);
	CHECK(misses == PATHS && hits == VALUES * 3 - PATHS,
		  "12 paths: d_1 computed once per path (%llu hits, %llu misses)",
		  (unsigned long long) hits, (unsigned long long) misses);
	rcache_free(rc);
	dctx_free(dc);
}

/*
 * A forged grant copying a real grant's X (and ends) with another rk: the
 * core's re-encryption does not check signatures, so the cache must tell
 * them apart by rk (full grant bytes), both ways round.
 */
static void
test_forged_grant(void)
{
	sp_rcache  *rc = rcache_new(8);
	uint8_t		forged[SP_GRANTBYTES];
	agg			a = {0};
	size_t		len;
	uint8_t    *c1 = encrypt_for(0, &len),
			   *c2,
			   *o1,
			   *o2;

	memcpy(forged, grants[1][2], SP_GRANTBYTES);
	sp_random_scalar(forged + SP_GR_RK);
	if (reenc_both(&a, "L1", c1, len, grants[0][1], rc, &c2) != SP_OK)
		exit(2);
	for (int round = 0; round < 3; round++)
	{
		reenc_both(&a, "genuine", c2, len + SP_HOPBYTES, grants[1][2], rc, &o1);
		reenc_both(&a, "forged", c2, len + SP_HOPBYTES, forged, rc, &o2);
		AGG(a, memcmp(o1, o2, len + 2 * SP_HOPBYTES) != 0,
			"forged and genuine grants gave the same value");
		free(o1);
		free(o2);
	}
	/* the forged signature bytes alone differ: another entry too */
	memcpy(forged, grants[1][2], SP_GRANTBYTES);
	forged[SP_GR_SIG] ^= 1;
	reenc_both(&a, "other signature", c2, len + SP_HOPBYTES, forged, rc, NULL);
	agg_report(&a, "forged grant (same X, other rk): cached == uncached, never the genuine T");
	{
		uint64_t	hits,
					misses;

		sp_rcache_stats(rc, &hits, &misses);
		CHECK(misses == 3, "genuine, forged and re-signed grants are three entries (%llu misses)",
			  (unsigned long long) misses);
	}
	free(c1);
	free(c2);
	rcache_free(rc);
}

/* Points that fail the multiplication: same refusal, nothing cached. */
static void
test_bad_points(void)
{
	sp_rcache  *rc = rcache_new(4);
	sp_dctx    *dc = dctx_new(4);
	agg			a = {0};
	size_t		len;
	uint8_t    *c1 = encrypt_for(2, &len),
			   *c2,
			   *c3;
	uint8_t    *X,
			   *T;
	uint64_t	hits,
				misses;

	reenc_both(&a, "L1", c1, len, grants[2][3], rc, &c2);
	reenc_both(&a, "L2", c2, len + SP_HOPBYTES, grants[3][4], rc, &c3);
	X = (uint8_t *) sp_ciphertext_hop(c3, 2) + SP_PUBLICKEYBYTES;
	T = X + SP_POINTBYTES;
	for (int round = 0; round < 2; round++)
	{
		uint8_t		saveX[SP_POINTBYTES],
					saveT[SP_POINTBYTES];

		memcpy(saveX, X, sizeof saveX);
		memcpy(saveT, T, sizeof saveT);
		memset(X, 0, SP_POINTBYTES);	/* the identity */
		reenc_both(&a, "X identity", c3, len + 2 * SP_HOPBYTES, grants[4][5], rc, NULL);
		dec_both(&a, "X identity", c3, len + 2 * SP_HOPBYTES, &keys[4], dc);
		memset(X, 0xff, SP_POINTBYTES); /* not an encoding */
		reenc_both(&a, "X invalid", c3, len + 2 * SP_HOPBYTES, grants[4][5], rc, NULL);
		dec_both(&a, "X invalid", c3, len + 2 * SP_HOPBYTES, &keys[4], dc);
		memcpy(X, saveX, sizeof saveX);
		memset(T, 0xff, SP_POINTBYTES);
		dec_both(&a, "T invalid", c3, len + 2 * SP_HOPBYTES, &keys[4], dc);
		memcpy(T, saveT, sizeof saveT);
		/* T_1 of hop 1 broken: d_1 found, the last multiplication fails */
		T = (uint8_t *) sp_ciphertext_hop(c3, 1) + SP_PUBLICKEYBYTES + SP_POINTBYTES;
		memcpy(saveT, T, sizeof saveT);
		dec_both(&a, "genuine", c3, len + 2 * SP_HOPBYTES, &keys[4], dc);
		memset(T, 0, SP_POINTBYTES);
		dec_both(&a, "T_1 identity", c3, len + 2 * SP_HOPBYTES, &keys[4], dc);
		memcpy(T, saveT, sizeof saveT);
		T = X + SP_POINTBYTES;
	}
	agg_report(&a, "identity and invalid X, T: cached == uncached");
	sp_rcache_stats(rc, &hits, &misses);
	CHECK(misses == 1 + 4, "failed multiplications are not cached (%llu misses)",
		  (unsigned long long) misses);
	sp_dctx_stats(dc, &hits, &misses);
	CHECK(hits >= 2, "d_1 reused while T_1 alone changed (%llu hits)",
		  (unsigned long long) hits);
	free(c1);
	free(c2);
	free(c3);
	rcache_free(rc);
	dctx_free(dc);
}

/* A value on the path who[0] -> ... -> who[hops], for who[hops]. */
static uint8_t *
along(const int *who, int hops, size_t *len)
{
	uint8_t    *c = encrypt_for(who[0], len);

	for (int i = 0; i < hops; i++)
	{
		uint8_t    *next = xmalloc(*len + SP_HOPBYTES);

		if (sp_reencrypt(next, *len + SP_HOPBYTES, c, *len,
						 grants[who[i]][who[i + 1]]) != SP_OK)
			exit(2);
		free(c);
		c = next;
		*len += SP_HOPBYTES;
	}
	return c;
}

/*
 * Validation on a known path: once the path is known, every per-value
 * byte is still checked (P_0, E, V, T_1, s, the capsule, the layout); a
 * changed path byte is a new path, checked in full; an invalid path is
 * never remembered.  A batch mixing them, in random orders, against
 * sp_ciphertext_validate one by one.
 */
static void
test_validate_path(void)
{
	enum
	{
		NV = 24
	};
	static const int who[4] = {1, 2, 3, 4};
	sp_vcache  *vc = vcache_new(8);
	agg			a = {0};
	uint8_t    *v[NV];
	size_t		len[NV];
	int			want[NV];
	uint64_t	hits,
				misses;
	uint8_t		junk[4096];

	CHECK(sp_vcache_bytes(0) == 0 && sp_vcache_bytes(SP_CACHE_MAXSLOTS + 1) == 0 &&
		  sp_vcache_bytes(1) > 0 && sp_vcache_bytes(2) > sp_vcache_bytes(1),
		  "sp_vcache_bytes: 0 out of range, grows with slots");
	CHECK(sp_vcache_init((sp_vcache *) junk, sp_vcache_bytes(1) - 1, 1) == SP_ELENGTH &&
		  sp_vcache_init(NULL, 100, 1) == SP_ELENGTH,
		  "sp_vcache_init refuses short storage, NULL");
	memset(junk, 0x5a, sizeof junk);
	CHECK(sp_ciphertext_validate_path(kat_ct3, KAT_CT3_LEN, (sp_vcache *) junk) == SP_EINTERNAL,
		  "an uninitialised validation cache is refused (SP_EINTERNAL)");
	CHECK(sp_ciphertext_validate_path(kat_ct3, KAT_CT3_LEN, NULL) == SP_OK,
		  "sp_ciphertext_validate_path without a cache: the KAT level 3 is valid");
	for (int pass = 0; pass < 2; pass++)
		for (int l = 0; l < 4; l++)
			CHECK(sp_ciphertext_validate_path(kat_cts[l].ct, kat_cts[l].len, vc) == SP_OK,
				  "KAT level %d valid through the cache (%s)", kat_cts[l].level,
				  pass ? "warm" : "cold");
	sp_vcache_stats(vc, &hits, &misses);
	CHECK(hits == 3 && misses == 3,
		  "KAT: levels 2-4 checked once, then found (%llu hits, %llu misses)",
		  (unsigned long long) hits, (unsigned long long) misses);
	sp_vcache_wipe(vc);
	sp_vcache_stats(vc, &hits, &misses);
	CHECK(hits == 0 && misses == 0, "sp_vcache_wipe empties the cache and its counts");

	/*
	 * Level-4 values on the path 1 -> 2 -> 3 -> 4; the odd ones broken in
	 * one per-value byte, or in a path byte, each way in turn.
	 */
	for (int i = 0; i < NV; i++)
	{
		uint8_t    *hop1,
				   *hop2;

		v[i] = along(who, 3, &len[i]);
		hop1 = (uint8_t *) sp_ciphertext_hop(v[i], 1);
		hop2 = (uint8_t *) sp_ciphertext_hop(v[i], 2);
		want[i] = SP_OK;
		if (i % 2 == 0)
			continue;
		switch (i / 2 % 10)
		{
			case 0:				/* T_1: bit 255 set */
				hop1[SP_PUBLICKEYBYTES + SP_POINTBYTES + 31] |= 0x80;
				want[i] = SP_EPOINT;
				break;
			case 1:				/* E not an encoding */
				memset(v[i] + SP_CT_E, 0xff, SP_POINTBYTES);
				want[i] = SP_EPOINT;
				break;
			case 2:				/* V the identity */
				memset(v[i] + SP_CT_V, 0, SP_POINTBYTES);
				want[i] = SP_EPOINT;
				break;
			case 3:				/* s not canonical */
				memset(v[i] + SP_CT_S, 0xff, SP_SCALARBYTES);
				want[i] = SP_ESCALAR;
				break;
			case 4:				/* s changed: the capsule */
				v[i][SP_CT_S] ^= 1;
				want[i] = SP_ECAPSULE;
				break;
			case 5:				/* P_0 not a key */
				memset(v[i] + SP_CT_P0 + SP_POINTBYTES, 0xff, SP_POINTBYTES);
				want[i] = SP_EPOINT;
				break;
			case 6:				/* X_2: a path byte, bit 255 */
				hop2[SP_PUBLICKEYBYTES + 31] |= 0x80;
				want[i] = SP_EPOINT;
				break;
			case 7:				/* T_2: a path byte */
				memset(hop2 + SP_PUBLICKEYBYTES + SP_POINTBYTES, 0, SP_POINTBYTES);
				want[i] = SP_EPOINT;
				break;
			case 8:				/* P_1's Ed25519 half */
				memset(hop1 + SP_POINTBYTES, 0xff, SP_POINTBYTES);
				want[i] = SP_EPOINT;
				break;
			case 9:				/* the layout: one byte short */
				len[i] -= SP_TAGBYTES + 1 + sp_plaintext_bytes(v[i], len[i]);
				want[i] = SP_ELENGTH;
				break;
		}
	}
	for (int i = 0; i < NV; i++)
		AGG(a, sp_ciphertext_validate(v[i], len[i]) == want[i],
			"value %d: sp_ciphertext_validate %d, expected %d", i, sp_ciphertext_validate(v[i], len[i]), want[i]);
	/* in order, then in random orders, through small caches and a fresh one */
	for (int round = 0; round < 6; round++)
	{
		sp_vcache  *c = round == 0 ? vc : vcache_new(1 + round % 3);
		char		what[64];

		for (int k = 0; k < NV; k++)
		{
			int			i = round == 0 ? k : (int) randombytes_uniform(NV);

			snprintf(what, sizeof what, "round %d value %d", round, i);
			AGG(a, val_both(&a, what, v[i], len[i], c) == want[i], "%s: code", what);
		}
		if (c != vc)
			vcache_free(c);
	}
	agg_report(&a, "validation on a known path: a mixed batch, valid and invalid, same codes as uncached");
	/* an invalid path is not remembered: the X_2 value twice, two misses */
	sp_vcache_wipe(vc);
	CHECK(sp_ciphertext_validate_path(v[13], len[13], vc) == SP_EPOINT &&
		  sp_ciphertext_validate_path(v[13], len[13], vc) == SP_EPOINT,
		  "a value with an invalid X_2 is refused, twice");
	sp_vcache_stats(vc, &hits, &misses);
	CHECK(hits == 0 && misses == 2, "an invalid path is never remembered (%llu hits, %llu misses)",
		  (unsigned long long) hits, (unsigned long long) misses);
	/* a known path does not excuse a per-value byte */
	CHECK(sp_ciphertext_validate_path(v[0], len[0], vc) == SP_OK &&
		  sp_ciphertext_validate_path(v[1], len[1], vc) == SP_EPOINT &&
		  sp_ciphertext_validate_path(v[9], len[9], vc) == SP_ECAPSULE &&
		  sp_ciphertext_validate_path(v[7], len[7], vc) == SP_ESCALAR,
		  "on a known path an invalid T_1, capsule and s are still refused");
	sp_vcache_stats(vc, &hits, &misses);
	CHECK(hits == 2 && misses == 3,
		  "the capsule and s were checked after finding the path (%llu hits, %llu misses)",
		  (unsigned long long) hits, (unsigned long long) misses);
	for (int i = 0; i < NV; i++)
		free(v[i]);
	vcache_free(vc);
}

/* Eviction in a one-slot cache, holder switches, and wiping. */
static void
test_bounds_and_wipe(void)
{
	size_t		rbytes = sp_rcache_bytes(1),
				dbytes = sp_dctx_bytes(2);
	sp_rcache  *rc = xmalloc(rbytes);
	sp_dctx    *dc = xmalloc(dbytes);
	agg			a = {0};
	size_t		len;
	uint8_t    *c1 = encrypt_for(0, &len),
			   *c2,
			   *o;
	uint8_t		T[SP_POINTBYTES];
	uint64_t	hits,
				misses;

	if (sp_rcache_init(rc, rbytes, 1) != SP_OK || sp_dctx_init(dc, dbytes, 2) != SP_OK)
		exit(2);
	reenc_both(&a, "L1", c1, len, grants[0][1], rc, &c2);
	for (int i = 0; i < 6; i++)
	{
		reenc_both(&a, "alternate", c2, len + SP_HOPBYTES,
				   grants[1][2 + i % 2], rc, &o);
		free(o);
	}
	sp_rcache_stats(rc, &hits, &misses);
	CHECK(misses == 6 && hits == 0,
		  "one slot, two grants in turn: every lookup evicts (%llu misses)",
		  (unsigned long long) misses);
	/* the last product is in the cache: wiping removes it and the grant */
	reenc_both(&a, "last", c2, len + SP_HOPBYTES, grants[1][2], rc, &o);
	memcpy(T, sp_ciphertext_hop(o, 2) + SP_PUBLICKEYBYTES + SP_POINTBYTES, sizeof T);
	CHECK(memmem(rc, rbytes, T, sizeof T) != NULL &&
		  memmem(rc, rbytes, grants[1][2] + SP_GR_RK, SP_SCALARBYTES) != NULL,
		  "the cache holds T and the grant (rk) before wiping");
	sp_rcache_wipe(rc);
	CHECK(memmem(rc, rbytes, T, sizeof T) == NULL &&
		  memmem(rc, rbytes, grants[1][2] + SP_GR_RK, SP_SCALARBYTES) == NULL,
		  "sp_rcache_wipe leaves neither T nor rk in the storage");
	sp_rcache_stats(rc, &hits, &misses);
	CHECK(hits == 0 && misses == 0, "sp_rcache_wipe: empty and usable");
	free(o);
	reenc_both(&a, "after wipe", c2, len + SP_HOPBYTES, grants[1][2], rc, NULL);

	/* holders in turn: the context rebinds, answers stay right */
	{
		uint8_t    *c3;
		uint8_t    *for3[2];

		reenc_both(&a, "L2", c2, len + SP_HOPBYTES, grants[1][2], NULL, &c3);
		reenc_both(&a, "L3 a", c3, len + 2 * SP_HOPBYTES, grants[2][3], NULL, &for3[0]);
		reenc_both(&a, "L3 b", c3, len + 2 * SP_HOPBYTES, grants[2][4], NULL, &for3[1]);
		for (int i = 0; i < 6; i++)
		{
			dec_both(&a, "holder 3", for3[0], len + 3 * SP_HOPBYTES, &keys[3], dc);
			dec_both(&a, "holder 4", for3[1], len + 3 * SP_HOPBYTES, &keys[4], dc);
			dec_both(&a, "holder 4 on 3's value", for3[0], len + 3 * SP_HOPBYTES,
					 &keys[4], dc);
		}
		sp_dctx_stats(dc, &hits, &misses);
		CHECK(hits == 0 && misses == 1,
			  "the context rebinds on every change of holder (stats since the last: %llu, %llu)",
			  (unsigned long long) hits, (unsigned long long) misses);
		{
			/* same public key, another scalar: not the same holder */
			sp_secret	fake = keys[4];
			uint8_t		m[128];
			size_t		mlen;

			sp_random_scalar(fake.p);
			dec_both(&a, "holder 4", for3[1], len + 3 * SP_HOPBYTES, &keys[4], dc);
			CHECK(sp_decrypt_cached(m, sizeof m, &mlen, for3[1],
									len + 3 * SP_HOPBYTES, &fake, dc) == SP_EDECRYPT,
				  "a key with the holder's public key but another scalar: SP_EDECRYPT");
			dec_both(&a, "holder 4 after a fake", for3[1], len + 3 * SP_HOPBYTES,
					 &keys[4], dc);
			sp_dctx_stats(dc, &hits, &misses);
			CHECK(misses == 1 && hits == 0,
				  "a key with the holder's public key but another scalar rebinds the context");
			sodium_memzero(&fake, sizeof fake);
		}
		CHECK(memmem(dc, dbytes, keys[4].p, SP_SCALARBYTES) != NULL,
			  "the context holds its holder's scalar before wiping");
		sp_dctx_wipe(dc);
		CHECK(memmem(dc, dbytes, keys[4].p, SP_SCALARBYTES) == NULL,
			  "sp_dctx_wipe leaves no copy of the holder's scalar");
		{
			int			z = 1;
			const uint8_t *b = (const uint8_t *) dc;

			/* past the small header (magic, slots), everything is zero */
			for (size_t i = 8; i < dbytes; i++)
				z = z && b[i] == 0;
			CHECK(z, "sp_dctx_wipe zeroes every entry");
		}
		dec_both(&a, "after wipe", for3[0], len + 3 * SP_HOPBYTES, &keys[3], dc);
		free(c3);
		free(for3[0]);
		free(for3[1]);
	}
	agg_report(&a, "bounded caches: cached == uncached throughout");
	free(c1);
	free(c2);
	sp_rcache_wipe(rc);
	free(rc);
	dctx_free(dc);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (test_seed_install() != 0 || sp_init() != SP_OK)
	{
		printf("not ok - sp_init\n0 passed, 1 failed\n");
		return 1;
	}
	fixtures();
	test_api();
	test_kat();
	test_random_paths(getenv("SP_CACHE_TRIALS") ? atoi(getenv("SP_CACHE_TRIALS")) : 150);
	test_many_values();
	test_forged_grant();
	test_bad_points();
	test_validate_path();
	test_bounds_and_wipe();
	for (int i = 0; i < NKEYS; i++)
		sp_secret_wipe(&keys[i]);
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail > 0 ? 1 : 0;
}
