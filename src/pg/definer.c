/*
 * definer.c - the one door for the SQL the extension runs (see definer.h):
 * the scope of every query, caller's rights or owner's, and the plans of
 * the fixed queries.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
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

/*
 * The scope of every query the extension runs: as owner (a valid Oid) or
 * with the caller's rights (InvalidOid), connected to SPI around body.
 * The settings the queries run with are set here, once for all of them.
 */
/* How many owner-run scopes are open (sp_in_owner_scope). */
static int	owner_depth = 0;

bool
sp_in_owner_scope(void)
{
	return owner_depth > 0;
}

static void
query_scope(Oid owner, sp_query_body body, void *arg)
{
	bool		as_owner = OidIsValid(owner);
	Oid			save_userid = InvalidOid;
	int			save_sec = 0;
	int			nestlevel;

	if (as_owner)
	{
		GetUserIdAndSecContext(&save_userid, &save_sec);
		SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	}

	/*
	 * The search_path pin, for every query the extension runs, with the
	 * owner's rights or the caller's: "pg_catalog, pg_temp" at a GUC nest
	 * level of its own, undone when the scope ends.  No name in these
	 * queries resolves through a schema a non-superuser can create in
	 * (docs/SECURITY.md, "Names"); an error unwinds the nest level with
	 * the transaction or subtransaction.
	 */
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (as_owner)
	{
		owner_depth++;
		PG_TRY();
		{
			body(arg);
		}
		PG_FINALLY();
		{
			owner_depth--;
		}
		PG_END_TRY();
	}
	else
		body(arg);
	SPI_finish();
	AtEOXact_GUC(true, nestlevel);
	if (as_owner)
		SetUserIdAndSecContext(save_userid, save_sec);
}

void
sp_owner_query(Oid owner, sp_query_body body, void *arg)
{
	Assert(OidIsValid(owner));
	query_scope(owner, body, arg);
}

void
sp_caller_query(sp_query_body body, void *arg)
{
	query_scope(InvalidOid, body, arg);
}

/*
 * Prepared plans of the fixed queries, kept for the backend's life: the
 * lookups of a statement would otherwise plan each query again.  Keyed on
 * the query text and the parameter types (new type OIDs after the
 * extension is re-created make new plans).
 */
#define PLAN_SLOTS 32
typedef struct kept_plan
{
	char	   *query;
	int			nargs;
	Oid			types[12];
	SPIPlanPtr	plan;
} kept_plan;
static kept_plan kept[PLAN_SLOTS];

static SPIPlanPtr
plan_for(const char *query, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan;
	int			i;

	for (i = 0; i < PLAN_SLOTS && kept[i].query != NULL; i++)
		if (kept[i].nargs == nargs && strcmp(kept[i].query, query) == 0 &&
			memcmp(kept[i].types, argtypes, sizeof(Oid) * nargs) == 0)
			return kept[i].plan;
	plan = SPI_prepare(query, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (i == PLAN_SLOTS || nargs > 12 || SPI_keepplan(plan) != 0)
		return plan;			/* used once, freed with the SPI call */
	kept[i].query = MemoryContextStrdup(TopMemoryContext, query);
	kept[i].nargs = nargs;
	memcpy(kept[i].types, argtypes, sizeof(Oid) * nargs);
	kept[i].plan = plan;
	return plan;
}

/*
 * With the latest snapshot: in READ COMMITTED a non-read-only SPI call takes
 * a fresh one; in REPEATABLE READ and SERIALIZABLE (postgres_fdw's remote
 * transactions) the transaction snapshot could predate a committed
 * revocation, so the latest snapshot is passed explicitly.
 */
int
sp_run_latest(const char *query, int nargs, Oid *argtypes, Datum *args)
{
	SPIPlanPtr	plan = plan_for(query, nargs, argtypes);

	if (IsolationUsesXactSnapshot())
		return SPI_execute_snapshot(plan, args, NULL, GetLatestSnapshot(),
									InvalidSnapshot, false, false, 0);
	return SPI_execute_plan(plan, args, NULL, false, 0);
}

int
sp_run_latest_over(EphemeralNamedRelation enr, const char *query, int nargs,
				   Oid *argtypes, Datum *args)
{
	SPIPlanPtr	plan;

	if (SPI_register_relation(enr) != SPI_OK_REL_REGISTER)
		elog(ERROR, "could not register the ephemeral relation %s", enr->md.name);
	plan = SPI_prepare(query, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (IsolationUsesXactSnapshot())
		return SPI_execute_snapshot(plan, args, NULL, GetLatestSnapshot(),
									InvalidSnapshot, false, false, 0);
	return SPI_execute_plan(plan, args, NULL, false, 0);
}

int
sp_run_read(const char *query, int nargs, Oid *argtypes, Datum *args, long tcount)
{
	return SPI_execute_plan(plan_for(query, nargs, argtypes), args, NULL, true, tcount);
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
