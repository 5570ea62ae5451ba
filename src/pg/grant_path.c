/*
 * grant_path.c - the active grant path between two keys (see grant_path.h).
 *
 * Lookup: secant.path gives the grant ids of a shortest active path; the
 * grants are then locked (a reader's locks, policy_lock.h: in the lock
 * manager only, no transaction id, no WAL) and their rows read with the
 * latest snapshot.  A revocation locks what it removes exclusive, which
 * conflicts: it waits for every transaction that used the grant, and a
 * lookup that comes after it waits for it and then finds the row gone
 * (READ COMMITTED: the lookup starts again; REPEATABLE READ: a
 * serialization failure).  Nothing but the grants of the path is locked:
 * readers of other paths never wait.
 *
 * Cache: per call site, for the statement: the current path, and every
 * other path looked up in the statement (a table keyed by from || to, at
 * most SP_PATH_SEEN), so that a bulk read over many paths looks each up
 * once whatever the order of its rows.  A subtransaction abort releases
 * the locks taken inside it, so every abort (and every change of
 * secant.grants, bindings or capabilities in this backend) bumps a
 * generation that invalidates all cached paths; a committed change of a
 * role or membership bumps another, which makes the statement check its
 * callers again (not look its paths up again).
 *
 * Across statements: a path looked up by a transaction that wrote nothing
 * is also kept for the backend (path_kept.h), with the earliest expiry on
 * it.  A later statement that
 * finds it kept (same generation, unexpired, the same server key) locks
 * its grants as a lookup would, then takes in the invalidations committed
 * meanwhile: a change of secant.grants or secant.principal_keys sends one
 * (its statement trigger) before its locks are released, so a removal
 * that committed first is seen there and the path is looked up again; a
 * removal still running holds its exclusive locks and the reader waits.
 * The caller's right is checked in every statement, never kept.
 *
 * Who may ask: secant.reencrypt_for serves only a current_user bound to the
 * target principal (or holding the proxy capability); the decision is read
 * in C (caller_basis.c, an index probe), locked like the grants, and cached
 * with the path.  A ciphertext of level 2 or more is re-encrypted only if
 * its hop chain matches active grants (a crafted hop would turn the proxy
 * into an oracle for rk times a point of the caller's choice).
 *
 * Privileges: only the extension's owner reads grant bytes; the lookup
 * runs as the owner (definer.h) with fully qualified queries, only on a
 * cache miss, so that the rows of a statement pay nothing for it.
 */
#include "postgres.h"

#include <sodium.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/memutils.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "caller_basis.h"
#include "definer.h"
#include "grant_path.h"
#include "path_apply.h"
#include "path_kept.h"
#include "policy_lock.h"
#include "read_audit.h"
#include "server_key.h"
#include "pg_compat.h"
#include "typeio.h"

/* lookups retried when a grant of the path went away meanwhile */
#define PATH_ATTEMPTS 4

#define SP_PATH_CHAINS	8		/* hop chains remembered per call site */
#define SP_PATH_SEEN	16384	/* paths remembered per call site and statement */
#define SP_PATH_CHAINBYTES 32	/* BLAKE2b-256 of a chain */

struct sp_path
{
	LocalTransactionId lxid;
	TimestampTz statement;
	uint64		generation;
	uint64		roles;			/* roles_generation of the caller's decision */
	bool		valid;
	Oid			owner;			/* of the calling function: reads grants */
	Oid			caller;			/* current_user that the decision was for */
	uint8_t		from[SP_PUBLICKEYBYTES];
	uint8_t		to[SP_PUBLICKEYBYTES];
	int			hops;
	uint8_t		grants[SP_PATH_MAXHOPS][SP_GRANTBYTES];
	int64		ids[SP_PATH_MAXHOPS];	/* the grants' ids */
	/* hop chains of incoming ciphertexts found to match active grants */
	uint64		chains_generation;
	LocalTransactionId chains_lxid;
	TimestampTz chains_statement;
	int			nchains;
	uint8_t		chains[SP_PATH_CHAINS][SP_PATH_CHAINBYTES];
	sp_read_entry *read_entry;	/* read audit of this lookup */
	/* a target given as text (name or prepk_), resolved for the statement */
	LocalTransactionId ref_lxid;
	TimestampTz ref_statement;
	char	   *ref;			/* in the call site's memory */
	uint8_t		ref_key[SP_PUBLICKEYBYTES];
	/* amortised application (path_apply.c): tied to the fill it serves */
	uint64		fills;			/* names the lookup of the current path */
	uint64		fill_next;		/* lookups made at this call site */
	sp_apply_state *apply;		/* its own memory and wipe callback */
	/* the other paths looked up in this statement (path_entry) */
	HTAB	   *seen;
	MemoryContext seen_cxt;		/* its memory, wiped when reset */
	struct seen_buf *bufs;		/* the entries' buffers, in seen_cxt */
	MemoryContextCallback seen_wipe;
	struct path_entry *entry;	/* the current path's, in seen */
	LocalTransactionId seen_lxid;
	TimestampTz seen_statement;
	uint64		seen_generation;
	uint64		seen_roles;
	Oid			seen_caller;
	MemoryContextCallback wipe;
};

/*
 * A path looked up earlier in the statement at the same call site: a bulk
 * read over many paths looks each up once, whatever the order of its rows.
 * Keyed by from || to; its grants (hops * SP_GRANTBYTES), then its
 * constant hop records (path_apply.h, hops - 1 of SP_HOPBYTES) once
 * computed, in one buffer of seen_cxt.
 */
typedef struct path_entry
{
	uint8_t		keys[2 * SP_PUBLICKEYBYTES];
	int			hops;
	uint64		fill;
	int64		ids[SP_PATH_MAXHOPS];
	sp_read_entry *read_entry;
	int			nsuffix;		/* -1: not computed yet */
	uint8_t    *grants;
	size_t		bytes;			/* of the buffer at grants */
} path_entry;

/* Bumped by every change of secant.grants and every subtransaction abort. */
static uint64 grants_generation = 0;

/*
 * Bumped by every committed change of a role or a membership: the callers'
 * decisions cached for the statement are stale, the paths are not (a
 * plain login's ALTER ROLE of itself must not make every reader of the
 * cluster look its paths up again).
 */
static uint64 roles_generation = 0;
static bool callback_registered = false;

/* A subtransaction abort released the row locks taken inside it. */
static void
path_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					  SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		grants_generation++;
}

/*
 * A role or a membership changed (REVOKE role FROM login, DROP ROLE, ALTER
 * ROLE ... NOSUPERUSER, in any session): the callers' decisions cached
 * with the statement's paths are stale.  sp_path_find takes in such
 * changes before every use of a cached path, and checks the caller again.
 */
static void
roles_changed(Datum arg, int cacheid, uint32 hashvalue)
{
	roles_generation++;
}

/*
 * A relation's cache entry was invalidated: when it is secant.grants or
 * secant.principal_keys (their statement trigger sends it, so another
 * backend's change arrives when it commits), the paths kept across
 * statements are stale (path_kept.h).
 */
static void
relation_changed(Datum arg, Oid relid)
{
	if (sp_kept_relation(relid))
		grants_generation++;
}

/* Memory context reset callback: wipe the cached grants. */
static void
path_wipe(void *arg)
{
	sodium_memzero(arg, offsetof(sp_path, wipe));
}

/*
 * An entry's buffer, chained in seen_cxt itself: its reset callback runs
 * after the context's children (the hash table's own) are gone, before
 * its own memory goes.
 */
typedef struct seen_buf
{
	struct seen_buf *next;
	size_t		bytes;
	uint8_t		data[FLEXIBLE_ARRAY_MEMBER];
} seen_buf;

/* Reset callback of seen_cxt: wipe the grants of the paths it holds. */
static void
seen_wipe(void *arg)
{
	sp_path    *path = (sp_path *) arg;

	for (seen_buf *b = path->bufs; b != NULL; b = b->next)
		sodium_memzero(b->data, b->bytes);
	path->bufs = NULL;
	path->seen = NULL;
	path->entry = NULL;
}

/* A buffer of bytes (wiped with the others) in seen_cxt. */
static uint8_t *
seen_alloc(sp_path *path, size_t bytes)
{
	seen_buf   *b = MemoryContextAlloc(path->seen_cxt, offsetof(seen_buf, data) + bytes);

	b->bytes = bytes;
	b->next = path->bufs;
	path->bufs = b;
	return b->data;
}

/* An empty table of the statement's paths (the old one wiped and freed). */
static void
seen_reset(sp_path *path)
{
	HASHCTL		ctl;

	if (path->seen_cxt == NULL)
		path->seen_cxt = AllocSetContextCreate(GetMemoryChunkContext(path),
											   "secant path cache",
											   ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(path->seen_cxt);	/* runs seen_wipe */
	path->seen_wipe.func = seen_wipe;
	path->seen_wipe.arg = path;
	MemoryContextRegisterResetCallback(path->seen_cxt, &path->seen_wipe);
	ctl.keysize = 2 * SP_PUBLICKEYBYTES;
	ctl.entrysize = sizeof(path_entry);
	ctl.hcxt = path->seen_cxt;
	path->seen = hash_create("secant paths", 256, &ctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	path->entry = NULL;
	path->seen_lxid = SP_MY_LXID;
	path->seen_statement = GetCurrentStatementStartTimestamp();
	path->seen_generation = grants_generation;
	path->seen_roles = roles_generation;
	path->seen_caller = GetUserId();
}

/* The table of the statement's paths, emptied when it is of another one. */
static HTAB *
seen_table(sp_path *path)
{
	if (path->seen == NULL || path->seen_lxid != SP_MY_LXID ||
		path->seen_statement != GetCurrentStatementStartTimestamp() ||
		path->seen_generation != grants_generation ||
		path->seen_roles != roles_generation ||
		path->seen_caller != GetUserId() ||
		hash_get_num_entries(path->seen) >= SP_PATH_SEEN)
		seen_reset(path);
	return path->seen;
}

/* from || to, the key of a path_entry. */
static void
seen_key(uint8_t key[2 * SP_PUBLICKEYBYTES], const uint8_t *from, const uint8_t *to)
{
	memcpy(key, from, SP_PUBLICKEYBYTES);
	memcpy(key + SP_PUBLICKEYBYTES, to, SP_PUBLICKEYBYTES);
}

/* Remember the path just filled for the rest of the statement. */
static void
seen_store(sp_path *path)
{
	uint8_t		key[2 * SP_PUBLICKEYBYTES];
	HTAB	   *seen = seen_table(path);
	path_entry *e;
	bool		found;

	seen_key(key, path->from, path->to);
	e = hash_search(seen, key, HASH_ENTER, &found);
	if (found)
		sodium_memzero(e->grants, e->bytes);
	e->bytes = (size_t) path->hops * SP_GRANTBYTES +
		(size_t) (path->hops > 0 ? path->hops - 1 : 0) * SP_HOPBYTES;
	e->grants = seen_alloc(path, e->bytes);
	e->nsuffix = -1;
	path->entry = e;
	e->hops = path->hops;
	e->fill = path->fills;
	e->read_entry = path->read_entry;
	memcpy(e->ids, path->ids, sizeof e->ids);
	memcpy(e->grants, path->grants, (size_t) path->hops * SP_GRANTBYTES);
}

/*
 * Make the path from -> to of an earlier lookup (named fill) the current
 * one: its hops grants with their ids, and its nsuffix constant hop
 * records after the grants (-1: none computed yet).
 */
static void
path_take(sp_path *path, const uint8_t *from, const uint8_t *to, int hops,
		  const int64 *ids, const uint8_t *grants, int nsuffix, uint64 fill)
{
	sodium_memzero(path->grants, sizeof path->grants);
	memcpy(path->grants, grants, (size_t) hops * SP_GRANTBYTES);
	memcpy(path->ids, ids, sizeof path->ids);
	memcpy(path->from, from, SP_PUBLICKEYBYTES);
	memcpy(path->to, to, SP_PUBLICKEYBYTES);
	path->hops = hops;
	path->fills = fill;
	if (nsuffix >= 0)
	{
		if (path->apply == NULL)
			path->apply = sp_apply_state_new(GetMemoryChunkContext(path));
		sp_apply_suffix_put(path->apply, fill,
							grants + (size_t) hops * SP_GRANTBYTES, nsuffix);
	}
	path->valid = true;
}

/*
 * Make the path from -> to looked up earlier in the statement the current
 * one; false if there is none.
 */
static bool
seen_load(sp_path *path, const uint8_t *from, const uint8_t *to)
{
	uint8_t		key[2 * SP_PUBLICKEYBYTES];
	path_entry *e;

	if (path->seen == NULL)
		return false;
	seen_key(key, from, to);
	e = hash_search(seen_table(path), key, HASH_FIND, NULL);
	if (e == NULL)
		return false;
	path_take(path, from, to, e->hops, e->ids, e->grants, e->nsuffix, e->fill);
	path->read_entry = e->read_entry;
	path->entry = e;
	return true;
}

sp_path *
sp_path_cache(FmgrInfo *flinfo)
{
	sp_path    *path = (sp_path *) flinfo->fn_extra;

	if (!callback_registered)
	{
		RegisterSubXactCallback(path_subxact_callback, NULL);
		CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, roles_changed, (Datum) 0);
		CacheRegisterSyscacheCallback(AUTHOID, roles_changed, (Datum) 0);
		CacheRegisterRelcacheCallback(relation_changed, (Datum) 0);
		sp_kept_watch();
		callback_registered = true;
	}
	if (path == NULL)
	{
		path = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof *path);
		path->wipe.func = path_wipe;
		path->wipe.arg = path;
		MemoryContextRegisterResetCallback(flinfo->fn_mcxt, &path->wipe);
		path->owner = sp_function_owner(flinfo->fn_oid);
		flinfo->fn_extra = path;
	}
	return path;
}

Oid
sp_path_owner(const sp_path *path)
{
	return path->owner;
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

const uint8_t *
sp_path_target(sp_path *path, text *ref)
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

/* Is the cache an answer for this statement and this pair of keys? */
static bool
path_hit(const sp_path *path, const uint8_t *from, const uint8_t *to)
{
	/* public keys: plain memcmp is fine */
	return path->valid && path->lxid == SP_MY_LXID &&
		path->caller == GetUserId() &&
		path->statement == GetCurrentStatementStartTimestamp() &&
		path->generation == grants_generation &&
		path->roles == roles_generation &&
		memcmp(path->from, from, SP_PUBLICKEYBYTES) == 0 &&
		memcmp(path->to, to, SP_PUBLICKEYBYTES) == 0;
}

/*
 * Open the sealed grant of a secant.grants row (id, sealed, from_key,
 * to_key, hop_key) into grant, and check that it is the grant the row says.
 */
static void
open_row(uint8_t grant[SP_GRANTBYTES], HeapTuple tup, TupleDesc desc, Oid owner)
{
	bool		isnull;
	bytea	   *hop_key;
	size_t		len;
	const uint8_t *hop;

	sp_open_here(grant, (const uint8_t *) DatumGetPointer(SPI_getbinval(tup, desc, 2, &isnull)),
				 owner);
	hop_key = DatumGetByteaPP(SPI_getbinval(tup, desc, 5, &isnull));
	len = VARSIZE_ANY_EXHDR(hop_key);
	hop = (const uint8_t *) VARDATA_ANY(hop_key);
	if (memcmp(grant + SP_GR_FROM, DatumGetPointer(SPI_getbinval(tup, desc, 3, &isnull)),
			   SP_PUBLICKEYBYTES) != 0 ||
		memcmp(grant + SP_GR_TO, DatumGetPointer(SPI_getbinval(tup, desc, 4, &isnull)),
			   SP_PUBLICKEYBYTES) != 0 ||
		len != SP_POINTBYTES || memcmp(grant + SP_GR_X, hop, SP_POINTBYTES) != 0)
	{
		sodium_memzero(grant, SP_GRANTBYTES);
		sp_raise_grant_columns();
	}
}

/*
 * The grant ids of a shortest active path, in order, and the earliest
 * expiry on it (DT_NOEND: none); returns their count.
 */
static int
path_ids(Oid pk_type, const uint8_t *from, const uint8_t *to, Datum *ids,
		 TimestampTz *expires)
{
	Oid			argtypes[2] = {pk_type, pk_type};
	Datum		args[2] = {PointerGetDatum(from), PointerGetDatum(to)};
	int			rc = sp_run_latest("SELECT p.grant_id, p.not_after FROM secant.path($1, $2) AS p "
								"ORDER BY p.hop", 2, argtypes, args);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "secant.path lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > SP_PATH_MAXHOPS)
		sp_raise(SP_EMAXLEVEL, "secant.reencrypt_for");
	*expires = DT_NOEND;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		not_after;

		ids[i] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
							   1, &isnull);
		not_after = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
								  2, &isnull);
		if (!isnull && DatumGetTimestampTz(not_after) < *expires)
			*expires = DatumGetTimestampTz(not_after);
	}
	return (int) SPI_processed;
}

/* Lock the grants ids[0..n) for a reader (policy_lock.h). */
static void
lock_grant_ids(Datum *ids, int n)
{
	sp_lock_item items[SP_PATH_MAXHOPS > SP_MAXLEVEL ? SP_PATH_MAXHOPS : SP_MAXLEVEL];

	for (int i = 0; i < n; i++)
		items[i] = sp_lock_grant(DatumGetInt64(ids[i]));
	sp_lock_take(items, n, false, true, "grant");
}

/*
 * A grant that was there went away before its lock was granted: in READ
 * COMMITTED the lookup starts again (false); with a transaction snapshot,
 * a serialization failure, as a row lock on it would have raised.
 */
static bool
grant_gone(void)
{
	if (IsolationUsesXactSnapshot())
		sp_raise_serialization();
	return false;
}

/*
 * SELECT columns of the rows of secant.grants (g) that match filter (SQL
 * over g) and are active now, as secant.path has them: unexpired (at
 * sp_decision_time()), through a retired key only by its bridge.  s: the
 * extension's schema, quoted.
 */
static char *
active_grants_query(const char *columns, const char *filter, const char *s)
{
	return psprintf("SELECT %s FROM secant.grants AS g "
					"JOIN secant.principal_keys AS kf ON kf.public_key OPERATOR(%s.=) g.from_key "
					"JOIN secant.principal_keys AS kt ON kt.public_key OPERATOR(%s.=) g.to_key "
					"WHERE %s "
					"AND (g.not_after IS NULL OR g.not_after OPERATOR(pg_catalog.>) "
					"GREATEST(pg_catalog.statement_timestamp(), pg_catalog.transaction_timestamp())) "
					"AND ((kf.retired_at IS NULL AND kt.retired_at IS NULL) "
					"OR kf.replaced_by OPERATOR(%s.=) g.to_key)", columns, s, s, filter, s);
}

/* The grants among ids $1 that are still active. */
#define SP_BY_IDS "g.id OPERATOR(pg_catalog.=) ANY ($1)"

/*
 * Lock the grants ids[0..n) (a reader's locks, policy_lock.h), then read
 * their rows with the latest snapshot and open their sealed bytes into
 * the path, in order, each checked against its row's columns; false if
 * one of them is gone or no longer active (a change that waited for the
 * lock, e.g. its expiry moved into the past, has committed).
 */
static bool
lock_grants(sp_path *path, Oid pk_type, Datum *ids, int n)
{
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum		args[1];
	int			rc;
	int			found = 0;

	lock_grant_ids(ids, n);
	args[0] = PointerGetDatum(construct_array(ids, n, INT8OID, 8, FLOAT8PASSBYVAL,
											  TYPALIGN_DOUBLE));
	rc = sp_run_latest(active_grants_query("g.id, g.sealed, g.from_key, g.to_key, g.hop_key",
										   SP_BY_IDS, sp_ext_schema(pk_type)),
					   1, argtypes, args);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "secant.grants lookup failed: %s", SPI_result_code_string(rc));
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		int64		id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));

		for (int i = 0; i < n; i++)
			if (DatumGetInt64(ids[i]) == id)
			{
				open_row(path->grants[i], tup, desc, path->owner);
				path->ids[i] = id;
				found++;
			}
	}
	return found == n || grant_gone();
}

/* A lookup of a path: its keys, and the number of its grants found. */
typedef struct path_lookup
{
	sp_path    *path;
	Oid			pk_type;
	const uint8_t *from;
	const uint8_t *to;
	int			hops;
	TimestampTz expires;		/* the earliest not_after on the path */
} path_lookup;

/* The lookup's queries (as the owner): retried while a grant goes away. */
static void
path_lookup_body(void *arg)
{
	path_lookup *l = (path_lookup *) arg;
	Datum		ids[SP_PATH_MAXHOPS];
	int			attempt;

	for (attempt = 0; attempt < PATH_ATTEMPTS; attempt++)
	{
		l->hops = path_ids(l->pk_type, l->from, l->to, ids, &l->expires);
		if (l->hops == 0 && memcmp(l->from, l->to, SP_PUBLICKEYBYTES) != 0)
			sp_raise_no_path();
		if (lock_grants(l->path, l->pk_type, ids, l->hops))
			break;
	}
	if (attempt == PATH_ATTEMPTS)
		sp_raise_path_changed();
}

/*
 * Look the path up and lock it (as the owner); raise if there is none.
 * Keep it for the backend (path_kept.h) unless something changed while it
 * was looked up.
 */
static void
path_fill(sp_path *path, Oid pk_type, const uint8_t *from, const uint8_t *to)
{
	path_lookup l = {path, pk_type, from, to, 0, DT_NOEND};
	uint64		generation;

	sp_kept_watch();			/* this lookup's invalidations recognised */
	generation = grants_generation;
	path->valid = false;
	path->fills = ++path->fill_next;	/* path_apply.c: what the last fill served goes */
	sp_require_live(path->owner);	/* not a standby, not a copy */
	sp_owner_query(path->owner, path_lookup_body, &l);
	path->hops = l.hops;
	memcpy(path->from, from, SP_PUBLICKEYBYTES);
	memcpy(path->to, to, SP_PUBLICKEYBYTES);
	path->lxid = SP_MY_LXID;
	path->statement = GetCurrentStatementStartTimestamp();
	/* a change taken in during the lookup: the next row looks again */
	path->generation = generation;
	path->valid = true;
	/*
	 * Only what a transaction that wrote nothing looked up: every row it
	 * saw was committed (a row this transaction wrote, seen by the lookup,
	 * may never commit, and its statement may fail before its trigger).
	 */
	if (l.hops > 0 && generation == grants_generation &&
		!TransactionIdIsValid(GetTopTransactionIdIfAny()))
		sp_kept_put(path->owner, from, to, generation, l.hops, path->ids,
					l.expires, &path->grants[0][0]);
}

/*
 * The server key changed (another file, a new file, none): the grants
 * opened with it are kept no longer.
 */
static void
server_key_checked(void)
{
	static uint64 epoch = 0;
	uint64		now = sp_server_key_epoch();

	if (now != epoch)
	{
		epoch = now;
		grants_generation++;
	}
}

/*
 * Make the path kept for the backend from an earlier statement (path_kept.h)
 * the current one, as path_fill would have made it: its grants locked for a
 * reader, then the changes committed meanwhile taken in; false if none is
 * kept or one of those changes made it stale (a removal that committed
 * before the lock was granted has sent its invalidation by then).
 */
static bool
kept_load(sp_path *path, const uint8_t *from, const uint8_t *to)
{
	const sp_kept_path *k;
	uint64		generation;
	Datum		ids[SP_PATH_MAXHOPS];

	server_key_checked();
	generation = grants_generation;
	k = sp_kept_get(path->owner, from, to, generation);
	if (k == NULL)
		return false;
	sp_require_live(path->owner);	/* not a standby, not a copy */
	for (int i = 0; i < k->hops; i++)
		ids[i] = Int64GetDatum(k->ids[i]);
	lock_grant_ids(ids, k->hops);
	AcceptInvalidationMessages();
	if (generation != grants_generation)
		return false;
	path_take(path, from, to, k->hops, k->ids, k->grants, k->nsuffix,
			  ++path->fill_next);
	path->lxid = SP_MY_LXID;
	path->statement = GetCurrentStatementStartTimestamp();
	path->generation = generation;
	return true;
}

/* The schema of a type. */
static Oid
type_namespace(Oid type)
{
	HeapTuple	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
	Oid			nsp;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for type %u", type);
	nsp = ((Form_pg_type) GETSTRUCT(tup))->typnamespace;
	ReleaseSysCache(tup);
	return nsp;
}

Oid
sp_path_key_type(Oid ext_type)
{
	Oid			pk = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									 CStringGetDatum("pre_public_key"),
									 ObjectIdGetDatum(type_namespace(ext_type)));

	if (!OidIsValid(pk))
		elog(ERROR, "type pre_public_key not found");
	return pk;
}

const char *
sp_ext_schema(Oid pk_type)
{
	return quote_identifier(get_namespace_name(type_namespace(pk_type)));
}

void
sp_path_find(sp_path *path, Oid pk_type, const uint8_t *from,
			 const uint8_t *to, bool for_caller)
{
	bool		audit = false;
	uint64		roles;

	/* a role or membership change committed meanwhile: roles_changed */
	AcceptInvalidationMessages();
	if (path_hit(path, from, to))
		return;
	/* the roles the decision is taken under (a change during it: stale) */
	roles = roles_generation;
	path->valid = false;
	path->read_entry = NULL;
	if (seen_load(path, from, to))
	{
		path->roles = roles;
		return;
	}
	if (for_caller)
		audit = sp_caller_check(to);
	if (audit)
		sp_read_audit_check();
	path->caller = GetUserId();
	if (!kept_load(path, from, to))
		path_fill(path, pk_type, from, to);
	if (audit)
		path->read_entry = sp_read_audit_begin(path->owner, to, path->ids,
											   path->hops);
	seen_store(path);
	path->roles = roles;
}

/* The digest of a ciphertext's hop chain: P0 and every hop's P and X. */
static void
chain_digest(const uint8_t *ct, uint8_t out[SP_PATH_CHAINBYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, SP_PATH_CHAINBYTES);
	crypto_generichash_update(&st, ct + SP_CT_P0, SP_PUBLICKEYBYTES);
	for (int k = 1; k < sp_ciphertext_level(ct); k++)
		crypto_generichash_update(&st, sp_ciphertext_hop(ct, k),
								  SP_PUBLICKEYBYTES + SP_POINTBYTES);
	crypto_generichash_final(&st, out, SP_PATH_CHAINBYTES);
}

/* Was this chain found genuine in this statement at this call site? */
static bool
chain_known(sp_path *path, const uint8_t digest[SP_PATH_CHAINBYTES])
{
	if (path->chains_lxid != SP_MY_LXID ||
		path->chains_statement != GetCurrentStatementStartTimestamp() ||
		path->chains_generation != grants_generation)
	{
		path->chains_lxid = SP_MY_LXID;
		path->chains_statement = GetCurrentStatementStartTimestamp();
		path->chains_generation = grants_generation;
		path->nchains = 0;
	}
	for (int i = 0; i < path->nchains && i < SP_PATH_CHAINS; i++)
		if (memcmp(path->chains[i], digest, SP_PATH_CHAINBYTES) == 0)
			return true;
	return false;
}

/* Rows of a one-parameter-or-more check query (as the owner). */
static uint64
chain_query(const char *query, int nargs, Oid *types, Datum *args)
{
	int			rc = sp_run_latest(query, nargs, types, args);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "hop chain check failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}

/* The number of distinct ids of ids[0..n). */
static int
distinct_count(Datum *ids, int n)
{
	int			distinct = 0;

	for (int i = 0; i < n; i++)
	{
		int			j = 0;

		while (j < i && DatumGetInt64(ids[j]) != DatumGetInt64(ids[i]))
			j++;
		distinct += j == i;
	}
	return distinct;
}

/*
 * Lock the grants of a checked chain (a reader's locks, all at once), then
 * raise if one of them went away or is no longer active since it was found.
 */
static void
lock_chain(Datum *ids, int n, const char *schema)
{
	Oid			argtypes[1] = {INT8ARRAYOID};
	Datum		args[1];

	lock_grant_ids(ids, n);
	args[0] = PointerGetDatum(construct_array(ids, n, INT8OID, 8, FLOAT8PASSBYVAL,
											  TYPALIGN_DOUBLE));
	if (chain_query(active_grants_query("DISTINCT g.id", SP_BY_IDS, schema), 1, argtypes, args) !=
		(uint64) distinct_count(ids, n))
	{
		(void) grant_gone();
		sp_raise_path_changed();
	}
}

/* A ciphertext whose hop chain is checked, and its keys' type. */
typedef struct chain_check
{
	Oid			pk_type;
	const uint8_t *ct;
} chain_check;

/* Check the chain against the principals and grants (as the owner). */
static void
chain_verify(void *arg)
{
	Oid			pk_type = ((chain_check *) arg)->pk_type;
	const uint8_t *ct = ((chain_check *) arg)->ct;
	const char *s = sp_ext_schema(pk_type);
	Oid			types[3] = {pk_type, pk_type, BYTEAOID};
	Datum		args[3];
	/* retired keys stay valid origins (records at rest) */
	char	   *q_origin = psprintf("SELECT 1 FROM secant.principal_keys AS k "
									"WHERE k.public_key OPERATOR(%s.=) $1", s);

	/*
	 * A hop into or out of a retired key is genuine only as that key's
	 * bridge to the key that replaced it; so a chain that meets a retired
	 * key starts at one and runs through bridges up to there.
	 */
	char	   *q_hop = active_grants_query("g.id",
												psprintf("g.from_key OPERATOR(%s.=) $1 "
														 "AND g.to_key OPERATOR(%s.=) $2 "
														 "AND g.hop_key OPERATOR(pg_catalog.=) $3",
														 s, s), s);
	const uint8_t *prev = ct + SP_CT_P0;
	Datum		ids[SP_MAXLEVEL];
	int			nids = 0;
	bool		isnull;

	args[0] = PointerGetDatum(prev);
	if (chain_query(q_origin, 1, types, args) == 0)
		sp_raise_bad_chain(0);
	for (int k = 1; k < sp_ciphertext_level(ct); k++)
	{
		const uint8_t *hop = sp_ciphertext_hop(ct, k);

		args[0] = PointerGetDatum(prev);
		args[1] = PointerGetDatum(hop);
		args[2] = PointerGetDatum(sp_bytea(hop + SP_PUBLICKEYBYTES, SP_POINTBYTES));
		if (chain_query(q_hop, 3, types, args) == 0)
			sp_raise_bad_chain(k);
		ids[nids++] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		prev = hop;
	}
	lock_chain(ids, nids, s);
}

void
sp_path_check_chain(sp_path *path, Oid pk_type, const uint8_t *ct)
{
	uint8_t		digest[SP_PATH_CHAINBYTES];
	chain_check c = {pk_type, ct};

	if (sp_ciphertext_level(ct) < 2)
		return;
	chain_digest(ct, digest);
	if (chain_known(path, digest))
		return;
	sp_require_live(path->owner);
	sp_owner_query(path->owner, chain_verify, &c);
	memcpy(path->chains[path->nchains % SP_PATH_CHAINS], digest,
		   SP_PATH_CHAINBYTES);
	path->nchains++;
}

Datum
sp_path_apply(sp_path *path, const uint8_t *ct, size_t len, Datum orig,
			  const char *operation)
{
	Datum		result;

	if (path->read_entry)
		sp_read_audit_row(path->read_entry);
	if (sp_ciphertext_level(ct) + path->hops > SP_MAXLEVEL)
		sp_raise_path_level(sp_ciphertext_level(ct), path->hops);
	if (path->hops == 0)
		return orig;
	Assert(path->valid);
	/* the bytes of path->hops sp_reencrypt calls in a row (path_apply.c) */
	if (path->apply == NULL)
		path->apply = sp_apply_state_new(GetMemoryChunkContext(path));
	result = sp_apply_along(path->apply, &path->grants[0][0], path->hops,
							path->fills, ct, len, operation);
	/* keep the path's constant hop records with it (seen_load) */
	if (path->entry != NULL && path->entry->nsuffix < 0 && path->entry->fill == path->fills)
	{
		path->entry->nsuffix =
			sp_apply_suffix_get(path->apply, path->fills,
								path->entry->grants + (size_t) path->hops * SP_GRANTBYTES);
		if (path->entry->nsuffix >= 0)
			sp_kept_suffix(path->owner, path->from, path->to, path->generation,
						   path->entry->grants + (size_t) path->hops * SP_GRANTBYTES,
						   path->entry->nsuffix);
	}
	return result;
}

/* Statement trigger on secant.grants: cached paths are stale. */
PG_FUNCTION_INFO_V1(pre_grants_changed);
Datum
pre_grants_changed(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "pre_grants_changed: not called as a trigger");
	/* the other backends' kept paths, when this change commits */
	CacheInvalidateRelcache(((TriggerData *) fcinfo->context)->tg_relation);
	grants_generation++;
	sp_opened_forget();
	return PointerGetDatum(NULL);
}
