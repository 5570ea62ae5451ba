/*
 * fuzz_keywords.c - keyword normalisation and document tokenisation
 * (sp_text_normalise, sp_text_words), i.e. what pre_token() and
 * pre_tokens() do to arbitrary text before hashing it.
 *
 * Input: arbitrary bytes.  Checks:
 *   - normalise and sp_text_words refuse the same invalid UTF-8
 *     (SP_EUTF8), a word too long for one is too long for the other, and
 *     no other error occurs;
 *   - on stream-safe input (no run of more than SP_MAXNONSTARTERS
 *     non-starters once decomposed) the keyword is exactly utf8proc_map()
 *     trimmed: the chunked, linear normaliser gives the bytes the
 *     whole-text one did;
 *   - the normalised keyword is NUL-terminated valid UTF-8, has no white
 *     space at either end, and normalising it again changes nothing;
 *   - every word of the document is non-empty valid UTF-8, and, when the
 *     document is stream-safe, normalising it alone gives the same bytes
 *     (so that searching for a word found in a document makes the same
 *     token; a word that starts with a run of more than SP_MAXNONSTARTERS
 *     non-starters may be cut elsewhere alone, see docs/SCHEME.md);
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

/* The normaliser's scratch space, shared by every call. */
static sp_text_work work;
static sp_text_work work2;

#define REF_OPTIONS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | \
					 UTF8PROC_CASEFOLD | UTF8PROC_IGNORE)

/* True when no run of non-starters in the decomposition passes the cap. */
static int
stream_safe(const uint8_t *in, size_t len)
{
	utf8proc_ssize_t n = utf8proc_decompose(in, (utf8proc_ssize_t) len, NULL,
											0, REF_OPTIONS);
	utf8proc_int32_t *cps;
	int			run = 0,
				safe = 1;

	if (n < 0)
		return 0;
	cps = malloc((size_t) (n + 1) * sizeof *cps);
	FUZZ_CHECK(cps != NULL, "out of memory");
	/* with too small a buffer utf8proc does not reorder: fine for counting */
	FUZZ_CHECK(utf8proc_decompose(in, (utf8proc_ssize_t) len, cps, n,
								  REF_OPTIONS) == n, "decompose twice");
	for (utf8proc_ssize_t i = 0; i < n && safe; i++)
	{
		run = utf8proc_get_property(cps[i])->combining_class ? run + 1 : 0;
		safe = run <= SP_MAXNONSTARTERS;
	}
	free(cps);
	return safe;
}

/* The keyword of the whole-text normaliser: utf8proc_map(), trimmed. */
static void
check_reference(const uint8_t *in, size_t len, const uint8_t *norm,
				size_t normlen)
{
	uint8_t    *ref = NULL;
	utf8proc_ssize_t n = utf8proc_map(in, (utf8proc_ssize_t) len, &ref,
									  REF_OPTIONS);
	size_t		start = 0,
				end = 0,
				pos = 0;

	FUZZ_CHECK(n >= 0, "utf8proc_map refuses what sp_text accepts");
	while (pos < (size_t) n)
	{
		utf8proc_int32_t cp;
		size_t		step = (size_t) utf8proc_iterate(ref + pos, n - (utf8proc_ssize_t) pos, &cp);

		if (!is_ws(cp))
		{
			if (end == 0)
				start = pos;
			end = pos + step;
		}
		pos += step;
	}
	FUZZ_CHECK(end - start == normlen &&
			   memcmp(ref + start, norm, normlen) == 0,
			   "stream-safe keyword differs from utf8proc_map");
	free(ref);
}

typedef struct walk
{
	int			stop_after;		/* return 77 at this call (0: never) */
	int			calls;
	int			safe;			/* the document is stream-safe */
} walk;

/* A word of a document (no prefixes): valid, and normalises to itself. */
static int
on_word(void *arg, const uint8_t *word, size_t len)
{
	walk	   *w = arg;
	uint8_t    *copy = fuzz_dup(word, len);	/* ASan: word[0..len) readable */
	const uint8_t *norm = NULL;
	size_t		normlen = 0;

	w->calls++;
	FUZZ_CHECK(len > 0, "empty word");
	FUZZ_CHECK(count_cps(copy, len) > 0, "word is not valid UTF-8");
	FUZZ_CHECK(len <= SP_MAXWORDBYTES, "a word longer than the limit");
	FUZZ_CHECK(sp_text_normalise(&work2, copy, len, &norm, &normlen) == SP_OK,
			   "a word of a document does not normalise");
	FUZZ_CHECK(!w->safe || (normlen == len && memcmp(norm, copy, len) == 0),
			   "a word of a document normalises to other bytes");
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
	uint8_t    *in;
	const uint8_t *norm = NULL;
	size_t		normlen = 0;
	int			rc,
				rcw;
	walk		w = {0};
	seq			plain = {0},
				pre = {0};

	fuzz_init();
	in = fuzz_dup(data, size);

	rc = sp_text_normalise(&work, in, size, &norm, &normlen);
	FUZZ_CHECK(rc == SP_OK || rc == SP_EUTF8 || rc == SP_EWORDLONG ||
			   rc == SP_ETEXTLONG, "unexpected normalise error");
	if (rc == SP_OK)
	{
		utf8proc_int32_t cp;
		const uint8_t *again = NULL;
		size_t		againlen = 0;

		FUZZ_CHECK(norm != NULL && norm[normlen] == 0, "not NUL-terminated");
		FUZZ_CHECK(normlen <= SP_MAXWORDBYTES, "keyword longer than the limit");
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
		w.safe = stream_safe(in, size);
		if (w.safe)
			check_reference(in, size, norm, normlen);
		FUZZ_CHECK(sp_text_normalise(&work2, norm, normlen, &again, &againlen) == SP_OK,
				   "normalised keyword does not normalise");
		FUZZ_CHECK(againlen == normlen && memcmp(again, norm, normlen) == 0,
				   "normalisation is not idempotent");
	}

	/* words, no prefixes: each word normalises to itself */
	rcw = sp_text_words(&work, in, size, 0, on_word, &w);
	FUZZ_CHECK((rcw == SP_EUTF8) == (rc == SP_EUTF8) &&
			   (rcw == SP_ETEXTLONG) == (rc == SP_ETEXTLONG) &&
			   (rcw != SP_EWORDLONG || rc == SP_EWORDLONG) &&
			   (rcw == SP_OK || rcw == SP_EUTF8 || rcw == SP_EWORDLONG ||
				rcw == SP_ETEXTLONG),
			   "sp_text_words and sp_text_normalise disagree");
	rc = rcw;

	/* words with and without prefixes: the words are the same, in order */
	rcw = sp_text_words(&work, in, size, 0, on_collect, &plain);
	FUZZ_CHECK(rcw == rc, "sp_text_words not deterministic");
	rcw = sp_text_words(&work, in, size, 1, on_collect, &pre);
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

		w2.safe = w.safe;
		w2.stop_after = 1 + (int) (size % plain.n);
		rcw = sp_text_words(&work, in, size, 0, on_word, &w2);
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
	sp_text_wipe(&work);
	free(in);
	return 0;
}
