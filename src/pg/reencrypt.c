/*
 * reencrypt.c - pre_reencrypt(ciphertext, grant): one proxy hop.  Pure and
 * deterministic (no clock, no tables), so it runs in parallel workers and
 * can be pushed to remote shards.  Both values were validated on entry, so
 * the cost is one scalar multiplication (plus a point addition at level 1).
 *
 * At level n >= 2 the product T = rk·X(n-1) is the same for every value
 * that came through one grant: each call site keeps a re-encryption cache
 * (sp_cache.h, keyed on the full grant bytes and X) in fn_extra, so that
 * a statement over many such rows pays one multiplication, not one per
 * row.  Its entries are products of rk: wiped by a reset callback of the
 * call site's memory context.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "sp_cache.h"
#include "typeio.h"

/* entries per call site: distinct (grant, previous X) pairs kept */
#define REENCRYPT_CACHE_SLOTS 64

/* Memory context reset callback: wipe the cache's products of rk. */
static void
reencrypt_cache_wipe(void *arg)
{
	sp_rcache_wipe((sp_rcache *) arg);
}

/* The call site's re-encryption cache, made on first use; NULL without one. */
static sp_rcache *
call_site_cache(FmgrInfo *flinfo)
{
	MemoryContextCallback *cb;
	sp_rcache  *cache;
	size_t		bytes = sp_rcache_bytes(REENCRYPT_CACHE_SLOTS);

	if (flinfo == NULL)
		return NULL;
	if (flinfo->fn_extra != NULL)
		return (sp_rcache *) flinfo->fn_extra;
	cache = MemoryContextAlloc(flinfo->fn_mcxt, bytes);
	if (sp_rcache_init(cache, bytes, REENCRYPT_CACHE_SLOTS) != SP_OK)
		elog(ERROR, "sp_rcache_init failed");
	cb = MemoryContextAlloc(flinfo->fn_mcxt, sizeof *cb);
	cb->func = reencrypt_cache_wipe;
	cb->arg = cache;
	MemoryContextRegisterResetCallback(flinfo->fn_mcxt, cb);
	flinfo->fn_extra = cache;
	return cache;
}

/* pre_reencrypt(ciphertext, grant) -> ciphertext one level higher */
PG_FUNCTION_INFO_V1(pre_reencrypt);
Datum
pre_reencrypt(PG_FUNCTION_ARGS)
{
	size_t		ctlen;
	const uint8_t *ct = SP_CT_ARG(0, &ctlen);
	const uint8_t *grant = (const uint8_t *) PG_GETARG_POINTER(1);
	sp_rcache  *cache = call_site_cache(fcinfo->flinfo);
	Datum		result;
	uint8_t    *out = sp_datum_alloc(SP_KIND_CIPHERTEXT, ctlen + SP_HOPBYTES,
									 &result);
	int			rc = sp_reencrypt_cached(out, ctlen + SP_HOPBYTES, ct, ctlen,
										 grant, cache);

	if (rc != SP_OK)
		sp_raise(rc, "pre_reencrypt");
	return result;
}
