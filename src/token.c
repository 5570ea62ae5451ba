/*
 * token.c - the pre_token type (16 bytes, "pretok_") with btree and hash
 * operator classes (so pre_token[] takes a GIN index), and the token
 * functions.  Computing tokens in SQL shows the index key and the words to
 * the server: a convenience for trusted servers and tests; clients
 * normally compute tokens with the CLI (same code, same bytes).
 */
#include "postgres.h"

#include <sodium.h>

#include "common/hashfn.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

#include "sp_text.h"
#include "typeio.h"

SP_TYPE_IO(pre_token, SP_KIND_TOKEN)
SP_TYPE_OPS(pre_token, SP_TOKENBYTES)

/* The index key argument n: exactly 32 bytes. */
static const uint8_t *
index_key_arg(FunctionCallInfo fcinfo, int n)
{
	bytea	   *key = PG_GETARG_BYTEA_PP(n);

	if (VARSIZE_ANY_EXHDR(key) != SP_INDEXKEYBYTES)
		sp_raise_argument("search index key must be 32 bytes", NULL);
	return (const uint8_t *) VARDATA_ANY(key);
}

/* Raise for a text that could not be normalised. */
static void
raise_text(int rc)
{
	if (rc == SP_ENOMEM)
		sp_raise_out_of_memory();
	sp_raise_argument("could not normalise keyword text", sp_strerror(rc));
}

/* pre_token(index key, word): the token of one normalised keyword. */
PG_FUNCTION_INFO_V1(pre_token);
Datum
pre_token(PG_FUNCTION_ARGS)
{
	const uint8_t *key = index_key_arg(fcinfo, 0);
	text	   *word = PG_GETARG_TEXT_PP(1);
	uint8_t    *norm;
	size_t		normlen;
	uint8_t    *token = palloc(SP_TOKENBYTES);
	int			rc = sp_text_normalise((const uint8_t *) VARDATA_ANY(word),
									   VARSIZE_ANY_EXHDR(word), &norm, &normlen);

	if (rc == SP_OK)
	{
		rc = normlen == 0 ? SP_ELENGTH : sp_token(token, key, norm, normlen);
		sodium_memzero(norm, normlen);
		free(norm);
	}
	if (rc == SP_ELENGTH)
		sp_raise_argument("keyword is empty",
						  "A keyword needs a character other than white space.");
	if (rc != SP_OK)
		raise_text(rc);
	PG_RETURN_POINTER(token);
}

typedef struct token_list
{
	const uint8_t *key;
	uint8_t		(*tokens)[SP_TOKENBYTES];
	size_t		n;
	size_t		cap;
} token_list;

/*
 * sp_word_fn: append the token of one word.  A pending cancel stops the
 * walk cleanly (sp_text_words then frees its buffer); the caller raises.
 */
static int
add_word_token(void *arg, const uint8_t *word, size_t len)
{
	token_list *list = arg;

	if (INTERRUPTS_PENDING_CONDITION())
		return SP_ECANCELED;
	if (list->n == list->cap)
	{
		list->cap *= 2;
		list->tokens = repalloc_huge(list->tokens,
									 list->cap * SP_TOKENBYTES);
	}
	return sp_token(list->tokens[list->n++], list->key, word, len);
}

/* pre_tokens(index key, document [, prefixes]): sorted distinct tokens. */
PG_FUNCTION_INFO_V1(pre_tokens);
Datum
pre_tokens(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(1);
	bool		prefixes = PG_NARGS() > 2 && PG_GETARG_BOOL(2);
	token_list	list = {index_key_arg(fcinfo, 0), NULL, 0, 16};
	Oid			elemtype = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	Datum	   *elems;
	int			rc;

	list.tokens = palloc(list.cap * SP_TOKENBYTES);
	rc = sp_text_words((const uint8_t *) VARDATA_ANY(doc),
					   VARSIZE_ANY_EXHDR(doc), prefixes, add_word_token, &list);
	CHECK_FOR_INTERRUPTS();
	if (rc != SP_OK)
		raise_text(rc);
	if (!OidIsValid(elemtype))
		elog(ERROR, "could not determine the pre_token type");
	list.n = sp_tokens_sort_unique(list.tokens, list.n);
	elems = palloc(sizeof(Datum) * (list.n > 0 ? list.n : 1));
	for (size_t i = 0; i < list.n; i++)
		elems[i] = PointerGetDatum(list.tokens[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, (int) list.n, elemtype,
										  SP_TOKENBYTES, false, TYPALIGN_CHAR));
}
