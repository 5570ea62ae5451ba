/*
 * fuzz_common.h - shared fixtures of the secant_pre fuzz harnesses.
 *
 * Every harness includes this header once.  It provides:
 *   - fuzz_init(): sodium init and the fixed known-answer material of
 *     test/vectors/scheme-v1.json (four expanded keys, the three grants of
 *     the group -> user -> device -> backup chain, the level-1..4 KAT
 *     ciphertexts), all rebuilt deterministically from the KAT randomness
 *     and checked once;
 *   - FUZZ_CHECK(cond, what): an invariant; on failure it prints where and
 *     aborts, which libFuzzer (and the standalone driver) record as a crash;
 *   - fuzz_dup(): a malloc'd exact-size copy, so that ASan catches any read
 *     past the end of an input.
 *
 * The harnesses never touch PostgreSQL; they link the core only
 * (src/core/core.mk lists it).
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sp_codec.h"
#include "sp_core.h"

#define FUZZ_NKEYS		4		/* group, user, device, backup */
#define FUZZ_NGRANTS	3		/* key i -> key i+1 */
#define FUZZ_MAXCT		1024	/* room for the KAT ciphertexts */

#if defined(__GNUC__)
#define FUZZ_UNUSED __attribute__((unused))
#else
#define FUZZ_UNUSED
#endif

#define FUZZ_CHECK(cond, what) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, (what)); \
	} while (0)

static FUZZ_UNUSED void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "FUZZ INVARIANT FAILED at %s:%d: %s\n", file, line, what);
	fflush(stderr);
	abort();
}

/* known-answer material (test/vectors/scheme-v1.json) */
static const char *const fuzz_seed_hex[FUZZ_NKEYS] = {
	"edcf38015c54cc2728384724a798a0c164de9b47a2fb973eef4f6ae554b5d3ad",
	"8b2a579ec604a8d5e51b3c9174235af171ed10eee7b6142e7cda73c403ad1524",
	"5f143ab5a345be3ee4dc24572b2781e2013ebbcd9868aaab640d5c7634a0d6db",
	"08b64142d698f9910ce30727d316e6a625972327f809c486bc6bd2d8c26f2444",
};
static const char *const fuzz_x_hex[FUZZ_NGRANTS] = {
	"148ed3e647915f4ba225cd280a65c19e5b464a5b022d5b88c02113cfcafec10a",
	"9efcfdc0ed5c28970b3bfaf12e5fd6ad842160e1fa078a33570bbcf8afcbc004",
	"32d74968a26361b180f864e6068c4914c5840e7d7a998ea8431fc5e0e8962c00",
};
static const int64_t fuzz_not_after[FUZZ_NGRANTS] = {0, 0, 1893456000};
static const char fuzz_r_hex[] =
"9bf0b42b2c76d4770d85f11bf3531814826643e7aa89b68dd93f02c9e35e640c";
static const char fuzz_u_hex[] =
"34dfe47e70000962c5d4165c78e3a58322618bb81c3a2b9272aba35e5404d408";
static const char fuzz_nonce_hex[] =
"de1fd0837054e9197ed7d9acd42d4151428c937474382883";
static const char fuzz_msg_hex[] =
"4f62736572766174696f6e3a20486241316320372e3920252c2070617469656e742034373131";
static const char fuzz_aad_hex[] = "7265636f72643a34373131";
static const char fuzz_index_key_hex[] =
"574c38032f94e0c099504633f8c371b428f34a9a043464f3caeb8a2ac9d2651e";

/* the fixtures, valid after fuzz_init() */
static sp_secret fuzz_key[FUZZ_NKEYS];
static uint8_t fuzz_seed[FUZZ_NKEYS][SP_SEEDBYTES];
static uint8_t fuzz_grant[FUZZ_NGRANTS][SP_GRANTBYTES];
static uint8_t fuzz_r[SP_SCALARBYTES],
			fuzz_u[SP_SCALARBYTES],
			fuzz_x[FUZZ_NGRANTS][SP_SCALARBYTES],
			fuzz_nonce[SP_NONCEBYTES],
			fuzz_msg[64],
			fuzz_aad[64],
			fuzz_index_key[SP_INDEXKEYBYTES];
static size_t fuzz_msglen,
			fuzz_aadlen;
/* fuzz_ct[n - 1]: the KAT ciphertext at level n (recipient fuzz_key[n-1]) */
static uint8_t fuzz_ct[FUZZ_NKEYS][FUZZ_MAXCT];
static size_t fuzz_ctlen[FUZZ_NKEYS];

static FUZZ_UNUSED void
fuzz_hex(uint8_t *out, size_t cap, size_t *len, const char *hex)
{
	size_t		n = 0;

	if (sodium_hex2bin(out, cap, hex, strlen(hex), NULL, &n, NULL) != 0)
		fuzz_fail(__FILE__, __LINE__, "bad fixture hex");
	if (len != NULL)
		*len = n;
	else if (n != cap)
		fuzz_fail(__FILE__, __LINE__, "fixture hex of the wrong length");
}

static int	fuzz_ready = 0;

static FUZZ_UNUSED void
fuzz_init(void)
{
	if (fuzz_ready)
		return;
	FUZZ_CHECK(sp_init() == SP_OK, "sp_init");
	for (int i = 0; i < FUZZ_NKEYS; i++)
	{
		fuzz_hex(fuzz_seed[i], SP_SEEDBYTES, NULL, fuzz_seed_hex[i]);
		FUZZ_CHECK(sp_secret_expand(&fuzz_key[i], fuzz_seed[i]) == SP_OK,
				   "fixture key");
	}
	fuzz_hex(fuzz_r, sizeof fuzz_r, NULL, fuzz_r_hex);
	fuzz_hex(fuzz_u, sizeof fuzz_u, NULL, fuzz_u_hex);
	fuzz_hex(fuzz_nonce, sizeof fuzz_nonce, NULL, fuzz_nonce_hex);
	fuzz_hex(fuzz_msg, sizeof fuzz_msg, &fuzz_msglen, fuzz_msg_hex);
	fuzz_hex(fuzz_aad, sizeof fuzz_aad, &fuzz_aadlen, fuzz_aad_hex);
	fuzz_hex(fuzz_index_key, sizeof fuzz_index_key, NULL, fuzz_index_key_hex);

	fuzz_ctlen[0] = sp_ciphertext_bytes(1, fuzz_aadlen, fuzz_msglen);
	FUZZ_CHECK(fuzz_ctlen[0] + SP_HOPBYTES * (FUZZ_NKEYS - 1) <= FUZZ_MAXCT,
			   "fixture ciphertext size");
	FUZZ_CHECK(sp_encrypt(fuzz_ct[0], fuzz_ctlen[0], fuzz_key[0].pk,
						  fuzz_msg, fuzz_msglen, fuzz_aad, fuzz_aadlen,
						  fuzz_r, fuzz_u, fuzz_nonce) == SP_OK,
			   "fixture encrypt");
	for (int i = 0; i < FUZZ_NGRANTS; i++)
	{
		fuzz_hex(fuzz_x[i], SP_SCALARBYTES, NULL, fuzz_x_hex[i]);
		FUZZ_CHECK(sp_grant(fuzz_grant[i], &fuzz_key[i], fuzz_key[i + 1].pk,
							fuzz_not_after[i], fuzz_x[i]) == SP_OK,
				   "fixture grant");
		FUZZ_CHECK(sp_grant_validate(fuzz_grant[i]) == SP_OK,
				   "fixture grant validates");
		fuzz_ctlen[i + 1] = fuzz_ctlen[i] + SP_HOPBYTES;
		FUZZ_CHECK(sp_reencrypt(fuzz_ct[i + 1], fuzz_ctlen[i + 1],
								fuzz_ct[i], fuzz_ctlen[i],
								fuzz_grant[i]) == SP_OK,
				   "fixture reencrypt");
	}
	for (int i = 0; i < FUZZ_NKEYS; i++)
		FUZZ_CHECK(sp_ciphertext_validate(fuzz_ct[i], fuzz_ctlen[i]) == SP_OK,
				   "fixture ciphertext validates");
	fuzz_ready = 1;
}

/* Index of the fixture key whose public key is pk, or -1. */
static FUZZ_UNUSED int
fuzz_key_index(const uint8_t *pk)
{
	for (int i = 0; i < FUZZ_NKEYS; i++)
		if (memcmp(pk, fuzz_key[i].pk, SP_PUBLICKEYBYTES) == 0)
			return i;
	return -1;
}

/*
 * An accepted point encoding must be the canonical one: re-encoding the
 * decoded point (p + identity) gives the same 32 bytes back.
 */
static FUZZ_UNUSED int
fuzz_point_canonical(const uint8_t p[SP_POINTBYTES])
{
	static const uint8_t identity[SP_POINTBYTES] = {0};
	uint8_t		q[SP_POINTBYTES];

	return crypto_core_ristretto255_add(q, p, identity) == 0 &&
		memcmp(q, p, SP_POINTBYTES) == 0;
}

/* A malloc'd copy of exactly len bytes (at least one byte allocated). */
static FUZZ_UNUSED uint8_t *
fuzz_dup(const uint8_t *data, size_t len)
{
	uint8_t    *p = malloc(len > 0 ? len : 1);

	FUZZ_CHECK(p != NULL, "out of memory");
	if (len > 0)
		memcpy(p, data, len);
	return p;
}

/* A malloc'd buffer of len bytes (at least one), all set to fill. */
static FUZZ_UNUSED uint8_t *
fuzz_alloc(size_t len, int fill)
{
	uint8_t    *p = malloc(len > 0 ? len : 1);

	FUZZ_CHECK(p != NULL, "out of memory");
	memset(p, fill, len > 0 ? len : 1);
	return p;
}

static FUZZ_UNUSED int
fuzz_all(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

/*
 * Decrypt ct with fixture key k, checking the "never partial plaintext,
 * nor stale bytes" contract: on any failure the whole buffer is zero.
 * Returns the sp_err; on SP_OK *m (malloc'd) holds *mlen bytes.
 */
static FUZZ_UNUSED int
fuzz_decrypt(const uint8_t *ct, size_t ctlen, int k, uint8_t **m,
			 size_t *mlen)
{
	size_t		cap = sp_plaintext_bytes(ct, ctlen);
	uint8_t    *buf = fuzz_alloc(cap, 0xee);	/* stale bytes: must go */
	int			rc;

	*mlen = 12345;
	rc = sp_decrypt(buf, cap, mlen, ct, ctlen, &fuzz_key[k]);
	if (rc == SP_OK)
		FUZZ_CHECK(*mlen == cap, "decrypt: *mlen is not the plaintext size");
	else
	{
		FUZZ_CHECK(*mlen == 0, "decrypt failed but *mlen != 0");
		FUZZ_CHECK(fuzz_all(buf, cap, 0),
				   "decrypt failed but left bytes in the plaintext buffer");
	}
	/* one byte too small: refused without writing */
	if (cap > 0)
	{
		size_t		l2 = 1;
		uint8_t    *small = fuzz_alloc(cap - 1, 0xee);
		int			rc2 = sp_decrypt(small, cap - 1, &l2, ct, ctlen,
									 &fuzz_key[k]);

		FUZZ_CHECK(rc2 == SP_ELENGTH, "decrypt into a short buffer not refused");
		FUZZ_CHECK(l2 == 0, "short decrypt: *mlen != 0");
		FUZZ_CHECK(fuzz_all(small, cap - 1, 0),
				   "short decrypt left stale bytes in the buffer");
		free(small);
	}
	*m = buf;
	return rc;
}

#endif							/* FUZZ_COMMON_H */
