/*
 * fuzz_text.c - the text forms of all five types ("presk_...", "prepk_...",
 * "pregrant_...", "prect_...", "pretok_...").
 *
 * Input: arbitrary text (not NUL-terminated).  For every kind, the text is
 * decoded the way the server and the CLI do it (sp_text_decode into
 * sp_text_decoded_max bytes) and, when that succeeds, fully validated with
 * sp_validate; secret keys are also expanded.  Checks:
 *   - a decoded fixed-size value has exactly its size, a ciphertext fits;
 *   - decoding into a buffer of exactly the decoded size gives the same
 *     bytes (no hidden dependence on the spare room);
 *   - sp_text_kind names the kind of every text that decodes;
 *   - a refused decode reports no length;
 *   - error codes of decoding are "malformed" codes.
 */
#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text;
	int			decoded_kinds = 0;

	fuzz_init();
	text = (char *) fuzz_dup(data, size);
	for (int k = 0; k < SP_KIND_COUNT; k++)
	{
		size_t		cap = sp_text_decoded_max(size);
		uint8_t    *bin = fuzz_alloc(cap, 0);
		size_t		len = 12345;
		int			rc = sp_text_decode(bin, cap, &len, (sp_kind) k, text, size);

		if (rc != SP_OK)
		{
			FUZZ_CHECK(len == 0, "failed decode reports a length");
			FUZZ_CHECK(sp_err_is_malformed(rc), "decode error not 'malformed'");
			free(bin);
			continue;
		}
		decoded_kinds++;
		FUZZ_CHECK(len <= cap, "decoded past the buffer");
		FUZZ_CHECK(sp_text_kind(text, size) == k, "sp_text_kind disagrees");
		if (sp_kind_bytes((sp_kind) k) != 0)
			FUZZ_CHECK(len == sp_kind_bytes((sp_kind) k),
					   "fixed-size kind decoded to another size");
		{
			uint8_t    *tight = fuzz_alloc(len, 0);
			size_t		len2 = 0;

			FUZZ_CHECK(sp_text_decode(tight, len, &len2, (sp_kind) k,
									  text, size) == SP_OK &&
					   len2 == len && memcmp(tight, bin, len) == 0,
					   "decode into an exact-size buffer differs");
			free(tight);
		}
		rc = sp_validate((sp_kind) k, bin, len);
		FUZZ_CHECK(rc <= 0, "sp_validate returned a positive value");
		if (rc == SP_OK && k == SP_KIND_SECRET_KEY)
		{
			sp_secret	key;

			if (sp_secret_expand(&key, bin) == SP_OK)
				FUZZ_CHECK(sp_public_key_validate(key.pk) == SP_OK,
						   "public key of a decoded secret key is invalid");
			sp_secret_wipe(&key);
		}
		if (rc == SP_OK && k == SP_KIND_CIPHERTEXT)
			FUZZ_CHECK(sp_ciphertext_check_layout(bin, len) == SP_OK,
					   "valid ciphertext with a bad layout");
		free(bin);
	}
	FUZZ_CHECK(decoded_kinds <= 1, "text decodes as two kinds");
	free(text);
	return 0;
}
