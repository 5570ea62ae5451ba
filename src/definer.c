/*
 * definer.c - run part of a C function as another role (in practice the
 * owner of the SQL function being called) with a safe search_path (see
 * definer.h).
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

/* The owner of a function (pg_proc.proowner); raises if there is none. */
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

/* "pg_catalog, <schema of the extension's type>, pg_temp" */
static char *
safe_search_path(Oid ext_type)
{
	HeapTuple	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(ext_type));
	Oid			nsp;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for type %u", ext_type);
	nsp = ((Form_pg_type) GETSTRUCT(tup))->typnamespace;
	ReleaseSysCache(tup);
	return psprintf("pg_catalog, %s, pg_temp",
					quote_identifier(get_namespace_name(nsp)));
}

/* Become owner with a safe search_path; sp_definer_leave undoes it. */
void
sp_definer_enter(sp_definer *d, Oid owner, Oid ext_type)
{
	char	   *path = safe_search_path(ext_type);

	GetUserIdAndSecContext(&d->save_userid, &d->save_sec);
	SetUserIdAndSecContext(owner, d->save_sec | SECURITY_LOCAL_USERID_CHANGE);
	d->save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", path, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	pfree(path);
}

/* Back to the caller's user and settings. */
void
sp_definer_leave(sp_definer *d)
{
	AtEOXact_GUC(true, d->save_nestlevel);
	SetUserIdAndSecContext(d->save_userid, d->save_sec);
}
