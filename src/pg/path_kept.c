/*
 * path_kept.c - the active paths of the backend, kept across statements
 * (path_kept.h).  One table, in a memory context of its own under
 * TopMemoryContext, of at most KEPT_MAX paths, all of one generation: a
 * path kept at a newer generation empties it first, and so does a full
 * table.  Emptying wipes every entry's grants.
 */
#include "postgres.h"

#include <sodium.h>

#include "catalog/namespace.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "access/xact.h"

#include "path_kept.h"

#define KEPT_MAX 4096

typedef struct kept_key
{
	Oid			owner;
	uint8_t		from[SP_PUBLICKEYBYTES];
	uint8_t		to[SP_PUBLICKEYBYTES];
} kept_key;

typedef struct kept_entry
{
	kept_key	key;
	sp_kept_path path;
	size_t		bytes;			/* of the buffer at path.grants */
} kept_entry;

static MemoryContext kept_cxt = NULL;
static HTAB *kept = NULL;
static uint64 kept_generation = 0;

/* secant.grants and secant.principal_keys, as of the last path kept */
static Oid	grants_relid = InvalidOid;
static Oid	keys_relid = InvalidOid;

/* Wipe every kept path and empty the table. */
static void
kept_reset(uint64 generation)
{
	HASHCTL		ctl;

	if (kept != NULL)
	{
		HASH_SEQ_STATUS seq;
		kept_entry *e;

		hash_seq_init(&seq, kept);
		while ((e = hash_seq_search(&seq)) != NULL)
			sodium_memzero(e->path.grants, e->bytes);
		MemoryContextReset(kept_cxt);
	}
	else
		kept_cxt = AllocSetContextCreate(TopMemoryContext, "secant kept paths",
										 ALLOCSET_DEFAULT_SIZES);
	ctl.keysize = sizeof(kept_key);
	ctl.entrysize = sizeof(kept_entry);
	ctl.hcxt = kept_cxt;
	kept = hash_create("secant kept paths", 256, &ctl,
					   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	kept_generation = generation;
}

static void
kept_key_of(kept_key *k, Oid owner, const uint8_t *from, const uint8_t *to)
{
	memset(k, 0, sizeof *k);
	k->owner = owner;
	memcpy(k->from, from, SP_PUBLICKEYBYTES);
	memcpy(k->to, to, SP_PUBLICKEYBYTES);
}

/* The entry of a path kept at generation, or NULL. */
static kept_entry *
kept_find(Oid owner, const uint8_t *from, const uint8_t *to, uint64 generation)
{
	kept_key	k;

	if (kept == NULL || kept_generation != generation)
		return NULL;
	kept_key_of(&k, owner, from, to);
	return hash_search(kept, &k, HASH_FIND, NULL);
}

TimestampTz
sp_decision_time(void)
{
	return Max(GetCurrentStatementStartTimestamp(),
			   GetCurrentTransactionStartTimestamp());
}

const sp_kept_path *
sp_kept_get(Oid owner, const uint8_t *from, const uint8_t *to, uint64 generation)
{
	kept_entry *e = kept_find(owner, from, to, generation);

	if (e == NULL || e->path.expires <= sp_decision_time())
		return NULL;
	return &e->path;
}

bool
sp_kept_watch(void)
{
	Oid			nsp = get_namespace_oid("secant", true);

	grants_relid = OidIsValid(nsp) ? get_relname_relid("grants", nsp) : InvalidOid;
	keys_relid = OidIsValid(nsp) ? get_relname_relid("principal_keys", nsp) : InvalidOid;
	return OidIsValid(grants_relid) && OidIsValid(keys_relid);
}

void
sp_kept_put(Oid owner, const uint8_t *from, const uint8_t *to, uint64 generation,
			int hops, const int64 *ids, TimestampTz expires, const uint8_t *grants)
{
	kept_key	k;
	kept_entry *e;
	bool		found;

	if (!sp_kept_watch())
		return;
	if (kept == NULL || kept_generation != generation ||
		hash_get_num_entries(kept) >= KEPT_MAX)
		kept_reset(generation);
	kept_key_of(&k, owner, from, to);
	e = hash_search(kept, &k, HASH_ENTER, &found);
	if (found)
		sodium_memzero(e->path.grants, e->bytes);
	e->bytes = (size_t) hops * SP_GRANTBYTES +
		(size_t) (hops > 0 ? hops - 1 : 0) * SP_HOPBYTES;
	e->path.grants = MemoryContextAlloc(kept_cxt, e->bytes > 0 ? e->bytes : 1);
	e->path.hops = hops;
	memset(e->path.ids, 0, sizeof e->path.ids);
	memcpy(e->path.ids, ids, sizeof(int64) * hops);
	e->path.expires = expires;
	e->path.nsuffix = -1;
	memcpy(e->path.grants, grants, (size_t) hops * SP_GRANTBYTES);
}

void
sp_kept_suffix(Oid owner, const uint8_t *from, const uint8_t *to,
			   uint64 generation, const uint8_t *suffix, int n)
{
	kept_entry *e = kept_find(owner, from, to, generation);

	if (e == NULL || e->path.nsuffix >= 0 || n != e->path.hops - 1 || n < 0)
		return;
	memcpy(e->path.grants + (size_t) e->path.hops * SP_GRANTBYTES, suffix,
		   (size_t) n * SP_HOPBYTES);
	e->path.nsuffix = n;
}

bool
sp_kept_relation(Oid relid)
{
	return !OidIsValid(relid) || relid == grants_relid || relid == keys_relid;
}
