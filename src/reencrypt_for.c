/*
 * path.c - secant.reencrypt_for(ciphertext, target): re-encrypt along the
 * active grant path from the ciphertext's current recipient to target.
 *
 * The path (secant.path, not expired at statement time, not revoked) is
 * looked up through SPI and its grants are cached for the call site, keyed
 * by (transaction, statement, grants generation, current recipient,
 * target): over many rows of one statement the lookup runs once.
 *
 * Revocation: the lookup runs with a fresh snapshot (SPI, not read-only),
 * taken after the lock on secant.grants is granted.  secant.revoke takes
 * ACCESS EXCLUSIVE on that table, so a lookup either finishes before a
 * revoke can start (and the revoke waits for our transaction to end, then
 * deletes our copies) or waits for the revoke to commit and then sees the
 * grant gone.  Once we hold the lock no other session can revoke until our
 * transaction ends; changes in our own transaction bump the generation
 * (statement trigger on secant.grants) and so force a new lookup.  The
 * fresh snapshot is why reencrypt_for is VOLATILE and PARALLEL UNSAFE.
 *
 * Privileges: the lookup reads grant bytes, which only the extension's
 * owner may; it runs as the function's owner with a safe search_path, like
 * a SECURITY DEFINER function, but only on a cache miss, so that the rows
 * of a statement pay nothing for it.
 *
 * The cached grants hold the delegators' rk and are wiped when the call
 * site's memory goes.
 */
#include "postgres.h"

#include <sodium.h>

#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "storage/proc.h"
#include "utils/snapmgr.h"
#include "utils/memutils.h"

#include "definer.h"
#include "typeio.h"

#define PATH_MAXHOPS (SP_MAXLEVEL - 1)

/* Bumped by every statement that changes secant.grants in this backend. */
static uint64 grants_generation = 0;

typedef struct path_cache
{
	LocalTransactionId lxid;
	TimestampTz statement;
	uint64		generation;
	bool		valid;
	Oid			owner;			/* of the function: reads the grants */
	uint8_t		from[SP_PUBLICKEYBYTES];
	uint8_t		to[SP_PUBLICKEYBYTES];
	int			hops;
	uint8_t		grants[PATH_MAXHOPS][SP_GRANTBYTES];
	MemoryContextCallback wipe;
} path_cache;

/* Memory context reset callback: wipe the cached grants. */
static void
path_cache_wipe(void *arg)
{
	sodium_memzero(arg, offsetof(path_cache, wipe));
}

/* The call site's cache, made on first use. */
static path_cache *
cache_for(FunctionCallInfo fcinfo)
{
	path_cache *cache = (path_cache *) fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof *cache);
		cache->wipe.func = path_cache_wipe;
		cache->wipe.arg = cache;
		MemoryContextRegisterResetCallback(fcinfo->flinfo->fn_mcxt,
										   &cache->wipe);
		cache->owner = sp_function_owner(fcinfo->flinfo->fn_oid);
		fcinfo->flinfo->fn_extra = cache;
	}
	return cache;
}

/* Is the cache an answer for this statement and this pair of keys? */
static bool
cache_hit(const path_cache *cache, const uint8_t *from, const uint8_t *to)
{
	/* public keys: plain memcmp is fine */
	return cache->valid && cache->lxid == MyProc->lxid &&
		cache->statement == GetCurrentStatementStartTimestamp() &&
		cache->generation == grants_generation &&
		memcmp(cache->from, from, SP_PUBLICKEYBYTES) == 0 &&
		memcmp(cache->to, to, SP_PUBLICKEYBYTES) == 0;
}

/*
 * Run the path query with a snapshot taken after the lock on secant.grants
 * is granted (at planning).  In READ COMMITTED a non-read-only SPI call
 * takes a fresh one; in REPEATABLE READ and SERIALIZABLE (postgres_fdw's
 * remote transactions) the transaction snapshot could predate a committed
 * revocation, so the latest snapshot is used for this lookup instead.
 */
static int
lookup(Oid *argtypes, Datum *args)
{
	const char *query = "SELECT g.rekey FROM secant.path($1, $2) AS p "
		"JOIN secant.grants AS g ON g.id OPERATOR(pg_catalog.=) p.grant_id "
		"ORDER BY p.hop";
	SPIPlanPtr	plan = SPI_prepare(query, 2, argtypes);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (IsolationUsesXactSnapshot())
		return SPI_execute_snapshot(plan, args, NULL, GetLatestSnapshot(),
									InvalidSnapshot, false, false, 0);
	return SPI_execute_plan(plan, args, NULL, false, 0);
}

/* Look the path up with SPI and fill the cache; raise if there is none. */
static void
cache_fill(path_cache *cache, Oid pk_type, const uint8_t *from,
		   const uint8_t *to)
{
	Oid			argtypes[2] = {pk_type, pk_type};
	Datum		args[2] = {PointerGetDatum(from), PointerGetDatum(to)};
	int			rc;

	cache->valid = false;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = lookup(argtypes, args);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "secant.path lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0 && memcmp(from, to, SP_PUBLICKEYBYTES) != 0)
		sp_raise_no_path();
	if (SPI_processed > PATH_MAXHOPS)
		sp_raise(SP_EMAXLEVEL, "secant.reencrypt_for");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i],
									  SPI_tuptable->tupdesc, 1, &isnull);

		memcpy(cache->grants[i], DatumGetPointer(d), SP_GRANTBYTES);
	}
	cache->hops = (int) SPI_processed;
	SPI_finish();
	memcpy(cache->from, from, SP_PUBLICKEYBYTES);
	memcpy(cache->to, to, SP_PUBLICKEYBYTES);
	cache->lxid = MyProc->lxid;
	cache->statement = GetCurrentStatementStartTimestamp();
	cache->generation = grants_generation;
	cache->valid = true;
}

/* cache_fill as the function's owner (only the owner reads grant bytes). */
static void
cache_fill_as_owner(path_cache *cache, Oid pk_type, const uint8_t *from,
					const uint8_t *to)
{
	sp_definer	d;

	sp_definer_enter(&d, cache->owner, pk_type);
	cache_fill(cache, pk_type, from, to);
	sp_definer_leave(&d);
}

/* secant.reencrypt_for(ciphertext, target public key) */
PG_FUNCTION_INFO_V1(pre_reencrypt_for);
Datum
pre_reencrypt_for(PG_FUNCTION_ARGS)
{
	size_t		len;
	const uint8_t *ct = SP_CT_ARG(0, &len);
	const uint8_t *target = (const uint8_t *) PG_GETARG_POINTER(1);
	path_cache *cache = cache_for(fcinfo);
	Datum		result = PG_GETARG_DATUM(0);

	if (!cache_hit(cache, sp_ciphertext_recipient(ct), target))
		cache_fill_as_owner(cache, get_fn_expr_argtype(fcinfo->flinfo, 1),
							sp_ciphertext_recipient(ct), target);
	if (sp_ciphertext_level(ct) + cache->hops > SP_MAXLEVEL)
		sp_raise_path_level(sp_ciphertext_level(ct), cache->hops);
	for (int i = 0; i < cache->hops; i++)
	{
		uint8_t    *out = sp_datum_alloc(SP_KIND_CIPHERTEXT, len + SP_HOPBYTES,
										 &result);
		int			rc = sp_reencrypt(out, len + SP_HOPBYTES, ct, len,
									  cache->grants[i]);

		if (rc != SP_OK)
			sp_raise(rc, "secant.reencrypt_for");
		ct = out;
		len += SP_HOPBYTES;
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
	grants_generation++;
	return PointerGetDatum(NULL);
}
