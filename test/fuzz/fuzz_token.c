/*
 * fuzz_token.c - token bytes (the binary form of pre_token) and the token
 * helpers.
 *
 * Input: raw bytes.  sp_validate accepts exactly 16 bytes.  sp_token over
 * the input as a keyword is deterministic and depends on the key.  The
 * input cut into 16-byte tokens goes through sp_tokens_sort_unique: the
 * result is strictly increasing, and holds every input token.
 */
#include "fuzz_common.h"
#include "sp_text.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t    *in;
	uint8_t		t1[SP_TOKENBYTES],
				t2[SP_TOKENBYTES],
				other_key[SP_INDEXKEYBYTES];
	size_t		n = size / SP_TOKENBYTES,
				u;
	uint8_t		(*toks)[SP_TOKENBYTES];
	int			rc;

	fuzz_init();
	in = fuzz_dup(data, size);
	rc = sp_validate(SP_KIND_TOKEN, in, size);
	FUZZ_CHECK((rc == SP_OK) == (size == SP_TOKENBYTES), "token size check");
	if (rc != SP_OK)
		FUZZ_CHECK(rc == SP_ELENGTH, "wrong-size token: not SP_ELENGTH");

	FUZZ_CHECK(sp_token(t1, fuzz_index_key, in, size) == SP_OK, "sp_token");
	FUZZ_CHECK(sp_token(t2, fuzz_index_key, in, size) == SP_OK, "sp_token");
	FUZZ_CHECK(memcmp(t1, t2, sizeof t1) == 0, "sp_token not deterministic");
	memcpy(other_key, fuzz_index_key, sizeof other_key);
	other_key[0] ^= 1;
	FUZZ_CHECK(sp_token(t2, other_key, in, size) == SP_OK, "sp_token");
	FUZZ_CHECK(memcmp(t1, t2, sizeof t1) != 0, "sp_token ignores the key");

	toks = (uint8_t (*)[SP_TOKENBYTES]) fuzz_dup(in, n * SP_TOKENBYTES);
	u = sp_tokens_sort_unique(toks, n);
	FUZZ_CHECK(u <= n && (n == 0 || u >= 1), "sort_unique count");
	for (size_t i = 1; i < u; i++)
		FUZZ_CHECK(memcmp(toks[i - 1], toks[i], SP_TOKENBYTES) < 0,
				   "sort_unique result not strictly increasing");
	for (size_t i = 0; i < n; i++)
	{
		int			found = 0;

		for (size_t j = 0; j < u && !found; j++)
			found = memcmp(in + i * SP_TOKENBYTES, toks[j], SP_TOKENBYTES) == 0;
		FUZZ_CHECK(found, "sort_unique lost a token");
	}
	free(toks);
	free(in);
	return 0;
}
