/*
 * seckey.c - the pre_secret_key type (32-byte seed, "presk_") and the
 * functions that make and expand secret keys.
 *
 * A secret key in SQL is a trusted-server convenience: its text output
 * shows the secret.  The normal path keeps secret keys on clients.
 */
#include "postgres.h"

#include <sodium.h>

#include "access/xact.h"
#include "storage/proc.h"
#include "utils/memutils.h"

#include "seckey.h"
#include "sp_random.h"
#include "pg_compat.h"
#include "typeio.h"

SP_TYPE_IO(pre_secret_key, SP_KIND_SECRET_KEY)

typedef struct secret_cache
{
	uint8_t		seed[SP_SEEDBYTES];
	sp_secret	key;
	bool		valid;
	/* decryption context of this key (sp_secret_dctx), for one statement */
	sp_dctx    *dctx;
	LocalTransactionId dctx_lxid;
	TimestampTz dctx_statement;
	MemoryContextCallback wipe;
} secret_cache;

/* paths whose d_1 a decrypting call site keeps (sp_cache.h) */
#define DCTX_SLOTS 128

/* Memory context reset callback: wipe the cached key and its context. */
static void
secret_cache_wipe(void *arg)
{
	sp_dctx_wipe(((secret_cache *) arg)->dctx);
	sodium_memzero(arg, offsetof(secret_cache, wipe));
}

/* The expanded key of secret key argument n, cached per call site. */
const sp_secret *
sp_secret_arg(FunctionCallInfo fcinfo, int n)
{
	const uint8_t *seed = (const uint8_t *) PG_GETARG_POINTER(n);
	secret_cache *cache = (secret_cache *) fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
									   sizeof *cache);
		cache->wipe.func = secret_cache_wipe;
		cache->wipe.arg = cache;
		MemoryContextRegisterResetCallback(fcinfo->flinfo->fn_mcxt,
										   &cache->wipe);
		fcinfo->flinfo->fn_extra = cache;
	}
	if (cache->valid && sodium_memcmp(cache->seed, seed, SP_SEEDBYTES) == 0)
		return &cache->key;
	cache->valid = false;
	sp_dctx_wipe(cache->dctx);	/* another key: its paths go */
	if (sp_secret_expand(&cache->key, seed) != SP_OK)
		sp_raise_input(SP_ESCALAR, SP_KIND_SECRET_KEY, SP_WAY_TEXT);
	memcpy(cache->seed, seed, SP_SEEDBYTES);
	cache->valid = true;
	return &cache->key;
}

/*
 * The decryption context of the key that sp_secret_arg last returned at
 * this call site, emptied at each new statement (and with each new key):
 * made on first use in the call site's memory, wiped with it.
 */
sp_dctx *
sp_secret_dctx(FunctionCallInfo fcinfo)
{
	secret_cache *cache = (secret_cache *) fcinfo->flinfo->fn_extra;
	size_t		bytes = sp_dctx_bytes(DCTX_SLOTS);

	Assert(cache != NULL && cache->valid);
	if (cache->dctx == NULL)
	{
		sp_dctx    *ctx = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, bytes);

		if (sp_dctx_init(ctx, bytes, DCTX_SLOTS) != SP_OK)
			elog(ERROR, "sp_dctx_init failed");
		cache->dctx = ctx;
		cache->dctx_lxid = SP_MY_LXID;
		cache->dctx_statement = GetCurrentStatementStartTimestamp();
	}
	else if (cache->dctx_lxid != SP_MY_LXID ||
			 cache->dctx_statement != GetCurrentStatementStartTimestamp())
	{
		sp_dctx_wipe(cache->dctx);
		cache->dctx_lxid = SP_MY_LXID;
		cache->dctx_statement = GetCurrentStatementStartTimestamp();
	}
	return cache->dctx;
}

/* pre_keygen(): a fresh random secret key. */
PG_FUNCTION_INFO_V1(pre_keygen);
Datum
pre_keygen(PG_FUNCTION_ARGS)
{
	uint8_t    *seed = palloc(SP_SEEDBYTES);

	sp_random_bytes(seed, SP_SEEDBYTES);
	PG_RETURN_POINTER(seed);
}
