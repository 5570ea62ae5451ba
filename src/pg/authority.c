/*
 * authority.c - who asks: the role whose authority decides a change
 * (docs/SECURITY.md, "Authority").
 *
 * Authority is the CURRENT user's: the role whose code runs, never the
 * outer or session role (an index expression run by a superuser's ANALYZE,
 * or a SECURITY DEFINER function of the database owner called by an admin,
 * runs as its owner while the outer role is the superuser or the admin).
 * Inside a security-restricted operation nobody asks: the code that runs
 * there is the table owner's, run by someone else's maintenance.
 *
 * The extension's functions that act with its owner's rights cannot see
 * their caller's current user once PostgreSQL switched to the owner
 * (SECURITY DEFINER keeps it on the C stack).  So the entry points are
 * doors (pre_door): a C function without SECURITY DEFINER, which sees its
 * caller as current_user, records it as the asking role, and calls the
 * body of the same name and argument types in secant_internal, which is
 * SECURITY DEFINER and executable by its owner only.  While the body runs
 * as the owner, the asking role is the door's caller; anywhere else it is
 * current_user.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "catalog/namespace.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "authority.h"
#include "definer.h"

#define DOOR_MAXARGS 8

/* the caller of the innermost door, and the owner its body runs as */
static Oid	door_caller = InvalidOid;
static Oid	door_owner = InvalidOid;

/* The asking role: the door's caller inside its body, else current_user. */
static Oid
asking_user(void)
{
	Oid			current = GetUserId();

	if (OidIsValid(door_owner) && current == door_owner)
		return door_caller;
	return current;
}

/* Refuse what asks for authority inside a security-restricted operation. */
static void
refuse_restricted(Oid fn)
{
	if (InSecurityRestrictedOperation())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("secant_pre refuses %s() inside a security-restricted operation",
						get_func_name(fn)),
				 errdetail("ANALYZE, VACUUM, CLUSTER, REINDEX, CREATE INDEX and REFRESH MATERIALIZED VIEW run a table owner's code for someone else.")));
}

/*
 * The body of a door: secant_internal.<the door's name>(the door's argument
 * types), SECURITY DEFINER, of the door's owner.
 */
static Oid
door_body(Oid door)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(door));
	Form_pg_proc p;
	Oid			body;
	HeapTuple	btup;
	bool		ok;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", door);
	p = (Form_pg_proc) GETSTRUCT(tup);
	if (p->pronargs > DOOR_MAXARGS)
		elog(ERROR, "a door takes at most %d arguments", DOOR_MAXARGS);
	/* by the catalog, not by name lookup: the caller has no USAGE on it */
	body = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
						   NameGetDatum(&p->proname), PointerGetDatum(&p->proargtypes),
						   ObjectIdGetDatum(get_namespace_oid("secant_internal", false)));
	if (!OidIsValid(body))
		elog(ERROR, "the body of door %s is missing", NameStr(p->proname));
	btup = SearchSysCache1(PROCOID, ObjectIdGetDatum(body));
	if (!HeapTupleIsValid(btup))
		elog(ERROR, "cache lookup failed for function %u", body);
	ok = ((Form_pg_proc) GETSTRUCT(btup))->prosecdef &&
		((Form_pg_proc) GETSTRUCT(btup))->proowner == p->proowner &&
		((Form_pg_proc) GETSTRUCT(btup))->proretset == p->proretset &&
		((Form_pg_proc) GETSTRUCT(btup))->proisstrict == p->proisstrict;
	ReleaseSysCache(btup);
	ReleaseSysCache(tup);
	if (!ok)
		elog(ERROR, "the body of door %u is not a SECURITY DEFINER function of its owner like it", door);
	return body;
}

/*
 * A door (see the top of the file): the entry point of an owner-run
 * function.  Its result set, if any, is the body's (same ReturnSetInfo).
 */
PG_FUNCTION_INFO_V1(pre_door);
Datum
pre_door(PG_FUNCTION_ARGS)
{
	return sp_door_call(fcinfo);
}

Datum
sp_door_call(FunctionCallInfo fcinfo)
{
	FmgrInfo   *body = (FmgrInfo *) fcinfo->flinfo->fn_extra;
	LOCAL_FCINFO(call, DOOR_MAXARGS);
	Oid			save_caller = door_caller;
	Oid			save_owner = door_owner;
	Datum		result;

	if (body == NULL)
	{
		body = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(FmgrInfo));
		fmgr_info_cxt(door_body(fcinfo->flinfo->fn_oid), body, fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = body;
	}
	refuse_restricted(fcinfo->flinfo->fn_oid);
	InitFunctionCallInfoData(*call, body, fcinfo->nargs, fcinfo->fncollation,
							 NULL, fcinfo->resultinfo);
	for (int i = 0; i < fcinfo->nargs; i++)
		call->args[i] = fcinfo->args[i];
	door_caller = GetUserId();
	door_owner = sp_function_owner(body->fn_oid);
	PG_TRY();
	{
		result = FunctionCallInvoke(call);
	}
	PG_FINALLY();
	{
		door_caller = save_caller;
		door_owner = save_owner;
	}
	PG_END_TRY();
	fcinfo->isnull = call->isnull;
	return result;
}

/* secant.asking_user(): the role whose authority decides (see the top). */
PG_FUNCTION_INFO_V1(pre_asking_user);
Datum
pre_asking_user(PG_FUNCTION_ARGS)
{
	PG_RETURN_OID(asking_user());
}

typedef struct admin_query
{
	Oid			who;
	const char *query;
	bool		yes;
} admin_query;

static void
admin_query_body(void *arg)
{
	admin_query *q = (admin_query *) arg;
	Oid			types[1] = {OIDOID};
	Datum		args[1] = {ObjectIdGetDatum(q->who)};
	bool		isnull;

	if (sp_run_latest(q->query, 1, types, args) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read secant.capabilities");
	q->yes = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) && !isnull;
}

/*
 * Ask a fixed question about the asking role ($1) as the owner of the
 * calling function (secant.capabilities is read whole only by its owner):
 * false inside a security-restricted operation.
 */
static bool
ask(FunctionCallInfo fcinfo, const char *query)
{
	admin_query q = {asking_user(), query, false};

	if (InSecurityRestrictedOperation())
		return false;
	sp_owner_query(sp_function_owner(fcinfo->flinfo->fn_oid), admin_query_body, &q);
	return q.yes;
}

/* secant.is_admin(): a superuser, or a member of a role with the admin capability here */
PG_FUNCTION_INFO_V1(pre_is_admin);
Datum
pre_is_admin(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ask(fcinfo,
					   "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r"
					   " WHERE r.oid OPERATOR(pg_catalog.=) $1 AND r.rolsuper)"
					   " OR EXISTS (SELECT 1 FROM secant.capabilities c"
					   " JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) c.role"
					   " WHERE c.capability OPERATOR(pg_catalog.=) 'admin'"
					   " AND pg_catalog.pg_has_role($1, r.oid, 'MEMBER'))"));
}

/* secant_internal.owner_bootstraps(): the database's owner, while it has no admin */
PG_FUNCTION_INFO_V1(pre_owner_bootstraps);
Datum
pre_owner_bootstraps(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ask(fcinfo,
					   "SELECT coalesce((SELECT pg_catalog.pg_has_role($1, d.datdba, 'MEMBER')"
					   " FROM pg_catalog.pg_database d"
					   " WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()), false)"
					   " AND NOT EXISTS (SELECT 1 FROM secant.capabilities c"
					   " WHERE c.capability OPERATOR(pg_catalog.=) 'admin')"));
}
