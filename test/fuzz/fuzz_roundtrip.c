/*
 * fuzz_roundtrip.c - differential: parse -> serialise is the identity.
 *
 * Input: arbitrary bytes, used two ways.
 *   1. As text: for every kind whose sp_text_decode accepts it,
 *      sp_text_encode of the decoded bytes gives back exactly the input
 *      with surrounding ASCII white space trimmed (the text form is
 *      canonical: one text per value).
 *   2. As bytes (as they are for a ciphertext, cut or zero-padded to the
 *      size of the fixed-size kinds): sp_text_encode then sp_text_decode
 *      gives back the same bytes; the text is sp_text_bytes() - 1
 *      characters long, starts with the kind's prefix, is recognised by
 *      sp_text_kind, and is refused by every other kind.  Encoding into
 *      a buffer one byte short is refused.
 */
#include "fuzz_common.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
ascii_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == '\v';
}

static void
text_to_bytes_to_text(const char *text, size_t size)
{
	const char *t = text;
	size_t		tl = size;

	while (tl > 0 && ascii_space(t[0]))
		t++, tl--;
	while (tl > 0 && ascii_space(t[tl - 1]))
		tl--;
	for (int k = 0; k < SP_KIND_COUNT; k++)
	{
		size_t		cap = sp_text_decoded_max(size);
		uint8_t    *bin = fuzz_alloc(cap, 0);
		size_t		len = 0;

		if (sp_text_decode(bin, cap, &len, (sp_kind) k, text, size) == SP_OK)
		{
			size_t		n = sp_text_bytes((sp_kind) k, len);
			char	   *out = (char *) fuzz_alloc(n, 0x7f);

			FUZZ_CHECK(sp_text_encode(out, n, (sp_kind) k, bin, len) == SP_OK,
					   "cannot encode a decoded value");
			FUZZ_CHECK(out[n - 1] == '\0' && strlen(out) == n - 1,
					   "encoded text length is not sp_text_bytes() - 1");
			FUZZ_CHECK(n - 1 == tl && memcmp(out, t, tl) == 0,
					   "decode -> encode is not the identity on the trimmed text");
			free(out);
		}
		free(bin);
	}
}

static void
bytes_to_text_to_bytes(const uint8_t *input, size_t inlen)
{
	for (int k = 0; k < SP_KIND_COUNT; k++)
	{
		size_t		fixed = sp_kind_bytes((sp_kind) k);
		size_t		len = fixed != 0 ? fixed : inlen;
		uint8_t    *bin;
		size_t		n;
		char	   *text;
		uint8_t    *back;
		size_t		cap,
					blen = 0;

		if (len == 0)
			continue;
		/* fixed-size kinds: the input cut or zero-padded to the size */
		bin = fuzz_alloc(len, 0);
		memcpy(bin, input, inlen < len ? inlen : len);
		n = sp_text_bytes((sp_kind) k, len);
		text = (char *) fuzz_alloc(n, 0x7f);
		FUZZ_CHECK(sp_text_encode(text, n - 1, (sp_kind) k, bin, len) ==
				   SP_ELENGTH, "encode into a short buffer not refused");
		FUZZ_CHECK(sp_text_encode(text, n, (sp_kind) k, bin, len) == SP_OK,
				   "cannot encode");
		FUZZ_CHECK(text[n - 1] == '\0' && strlen(text) == n - 1,
				   "encoded text length is not sp_text_bytes() - 1");
		FUZZ_CHECK(memcmp(text, sp_kind_prefix((sp_kind) k),
						  strlen(sp_kind_prefix((sp_kind) k))) == 0,
				   "encoded text without its prefix");
		FUZZ_CHECK(sp_text_kind(text, n - 1) == k, "sp_text_kind of a text form");
		cap = sp_text_decoded_max(n - 1);
		back = fuzz_alloc(cap, 0);
		FUZZ_CHECK(sp_text_decode(back, cap, &blen, (sp_kind) k, text, n - 1)
				   == SP_OK, "cannot decode an encoded value");
		FUZZ_CHECK(blen == len && memcmp(back, bin, len) == 0,
				   "encode -> decode is not the identity");
		for (int o = 0; o < SP_KIND_COUNT; o++)
			if (o != k)
				FUZZ_CHECK(sp_text_decode(back, cap, &blen, (sp_kind) o,
										  text, n - 1) != SP_OK,
						   "a text form decodes as another kind");
		free(back);
		free(text);
		free(bin);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t    *in;

	fuzz_init();
	in = fuzz_dup(data, size);
	text_to_bytes_to_text((const char *) in, size);
	bytes_to_text_to_bytes(in, size);
	free(in);
	return 0;
}
