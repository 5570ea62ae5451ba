/*
 * path_apply.c - re-encryption along a grant path at one scalar
 * multiplication per value (sp_cache.h).
 *
 * A path of m grants applied from level n: hop 1 multiplies the value's
 * own point (E + V at level 1, its last X above); hop k >= 2 multiplies
 * rk_k by X_(k-1), the X of grant k - 1: both fixed by the path.  So hop
 * records 2 .. m are one constant per path, computed by sp_path_suffix
 * when first needed after each fill of the path (grant_path.c counts its
 * lookups and passes the count as the fill), and appended to every value.
 * Hop 1 of values at level >= 2 goes through a small re-encryption cache
 * (keyed on the full grant bytes and X), emptied at every fill as well.
 *
 * A caller that keeps several paths of a statement (grant_path.c) keeps
 * each one's suffix with it and gives it back (sp_apply_suffix_get/_put)
 * when it switches paths: a statement over many paths computes each
 * suffix once.
 *
 * Lifetime: the suffix and the cache serve one path decision.  They are
 * recomputed, never reused, after a re-lookup (a new statement, another
 * caller or pair of keys, a subtransaction abort, a change of grants: each
 * makes sp_path_find refill, which counts a new fill).  They hold products
 * of rk: wiped by a reset callback of the memory context they live in (the
 * call site's), and when a fill replaces them.
 */
#include "postgres.h"

#include <sodium.h>

#include "utils/memutils.h"

#include "path_apply.h"
#include "sp_cache.h"
#include "typeio.h"

/* hop-1 products kept per call site (values at level >= 2) */
#define FIRST_HOP_SLOTS 8

struct sp_apply_state
{
	uint64		fill;			/* the fill the fields are for; 0: none */
	int			nsuffix;		/* hops - 1 */
	uint8_t		suffix[(SP_PATH_MAXHOPS - 1) * SP_HOPBYTES];
	sp_rcache  *first;			/* hop 1 at level >= 2 */
	MemoryContextCallback wipe;
};

/* Forget (wipe) what the state holds. */
static void
state_clear(sp_apply_state *st)
{
	st->fill = 0;
	st->nsuffix = 0;
	sodium_memzero(st->suffix, sizeof st->suffix);
	sp_rcache_wipe(st->first);
}

/* Memory context reset callback. */
static void
state_wipe(void *arg)
{
	state_clear((sp_apply_state *) arg);
}

sp_apply_state *
sp_apply_state_new(MemoryContext cxt)
{
	sp_apply_state *st = MemoryContextAllocZero(cxt, sizeof *st);
	size_t		bytes = sp_rcache_bytes(FIRST_HOP_SLOTS);

	st->first = MemoryContextAlloc(cxt, bytes);
	if (sp_rcache_init(st->first, bytes, FIRST_HOP_SLOTS) != SP_OK)
		elog(ERROR, "sp_rcache_init failed");
	st->wipe.func = state_wipe;
	st->wipe.arg = st;
	MemoryContextRegisterResetCallback(cxt, &st->wipe);
	return st;
}

Datum
sp_apply_along(sp_apply_state *st, const uint8_t *grants, int hops,
			   uint64 fill, const uint8_t *ct, size_t len,
			   const char *operation)
{
	size_t		outlen = len + (size_t) hops * SP_HOPBYTES;
	Datum		result;
	uint8_t    *out;
	int			rc;

	Assert(hops >= 1 && fill != 0);
	if (st->fill != fill)
	{
		/* a new fill: nothing of the last one is reused */
		state_clear(st);
		rc = sp_path_suffix(st->suffix, (size_t) (hops - 1) * SP_HOPBYTES,
							grants, hops);
		if (rc != SP_OK)
			sp_raise(rc, operation);
		st->nsuffix = hops - 1;
		st->fill = fill;
	}
	out = sp_datum_alloc(SP_KIND_CIPHERTEXT, outlen, &result);
	rc = sp_reencrypt_path(out, outlen, ct, len, grants, st->suffix,
						   st->nsuffix, st->first);
	if (rc != SP_OK)
		sp_raise(rc, operation);
	return result;
}

int
sp_apply_suffix_get(const sp_apply_state *st, uint64 fill, uint8_t *out)
{
	if (st->fill == 0 || st->fill != fill)
		return -1;
	memcpy(out, st->suffix, (size_t) st->nsuffix * SP_HOPBYTES);
	return st->nsuffix;
}

void
sp_apply_suffix_put(sp_apply_state *st, uint64 fill, const uint8_t *suffix, int n)
{
	Assert(fill != 0 && n >= 0 && n <= SP_PATH_MAXHOPS - 1);
	state_clear(st);
	memcpy(st->suffix, suffix, (size_t) n * SP_HOPBYTES);
	st->nsuffix = n;
	st->fill = fill;
}
