/*
 * policy_lock.c - the locks on grants, bindings and capabilities (see
 * policy_lock.h).
 *
 * Tags: PostgreSQL heavyweight locks of the advisory lock method, with a
 * field4 that the SQL advisory lock functions never use (they use 1 and 2),
 * so SQL cannot take, forge or release them; field1 is the database.  A
 * reader's lock is in the lock manager only: no transaction id, no WAL.
 *
 * Two levels, so that a bulk read over many paths stays within the lock
 * table at its default size: every item has a fine tag (its own) and a
 * bucket tag (one of SP_LOCK_BUCKETS per class, by hash).
 *   reader, fine:    bucket AccessShare + item Share
 *   reader, coarse:  bucket Share  (after SP_LOCK_FINE_MAX distinct fine
 *                    items in the transaction: at most SP_LOCK_BUCKETS more
 *                    locks; an item read again counts once, so a reader of
 *                    few paths never reaches it)
 *   removal, fine:   bucket RowExclusive + item Exclusive
 *   removal, coarse: bucket AccessExclusive (a batch of more than
 *                    SP_LOCK_FINE_MAX items)
 * Every reader mode conflicts with every removal mode of the same item;
 * readers never conflict with readers, fine removals of different items
 * never with each other.
 *
 * Order: one global order, (field4, field1..3, mode): grants before
 * bindings before capabilities, buckets after items.  A batch is taken
 * with conditional requests in that order; on a conflict the batch's locks
 * are given back and the caller waits for that one lock alone, then starts
 * again.  So no transaction waits while holding any lock of the batch it
 * is taking: a lock cycle needs a transaction that waits while holding
 * locks of an earlier batch of its own AND another that waits for those;
 * readers wait only for removals, and every removal of the extension
 * (revoke, purge, rotation, unbind, revoke_capability) takes its locks in
 * one batch.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "pg_compat.h"
#include "policy_lock.h"
#include "raise.h"

#define SP_LOCK_FIELD4		0x5350	/* + class; + 0x10: a bucket */
#define SP_LOCK_BUCKET		0x10
#define SP_LOCK_BUCKETS		512
#define SP_LOCK_FINE_MAX	256

/* fine items a reader locked in this transaction */
static LocalTransactionId fine_lxid = InvalidLocalTransactionId;
static int	fine_count = 0;

sp_lock_item
sp_lock_grant(int64 id)
{
	sp_lock_item it = {SP_LOCK_GRANT, (uint32) ((uint64) id >> 32), (uint32) id};

	return it;
}

sp_lock_item
sp_lock_binding(const uint8_t principal_key[SP_PUBLICKEYBYTES], Oid role)
{
	sp_lock_item it = {SP_LOCK_BINDING, hash_bytes(principal_key, SP_PUBLICKEYBYTES), role};

	return it;
}

sp_lock_item
sp_lock_capability(Oid role)
{
	sp_lock_item it = {SP_LOCK_CAPABILITY, role, 0};

	return it;
}

/* One lock request: a tag and a mode. */
typedef struct lock_req
{
	LOCKTAG		tag;
	LOCKMODE	mode;
	bool		held;
	bool		fresh;			/* acquired by this batch, not held before */
} lock_req;

static void
set_req(lock_req *r, uint16 f4, uint32 k1, uint32 k2, LOCKMODE mode)
{
	memset(r, 0, sizeof *r);
	SET_LOCKTAG_ADVISORY(r->tag, MyDatabaseId, k1, k2, f4);
	r->mode = mode;
}

/* The global order. */
static int
req_cmp(const void *a, const void *b)
{
	const lock_req *x = a;
	const lock_req *y = b;

	if (x->tag.locktag_field4 != y->tag.locktag_field4)
		return x->tag.locktag_field4 < y->tag.locktag_field4 ? -1 : 1;
	if (x->tag.locktag_field2 != y->tag.locktag_field2)
		return x->tag.locktag_field2 < y->tag.locktag_field2 ? -1 : 1;
	if (x->tag.locktag_field3 != y->tag.locktag_field3)
		return x->tag.locktag_field3 < y->tag.locktag_field3 ? -1 : 1;
	if (x->mode != y->mode)
		return x->mode < y->mode ? -1 : 1;
	return 0;
}

char *
sp_lock_holders(const LOCKTAG *tag, LOCKMODE mode)
{
	int			count = 0;
	VirtualTransactionId *vx = GetLockConflicts(tag, mode, &count);
	StringInfoData s;

	initStringInfo(&s);
	for (int i = 0; i < count; i++)
	{
		PGPROC	   *proc = SP_VXID_PROC(vx[i]);
		char	   *role;

		if (proc == NULL || proc->pid == MyProcPid)
			continue;
		role = GetUserNameFromId(proc->roleId, true);
		appendStringInfo(&s, "%s%d (%s)", s.len ? ", " : "", proc->pid,
						 role ? role : "?");
	}
	return s.data;
}

/* Raise 55P03: what is in use, by these sessions. */
static void
raise_in_use(const lock_req *r, const char *what)
{
	sp_raise_in_use(psprintf("%s is in use by other sessions", what),
					"re-encrypted through it", sp_lock_holders(&r->tag, r->mode));
}

/* Give back the batch's locks taken so far. */
static void
release_batch(lock_req *reqs, int n)
{
	for (int i = 0; i < n; i++)
		if (reqs[i].held)
		{
			LockRelease(&reqs[i].tag, reqs[i].mode, false);
			reqs[i].held = false;
			reqs[i].fresh = false;
		}
}

/* The requests for the items: fine or coarse, reader or removal. */
static int
requests(lock_req *reqs, sp_lock_item *items, int n, bool exclusive)
{
	bool		coarse;
	int			m = 0;

	if (fine_lxid != SP_MY_LXID)
	{
		fine_lxid = SP_MY_LXID;
		fine_count = 0;
	}
	coarse = exclusive ? n > SP_LOCK_FINE_MAX : fine_count >= SP_LOCK_FINE_MAX;
	for (int i = 0; i < n; i++)
	{
		uint16		f4 = SP_LOCK_FIELD4 + items[i].cls;
		uint32		bucket = hash_combine(items[i].k1, items[i].k2) % SP_LOCK_BUCKETS;

		if (coarse)
			set_req(&reqs[m++], f4 + SP_LOCK_BUCKET, bucket, 0,
					exclusive ? AccessExclusiveLock : ShareLock);
		else
		{
			set_req(&reqs[m++], f4 + SP_LOCK_BUCKET, bucket, 0,
					exclusive ? RowExclusiveLock : AccessShareLock);
			set_req(&reqs[m++], f4, items[i].k1, items[i].k2,
					exclusive ? ExclusiveLock : ShareLock);
		}
	}
	return m;
}

/* A reader's fine items newly locked by this batch count towards coarse. */
static void
count_fine(const lock_req *reqs, int m)
{
	for (int i = 0; i < m; i++)
		if (reqs[i].fresh && reqs[i].mode == ShareLock &&
			reqs[i].tag.locktag_field4 < SP_LOCK_FIELD4 + SP_LOCK_BUCKET)
			fine_count++;
}

void
sp_lock_take(sp_lock_item *items, int n, bool exclusive, bool wait,
			 const char *what)
{
	lock_req   *reqs;
	int			m;
	int			k = 0;

	if (n <= 0)
		return;
	reqs = palloc(sizeof(lock_req) * 2 * n);
	m = requests(reqs, items, n, exclusive);
	qsort(reqs, m, sizeof(lock_req), req_cmp);
	for (int i = 1; i < m; i++)	/* once each */
		if (req_cmp(&reqs[i], &reqs[k]) != 0)
			reqs[++k] = reqs[i];
	m = k + 1;
	for (;;)
	{
		int			failed = -1;

		for (int i = 0; i < m && failed < 0; i++)
			if (!reqs[i].held)
			{
				LockAcquireResult r = LockAcquire(&reqs[i].tag, reqs[i].mode, false, true);

				if (r == LOCKACQUIRE_NOT_AVAIL)
					failed = i;
				else
				{
					reqs[i].held = true;
					reqs[i].fresh = (r == LOCKACQUIRE_OK);
				}
			}
		if (failed < 0)
			break;
		release_batch(reqs, m);
		if (!wait)
			raise_in_use(&reqs[failed], what);
		/* wait for that one alone, holding nothing of the batch */
		reqs[failed].fresh = LockAcquire(&reqs[failed].tag, reqs[failed].mode, false, false) == LOCKACQUIRE_OK;
		reqs[failed].held = true;
	}
	count_fine(reqs, m);
	pfree(reqs);
}

/*
 * secant_internal.lock_removal(grant_ids, binding_key, binding_roles,
 * proxy_roles, wait): before a removal, lock in one batch every grant,
 * binding (of binding_key, per role) and proxy capability it removes.
 * NULL arrays: none.
 */
PG_FUNCTION_INFO_V1(pre_lock_removal);
Datum
pre_lock_removal(PG_FUNCTION_ARGS)
{
	Datum	   *vals[3] = {NULL, NULL, NULL};
	bool	   *nulls;
	int			counts[3] = {0, 0, 0};
	bool		wait = PG_ARGISNULL(4) || PG_GETARG_BOOL(4);
	const uint8_t *key = PG_ARGISNULL(1) ? NULL : (const uint8_t *) PG_GETARG_POINTER(1);
	sp_lock_item *items;
	int			n = 0;

	if (!PG_ARGISNULL(0))
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), INT8OID, 8, FLOAT8PASSBYVAL,
						  TYPALIGN_DOUBLE, &vals[0], &nulls, &counts[0]);
	if (!PG_ARGISNULL(2) && key != NULL)
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(2), OIDOID, 4, true, TYPALIGN_INT,
						  &vals[1], &nulls, &counts[1]);
	if (!PG_ARGISNULL(3))
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(3), OIDOID, 4, true, TYPALIGN_INT,
						  &vals[2], &nulls, &counts[2]);
	items = palloc(sizeof(sp_lock_item) * (counts[0] + counts[1] + counts[2] + 1));
	for (int i = 0; i < counts[0]; i++)
		items[n++] = sp_lock_grant(DatumGetInt64(vals[0][i]));
	for (int i = 0; i < counts[1]; i++)
		items[n++] = sp_lock_binding(key, DatumGetObjectId(vals[1][i]));
	for (int i = 0; i < counts[2]; i++)
		items[n++] = sp_lock_capability(DatumGetObjectId(vals[2][i]));
	sp_lock_take(items, n, true, wait,
				 counts[0] ? "grant" : counts[1] ? "binding" : "capability");
	PG_RETURN_VOID();
}

/* A column of the trigger's old row, by name. */
static Datum
old_column(TriggerData *td, const char *name, bool *isnull)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	int			n = SPI_fnumber(desc, name);

	if (n <= 0)
		elog(ERROR, "lock_removed_row: no column \"%s\"", name);
	return heap_getattr(td->tg_trigtuple, n, desc, isnull);
}

/*
 * Trigger BEFORE DELETE OR UPDATE FOR EACH ROW on secant.grants,
 * bindings and capabilities: whatever way a row goes, its lock is taken
 * exclusive first (already held when a removal locked its batch).
 */
PG_FUNCTION_INFO_V1(pre_lock_removed_row);
Datum
pre_lock_removed_row(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	const char *rel;
	sp_lock_item it;
	bool		isnull;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		elog(ERROR, "lock_removed_row: not called as a BEFORE ROW trigger");
	rel = RelationGetRelationName(td->tg_relation);
	if (strcmp(rel, "grants") == 0)
	{
		it = sp_lock_grant(DatumGetInt64(old_column(td, "id", &isnull)));
		sp_lock_take(&it, 1, true, true, "grant");
	}
	else if (strcmp(rel, "bindings") == 0)
	{
		Datum		key = old_column(td, "principal_key", &isnull);

		it = sp_lock_binding((const uint8_t *) DatumGetPointer(key),
							 DatumGetObjectId(old_column(td, "role", &isnull)));
		sp_lock_take(&it, 1, true, true, "binding");
	}
	else if (strcmp(rel, "capabilities") == 0)
	{
		char	   *cap = TextDatumGetCString(old_column(td, "capability", &isnull));

		it = sp_lock_capability(DatumGetObjectId(old_column(td, "role", &isnull)));
		if (strcmp(cap, "proxy") == 0)
			sp_lock_take(&it, 1, true, true, "capability");
	}
	else
		elog(ERROR, "lock_removed_row: not a trigger of secant.grants, bindings or capabilities");
	return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple);
}
