/*
 * token.c - the pre_token type (16 bytes, "pretok_") with btree and hash
 * operator classes (so pre_token[] takes a GIN index), and the token
 * functions.  Computing tokens in SQL shows the index key and the words to
 * the server: a convenience for trusted servers and tests; clients
 * normally compute tokens with the CLI (same code, same bytes).
 */
#include "postgres.h"

#include <sodium.h>

#include "access/detoast.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

#include "sp_text.h"
#include "raise.h"
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

/*
 * sp_stop_fn: stop only for a cancel or a termination request that
 * CHECK_FOR_INTERRUPTS() will act on; other interrupts (a memory-context
 * dump, a barrier, ...) are served after the call, not by failing it.
 */
static int
cancel_requested(void *arg)
{
	return INTERRUPTS_CAN_BE_PROCESSED() &&
		(QueryCancelPending || ProcDiePending);
}

/* The normaliser's scratch space, accounted in the current context. */
static sp_text_work *
text_work(void)
{
	sp_text_work *work = palloc(sizeof(sp_text_work));

	work->stop = cancel_requested;
	work->stop_arg = NULL;
	return work;
}

/*
 * After the core has returned (and wiped what it held): free the scratch
 * space and the detoasted copy of the argument, both wiped; serve any
 * pending interrupt (the walk may have stopped for a cancel), then raise
 * for a failure.
 */
static void
text_done(sp_text_work *work, text *arg, Datum original, int rc)
{
	sp_text_wipe(work);
	pfree(work);
	if ((Pointer) arg != DatumGetPointer(original))
	{
		sodium_memzero(arg, VARSIZE_ANY(arg));
		pfree(arg);
	}
	CHECK_FOR_INTERRUPTS();
	if (rc != SP_OK)
		sp_raise_text(rc);
}

/*
 * Argument n, detoasted; a text over the limit is refused from its header
 * first (a 1 GB value is never decompressed only to be refused).
 */
static text *
text_arg(FunctionCallInfo fcinfo, int n)
{
	if (toast_raw_datum_size(PG_GETARG_DATUM(n)) - VARHDRSZ > SP_MAXTEXTBYTES)
		sp_raise_text(SP_ETEXTLONG);
	return PG_GETARG_TEXT_PP(n);
}

/* pre_token(index key, word): the token of one normalised keyword. */
PG_FUNCTION_INFO_V1(pre_token);
Datum
pre_token(PG_FUNCTION_ARGS)
{
	const uint8_t *key = index_key_arg(fcinfo, 0);
	text	   *word = text_arg(fcinfo, 1);
	sp_text_work *work = text_work();
	const uint8_t *norm;
	size_t		normlen;
	uint8_t    *token = palloc(SP_TOKENBYTES);
	int			rc = sp_text_normalise(work, (const uint8_t *) VARDATA_ANY(word),
									   VARSIZE_ANY_EXHDR(word), &norm, &normlen);

	if (rc == SP_OK)
		rc = normlen == 0 ? SP_ELENGTH : sp_token(token, key, norm, normlen);
	text_done(work, word, PG_GETARG_DATUM(1), rc);
	PG_RETURN_POINTER(token);
}

/*
 * sp_grow_fn: a bigger block of tokens in the current context.  Nothing
 * here may raise (the core still holds the text): NULL when short.
 */
static void *
grow_tokens(void *arg, void *old, size_t used_bytes, size_t new_bytes)
{
	void	   *bigger = palloc_extended(new_bytes,
										 MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);

	if (bigger != NULL && old != NULL)
	{
		memcpy(bigger, old, used_bytes);
		pfree(old);
	}
	return bigger;
}

/* pre_tokens(index key, document [, prefixes]): sorted distinct tokens. */
PG_FUNCTION_INFO_V1(pre_tokens);
Datum
pre_tokens(PG_FUNCTION_ARGS)
{
	text	   *doc = text_arg(fcinfo, 1);
	bool		prefixes = PG_NARGS() > 2 && PG_GETARG_BOOL(2);
	const uint8_t *key = index_key_arg(fcinfo, 0);
	sp_token_list list = {NULL, 0, 0, grow_tokens, NULL};
	Oid			elemtype = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	Datum	   *elems;
	sp_text_work *work = text_work();
	int			rc = sp_text_tokens(work, key, (const uint8_t *) VARDATA_ANY(doc),
									VARSIZE_ANY_EXHDR(doc), prefixes, &list);

	text_done(work, doc, PG_GETARG_DATUM(1), rc);
	if (!OidIsValid(elemtype))
		elog(ERROR, "could not determine the pre_token type");
	elems = palloc(sizeof(Datum) * (list.n > 0 ? list.n : 1));
	for (size_t i = 0; i < list.n; i++)
		elems[i] = PointerGetDatum(list.tokens[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, (int) list.n, elemtype,
										  SP_TOKENBYTES, false, TYPALIGN_CHAR));
}
