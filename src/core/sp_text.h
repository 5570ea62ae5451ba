/*
 * sp_text.h - keyword normalisation and tokenisation for search tokens,
 * shared by the server and the CLI so both give the same bytes.
 *
 * Normalisation is Unicode NFKC case folding (utf8proc, UTF8PROC_STABLE |
 * COMPOSE | COMPAT | CASEFOLD | IGNORE), after trimming white space.
 * Tokenisation splits the normalised text on every code point that is not
 * a letter, a mark or a digit (Unicode categories L*, M*, N*).  Callers
 * de-duplicate the resulting tokens with sp_tokens_sort_unique, which also
 * sorts them by their bytes, so that a token array reveals neither the
 * order of the words nor their alphabetical order.
 */
#ifndef SP_TEXT_H
#define SP_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "sp_core.h"

#define SP_MINPREFIX 3			/* shortest prefix token, in code points */
#define SP_MAXPREFIX 32			/* longest prefix token: bounds the work
								 * per word (quadratic in its length) */

/*
 * Normalise one keyword: *out is malloc'd (free() it), NUL-terminated,
 * *outlen bytes long.  Returns SP_EUTF8 for invalid UTF-8, SP_ENOMEM.
 */
int			sp_text_normalise(const uint8_t *in, size_t len,
							  uint8_t **out, size_t *outlen) SP_WUR;

/* Called once per word (or prefix) of a document. */
typedef int (*sp_word_fn) (void *arg, const uint8_t *word, size_t len);

/*
 * Normalise a document and call fn for each word; with prefixes, also for
 * each proper prefix of SP_MINPREFIX to SP_MAXPREFIX code points of each
 * word.
 * Stops at the first non-zero return of fn and returns it.
 */
int			sp_text_words(const uint8_t *doc, size_t len, int prefixes,
						  sp_word_fn fn, void *arg) SP_WUR;

/* Sort n tokens by their bytes and drop repeats; returns the new count. */
size_t		sp_tokens_sort_unique(uint8_t (*tokens)[SP_TOKENBYTES], size_t n);

#endif							/* SP_TEXT_H */
