/*
 * fuzz_public_key.c - public key bytes (the binary form of pre_public_key).
 *
 * Input: raw public key bytes.  sp_validate must refuse every size but 64
 * with SP_ELENGTH and agree with sp_public_key_validate on 64 bytes.  A key
 * that is accepted must have the canonical encoding of its point, and be
 * usable: encrypting to it (KAT randomness) gives
 * a valid level-1 ciphertext whose recipient is that key, and a grant from
 * the fixture group key to it is valid (or refused as SP_ESAMEKEY).
 */
#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t    *pk;
	int			rc;

	fuzz_init();
	pk = fuzz_dup(data, size);
	rc = sp_validate(SP_KIND_PUBLIC_KEY, pk, size);
	if (size != SP_PUBLICKEYBYTES)
	{
		FUZZ_CHECK(rc == SP_ELENGTH, "public key of the wrong size not refused");
		free(pk);
		return 0;
	}
	FUZZ_CHECK(rc == sp_public_key_validate(pk),
			   "sp_validate disagrees with sp_public_key_validate");
	FUZZ_CHECK(rc == SP_OK || rc == SP_EPOINT, "unexpected public key error");
	if (rc == SP_OK)
		FUZZ_CHECK(fuzz_point_canonical(pk),
				   "accepted public key with a non-canonical point encoding");
	if (rc == SP_OK)
	{
		size_t		ctlen = sp_ciphertext_bytes(1, fuzz_aadlen, fuzz_msglen);
		uint8_t    *ct = fuzz_alloc(ctlen, 0);
		uint8_t		g[SP_GRANTBYTES];

		FUZZ_CHECK(sp_encrypt(ct, ctlen, pk, fuzz_msg, fuzz_msglen, fuzz_aad,
							  fuzz_aadlen, fuzz_r, fuzz_u, fuzz_nonce) == SP_OK,
				   "cannot encrypt to a valid public key");
		FUZZ_CHECK(sp_ciphertext_validate(ct, ctlen) == SP_OK,
				   "encryption to a valid key gives an invalid ciphertext");
		FUZZ_CHECK(memcmp(sp_ciphertext_recipient(ct), pk,
						  SP_PUBLICKEYBYTES) == 0, "recipient");
		rc = sp_grant(g, &fuzz_key[0], pk, 0, fuzz_x[0]);
		if (memcmp(pk, fuzz_key[0].pk, SP_PUBLICKEYBYTES) == 0)
			FUZZ_CHECK(rc == SP_ESAMEKEY, "grant to oneself not refused");
		else
		{
			FUZZ_CHECK(rc == SP_OK, "cannot grant to a valid public key");
			FUZZ_CHECK(sp_grant_validate(g) == SP_OK,
					   "grant to a valid key is invalid");
		}
		free(ct);
	}
	else
	{
		size_t		ctlen = sp_ciphertext_bytes(1, fuzz_aadlen, fuzz_msglen);
		uint8_t    *ct = fuzz_alloc(ctlen, 0);
		uint8_t		g[SP_GRANTBYTES];

		FUZZ_CHECK(sp_encrypt(ct, ctlen, pk, fuzz_msg, fuzz_msglen, fuzz_aad,
							  fuzz_aadlen, fuzz_r, fuzz_u, fuzz_nonce) == SP_EPOINT,
				   "encrypted to an invalid public key");
		FUZZ_CHECK(sp_grant(g, &fuzz_key[0], pk, 0, fuzz_x[0]) == SP_EPOINT,
				   "granted to an invalid public key");
		free(ct);
	}
	free(pk);
	return 0;
}
