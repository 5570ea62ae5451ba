/*
 * fuzz_envelope.c - envelope bodies (SCHEME.md, "Envelopes").
 *
 * Input: raw body bytes.  Fixture: the key ciphertext "record" of
 * test/vectors/envelope.json (data key 1 for the group key, aad
 * "record:4711", the KAT randomness), so the seed bodies of that file open.
 * Checks:
 *   - sp_envelope_parse and sp_envelope_version agree, and the fields stay
 *     inside the body;
 *   - sp_envelope_open succeeds, fails with SP_EDECRYPT, or (only below 40
 *     bytes) SP_ELENGTH; on failure nothing is left in the buffer; on
 *     success the plaintext has the size of the version it opened as, and
 *     sealing it again with the body's own nonce gives the input back;
 *   - a plaintext buffer one byte short is refused;
 *   - the input taken as a plaintext (and its first 24 bytes as a nonce)
 *     seals and opens back as v1 and as v2.
 */
#include "fuzz_common.h"
#include "sp_envelope.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char env_key_hex[] =
"4df6715709194b72515d99d94f312343eb130f40ccdc059eba470f94e8e5fac7";
static const char env_aad[] = "record:4711";

static uint8_t env_key[SP_ENVELOPE_KEYBYTES];
static uint8_t env_kc[FUZZ_MAXCT];
static size_t env_kclen;

/* The fixture key ciphertext, rebuilt from the KAT randomness. */
static void
env_init(void)
{
	fuzz_init();
	if (env_kclen > 0)
		return;
	fuzz_hex(env_key, sizeof env_key, NULL, env_key_hex);
	env_kclen = sp_ciphertext_bytes(1, strlen(env_aad), sizeof env_key);
	FUZZ_CHECK(sp_encrypt(env_kc, env_kclen, fuzz_key[0].pk, env_key,
						  sizeof env_key, (const uint8_t *) env_aad,
						  strlen(env_aad), fuzz_r, fuzz_u,
						  fuzz_nonce) == SP_OK, "fixture key ciphertext");
}

/* Parser and version detection agree; fields inside the body. */
static void
check_parse(const uint8_t *body, size_t len)
{
	sp_envelope_body b1,
				b2;
	int			r1 = sp_envelope_parse(&b1, SP_ENVELOPE_V1, body, len);
	int			r2 = sp_envelope_parse(&b2, SP_ENVELOPE_V2, body, len);
	int			v = sp_envelope_version(body, len);

	FUZZ_CHECK(r1 == (len >= SP_ENVELOPE_V1_OVERHEAD ? SP_OK : SP_ELENGTH),
			   "v1 parse: any body of 40 bytes or more");
	FUZZ_CHECK(r2 != SP_OK || (len >= SP_ENVELOPE_V2_OVERHEAD &&
							   memcmp(body, "SPEN\2\0\0\0", 8) == 0),
			   "v2 parse accepted a body without the marker");
	FUZZ_CHECK(r2 == SP_OK || r2 == SP_ELENGTH || r2 == SP_EMAGIC ||
			   r2 == SP_EVERSION || r2 == SP_ERESERVED, "v2 parse error");
	FUZZ_CHECK(v == (r2 == SP_OK ? SP_ENVELOPE_V2 :
					 r1 == SP_OK ? SP_ENVELOPE_V1 : SP_ELENGTH),
			   "sp_envelope_version disagrees with the parser");
	if (r2 == SP_OK)
		FUZZ_CHECK(b2.nonce == body + 8 && b2.sealed == body + 32 &&
				   b2.sealed + b2.sealedlen == body + len, "v2 fields");
	if (r1 == SP_OK)
		FUZZ_CHECK(b1.nonce == body && b1.sealed == body + 24 &&
				   b1.sealed + b1.sealedlen == body + len, "v1 fields");
}

/* Open with the fixture; check the contract, then seal it again. */
static void
check_open(const uint8_t *body, size_t len)
{
	size_t		cap = sp_envelope_plaintext_bytes(len);
	uint8_t    *m = fuzz_alloc(cap, 0xee);
	size_t		mlen = 12345;
	int			version = -1;
	int			rc = sp_envelope_open(m, cap, &mlen, &version, env_key,
									  env_kc, env_kclen, body, len);

	if (len < SP_ENVELOPE_V1_OVERHEAD)
		FUZZ_CHECK(rc == SP_ELENGTH, "short body not refused");
	else
		FUZZ_CHECK(rc == SP_OK || rc == SP_EDECRYPT, "open error code");
	if (rc != SP_OK)
		FUZZ_CHECK(mlen == 0 && version == 0 && fuzz_all(m, cap, 0),
				   "failed open left plaintext or stale bytes");
	else
	{
		size_t		h = version == SP_ENVELOPE_V2 ? 8 : 0;
		uint8_t    *again = fuzz_alloc(len, 0);

		FUZZ_CHECK(version == SP_ENVELOPE_V1 || version == SP_ENVELOPE_V2,
				   "opened as no version");
		FUZZ_CHECK(mlen == len - h - SP_ENVELOPE_V1_OVERHEAD,
				   "plaintext size is not the version's");
		FUZZ_CHECK(sp_envelope_seal(again, len, version, env_key, body + h,
									env_kc, env_kclen, m, mlen) == SP_OK &&
				   memcmp(again, body, len) == 0,
				   "sealing the plaintext again does not give the body");
		free(again);
	}
	if (cap > 0)
	{
		uint8_t    *small = fuzz_alloc(cap - 1, 0xee);

		FUZZ_CHECK(sp_envelope_open(small, cap - 1, &mlen, NULL, env_key,
									env_kc, env_kclen, body,
									len) == SP_ELENGTH &&
				   mlen == 0 && fuzz_all(small, cap - 1, 0),
				   "open into a short buffer not refused cleanly");
		free(small);
	}
	free(m);
}

/* The input as a plaintext seals and opens back as each version. */
static void
check_seal(const uint8_t *data, size_t size)
{
	uint8_t		nonce[SP_ENVELOPE_NONCEBYTES] = {0};

	memcpy(nonce, data, size < sizeof nonce ? size : sizeof nonce);
	for (int v = SP_ENVELOPE_V1; v <= SP_ENVELOPE_V2; v++)
	{
		size_t		n = sp_envelope_body_bytes(v, size);
		uint8_t    *body = fuzz_alloc(n, 0);
		uint8_t    *m = fuzz_alloc(sp_envelope_plaintext_bytes(n), 0);
		size_t		mlen = 0;
		int			got = 0;

		FUZZ_CHECK(sp_envelope_seal(body, n, v, env_key, nonce, env_kc,
									env_kclen, data, size) == SP_OK,
				   "seal refused");
		FUZZ_CHECK(sp_envelope_open(m, sp_envelope_plaintext_bytes(n), &mlen,
									&got, env_key, env_kc, env_kclen, body,
									n) == SP_OK &&
				   got == v && mlen == size &&
				   (size == 0 || memcmp(m, data, size) == 0),
				   "sealed body does not open back as its version");
		free(body);
		free(m);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t    *body;

	env_init();
	body = fuzz_dup(data, size);
	check_parse(body, size);
	check_open(body, size);
	check_seal(body, size);
	free(body);
	return 0;
}
