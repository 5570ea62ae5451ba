/*
 * fuzz_keywords.c - keyword normalisation and document tokenisation
 * (sp_text_normalise, sp_text_words), i.e. what pre_token() and
 * pre_tokens() do to arbitrary text before hashing it.
 *
 * Input: arbitrary bytes.  Checks:
 *   - normalise accepts exactly the inputs that sp_text_words accepts
 *     (both fold the same way) and reports SP_EUTF8 otherwise;
 *   - the normalised keyword is NUL-terminated valid UTF-8, has no white
 *     space at either end, and normalising it again changes nothing;
 *   - every word of the document is non-empty valid UTF-8, and normalising
 *     it alone gives the same bytes (so that searching for a word found in
 *     a document makes the same token);
 *   - with prefixes, every prefix is a proper prefix of the word that
 *     follows it, at least SP_MINPREFIX code points long;
 *   - a callback's non-zero return stops the walk and is returned.
 */
#include <utf8proc.h>

#include "fuzz_common.h"
#include "sp_text.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Code points of a valid UTF-8 string; -1 if it is not valid. */
static long
count_cps(const uint8_t *s, size_t len)
{
	long		n = 0;
	size_t		pos = 0;

	while (pos < len)
	{
		utf8proc_int32_t cp;
		utf8proc_ssize_t step = utf8proc_iterate(s + pos,
												 (utf8proc_ssize_t) (len - pos),
												 &cp);

		if (step <= 0)
			return -1;
		pos += (size_t) step;
		n++;
	}
	return n;
}

static int
is_ws(utf8proc_int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	return (cp >= 0x09 && cp <= 0x0d) || c == UTF8PROC_CATEGORY_ZS ||
		c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

typedef struct walk
{
	int			stop_after;		/* return 77 at this call (0: never) */
	int			calls;
} walk;

/* A word of a document (no prefixes): valid, and normalises to itself. */
static int
on_word(void *arg, const uint8_t *word, size_t len)
{
	walk	   *w = arg;
	uint8_t    *copy = fuzz_dup(word, len);	/* ASan: word[0..len) readable */
	uint8_t    *norm = NULL;
	size_t		normlen = 0;

	w->calls++;
	FUZZ_CHECK(len > 0, "empty word");
	FUZZ_CHECK(count_cps(copy, len) > 0, "word is not valid UTF-8");
	FUZZ_CHECK(sp_text_normalise(copy, len, &norm, &normlen) == SP_OK,
			   "a word of a document does not normalise");
	FUZZ_CHECK(normlen == len && memcmp(norm, copy, len) == 0,
			   "a word of a document normalises to other bytes");
	free(norm);
	free(copy);
	if (w->stop_after != 0 && w->calls == w->stop_after)
		return 77;
	return 0;
}

/* Collect every call of a walk, to check prefixes against their words. */
typedef struct seq
{
	uint8_t   **item;
	size_t	   *len;
	size_t		n,
				cap;
} seq;

static int
on_collect(void *arg, const uint8_t *word, size_t len)
{
	seq		   *s = arg;

	if (s->n == s->cap)
	{
		s->cap = s->cap ? 2 * s->cap : 16;
		s->item = realloc(s->item, s->cap * sizeof *s->item);
		s->len = realloc(s->len, s->cap * sizeof *s->len);
		FUZZ_CHECK(s->item != NULL && s->len != NULL, "out of memory");
	}
	s->item[s->n] = fuzz_dup(word, len);
	s->len[s->n] = len;
	s->n++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t    *in,
			   *norm = NULL;
	size_t		normlen = 0;
	int			rc,
				rcw;
	walk		w = {0};
	seq			plain = {0},
				pre = {0};

	fuzz_init();
	in = fuzz_dup(data, size);

	rc = sp_text_normalise(in, size, &norm, &normlen);
	FUZZ_CHECK(rc == SP_OK || rc == SP_EUTF8, "unexpected normalise error");
	if (rc == SP_OK)
	{
		utf8proc_int32_t cp;
		uint8_t    *again = NULL;
		size_t		againlen = 0;

		FUZZ_CHECK(norm != NULL && norm[normlen] == 0, "not NUL-terminated");
		FUZZ_CHECK(count_cps(norm, normlen) >= 0, "normalised: bad UTF-8");
		if (normlen > 0)
		{
			size_t		pos = 0,
						last = 0;

			utf8proc_iterate(norm, (utf8proc_ssize_t) normlen, &cp);
			FUZZ_CHECK(!is_ws(cp), "normalised keyword starts with space");
			while (pos < normlen)
			{
				last = pos;
				pos += (size_t) utf8proc_iterate(norm + pos,
												 (utf8proc_ssize_t) (normlen - pos),
												 &cp);
			}
			utf8proc_iterate(norm + last, (utf8proc_ssize_t) (normlen - last),
							 &cp);
			FUZZ_CHECK(!is_ws(cp), "normalised keyword ends with space");
		}
		FUZZ_CHECK(sp_text_normalise(norm, normlen, &again, &againlen) == SP_OK,
				   "normalised keyword does not normalise");
		FUZZ_CHECK(againlen == normlen && memcmp(again, norm, normlen) == 0,
				   "normalisation is not idempotent");
		free(again);
	}
	free(norm);

	/* words, no prefixes: each word normalises to itself */
	rcw = sp_text_words(in, size, 0, on_word, &w);
	FUZZ_CHECK(rcw == rc, "sp_text_words and sp_text_normalise disagree");

	/* words with and without prefixes: the words are the same, in order */
	rcw = sp_text_words(in, size, 0, on_collect, &plain);
	FUZZ_CHECK(rcw == rc, "sp_text_words not deterministic");
	rcw = sp_text_words(in, size, 1, on_collect, &pre);
	FUZZ_CHECK(rcw == rc, "sp_text_words with prefixes disagrees");
	{
		size_t		j = 0;			/* next word of plain to find in pre */

		for (size_t i = 0; i < pre.n; i++)
		{
			int			is_word = j < plain.n && pre.len[i] == plain.len[j] &&
				memcmp(pre.item[i], plain.item[j], pre.len[i]) == 0;

			if (is_word)
			{
				j++;
				continue;
			}
			/* a prefix: proper prefix of the next word, >= MINPREFIX cps */
			FUZZ_CHECK(j < plain.n, "prefix after the last word");
			FUZZ_CHECK(pre.len[i] < plain.len[j] &&
					   memcmp(pre.item[i], plain.item[j], pre.len[i]) == 0,
					   "prefix is not a proper prefix of its word");
			FUZZ_CHECK(count_cps(pre.item[i], pre.len[i]) >= SP_MINPREFIX,
					   "prefix shorter than SP_MINPREFIX code points");
		}
		FUZZ_CHECK(j == plain.n, "a word is missing with prefixes");
	}

	/* a non-zero return stops the walk and is passed back */
	if (rc == SP_OK && plain.n > 0)
	{
		walk		w2 = {0};

		w2.stop_after = 1 + (int) (size % plain.n);
		rcw = sp_text_words(in, size, 0, on_word, &w2);
		FUZZ_CHECK(rcw == 77 && w2.calls == w2.stop_after,
				   "callback's non-zero return did not stop the walk");
	}

	for (size_t i = 0; i < plain.n; i++)
		free(plain.item[i]);
	for (size_t i = 0; i < pre.n; i++)
		free(pre.item[i]);
	free(plain.item);
	free(plain.len);
	free(pre.item);
	free(pre.len);
	free(in);
	return 0;
}
