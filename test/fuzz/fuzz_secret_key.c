/*
 * fuzz_secret_key.c - secret key bytes (the binary form of pre_secret_key).
 *
 * Input: raw seed bytes.  sp_validate accepts exactly 32 bytes; every seed
 * of 32 bytes expands (sp_secret_expand) to a valid public key, equal to
 * sp_public_key's; a wiped key is all zero.  The expanded key round-trips:
 * encryption to it with a long aad (heap-allocated AD path) decrypts to the
 * message, and a grant from it to the fixture group key re-encrypts that
 * ciphertext so that the group decrypts it too.
 */
#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LONG_AAD 1500			/* > the 1024-byte stack AD of sp_aead_bound */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t aad[LONG_AAD];
	uint8_t    *seed;
	sp_secret	key;
	uint8_t		pk[SP_PUBLICKEYBYTES];
	int			rc;

	fuzz_init();
	seed = fuzz_dup(data, size);
	rc = sp_validate(SP_KIND_SECRET_KEY, seed, size);
	FUZZ_CHECK((rc == SP_OK) == (size == SP_SEEDBYTES),
			   "secret key size check");
	if (size != SP_SEEDBYTES)
	{
		FUZZ_CHECK(rc == SP_ELENGTH, "wrong-size secret key: not SP_ELENGTH");
		free(seed);
		return 0;
	}
	memset(&key, 0x5a, sizeof key);
	rc = sp_secret_expand(&key, seed);
	FUZZ_CHECK(rc == SP_OK || rc == SP_ESCALAR, "unexpected expand error");
	if (rc != SP_OK)
		FUZZ_CHECK(fuzz_all((const uint8_t *) &key, sizeof key, 0),
				   "failed expand left key material");
	else
	{
		size_t		ctlen = sp_ciphertext_bytes(1, sizeof aad, fuzz_msglen);
		uint8_t    *ct = fuzz_alloc(ctlen, 0);
		uint8_t    *ct2 = fuzz_alloc(ctlen + SP_HOPBYTES, 0);
		uint8_t    *m = fuzz_alloc(fuzz_msglen, 0);
		uint8_t		g[SP_GRANTBYTES];
		size_t		mlen = 0;

		for (size_t i = 0; i < sizeof aad; i++)
			aad[i] = (uint8_t) (i * 31 + size);
		FUZZ_CHECK(sp_public_key(pk, seed) == SP_OK, "sp_public_key");
		FUZZ_CHECK(memcmp(pk, key.pk, sizeof pk) == 0,
				   "sp_public_key differs from the expanded key");
		FUZZ_CHECK(sp_public_key_validate(pk) == SP_OK,
				   "public key of a seed is invalid");
		FUZZ_CHECK(sp_encrypt(ct, ctlen, pk, fuzz_msg, fuzz_msglen, aad,
							  sizeof aad, fuzz_r, fuzz_u, fuzz_nonce) == SP_OK,
				   "encrypt");
		FUZZ_CHECK(sp_ciphertext_validate(ct, ctlen) == SP_OK,
				   "fresh ciphertext invalid");
		FUZZ_CHECK(sp_decrypt(m, fuzz_msglen, &mlen, ct, ctlen, &key) == SP_OK &&
				   mlen == fuzz_msglen && memcmp(m, fuzz_msg, mlen) == 0,
				   "encrypt/decrypt round trip");
		rc = sp_grant(g, &key, fuzz_key[0].pk, 0, fuzz_x[0]);
		if (memcmp(pk, fuzz_key[0].pk, sizeof pk) == 0)
			FUZZ_CHECK(rc == SP_ESAMEKEY, "grant to oneself");
		else
		{
			FUZZ_CHECK(rc == SP_OK && sp_grant_validate(g) == SP_OK,
					   "grant from a fresh key is invalid");
			FUZZ_CHECK(sp_reencrypt(ct2, ctlen + SP_HOPBYTES, ct, ctlen,
									g) == SP_OK, "reencrypt");
			memset(m, 0, fuzz_msglen);
			FUZZ_CHECK(sp_decrypt(m, fuzz_msglen, &mlen, ct2,
								  ctlen + SP_HOPBYTES, &fuzz_key[0]) == SP_OK &&
					   mlen == fuzz_msglen && memcmp(m, fuzz_msg, mlen) == 0,
					   "re-encrypted round trip");
		}
		free(ct);
		free(ct2);
		free(m);
	}
	sp_secret_wipe(&key);
	FUZZ_CHECK(fuzz_all((const uint8_t *) &key, sizeof key, 0),
			   "sp_secret_wipe left bytes");
	free(seed);
	return 0;
}
