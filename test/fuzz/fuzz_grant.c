/*
 * fuzz_grant.c - grant bytes (the binary form of pre_grant).
 *
 * Input: raw grant bytes.  sp_validate must refuse every size but 272 with
 * SP_ELENGTH and agree with sp_grant_validate on 272 bytes.  A valid grant
 * (in practice: a fixture, since the signature must verify) is applied to
 * each KAT ciphertext: refused unless its delegator is the current
 * recipient; when applied, the result is valid and, if the grantee is a
 * fixture key, decrypts to the KAT message.
 */
#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t    *g;
	int			rc;

	fuzz_init();
	g = fuzz_dup(data, size);
	rc = sp_validate(SP_KIND_GRANT, g, size);
	if (size != SP_GRANTBYTES)
	{
		FUZZ_CHECK(rc == SP_ELENGTH, "grant of the wrong size not refused");
		free(g);
		return 0;
	}
	FUZZ_CHECK(rc == sp_grant_validate(g),
			   "sp_validate disagrees with sp_grant_validate");
	(void) sp_grant_not_after(g);
	if (rc == SP_OK)
	{
		int			to = fuzz_key_index(g + SP_GR_TO);

		FUZZ_CHECK(sp_public_key_validate(g + SP_GR_FROM) == SP_OK &&
				   sp_public_key_validate(g + SP_GR_TO) == SP_OK,
				   "valid grant with an invalid key");
		FUZZ_CHECK(fuzz_point_canonical(g + SP_GR_FROM) &&
				   fuzz_point_canonical(g + SP_GR_TO) &&
				   fuzz_point_canonical(g + SP_GR_X),
				   "valid grant with a non-canonical point");
		FUZZ_CHECK(memcmp(g + SP_GR_FROM, g + SP_GR_TO,
						  SP_PUBLICKEYBYTES) != 0, "valid grant to itself");
		for (int n = 0; n < FUZZ_NKEYS; n++)
		{
			size_t		outlen = fuzz_ctlen[n] + SP_HOPBYTES;
			uint8_t    *out = fuzz_alloc(outlen, 0);
			int			applies = memcmp(sp_ciphertext_recipient(fuzz_ct[n]),
										 g + SP_GR_FROM,
										 SP_PUBLICKEYBYTES) == 0;

			rc = sp_reencrypt(out, outlen, fuzz_ct[n], fuzz_ctlen[n], g);
			FUZZ_CHECK((rc == SP_OK) == applies,
					   "grant applied to the wrong ciphertext, or refused");
			if (rc == SP_OK)
			{
				FUZZ_CHECK(sp_ciphertext_validate(out, outlen) == SP_OK,
						   "re-encrypted value is not valid");
				if (to >= 0)
				{
					uint8_t    *m;
					size_t		mlen;

					FUZZ_CHECK(fuzz_decrypt(out, outlen, to, &m, &mlen) == SP_OK,
							   "grantee cannot decrypt");
					FUZZ_CHECK(mlen == fuzz_msglen &&
							   memcmp(m, fuzz_msg, mlen) == 0,
							   "grantee decrypts to another message");
					free(m);
				}
			}
			free(out);
		}
	}
	free(g);
	return 0;
}
