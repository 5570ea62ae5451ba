/*
 * fuzz_threshold.c - threshold grant shares and partials (sp_threshold.h).
 *
 * Input: a partial (the first 104 bytes; zero-padded when shorter) and a
 * grant share (the rest).  sp_validate agrees with sp_tshare_validate and
 * sp_tpartial_check; a share that passes the layout check has the length
 * of its t; every KAT ciphertext: sp_tpartial_verify never reads out of
 * bounds, accepts only when the share is valid and the partial passes its
 * checks, and then sp_tcombine of that one partial succeeds exactly when
 * the share's t is 1, with a valid value of the next level.
 */
#include "fuzz_common.h"
#include "sp_threshold.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		partial[SP_TPARTIALBYTES] = {0};
	size_t		slen = size > SP_TPARTIALBYTES ? size - SP_TPARTIALBYTES : 0;
	uint8_t    *share;
	int			rc,
				valid,
				pcheck;

	fuzz_init();
	memcpy(partial, data, size < SP_TPARTIALBYTES ? size : SP_TPARTIALBYTES);
	share = fuzz_dup(slen ? data + SP_TPARTIALBYTES : data, slen);
	valid = sp_tshare_validate(share, slen);
	FUZZ_CHECK(sp_validate(SP_KIND_TSHARE, share, slen) == valid,
			   "sp_validate disagrees with sp_tshare_validate");
	if (sp_tshare_check_layout(share, slen) == SP_OK)
		FUZZ_CHECK(slen == SP_TSHAREBYTES(sp_tshare_t(share)) &&
				   sp_tshare_index(share) >= 1 &&
				   sp_tshare_index(share) <= sp_tshare_n(share),
				   "share layout accepted with a wrong length or index");
	pcheck = sp_tpartial_check(partial);
	FUZZ_CHECK(sp_validate(SP_KIND_TPARTIAL, partial, SP_TPARTIALBYTES) == pcheck,
			   "sp_validate disagrees with sp_tpartial_check");
	for (int n = 0; n < FUZZ_NKEYS; n++)
	{
		size_t		outlen = fuzz_ctlen[n] + SP_HOPBYTES;
		uint8_t    *out = fuzz_alloc(outlen, 0);

		rc = sp_tpartial_verify(partial, share, slen, fuzz_ct[n], fuzz_ctlen[n]);
		FUZZ_CHECK(rc != SP_OK || (valid == SP_OK && pcheck == SP_OK),
				   "partial accepted with an invalid share or partial");
		rc = sp_tcombine(out, outlen, fuzz_ct[n], fuzz_ctlen[n], share, slen,
						 partial, 1);
		if (rc == SP_OK)
			FUZZ_CHECK(sp_tshare_t(share) == 1 &&
					   sp_ciphertext_validate(out, outlen) == SP_OK,
					   "combined value invalid, or combined below t");
		free(out);
	}
	free(share);
	return 0;
}
