/*
 * copies_delete.c - secant.delete_copies_through(hop keys, wait): the
 * copies made through revoked grants deleted with the latest snapshot, in
 * id order; with wait => false, 55P03 at once naming the sessions that
 * hold some of them (revocation, docs/SECURITY.md "Finality").
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/lsyscache.h"

#include "definer.h"
#include "policy_lock.h"
#include "raise.h"

/* The deletion of the copies made through some hop keys, and its count. */
typedef struct copies_deletion
{
	Datum		hop_keys;		/* bytea[] */
	bool		wait;
	uint64		n;
} copies_deletion;

/*
 * Raise 55P03 naming the sessions in a transaction that wrote or locked
 * rows of secant.copies (sharing, unsharing, changing or deleting a
 * source row: the triggers delete and store copies in the caller's
 * transaction), as the lock helper names a grant's holders.
 */
static void
raise_copies_in_use(void)
{
	LOCKTAG		tag;

	SET_LOCKTAG_RELATION(tag, MyDatabaseId,
						 get_relname_relid("copies", get_namespace_oid("secant", false)));
	sp_raise_in_use("copies made through the grant are in use by other sessions",
					"shared, unshared or changed a shared row",
					sp_lock_holders(&tag, ExclusiveLock));
}

static void
copies_deletion_body(void *arg)
{
	copies_deletion *d = (copies_deletion *) arg;
	Oid			types[1] = {BYTEAARRAYOID};
	Datum		args[1] = {d->hop_keys};
	bool		isnull;
	int			rc;

	/*
	 * wait => false: every copy's row locked at once (those another
	 * transaction holds skipped and counted), else raise naming the
	 * holders; the deletion then takes its locks NOWAIT.
	 */
	if (!d->wait)
	{
		rc = sp_run_latest("SELECT (SELECT pg_catalog.count(*) FROM secant.copies AS y "
						   "WHERE y.hop_keys OPERATOR(pg_catalog.&&) $1) OPERATOR(pg_catalog.=) "
						   "(SELECT pg_catalog.count(*) FROM (SELECT x.id FROM secant.copies AS x "
						   "WHERE x.hop_keys OPERATOR(pg_catalog.&&) $1 "
						   "ORDER BY x.id FOR UPDATE OF x SKIP LOCKED) AS l)",
						   1, types, args);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "could not lock copies: %s", SPI_result_code_string(rc));
		if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
			raise_copies_in_use();
	}
	/* locked in id order: two deleters of overlapping copies never wait
	 * for each other in a cycle */
	rc = sp_run_latest(d->wait ?
					   "DELETE FROM secant.copies AS c "
					   "WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY("
					   "SELECT x.id FROM secant.copies AS x "
					   "WHERE x.hop_keys OPERATOR(pg_catalog.&&) $1 "
					   "ORDER BY x.id FOR UPDATE OF x))" :
					   "DELETE FROM secant.copies AS c "
					   "WHERE c.id OPERATOR(pg_catalog.=) ANY (ARRAY("
					   "SELECT x.id FROM secant.copies AS x "
					   "WHERE x.hop_keys OPERATOR(pg_catalog.&&) $1 "
					   "ORDER BY x.id FOR UPDATE OF x NOWAIT))",
					   1, types, args);
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "could not delete copies: %s", SPI_result_code_string(rc));
	d->n = SPI_processed;
}

/*
 * secant.delete_copies_through(hop keys, wait): delete every copy made
 * through one of them, with the latest snapshot; the number deleted.
 * wait => false: raise 55P03 at once, naming the sessions, when another
 * transaction holds one of their rows.  Called by revocation (owner only:
 * EXECUTE is not granted to anyone).
 */
PG_FUNCTION_INFO_V1(pre_delete_copies_through);
Datum
pre_delete_copies_through(PG_FUNCTION_ARGS)
{
	copies_deletion d = {PG_GETARG_DATUM(0), PG_NARGS() < 2 || PG_GETARG_BOOL(1), 0};

	sp_caller_query(copies_deletion_body, &d);
	PG_RETURN_INT64((int64) d.n);
}

