/*
 * sp_text.h - keyword normalisation and tokenisation for search tokens,
 * shared by the server and the CLI so both give the same bytes.
 *
 * Normalisation is Unicode NFKC case folding (utf8proc, UTF8PROC_STABLE |
 * COMPOSE | COMPAT | CASEFOLD | IGNORE), after trimming white space, made
 * stream-safe (UAX #15): a run of more than SP_MAXNONSTARTERS non-starters
 * is reordered and composed in parts of SP_MAXNONSTARTERS, as if a U+034F
 * COMBINING GRAPHEME JOINER stood between them (the joiner is not in the
 * output).  Text that is already stream-safe normalises exactly as
 * utf8proc_map() does.  Tokenisation splits the normalised text on every
 * code point that is not a letter, a mark or a digit (Unicode categories
 * L*, M*, N*).  Callers de-duplicate the resulting tokens with
 * sp_tokens_sort_unique, which also sorts them by their bytes, so that a
 * token array reveals neither the order of the words nor their
 * alphabetical order.
 *
 * Work and memory are linear and bounded: a text (a document, or the text
 * of one keyword) is at most SP_MAXTEXTBYTES bytes (else SP_ETEXTLONG), a
 * keyword and every word of a document at most SP_MAXWORDBYTES bytes after
 * normalisation (else SP_EWORDLONG).  The text is normalised a word at a
 * time in a caller-supplied sp_text_work, so the core allocates nothing:
 * neither utf8proc nor this file calls malloc.  The core wipes the scratch
 * space before it returns; the caller wipes the keyword it asked for
 * (sp_text_wipe).
 */
#ifndef SP_TEXT_H
#define SP_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "sp_core.h"

#define SP_MINPREFIX 3			/* shortest prefix token, in code points */
#define SP_MAXPREFIX 32			/* longest prefix token: bounds the work
								 * per word (quadratic in its length) */
#define SP_MAXWORDBYTES 4096	/* a keyword or a word, normalised */
#define SP_MAXTEXTBYTES ((size_t) 1 << 20)	/* a text, as given */
#define SP_MAXNONSTARTERS 30	/* UAX #15 stream-safe run of non-starters */

/*
 * Decomposed code points of one word and the separator before it: a word
 * of SP_MAXWORDBYTES bytes decomposes to at most 1.5 code points a byte,
 * so a fuller buffer means a longer word.
 */
#define SP_TEXT_CHUNK (3 * SP_MAXWORDBYTES)

/* Polled between words: non-zero stops the walk with SP_ECANCELED. */
typedef int (*sp_stop_fn) (void *arg);

/*
 * Scratch space of the normaliser, allocated by the caller (where it
 * accounts memory) and reused across calls.  Set stop (or NULL) before a
 * call; the other fields are private to sp_text.c.
 */
typedef struct sp_text_work
{
	sp_stop_fn	stop;
	void	   *stop_arg;
	int32_t		cps[SP_TEXT_CHUNK];	/* decomposed, then composed */
	uint8_t		utf8[4 * SP_TEXT_CHUNK + 1];	/* one chunk, encoded */
	uint8_t		keyword[SP_MAXWORDBYTES + 1];	/* sp_text_normalise */
} sp_text_work;

/*
 * Normalise one keyword into work: *out points into work (valid until the
 * next call or sp_text_wipe), NUL-terminated, *outlen bytes long.  Returns
 * SP_EUTF8, SP_ETEXTLONG, SP_EWORDLONG or SP_ECANCELED.
 */
int			sp_text_normalise(sp_text_work *work, const uint8_t *in,
							  size_t len, const uint8_t **out,
							  size_t *outlen) SP_WUR;

/* Called once per word (or prefix) of a document. */
typedef int (*sp_word_fn) (void *arg, const uint8_t *word, size_t len);

/*
 * Normalise a document and call fn for each word; with prefixes, also for
 * each proper prefix of SP_MINPREFIX to SP_MAXPREFIX code points of each
 * word.  Stops at the first non-zero return of fn and returns it; else
 * SP_OK or an error as for sp_text_normalise (invalid UTF-8 and an
 * over-long text are reported before any call of fn).  The words point
 * into work, which is wiped before this returns.
 */
int			sp_text_words(sp_text_work *work, const uint8_t *doc, size_t len,
						  int prefixes, sp_word_fn fn, void *arg) SP_WUR;

/*
 * Wipe everything work holds (the scratch space is wiped by every call
 * before it returns; this wipes the normalised keyword) and unset stop.
 */
void		sp_text_wipe(sp_text_work *work);

/* Sort n tokens by their bytes and drop repeats; returns the new count. */
size_t		sp_tokens_sort_unique(uint8_t (*tokens)[SP_TOKENBYTES], size_t n);

/*
 * Grows the token array of an sp_token_list: a new block of new_bytes
 * holding the used_bytes first bytes of old, old then being the callee's
 * (freed, or kept by its memory context); or NULL, old left as it was.
 * old is NULL (used_bytes 0) on the first call.
 */
typedef void *(*sp_grow_fn) (void *arg, void *old, size_t used_bytes,
							 size_t new_bytes);

/*
 * The tokens of a document, in memory of the caller's allocator: set
 * tokens NULL, n and cap 0, grow and grow_arg before sp_text_tokens;
 * tokens is then the caller's to free (also after a failure).
 */
typedef struct sp_token_list
{
	uint8_t		(*tokens)[SP_TOKENBYTES];
	size_t		n;				/* tokens held */
	size_t		cap;			/* tokens room was grown for */
	sp_grow_fn	grow;
	void	   *grow_arg;
} sp_token_list;

/*
 * The distinct tokens under key of a document's words (and, with
 * prefixes, of their proper prefixes, as sp_text_words), sorted by their
 * bytes: what the server's pre_tokens(key, doc, prefixes) gives, the one
 * loop that the server, the library and the CLI share.  list->n gets the
 * count.  Errors as sp_text_words, or SP_ENOMEM when grow fails.
 */
int			sp_text_tokens(sp_text_work *work,
						   const uint8_t key[SP_INDEXKEYBYTES],
						   const uint8_t *doc, size_t len, int prefixes,
						   sp_token_list *list) SP_WUR;

#endif							/* SP_TEXT_H */
