/*
 * sp_lib.c - the library layer of libsecant-pre (sp_lib.h): randomness,
 * allocation and keyword normalisation around the pure core.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sp_lib.h"
#include "sp_random.h"
#include "sp_seal.h"
#include "sp_text.h"

#ifndef SECANT_PRE_VERSION
#define SECANT_PRE_VERSION "unknown"
#endif

const char *
sp_library_version(void)
{
	return SECANT_PRE_VERSION;
}

int
sp_keygen(uint8_t seed[SP_SEEDBYTES])
{
	int			rc = sp_init();

	if (rc == SP_OK)
		sp_random_bytes(seed, SP_SEEDBYTES);
	return rc;
}

sp_secret *
sp_secret_new(const uint8_t seed[SP_SEEDBYTES], int *err)
{
	sp_secret  *key = NULL;
	int			rc = sp_init();

	if (rc == SP_OK)
	{
		key = sodium_malloc(sizeof(sp_secret));
		rc = key == NULL ? SP_ENOMEM : sp_secret_expand(key, seed);
	}
	if (rc != SP_OK && key != NULL)
	{
		sp_secret_free(key);
		key = NULL;
	}
	if (err != NULL)
		*err = rc;
	return key;
}

void
sp_secret_free(sp_secret *key)
{
	if (key == NULL)
		return;
	sp_secret_wipe(key);
	sodium_free(key);
}

void
sp_secret_public_key(uint8_t pk[SP_PUBLICKEYBYTES], const sp_secret *key)
{
	memcpy(pk, key->pk, SP_PUBLICKEYBYTES);
}

int
sp_encrypt_random(uint8_t *ct, size_t ctlen,
				  const uint8_t pk[SP_PUBLICKEYBYTES],
				  const uint8_t *m, size_t mlen,
				  const uint8_t *aad, size_t aadlen)
{
	uint8_t		r[SP_SCALARBYTES];
	uint8_t		u[SP_SCALARBYTES];
	uint8_t		nonce[SP_NONCEBYTES];
	int			rc = sp_init();

	if (rc != SP_OK)
		return rc;
	sp_random_scalar(r);
	sp_random_scalar(u);
	sp_random_bytes(nonce, sizeof nonce);
	rc = sp_encrypt(ct, ctlen, pk, m, mlen, aad, aadlen, r, u, nonce);
	sodium_memzero(r, sizeof r);
	sodium_memzero(u, sizeof u);
	return rc;
}

int
sp_grant_random(uint8_t grant[SP_GRANTBYTES], const sp_secret *from,
				const uint8_t to[SP_PUBLICKEYBYTES], int64_t not_after)
{
	uint8_t		x[SP_SCALARBYTES];
	int			rc = sp_init();

	if (rc != SP_OK)
		return rc;
	sp_random_scalar(x);
	rc = sp_grant(grant, from, to, not_after, x);
	sodium_memzero(x, sizeof x);
	return rc;
}

int
sp_seal_grant_random(uint8_t out[SP_SEALEDBYTES],
					 const uint8_t grant[SP_GRANTBYTES],
					 const uint8_t key[SP_SEALKEYBYTES])
{
	uint8_t		seed[SP_SEALSEEDBYTES];
	int			rc = sp_init();

	if (rc != SP_OK)
		return rc;
	sp_random_bytes(seed, sizeof seed);
	rc = sp_seal_grant(out, grant, key, seed);
	sodium_memzero(seed, sizeof seed);
	return rc;
}

int
sp_tshare_split_random(uint8_t *shares, size_t sharelen,
					   const uint8_t grant[SP_GRANTBYTES], const sp_secret *from,
					   int t, int n, const uint8_t *sealkeys)
{
	uint8_t		coeffs[SP_TMAXN * SP_SCALARBYTES],
				seeds[SP_TMAXN * SP_SEALSEEDBYTES];
	int			rc = sp_init();

	for (int tries = 0; rc == SP_OK && tries < 4; tries++)
	{
		for (int j = 0; j < t - 1 && j < SP_TMAXN; j++)
			sp_random_scalar(coeffs + SP_SCALARBYTES * j);
		sp_random_bytes(seeds, sizeof seeds);
		rc = sp_tshare_split(shares, sharelen, grant, from, t, n, sealkeys,
							 coeffs, seeds);
		if (rc != SP_ERANDOM)
			break;
		rc = SP_OK;
	}
	sodium_memzero(coeffs, sizeof coeffs);
	sodium_memzero(seeds, sizeof seeds);
	return rc;
}

int
sp_tpartial_random(uint8_t partial[SP_TPARTIALBYTES], const uint8_t *share,
				   size_t sharelen, const uint8_t rk_i[SP_SCALARBYTES],
				   const uint8_t *ct, size_t ctlen)
{
	uint8_t		rho[SP_TRHOBYTES];
	int			rc = sp_init();

	if (rc != SP_OK)
		return rc;
	sp_random_bytes(rho, sizeof rho);
	rc = sp_tpartial(partial, share, sharelen, rk_i, ct, ctlen, rho);
	sodium_memzero(rho, sizeof rho);
	return rc;
}

sp_dctx *
sp_dctx_new(unsigned slots)
{
	size_t		bytes = sp_dctx_bytes(slots);
	sp_dctx    *ctx = bytes == 0 ? NULL : malloc(bytes);

	if (ctx != NULL && sp_dctx_init(ctx, bytes, slots) != SP_OK)
	{
		free(ctx);
		ctx = NULL;
	}
	return ctx;
}

void
sp_dctx_free(sp_dctx *ctx)
{
	if (ctx == NULL)
		return;
	sp_dctx_wipe(ctx);
	free(ctx);
}

sp_rcache *
sp_rcache_new(unsigned slots)
{
	size_t		bytes = sp_rcache_bytes(slots);
	sp_rcache  *cache = bytes == 0 ? NULL : malloc(bytes);

	if (cache != NULL && sp_rcache_init(cache, bytes, slots) != SP_OK)
	{
		free(cache);
		cache = NULL;
	}
	return cache;
}

void
sp_rcache_free(sp_rcache *cache)
{
	if (cache == NULL)
		return;
	sp_rcache_wipe(cache);
	free(cache);
}

sp_vcache *
sp_vcache_new(unsigned slots)
{
	size_t		bytes = sp_vcache_bytes(slots);
	sp_vcache  *cache = bytes == 0 ? NULL : malloc(bytes);

	if (cache != NULL && sp_vcache_init(cache, bytes, slots) != SP_OK)
	{
		free(cache);
		cache = NULL;
	}
	return cache;
}

void
sp_vcache_free(sp_vcache *cache)
{
	if (cache == NULL)
		return;
	sp_vcache_wipe(cache);
	free(cache);
}

sp_text_work *
sp_text_work_new(void)
{
	sp_text_work *work;

	if (sp_init() != SP_OK)
		return NULL;
	work = sodium_malloc(sizeof(sp_text_work));
	if (work != NULL)
	{
		work->stop = NULL;
		work->stop_arg = NULL;
	}
	return work;
}

void
sp_text_work_free(sp_text_work *work)
{
	if (work == NULL)
		return;
	sp_text_wipe(work);
	sodium_free(work);
}

int
sp_token_keyword(uint8_t token[SP_TOKENBYTES],
				 const uint8_t key[SP_INDEXKEYBYTES],
				 const uint8_t *keyword, size_t len)
{
	sp_text_work *work = sp_text_work_new();
	const uint8_t *norm;
	size_t		normlen = 0;
	int			rc;

	if (work == NULL)
		return SP_ENOMEM;
	rc = sp_text_normalise(work, keyword, len, &norm, &normlen);
	if (rc == SP_OK)
		rc = normlen == 0 ? SP_ELENGTH : sp_token(token, key, norm, normlen);
	sp_text_work_free(work);
	return rc;
}

/* sp_grow_fn over realloc */
static void *
grow_realloc(void *arg, void *old, size_t used_bytes, size_t new_bytes)
{
	(void) arg;
	(void) used_bytes;
	return realloc(old, new_bytes);
}

int
sp_tokens_document(uint8_t (*tokens)[SP_TOKENBYTES], size_t cap, size_t *n,
				   const uint8_t key[SP_INDEXKEYBYTES],
				   const uint8_t *doc, size_t len, int prefixes)
{
	sp_text_work *work = sp_text_work_new();
	sp_token_list list = {NULL, 0, 0, grow_realloc, NULL};
	int			rc;

	*n = 0;
	if (work == NULL)
		return SP_ENOMEM;
	rc = sp_text_tokens(work, key, doc, len, prefixes, &list);
	sp_text_work_free(work);
	if (rc == SP_OK)
	{
		*n = list.n;
		if (*n > cap)
			rc = SP_ELENGTH;
		else if (*n > 0)
			memcpy(tokens, list.tokens, *n * SP_TOKENBYTES);
	}
	free(list.tokens);
	return rc;
}
