/*
 * search.c - search tokens: token (one per keyword) and tokens (the
 * distinct tokens of a document, sp_text_tokens), the same bytes as the
 * server's pre_token and pre_tokens.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "secant_pre.h"
#include "args.h"
#include "io.h"
#include "keyfile.h"
#include "report.h"
#include "search.h"
#include "values.h"

/* True if a normalised word holds white space inside. */
static bool
has_space(const uint8_t *word, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (is_space(word[i]))
			return true;
	return false;
}

/* token: print the search token of each word. */
int
cmd_token(const args *a)
{
	uint8_t		key[SP_INDEXKEYBYTES];
	uint8_t		token[SP_TOKENBYTES];
	sp_text_work *work = sp_text_work_new();
	const uint8_t *word;
	size_t		len = 0;
	int			rc = work == NULL ? fail("out of memory") : 0;
	int			err;

	if (rc == 0)
		rc = load_index_key(opt(a, "--index-key"), key);
	for (int i = 0; rc == 0 && i < a->npos; i++)
	{
		err = sp_text_normalise(work, (const uint8_t *) a->pos[i],
								strlen(a->pos[i]), &word, &len);
		if (err != SP_OK)
			rc = fail_sp("cannot normalise a keyword", err);
		else if (len == 0)
			rc = fail("a keyword is empty");
		else if (has_space(word, len))
			rc = usage_fail("word %d holds white space, and its token would "
							"match no word of a document: give one word per "
							"argument, or use 'secant-pre tokens' to split a text",
							i + 1);
		else
			rc = emit(sp_token(token, key, word, len), "cannot make token",
					  SP_KIND_TOKEN, token, sizeof token);
	}
	sodium_memzero(key, sizeof key);
	sp_text_work_free(work);
	return rc;
}

/* sp_grow_fn over the buf arg, whose data old is: wiped when it moves. */
static void *
grow_tokens(void *arg, void *old, size_t used_bytes, size_t new_bytes)
{
	buf		   *b = arg;

	(void) old;
	b->len = used_bytes;
	return buf_grow(b, new_bytes) == 0 ? b->data : NULL;
}

/* tokens: print the distinct tokens of a document, sorted by their bytes. */
int
cmd_tokens(const args *a)
{
	uint8_t		key[SP_INDEXKEYBYTES];
	buf			tokens = {0};
	sp_token_list list = {NULL, 0, 0, grow_tokens, &tokens};
	buf			doc = {0};
	buf			text = {0};
	sp_text_work *work = sp_text_work_new();
	int			rc;

	rc = work == NULL ? fail("out of memory") :
		key_not_stdin(opt(a, "--index-key"), "--index-key", "the document");
	if (rc == 0)
		rc = load_index_key(opt(a, "--index-key"), key);
	if (rc == 0)
		rc = read_source(NULL, &doc);
	if (rc == 0)
		rc = sp_text_tokens(work, key, doc.data, doc.len,
							opt(a, "--prefixes") != NULL, &list);
	if (rc == SP_ENOMEM)
		rc = fail("out of memory");
	else if (rc < 0)
		rc = fail_sp("cannot normalise the document", rc);
	if (rc == 0)
		rc = encode_lines(SP_KIND_TOKEN, tokens.data, SP_TOKENBYTES, list.n,
						  &text);
	if (rc == 0)
		write_out(text.data, text.len);
	sodium_memzero(key, sizeof key);
	sp_text_work_free(work);
	buf_free(&doc);
	buf_free(&tokens);
	buf_free(&text);
	return rc;
}
