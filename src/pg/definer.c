/*
 * definer.c - run part of a C function as the function's owner with
 * search_path "pg_catalog, pg_temp" (see definer.h).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "definer.h"

/* The owner of a function. */
Oid
sp_function_owner(Oid fn)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", fn);
	owner = ((Form_pg_proc) GETSTRUCT(tup))->proowner;
	ReleaseSysCache(tup);
	return owner;
}

/* Become owner with a safe search_path. */
void
sp_definer_enter(sp_definer *d, Oid owner)
{
	GetUserIdAndSecContext(&d->save_userid, &d->save_sec);
	SetUserIdAndSecContext(owner, d->save_sec | SECURITY_LOCAL_USERID_CHANGE);
	d->save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
}

/* Back to the caller's user and settings. */
void
sp_definer_leave(sp_definer *d)
{
	AtEOXact_GUC(true, d->save_nestlevel);
	SetUserIdAndSecContext(d->save_userid, d->save_sec);
}

/*
 * secant.outer_user(): the role at the outer level of the session (SET
 * ROLE counts, SECURITY DEFINER does not), so that the extension's
 * owner-run functions can tell who asked.
 */
PG_FUNCTION_INFO_V1(pre_outer_user);
Datum
pre_outer_user(PG_FUNCTION_ARGS)
{
	PG_RETURN_OID(GetOuterUserId());
}
