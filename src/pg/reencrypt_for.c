/*
 * reencrypt_for.c - secant.reencrypt_for(ciphertext, target): re-encrypt
 * along the active grant path from the ciphertext's current recipient to
 * target, for a role that may obtain what is addressed to target.  The
 * checks, the path lookup, its locks and its cache are in grant_path.c.
 */
#include "postgres.h"

#include "catalog/pg_proc.h"
#include "executor/spi.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "definer.h"
#include "grant_path.h"
#include "pg_compat.h"
#include "typeio.h"

/*
 * The declared type of argument n of the called function: the extension's
 * own type, never the type of the expression passed (a domain over it, in
 * a schema the caller made, would name the caller's types and operators).
 */
static Oid
declared_argtype(FunctionCallInfo fcinfo, int n)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
	Form_pg_proc proc;
	Oid			type;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", fcinfo->flinfo->fn_oid);
	proc = (Form_pg_proc) GETSTRUCT(tup);
	if (n >= proc->pronargs)
		elog(ERROR, "secant.reencrypt_for: called with a wrong declaration");
	type = proc->proargtypes.values[n];
	ReleaseSysCache(tup);
	return type;
}

/* secant.reencrypt_for(ciphertext, target public key) */
PG_FUNCTION_INFO_V1(pre_reencrypt_for);
Datum
pre_reencrypt_for(PG_FUNCTION_ARGS)
{
	size_t		len;
	const uint8_t *ct = SP_CT_ARG(0, &len);
	const uint8_t *target = (const uint8_t *) PG_GETARG_POINTER(1);
	sp_path    *path = sp_path_cache(fcinfo->flinfo);

	Oid			pk_type = declared_argtype(fcinfo, 1);

	/* the caller's right first (in sp_path_find): no lock before it */
	sp_path_find(path, pk_type, sp_ciphertext_recipient(ct), target, true);
	sp_path_check_chain(path, pk_type, ct);
	return sp_path_apply(path, ct, len, PG_GETARG_DATUM(0),
						 "secant.reencrypt_for");
}

/* A target given as text, and where its public key goes. */
typedef struct target_lookup
{
	text	   *ref;
	uint8_t    *key;
} target_lookup;

static void
target_lookup_body(void *arg)
{
	target_lookup *t = (target_lookup *) arg;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1] = {PointerGetDatum(t->ref)};
	bool		isnull;

	if (SPI_execute_with_args("SELECT secant.principal($1)", 1, argtypes, args,
							  NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "secant.principal failed");
	memcpy(t->key,
		   DatumGetPointer(SPI_getbinval(SPI_tuptable->vals[0],
										 SPI_tuptable->tupdesc, 1, &isnull)),
		   SP_PUBLICKEYBYTES);
}

/*
 * The public key of a target given as text (a name or a prepk_ text),
 * resolved once per statement with secant.principal as the caller.
 */
static const uint8_t *
target_key(sp_path *path, Oid pk_type, text *ref)
{
	char	   *str = text_to_cstring(ref);
	target_lookup t = {ref, path->ref_key};

	if (path->ref != NULL && path->ref_lxid == SP_MY_LXID &&
		path->ref_statement == GetCurrentStatementStartTimestamp() &&
		strcmp(path->ref, str) == 0)
		return path->ref_key;
	sp_caller_query(target_lookup_body, &t);
	path->ref = MemoryContextStrdup(GetMemoryChunkContext(path), str);
	path->ref_lxid = SP_MY_LXID;
	path->ref_statement = GetCurrentStatementStartTimestamp();
	return path->ref_key;
}

/* secant.reencrypt_for(ciphertext, target as a name or prepk_ text) */
PG_FUNCTION_INFO_V1(pre_reencrypt_for_text);
Datum
pre_reencrypt_for_text(PG_FUNCTION_ARGS)
{
	size_t		len;
	const uint8_t *ct = SP_CT_ARG(0, &len);
	sp_path    *path = sp_path_cache(fcinfo->flinfo);
	Oid			pk_type = sp_path_key_type(declared_argtype(fcinfo, 0));
	const uint8_t *target = target_key(path, pk_type, PG_GETARG_TEXT_PP(1));

	/* the caller's right first (in sp_path_find): no lock before it */
	sp_path_find(path, pk_type, sp_ciphertext_recipient(ct), target, true);
	sp_path_check_chain(path, pk_type, ct);
	return sp_path_apply(path, ct, len, PG_GETARG_DATUM(0),
						 "secant.reencrypt_for");
}
