/*
 * seckey.c - the pre_secret_key type (32-byte seed, "presk_") and the
 * functions that make and expand secret keys.
 *
 * A secret key in SQL is a trusted-server convenience: its text output
 * shows the secret.  The normal path keeps secret keys on clients.
 */
#include "postgres.h"

#include <sodium.h>

#include "utils/memutils.h"

#include "seckey.h"
#include "sp_random.h"
#include "typeio.h"

SP_TYPE_IO(pre_secret_key, SP_KIND_SECRET_KEY)

typedef struct secret_cache
{
	uint8_t		seed[SP_SEEDBYTES];
	sp_secret	key;
	bool		valid;
	MemoryContextCallback wipe;
} secret_cache;

/* Memory context reset callback: wipe the cached key. */
static void
secret_cache_wipe(void *arg)
{
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
	if (sp_secret_expand(&cache->key, seed) != SP_OK)
		sp_raise_input(SP_ESCALAR, SP_KIND_SECRET_KEY, SP_WAY_TEXT);
	memcpy(cache->seed, seed, SP_SEEDBYTES);
	cache->valid = true;
	return &cache->key;
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
