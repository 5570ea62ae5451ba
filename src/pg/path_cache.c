/*
 * path_cache.c - re-encryption along a cached grant path at one scalar
 * multiplication per value (sp_cache.h).
 *
 * A path of m grants applied from level n: hop 1 multiplies the value's
 * own point (E + V at level 1, its last X above); hop k >= 2 multiplies
 * rk_k by X_(k-1), the X of grant k - 1: both fixed by the path.  So hop
 * records 2 .. m are one constant per path, computed by sp_path_suffix
 * when first needed after each fill of the path (grant_path.c bumps
 * path->fills whenever it looks the path up), and appended to every value.
 * Hop 1 of values at level >= 2 goes through a small re-encryption cache
 * (keyed on the full grant bytes and X), emptied at every fill as well.
 *
 * Lifetime: the suffix and the cache serve one path decision.  They are
 * recomputed, never reused, after a re-lookup (a new statement, another
 * caller or pair of keys, a subtransaction abort, a change of grants: each
 * makes sp_path_find refill, which bumps fills).  They hold products of
 * rk: wiped by a reset callback of the call site's memory context (the
 * path's own), and when a fill replaces them.
 */
#include "postgres.h"

#include <sodium.h>

#include "utils/memutils.h"

#include "path_cache.h"
#include "sp_cache.h"
#include "typeio.h"

/* hop-1 products kept per call site (values at level >= 2) */
#define FIRST_HOP_SLOTS 8

struct sp_path_amort
{
	uint64		fill;			/* path->fills the fields are for; 0: none */
	int			nsuffix;		/* hops - 1 */
	uint8_t		suffix[(SP_PATH_MAXHOPS - 1) * SP_HOPBYTES];
	sp_rcache  *first;			/* hop 1 at level >= 2 */
	MemoryContextCallback wipe;
};

/* Forget (wipe) what the amortisation holds. */
static void
amort_clear(struct sp_path_amort *a)
{
	a->fill = 0;
	a->nsuffix = 0;
	sodium_memzero(a->suffix, sizeof a->suffix);
	sp_rcache_wipe(a->first);
}

/* Memory context reset callback. */
static void
amort_wipe(void *arg)
{
	amort_clear((struct sp_path_amort *) arg);
}

/* The path's amortisation state, in the path's memory context. */
static struct sp_path_amort *
amort_of(sp_path *path)
{
	MemoryContext cxt;
	struct sp_path_amort *a;
	size_t		bytes = sp_rcache_bytes(FIRST_HOP_SLOTS);

	if (path->amort != NULL)
		return path->amort;
	cxt = GetMemoryChunkContext(path);
	a = MemoryContextAllocZero(cxt, sizeof *a);
	a->first = MemoryContextAlloc(cxt, bytes);
	if (sp_rcache_init(a->first, bytes, FIRST_HOP_SLOTS) != SP_OK)
		elog(ERROR, "sp_rcache_init failed");
	a->wipe.func = amort_wipe;
	a->wipe.arg = a;
	MemoryContextRegisterResetCallback(cxt, &a->wipe);
	path->amort = a;
	return a;
}

Datum
sp_path_apply_cached(sp_path *path, const uint8_t *ct, size_t len,
					 const char *operation)
{
	struct sp_path_amort *a = amort_of(path);
	size_t		outlen = len + (size_t) path->hops * SP_HOPBYTES;
	Datum		result;
	uint8_t    *out;
	int			rc;

	Assert(path->valid && path->hops >= 1 && path->fills != 0);
	if (a->fill != path->fills)
	{
		/* a new fill: nothing of the last one is reused */
		amort_clear(a);
		rc = sp_path_suffix(a->suffix, (size_t) (path->hops - 1) * SP_HOPBYTES,
							&path->grants[0][0], path->hops);
		if (rc != SP_OK)
			sp_raise(rc, operation);
		a->nsuffix = path->hops - 1;
		a->fill = path->fills;
	}
	out = sp_datum_alloc(SP_KIND_CIPHERTEXT, outlen, &result);
	rc = sp_reencrypt_path(out, outlen, ct, len, path->grants[0], a->suffix,
						   a->nsuffix, a->first);
	if (rc != SP_OK)
		sp_raise(rc, operation);
	return result;
}
