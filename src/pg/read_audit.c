/*
 * read_audit.c - the opt-in read audit (see read_audit.h).
 *
 * Entries live in TopTransactionContext until the transaction commits; the
 * pre-commit callback writes them into secant.access_log as the extension's
 * owner (one INSERT each: action 'read', detail target, path, rows) and
 * forgets them; an abort forgets them too, which is why each read statement
 * is also written to the server log when it is looked up.  Not chained and
 * not locked: readers never wait for each other or for a revocation.
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "definer.h"
#include "read_audit.h"
#include "typeio.h"

struct sp_read_entry
{
	sp_read_entry *next;
	Oid			owner;
	char	   *role;
	char	   *target;			/* prepk_ text */
	Datum		path;			/* bigint[] of grant ids */
	TimestampTz statement;
	int64		rows;
};

static sp_read_entry *pending = NULL;
static bool callback_registered = false;

/* Write one entry into secant.access_log (as its owner). */
static void
write_entry(void *arg)
{
	sp_read_entry *e = (sp_read_entry *) arg;
	Oid			types[5] = {TEXTOID, TEXTOID, INT8ARRAYOID, INT8OID, TIMESTAMPTZOID};
	Datum		args[5] = {CStringGetTextDatum(e->role),
		CStringGetTextDatum(e->target), e->path, Int64GetDatum(e->rows),
	TimestampTzGetDatum(e->statement)};

	if (SPI_execute_with_args("INSERT INTO secant.access_log (actor, role, action, detail) "
							  "VALUES (SESSION_USER, $1, 'read', pg_catalog.jsonb_build_object("
							  "'target', $2, 'path', $3, 'rows', $4, 'statement_at', $5))",
							  5, types, args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not write the read audit entry");
}

/* Write the pending entries (pre-commit), or forget them (abort). */
static void
flush(void)
{
	sp_read_entry *e;

	if (pending == NULL)
		return;
	PushActiveSnapshot(GetTransactionSnapshot());
	for (e = pending; e != NULL; e = e->next)
		sp_owner_query(e->owner, write_entry, e);
	PopActiveSnapshot();
	pending = NULL;
}

static void
read_audit_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			flush();
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_ABORT:
			pending = NULL;		/* its memory goes with the transaction */
			break;
		default:
			break;
	}
}

void
sp_read_audit_check(void)
{
	if (RecoveryInProgress() || XactReadOnly)
		sp_raise_read_audit_readonly();
}

sp_read_entry *
sp_read_audit_begin(Oid owner, const uint8_t *target, const int64 *ids, int n)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	sp_read_entry *e = palloc0(sizeof *e);
	Datum	   *elems = palloc(sizeof(Datum) * (n > 0 ? n : 1));

	if (!callback_registered)
	{
		RegisterXactCallback(read_audit_xact_callback, NULL);
		callback_registered = true;
	}
	for (int i = 0; i < n; i++)
		elems[i] = Int64GetDatum(ids[i]);
	e->owner = owner;
	e->role = GetUserNameFromId(GetUserId(), false);
	e->target = sp_out_text(SP_KIND_PUBLIC_KEY, PointerGetDatum(target));
	e->path = PointerGetDatum(construct_array(elems, n, INT8OID, 8,
											  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	e->statement = GetCurrentStatementStartTimestamp();
	e->next = pending;
	pending = e;
	MemoryContextSwitchTo(old);
	ereport(LOG,
			(errmsg("secant_pre read audit: role \"%s\" reads for %s through %d grants",
					e->role, e->target, n)));
	return e;
}

void
sp_read_audit_row(sp_read_entry *entry)
{
	entry->rows++;
}
