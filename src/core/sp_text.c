/*
 * sp_text.c - keyword normalisation (NFKC case folding with utf8proc) and
 * tokenisation for search tokens; see sp_text.h for the rules.
 *
 * utf8proc_map() would decompose the whole text into a malloc'd buffer,
 * reorder the marks with a bubble sort (quadratic in a run of
 * non-starters) and compose.  Here the same three steps run one chunk at a
 * time in the caller's sp_text_work:
 *   1. each code point is decomposed with utf8proc_decompose_char() (the
 *      same options), appended to the chunk;
 *   2. a non-starter is inserted at its place in the current run of
 *      non-starters (a stable sort by combining class, which is what the
 *      bubble sort computes); a run longer than SP_MAXNONSTARTERS gets a
 *      U+034F COMBINING GRAPHEME JOINER first (UAX #15), so the work per
 *      code point is bounded;
 *   3. before a starter that is not a word character the chunk is composed
 *      with utf8proc_normalize_utf32(), encoded without the joiners and
 *      handed on.  Such a code point is never the second of a canonical
 *      composition, a composite whose first is one is not a word character
 *      either, and it ends any reordering: so the chunk boundary changes
 *      neither the composed text nor its words (checked against
 *      utf8proc_map() by the unit tests and the keyword fuzzer).
 * A chunk holds one word and the separator before it, hence a full chunk
 * means a word longer than SP_MAXWORDBYTES.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <utf8proc.h>

#include "sp_text.h"

#define NORMALISE_OPTIONS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | \
						   UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | \
						   UTF8PROC_IGNORE)
#define JOINER 0x034F			/* COMBINING GRAPHEME JOINER */
#define MAXDECOMPOSITION 32		/* longest for one code point: 18 */

typedef struct walk walk;

/* Receives the normalised text of one chunk. */
typedef int (*chunk_fn) (walk *wk, const uint8_t *text, size_t len);

/* The state of one normalisation. */
struct walk
{
	sp_text_work *work;
	size_t		n;				/* code points in work->cps */
	size_t		cps_used;		/* high-water marks, wiped at the end */
	size_t		utf8_used;
	int			marks;			/* current run of non-starters */
	uint8_t		ccc[SP_MAXNONSTARTERS];	/* their combining classes */
	chunk_fn	sink;
	/* sp_text_words */
	int			prefixes;
	sp_word_fn	fn;
	void	   *arg;
	/* sp_text_normalise */
	size_t		keyword_len;	/* bytes stored in work->keyword */
	size_t		keyword_keep;	/* past its last non-space code point */
	int			keyword_full;	/* white space did not fit after it */
};

/* A letter, a mark or a digit: part of a word. */
static int
is_word_char(utf8proc_int32_t cp)
{
	switch (utf8proc_category(cp))
	{
		case UTF8PROC_CATEGORY_LU:
		case UTF8PROC_CATEGORY_LL:
		case UTF8PROC_CATEGORY_LT:
		case UTF8PROC_CATEGORY_LM:
		case UTF8PROC_CATEGORY_LO:
		case UTF8PROC_CATEGORY_MN:
		case UTF8PROC_CATEGORY_MC:
		case UTF8PROC_CATEGORY_ME:
		case UTF8PROC_CATEGORY_ND:
		case UTF8PROC_CATEGORY_NL:
		case UTF8PROC_CATEGORY_NO:
			return 1;
		default:
			return 0;
	}
}

/* White space: Unicode separators and the ASCII control spaces. */
static int
is_space(utf8proc_int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	return (cp >= 0x09 && cp <= 0x0d) || c == UTF8PROC_CATEGORY_ZS ||
		c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

/* Decode the code point at text[pos]; the text is known to be valid. */
static size_t
next_cp(const uint8_t *text, size_t len, size_t pos, utf8proc_int32_t *cp)
{
	return (size_t) utf8proc_iterate(text + pos, (utf8proc_ssize_t) (len - pos),
									 cp);
}

/* SP_OK if len bytes are valid UTF-8 of at most SP_MAXTEXTBYTES. */
static int
check_text(const uint8_t *in, size_t len)
{
	utf8proc_int32_t cp;
	size_t		pos = 0;

	if (len > SP_MAXTEXTBYTES)
		return SP_ETEXTLONG;
	while (pos < len)
	{
		utf8proc_ssize_t step = utf8proc_iterate(in + pos,
												 (utf8proc_ssize_t) (len - pos),
												 &cp);

		if (step <= 0 || cp < 0)
			return SP_EUTF8;
		pos += (size_t) step;
	}
	return SP_OK;
}

/* Compose the chunk, encode it without joiners and hand it to the sink. */
static int
flush_chunk(walk *wk)
{
	sp_text_work *w = wk->work;
	utf8proc_ssize_t n;
	size_t		len = 0;
	int			rc;

	if (wk->n == 0)
		return SP_OK;
	n = utf8proc_normalize_utf32(w->cps, (utf8proc_ssize_t) wk->n,
								 NORMALISE_OPTIONS);
	if (n < 0)
		return SP_EINTERNAL;
	for (utf8proc_ssize_t i = 0; i < n; i++)
		if (w->cps[i] != JOINER)
			len += (size_t) utf8proc_encode_char(w->cps[i], w->utf8 + len);
	w->utf8[len] = 0;
	if (len + 1 > wk->utf8_used)
		wk->utf8_used = len + 1;
	wk->n = 0;
	wk->marks = 0;
	rc = wk->sink(wk, w->utf8, len);
	if (rc == SP_OK && w->stop != NULL && w->stop(w->stop_arg))
		rc = SP_ECANCELED;
	return rc;
}

/* Room for k more code points in the chunk, or the word is too long. */
static int
reserve(walk *wk, size_t k)
{
	if (wk->n + k > SP_TEXT_CHUNK)
		return SP_EWORDLONG;
	if (wk->n + k > wk->cps_used)
		wk->cps_used = wk->n + k;
	return SP_OK;
}

/* Append a starter; before a separator, the chunk so far is done. */
static int
add_starter(walk *wk, utf8proc_int32_t cp)
{
	int			rc = SP_OK;

	wk->marks = 0;
	if (!is_word_char(cp))
		rc = flush_chunk(wk);
	if (rc == SP_OK)
		rc = reserve(wk, 1);
	if (rc == SP_OK)
		wk->work->cps[wk->n++] = cp;
	return rc;
}

/*
 * Insert a non-starter at its place in the current run (stable by
 * combining class); a full run is closed with a joiner first.
 */
static int
add_mark(walk *wk, utf8proc_int32_t cp, uint8_t ccc)
{
	int32_t    *cps = wk->work->cps;
	size_t		base;
	int			i;
	int			rc = reserve(wk, 2);

	if (rc != SP_OK)
		return rc;
	if (wk->marks == SP_MAXNONSTARTERS)
	{
		cps[wk->n++] = JOINER;
		wk->marks = 0;
	}
	base = wk->n - (size_t) wk->marks;
	for (i = wk->marks; i > 0 && wk->ccc[i - 1] > ccc; i--)
	{
		cps[base + (size_t) i] = cps[base + (size_t) i - 1];
		wk->ccc[i] = wk->ccc[i - 1];
	}
	cps[base + (size_t) i] = cp;
	wk->ccc[i] = ccc;
	wk->marks++;
	wk->n++;
	return SP_OK;
}

/* Decompose one code point of the input into the chunk. */
static int
add_cp(walk *wk, utf8proc_int32_t cp)
{
	utf8proc_int32_t d[MAXDECOMPOSITION];
	int			boundclass = 0;
	int			rc = SP_OK;
	utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, MAXDECOMPOSITION,
												 NORMALISE_OPTIONS,
												 &boundclass);

	if (n < 0 || n > MAXDECOMPOSITION)
		return n < 0 ? SP_EUTF8 : SP_EINTERNAL;
	for (utf8proc_ssize_t i = 0; rc == SP_OK && i < n; i++)
	{
		utf8proc_propval_t ccc = utf8proc_get_property(d[i])->combining_class;

		rc = ccc == 0 ? add_starter(wk, d[i]) : add_mark(wk, d[i], (uint8_t) ccc);
	}
	sodium_memzero(d, sizeof d);
	return rc;
}

/* Normalise a whole text through wk's sink; wipes the scratch space. */
static int
normalise(walk *wk, const uint8_t *in, size_t len)
{
	utf8proc_int32_t cp;
	size_t		pos = 0;
	int			rc = check_text(in, len);

	while (rc == SP_OK && pos < len)
	{
		pos += next_cp(in, len, pos, &cp);
		rc = add_cp(wk, cp);
	}
	if (rc == SP_OK)
		rc = flush_chunk(wk);
	sodium_memzero(wk->work->cps, wk->cps_used * sizeof(int32_t));
	sodium_memzero(wk->work->utf8, wk->utf8_used);
	sodium_memzero(wk->ccc, sizeof wk->ccc);
	return rc;
}

/* Append one code point of a keyword, leading white space left out. */
static int
keyword_add(walk *wk, const uint8_t *cp, size_t step, int space)
{
	uint8_t    *out = wk->work->keyword;

	if (space && wk->keyword_len == 0)
		return SP_OK;
	if (wk->keyword_len + step > SP_MAXWORDBYTES)
	{
		/* white space past the limit is fine if it ends the keyword */
		wk->keyword_full = 1;
		return space ? SP_OK : SP_EWORDLONG;
	}
	if (!space && wk->keyword_full)
		return SP_EWORDLONG;
	memcpy(out + wk->keyword_len, cp, step);
	wk->keyword_len += step;
	if (!space)
		wk->keyword_keep = wk->keyword_len;
	return SP_OK;
}

/* chunk_fn of sp_text_normalise: append the chunk to the keyword. */
static int
keyword_chunk(walk *wk, const uint8_t *text, size_t len)
{
	utf8proc_int32_t cp;
	size_t		pos = 0;
	int			rc = SP_OK;

	while (rc == SP_OK && pos < len)
	{
		size_t		step = next_cp(text, len, pos, &cp);

		rc = keyword_add(wk, text + pos, step, is_space(cp));
		pos += step;
	}
	return rc;
}

/* Normalise one keyword: fold, then trim white space. */
int
sp_text_normalise(sp_text_work *work, const uint8_t *in, size_t len,
				  const uint8_t **out, size_t *outlen)
{
	walk		wk = {0};
	int			rc;

	wk.work = work;
	wk.sink = keyword_chunk;
	rc = normalise(&wk, in, len);
	/* keywords are secret: no trailing white space or stale bytes left */
	sodium_memzero(work->keyword + wk.keyword_keep,
				   sizeof work->keyword - wk.keyword_keep);
	*out = work->keyword;
	*outlen = rc == SP_OK ? wk.keyword_keep : 0;
	if (rc != SP_OK)
		sodium_memzero(work->keyword, wk.keyword_keep);
	return rc;
}

/* Call fn for a word and, with prefixes, for its proper prefixes. */
static int
emit_word(walk *wk, const uint8_t *word, size_t len)
{
	utf8proc_int32_t cp;
	size_t		pos = 0;
	int			count = 0,
				rc;

	if (len > SP_MAXWORDBYTES)
		return SP_EWORDLONG;
	while (wk->prefixes && pos < len && count < SP_MAXPREFIX)
	{
		pos += next_cp(word, len, pos, &cp);
		if (++count >= SP_MINPREFIX && pos < len &&
			(rc = wk->fn(wk->arg, word, pos)) != 0)
			return rc;
	}
	return wk->fn(wk->arg, word, len);
}

/* chunk_fn of sp_text_words: call fn for each word of the chunk. */
static int
words_chunk(walk *wk, const uint8_t *text, size_t len)
{
	utf8proc_int32_t cp;
	size_t		pos = 0,
				start = 0;
	int			rc = SP_OK;

	while (rc == SP_OK && pos <= len)
	{
		int			word_char = 0;
		size_t		step = 1;

		if (pos < len)
		{
			step = next_cp(text, len, pos, &cp);
			word_char = is_word_char(cp);
		}
		if (!word_char && pos > start)
			rc = emit_word(wk, text + start, pos - start);
		pos += step;
		if (!word_char)
			start = pos;
	}
	return rc;
}

/* Normalise a document and call fn for each word (and prefix). */
int
sp_text_words(sp_text_work *work, const uint8_t *doc, size_t len,
			  int prefixes, sp_word_fn fn, void *arg)
{
	walk		wk = {0};

	wk.work = work;
	wk.sink = words_chunk;
	wk.prefixes = prefixes;
	wk.fn = fn;
	wk.arg = arg;
	return normalise(&wk, doc, len);
}

/*
 * Wipe everything work holds: the calls wiped their scratch space already,
 * so the keyword and the callback are what is left (cheap per call).
 */
void
sp_text_wipe(sp_text_work *work)
{
	sodium_memzero(work->keyword, sizeof work->keyword);
	work->stop = NULL;
	work->stop_arg = NULL;
}

static int
token_cmp(const void *a, const void *b)
{
	return memcmp(a, b, SP_TOKENBYTES);
}

/* Sort n tokens by their bytes and drop repeats; returns the new count. */
size_t
sp_tokens_sort_unique(uint8_t (*tokens)[SP_TOKENBYTES], size_t n)
{
	size_t		out = 0;

	if (n == 0)
		return 0;
	qsort(tokens, n, SP_TOKENBYTES, token_cmp);
	for (size_t i = 1; i < n; i++)
		if (memcmp(tokens[i], tokens[out], SP_TOKENBYTES) != 0)
			memcpy(tokens[++out], tokens[i], SP_TOKENBYTES);
	return out + 1;
}

/* ---- the tokens of a document (sp_text_tokens) ---- */

#define FIRST_TOKENS 64			/* room of the first block of tokens */

/* The walk's state: the list and the key. */
typedef struct token_walk
{
	sp_token_list *list;
	const uint8_t *key;
} token_walk;

/* sp_word_fn: append the token of one word, growing the list by doubling. */
static int
add_word_token(void *arg, const uint8_t *word, size_t len)
{
	token_walk *tw = arg;
	sp_token_list *list = tw->list;

	if (list->n == list->cap)
	{
		size_t		cap = list->cap > 0 ? 2 * list->cap : FIRST_TOKENS;
		void	   *bigger;

		if (cap < list->cap || cap > SIZE_MAX / SP_TOKENBYTES)
			return SP_ENOMEM;
		bigger = list->grow(list->grow_arg, list->tokens,
							list->n * SP_TOKENBYTES, cap * SP_TOKENBYTES);
		if (bigger == NULL)
			return SP_ENOMEM;
		list->tokens = bigger;
		list->cap = cap;
	}
	return sp_token(list->tokens[list->n++], tw->key, word, len);
}

int
sp_text_tokens(sp_text_work *work, const uint8_t key[SP_INDEXKEYBYTES],
			   const uint8_t *doc, size_t len, int prefixes,
			   sp_token_list *list)
{
	token_walk	tw = {list, key};
	int			rc = sp_text_words(work, doc, len, prefixes, add_word_token,
								   &tw);

	list->n = rc == SP_OK ? sp_tokens_sort_unique(list->tokens, list->n) : 0;
	return rc;
}
