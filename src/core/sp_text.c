/*
 * sp_text.c - keyword normalisation (NFKC case folding with utf8proc) and
 * tokenisation for search tokens; see sp_text.h for the rules.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <utf8proc.h>

#include "sp_text.h"

#define NORMALISE_OPTIONS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | \
						   UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | \
						   UTF8PROC_IGNORE)

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

/* NFKC case folding of len bytes into a malloc'd string. */
static int
fold(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen)
{
	utf8proc_ssize_t n;

	*out = NULL;
	*outlen = 0;
	if (len > SP_MAXDATABYTES)
		return SP_ETOOLONG;
	n = utf8proc_map(in, (utf8proc_ssize_t) len, out, NORMALISE_OPTIONS);
	if (n == UTF8PROC_ERROR_NOMEM)
		return SP_ENOMEM;
	if (n < 0)
		return SP_EUTF8;
	*outlen = (size_t) n;
	return SP_OK;
}

/* Normalise one keyword: fold, then trim white space. */
int
sp_text_normalise(const uint8_t *in, size_t len, uint8_t **out,
				  size_t *outlen)
{
	utf8proc_int32_t cp;
	size_t		start = 0,
				end = 0,
				pos = 0;
	int			rc = fold(in, len, out, outlen);

	if (rc != SP_OK)
		return rc;
	/* find the first and past-the-last non-space code points */
	while (pos < *outlen)
	{
		utf8proc_ssize_t step = utf8proc_iterate(*out + pos,
												 (utf8proc_ssize_t) (*outlen - pos),
												 &cp);

		if (!is_space(cp))
		{
			if (end == 0)
				start = pos;
			end = pos + (size_t) step;
		}
		pos += (size_t) step;
	}
	{
		size_t		folded = *outlen;

		*outlen = end > start ? end - start : 0;
		memmove(*out, *out + start, *outlen);
		/* keywords are secret: no stale bytes after the trimmed word */
		sodium_memzero(*out + *outlen, folded + 1 - *outlen);
	}
	return SP_OK;
}

/* Call fn for a word and, with prefixes, for its proper prefixes. */
static int
emit_word(const uint8_t *word, size_t len, int prefixes, sp_word_fn fn,
		  void *arg)
{
	utf8proc_int32_t cp;
	size_t		pos = 0;
	int			count = 0,
				rc;

	while (prefixes && pos < len && count < SP_MAXPREFIX)
	{
		pos += (size_t) utf8proc_iterate(word + pos,
										 (utf8proc_ssize_t) (len - pos), &cp);
		if (++count >= SP_MINPREFIX && pos < len &&
			(rc = fn(arg, word, pos)) != 0)
			return rc;
	}
	return fn(arg, word, len);
}

/* Normalise a document and call fn for each word (and prefix). */
int
sp_text_words(const uint8_t *doc, size_t len, int prefixes, sp_word_fn fn,
			  void *arg)
{
	uint8_t    *text;
	size_t		textlen,
				pos = 0,
				start = 0;
	utf8proc_int32_t cp;
	int			rc = fold(doc, len, &text, &textlen);

	while (rc == SP_OK && pos <= textlen)
	{
		int			word_char = 0;
		size_t		step = 1;

		if (pos < textlen)
		{
			step = (size_t) utf8proc_iterate(text + pos,
											 (utf8proc_ssize_t) (textlen - pos),
											 &cp);
			word_char = is_word_char(cp);
		}
		if (!word_char && pos > start)
			rc = emit_word(text + start, pos - start, prefixes, fn, arg);
		pos += step;
		if (!word_char)
			start = pos;
	}
	if (text)
		sodium_memzero(text, textlen);
	free(text);
	return rc;
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
