/*
 * reencrypt_for.c - secant.reencrypt_for(ciphertext, target): re-encrypt
 * along the active grant path from the ciphertext's current recipient to
 * target, for a role that may obtain what is addressed to target.  The
 * checks, the path lookup, its locks and its cache are in grant_path.c.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "utils/syscache.h"

#include "grant_path.h"
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

/* secant.reencrypt_for(ciphertext, target as a name or prepk_ text) */
PG_FUNCTION_INFO_V1(pre_reencrypt_for_text);
Datum
pre_reencrypt_for_text(PG_FUNCTION_ARGS)
{
	size_t		len;
	const uint8_t *ct = SP_CT_ARG(0, &len);
	sp_path    *path = sp_path_cache(fcinfo->flinfo);
	Oid			pk_type = sp_path_key_type(declared_argtype(fcinfo, 0));
	const uint8_t *target = sp_path_target(path, PG_GETARG_TEXT_PP(1));

	/* the caller's right first (in sp_path_find): no lock before it */
	sp_path_find(path, pk_type, sp_ciphertext_recipient(ct), target, true);
	sp_path_check_chain(path, pk_type, ct);
	return sp_path_apply(path, ct, len, PG_GETARG_DATUM(0),
						 "secant.reencrypt_for");
}
