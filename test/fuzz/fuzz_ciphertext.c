/*
 * fuzz_ciphertext.c - ciphertext bytes (the binary form of pre_ciphertext).
 *
 * Input: raw ciphertext bytes.  Runs the layout check and the full
 * validation (directly and through sp_validate); for every value that
 * passes the layout check, the accessors (checked to stay inside the
 * value), sp_decrypt with each fixture key and sp_reencrypt with each
 * fixture grant.  For fully valid values it also checks the scheme's
 * promises:
 *   - every point (P0, E, V, each hop's P, X, T) is in canonical encoding;
 *   - a re-encrypted value is valid, its current recipient is the grantee,
 *     and it differs from the input only in the level byte and the new hop;
 *   - the grantee decrypts the re-encrypted value exactly when the
 *     delegator decrypts the original, to the same plaintext.
 */
#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Accessors of a laid-out value must point inside it. */
static void
check_accessors(const uint8_t *ct, size_t ctlen)
{
	int			level = sp_ciphertext_level(ct);
	uint32_t	aadlen = sp_ciphertext_aadlen(ct);
	size_t		body = sp_ciphertext_body_offset(ct);
	const uint8_t *rcpt = sp_ciphertext_recipient(ct);
	uint8_t		copy[SP_PUBLICKEYBYTES];

	FUZZ_CHECK(level >= 1 && level <= SP_MAXLEVEL, "level out of range");
	FUZZ_CHECK(body == (size_t) SP_CT_AAD + aadlen +
			   (size_t) SP_HOPBYTES * (level - 1), "body offset");
	FUZZ_CHECK(body <= ctlen && ctlen - body >= SP_TAGBYTES,
			   "body offset outside the value");
	FUZZ_CHECK(sp_plaintext_bytes(ct, ctlen) == ctlen - body - SP_TAGBYTES,
			   "plaintext size");
	for (int k = 1; k < level; k++)
	{
		const uint8_t *hop = sp_ciphertext_hop(ct, k);

		FUZZ_CHECK(hop >= ct + SP_CT_AAD + aadlen &&
				   hop + SP_HOPBYTES <= ct + body, "hop record outside");
	}
	FUZZ_CHECK(rcpt >= ct && rcpt + SP_PUBLICKEYBYTES <= ct + body,
			   "recipient outside the value");
	memcpy(copy, rcpt, sizeof copy);	/* let ASan see the read */
	if (level == 1)
		FUZZ_CHECK(rcpt == ct + SP_CT_P0, "level-1 recipient is not P0");
	else
		FUZZ_CHECK(rcpt == sp_ciphertext_hop(ct, level - 1),
				   "recipient is not the last hop's key");
}

/* Re-encrypt with fixture grant g and check the result. */
static void
check_reencrypt(const uint8_t *ct, size_t ctlen, int valid, int g,
				int orig_rc, const uint8_t *orig_m, size_t orig_mlen)
{
	size_t		outlen = ctlen + SP_HOPBYTES;
	uint8_t    *out = fuzz_alloc(outlen, 0xa5);
	int			level = sp_ciphertext_level(ct);
	int			matches = memcmp(sp_ciphertext_recipient(ct),
								 fuzz_key[g].pk, SP_PUBLICKEYBYTES) == 0;
	int			rc;

	/* wrong output size: refused */
	rc = sp_reencrypt(out, outlen - 1, ct, ctlen, fuzz_grant[g]);
	FUZZ_CHECK(rc == SP_ELENGTH, "reencrypt with a short output not refused");

	rc = sp_reencrypt(out, outlen, ct, ctlen, fuzz_grant[g]);
	if (level >= SP_MAXLEVEL)
		FUZZ_CHECK(rc == SP_EMAXLEVEL, "level 16 re-encrypted");
	else if (!matches)
		FUZZ_CHECK(rc == SP_ERECIPIENT, "grant applied to another recipient");
	else if (valid)
		FUZZ_CHECK(rc == SP_OK, "valid ciphertext + matching grant refused");

	if (rc == SP_OK && valid)
	{
		size_t		body = sp_ciphertext_body_offset(ct);
		uint8_t    *m2;
		size_t		m2len;
		int			rc2;

		FUZZ_CHECK(sp_ciphertext_validate(out, outlen) == SP_OK,
				   "re-encrypted value is not valid");
		FUZZ_CHECK(sp_ciphertext_level(out) == level + 1, "new level");
		FUZZ_CHECK(memcmp(sp_ciphertext_recipient(out),
						  fuzz_grant[g] + SP_GR_TO, SP_PUBLICKEYBYTES) == 0,
				   "new recipient is not the grantee");
		FUZZ_CHECK(memcmp(out, ct, SP_CT_LEVEL) == 0 &&
				   memcmp(out + SP_CT_LEVEL + 1, ct + SP_CT_LEVEL + 1,
						  body - SP_CT_LEVEL - 1) == 0,
				   "re-encryption changed the header or the hops");
		FUZZ_CHECK(memcmp(out + body + SP_HOPBYTES, ct + body,
						  ctlen - body) == 0,
				   "re-encryption changed the body");
		rc2 = fuzz_decrypt(out, outlen, g + 1, &m2, &m2len);
		FUZZ_CHECK((rc2 == SP_OK) == (orig_rc == SP_OK),
				   "grantee and delegator disagree on decryption");
		if (rc2 == SP_OK)
			FUZZ_CHECK(m2len == orig_mlen &&
					   memcmp(m2, orig_m, m2len) == 0,
					   "re-encrypted value decrypts to another plaintext");
		free(m2);
	}
	else if (rc != SP_OK)
		FUZZ_CHECK(fuzz_all(out, outlen, 0xa5) || fuzz_all(out, outlen, 0),
				   "failed reencrypt left partial output");
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t    *ct;
	int			layout,
				valid;

	fuzz_init();
	ct = fuzz_dup(data, size);
	layout = sp_ciphertext_check_layout(ct, size);
	valid = sp_ciphertext_validate(ct, size);
	FUZZ_CHECK(sp_validate(SP_KIND_CIPHERTEXT, ct, size) == valid,
			   "sp_validate disagrees with sp_ciphertext_validate");
	FUZZ_CHECK(valid != SP_OK || layout == SP_OK, "valid but bad layout");
	FUZZ_CHECK(layout == SP_OK || sp_err_is_malformed(layout),
			   "layout error is not a 'malformed' code");
	FUZZ_CHECK(valid <= 0 && sp_strerror(valid) != NULL, "error code");

	if (valid == SP_OK)
	{
		/* every accepted point is in its canonical encoding */
		FUZZ_CHECK(fuzz_point_canonical(ct + SP_CT_P0) &&
				   fuzz_point_canonical(ct + SP_CT_E) &&
				   fuzz_point_canonical(ct + SP_CT_V),
				   "valid ciphertext with a non-canonical point");
		for (int k = 1; k < sp_ciphertext_level(ct); k++)
		{
			const uint8_t *hop = sp_ciphertext_hop(ct, k);

			FUZZ_CHECK(fuzz_point_canonical(hop) &&
					   fuzz_point_canonical(hop + SP_PUBLICKEYBYTES) &&
					   fuzz_point_canonical(hop + SP_PUBLICKEYBYTES +
											SP_POINTBYTES),
					   "valid ciphertext with a non-canonical hop point");
		}
	}
	if (layout == SP_OK)
	{
		int			rc[FUZZ_NKEYS];
		uint8_t    *m[FUZZ_NKEYS];
		size_t		mlen[FUZZ_NKEYS];
		int			k = fuzz_key_index(sp_ciphertext_recipient(ct));

		check_accessors(ct, size);
		for (int i = 0; i < FUZZ_NKEYS; i++)
		{
			rc[i] = fuzz_decrypt(ct, size, i, &m[i], &mlen[i]);
			if (i != k)
				FUZZ_CHECK(rc[i] == SP_EWRONGKEY,
						   "decrypted by a key that is not the recipient");
		}
		for (int g = 0; g < FUZZ_NGRANTS; g++)
			check_reencrypt(ct, size, valid == SP_OK, g,
							k == g ? rc[g] : SP_EWRONGKEY,
							k == g ? m[g] : NULL, k == g ? mlen[g] : 0);
		for (int i = 0; i < FUZZ_NKEYS; i++)
			free(m[i]);
	}
	free(ct);
	return 0;
}
