/*
 * sp_cache.c - amortised re-encryption and decryption (sp_cache.h).
 *
 * Pure C over libsodium, no allocation: the caches live in storage the
 * caller provides.  Each is an array of slots probed 4 ways from a start
 * slot derived from public bytes (so the probe order reveals nothing
 * secret), least recently used replaced, evicted entries wiped first.
 * The output of every function equals that of sp_core.c's, byte for byte
 * and code for code: the checks run in sp_reencrypt's and sp_decrypt's
 * order, and a cache only ever replaces a multiplication by its result.
 */
#include <string.h>

#include <sodium.h>

#include "sp_cache.h"
#include "sp_internal.h"

#define CACHE_WAYS		4
#define RCACHE_MAGIC	0x53505243u /* "SPRC" */
#define DCTX_MAGIC		0x53504443u /* "SPDC" */
#define VCACHE_MAGIC	0x53505643u /* "SPVC" */
/* hop bytes but T_1 at level 16: P_1 || X_1, then 14 whole records */
#define VC_PATHMAX		(SP_PUBLICKEYBYTES + SP_POINTBYTES + \
						 (SP_MAXLEVEL - 2) * SP_HOPBYTES)
#define DCTX_KEYBYTES	32
#define DCTX_TAG		"secant-pre/v1/dctx"

/* splitmix64's finaliser: spreads a 64-bit value over all bits */
static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/*
 * What the three caches share: their head, the storage they need, how
 * they start, their counts.
 */
typedef struct cache_head
{
	uint32_t	magic;
	uint32_t	slots;
	uint64_t	clock;
	uint64_t	hits;
	uint64_t	misses;
} cache_head;

/* Storage of a cache: fixed bytes, then slots entries; 0 if out of range. */
static size_t
cache_bytes(unsigned slots, size_t fixed, size_t entry)
{
	if (slots < 1 || slots > SP_CACHE_MAXSLOTS)
		return 0;
	return fixed + (size_t) slots * entry;
}

/* Zero need bytes at h (bytes are there) and mark them a cache. */
static int
cache_init(cache_head *h, size_t bytes, size_t need, unsigned slots,
		   uint32_t magic)
{
	if (h == NULL || need == 0 || bytes < need)
		return SP_ELENGTH;
	sodium_memzero(h, need);
	h->magic = magic;
	h->slots = slots;
	return SP_OK;
}

static void
cache_stats(const cache_head *h, uint32_t magic, uint64_t *hits,
			uint64_t *misses)
{
	int			ok = h != NULL && h->magic == magic;

	*hits = ok ? h->hits : 0;
	*misses = ok ? h->misses : 0;
}

/* ---- re-encryption cache ---- */

typedef struct rc_entry
{
	uint64_t	stamp;			/* last use; 0 = empty */
	uint64_t	tag;			/* mix of public bytes, for the probe */
	uint8_t		grant[SP_GRANTBYTES];
	uint8_t		base[SP_POINTBYTES];	/* X(n-1) */
	uint8_t		T[SP_POINTBYTES];	/* rk·X(n-1) */
} rc_entry;

struct sp_rcache
{
	cache_head	h;
	rc_entry	e[];
};

size_t
sp_rcache_bytes(unsigned slots)
{
	return cache_bytes(slots, offsetof(struct sp_rcache, e), sizeof(rc_entry));
}

int
sp_rcache_init(sp_rcache *cache, size_t bytes, unsigned slots)
{
	return cache_init((cache_head *) cache, bytes, sp_rcache_bytes(slots), slots,
					  RCACHE_MAGIC);
}

void
sp_rcache_wipe(sp_rcache *cache)
{
	if (cache == NULL || cache->h.magic != RCACHE_MAGIC)
		return;
	sodium_memzero(cache->e, (size_t) cache->h.slots * sizeof(rc_entry));
	cache->h.clock = cache->h.hits = cache->h.misses = 0;
}

void
sp_rcache_stats(const sp_rcache *cache, uint64_t *hits, uint64_t *misses)
{
	cache_stats((const cache_head *) cache, RCACHE_MAGIC, hits, misses);
}

/* The probe tag: grantee, X and base, all public (rk is not in it). */
static uint64_t
rc_tag(const uint8_t *grant, const uint8_t *base)
{
	return mix64(sp_load64_le(grant + SP_GR_X) ^
				 mix64(sp_load64_le(base) ^ mix64(sp_load64_le(grant + SP_GR_TO))));
}

/*
 * T = rk·base through the cache (NULL: computed).  SP_EPOINT when the
 * multiplication fails (then nothing is cached).
 */
static int
rc_product(sp_rcache *cache, uint8_t T[SP_POINTBYTES],
		   const uint8_t *grant, const uint8_t *base)
{
	uint64_t	tag;
	uint32_t	start;
	rc_entry   *victim = NULL;

	if (cache == NULL)
		return crypto_scalarmult_ristretto255(T, grant + SP_GR_RK, base) == 0
			? SP_OK : SP_EPOINT;
	tag = rc_tag(grant, base);
	start = (uint32_t) (tag % cache->h.slots);
	for (uint32_t w = 0; w < CACHE_WAYS && w < cache->h.slots; w++)
	{
		rc_entry   *e = &cache->e[(start + w) % cache->h.slots];

		/* grant bytes hold rk: sodium_memcmp; the base is public */
		if (e->stamp != 0 && e->tag == tag &&
			memcmp(e->base, base, SP_POINTBYTES) == 0 &&
			sodium_memcmp(e->grant, grant, SP_GRANTBYTES) == 0)
		{
			e->stamp = ++cache->h.clock;
			cache->h.hits++;
			memcpy(T, e->T, SP_POINTBYTES);
			return SP_OK;
		}
		if (victim == NULL || e->stamp < victim->stamp)
			victim = e;
	}
	cache->h.misses++;
	if (crypto_scalarmult_ristretto255(T, grant + SP_GR_RK, base) != 0)
		return SP_EPOINT;
	sodium_memzero(victim, sizeof *victim);
	victim->stamp = ++cache->h.clock;
	victim->tag = tag;
	memcpy(victim->grant, grant, SP_GRANTBYTES);
	memcpy(victim->base, base, SP_POINTBYTES);
	memcpy(victim->T, T, SP_POINTBYTES);
	return SP_OK;
}

/* ---- re-encryption along a path ---- */

int
sp_path_suffix(uint8_t *suffix, size_t suffixlen, const uint8_t *grants,
			   int hops)
{
	if (hops < 1 || hops >= SP_MAXLEVEL)
		return SP_EMAXLEVEL;
	if (suffixlen != (size_t) (hops - 1) * SP_HOPBYTES)
		return SP_ELENGTH;
	for (int k = 1; k < hops; k++)
	{
		const uint8_t *g = grants + (size_t) k * SP_GRANTBYTES;
		const uint8_t *prev = g - SP_GRANTBYTES;
		uint8_t    *rec = suffix + (size_t) (k - 1) * SP_HOPBYTES;
		int			rc = SP_OK;

		/* public keys: plain memcmp is fine */
		if (memcmp(g + SP_GR_FROM, prev + SP_GR_TO, SP_PUBLICKEYBYTES) != 0)
			rc = SP_ERECIPIENT;
		else if (crypto_scalarmult_ristretto255(rec + SP_PUBLICKEYBYTES +
												SP_POINTBYTES, g + SP_GR_RK,
												prev + SP_GR_X) != 0)
			rc = SP_EPOINT;
		if (rc != SP_OK)
		{
			sodium_memzero(suffix, suffixlen);
			return rc;
		}
		memcpy(rec, g + SP_GR_TO, SP_PUBLICKEYBYTES);
		memcpy(rec + SP_PUBLICKEYBYTES, g + SP_GR_X, SP_POINTBYTES);
	}
	return SP_OK;
}

int
sp_reencrypt_path(uint8_t *out, size_t outlen, const uint8_t *ct,
				  size_t ctlen, const uint8_t grant[SP_GRANTBYTES],
				  const uint8_t *suffix, int nsuffix, sp_rcache *cache)
{
	uint8_t		base[SP_POINTBYTES],
				T[SP_POINTBYTES];
	size_t		body,
				added;
	int			n,
				rc;

	if (cache != NULL && cache->h.magic != RCACHE_MAGIC)
		return SP_EINTERNAL;
	if (nsuffix < 0 || (nsuffix > 0 && suffix == NULL))
		return SP_ELENGTH;
	/* sp_reencrypt's checks, in its order */
	if ((rc = sp_ciphertext_check_layout(ct, ctlen)) != SP_OK)
		return rc;
	added = (size_t) (1 + nsuffix) * SP_HOPBYTES;
	if (nsuffix >= SP_MAXLEVEL || outlen != ctlen + added)
		return SP_ELENGTH;
	n = sp_ciphertext_level(ct);
	if (n >= SP_MAXLEVEL)
		return SP_EMAXLEVEL;
	/* public keys: plain memcmp is fine */
	if (memcmp(grant + SP_GR_FROM, sp_ciphertext_recipient(ct),
			   SP_PUBLICKEYBYTES) != 0)
		return SP_ERECIPIENT;

	if (n == 1)
	{
		/* E + V differs per value: never cached */
		if (crypto_core_ristretto255_add(base, ct + SP_CT_E,
										 ct + SP_CT_V) != 0)
			return SP_EPOINT;
		rc = crypto_scalarmult_ristretto255(T, grant + SP_GR_RK, base) == 0
			? SP_OK : SP_EPOINT;
	}
	else
		rc = rc_product(cache, T, grant,
						sp_ciphertext_hop(ct, n - 1) + SP_PUBLICKEYBYTES);
	/* then the later calls in a row: only their level check can refuse */
	if (rc == SP_OK && n + nsuffix >= SP_MAXLEVEL)
		rc = SP_EMAXLEVEL;
	if (rc != SP_OK)
	{
		/* as sp_reencrypt leaves it */
		sodium_memzero(out, outlen);
		sodium_memzero(T, sizeof T);
		return rc;
	}
	body = sp_ciphertext_body_offset(ct);
	memcpy(out, ct, body);
	out[SP_CT_LEVEL] = (uint8_t) (n + 1 + nsuffix);
	memcpy(out + body, grant + SP_GR_TO, SP_PUBLICKEYBYTES);
	memcpy(out + body + SP_PUBLICKEYBYTES, grant + SP_GR_X, SP_POINTBYTES);
	memcpy(out + body + SP_PUBLICKEYBYTES + SP_POINTBYTES, T, SP_POINTBYTES);
	if (nsuffix > 0)
		memcpy(out + body + SP_HOPBYTES, suffix,
			   (size_t) nsuffix * SP_HOPBYTES);
	memcpy(out + body + added, ct + body, ctlen - body);
	sodium_memzero(T, sizeof T);
	return SP_OK;
}

int
sp_reencrypt_cached(uint8_t *out, size_t outlen, const uint8_t *ct,
					size_t ctlen, const uint8_t grant[SP_GRANTBYTES],
					sp_rcache *cache)
{
	return sp_reencrypt_path(out, outlen, ct, ctlen, grant, NULL, 0, cache);
}

/* ---- decryption context ---- */

typedef struct dc_entry
{
	uint64_t	stamp;			/* last use; 0 = empty */
	uint8_t		key[DCTX_KEYBYTES]; /* digest of the path (dc_key) */
	uint8_t		d1[SP_SCALARBYTES];
} dc_entry;

struct sp_dctx
{
	cache_head	h;
	int			bound;			/* holder_* hold the holder's key */
	uint8_t		holder_pk[SP_PUBLICKEYBYTES];
	uint8_t		holder_p[SP_SCALARBYTES];
	dc_entry	e[];
};

size_t
sp_dctx_bytes(unsigned slots)
{
	return cache_bytes(slots, offsetof(struct sp_dctx, e), sizeof(dc_entry));
}

int
sp_dctx_init(sp_dctx *ctx, size_t bytes, unsigned slots)
{
	return cache_init((cache_head *) ctx, bytes, sp_dctx_bytes(slots), slots,
					  DCTX_MAGIC);
}

void
sp_dctx_wipe(sp_dctx *ctx)
{
	if (ctx == NULL || ctx->h.magic != DCTX_MAGIC)
		return;
	sodium_memzero(ctx->e, (size_t) ctx->h.slots * sizeof(dc_entry));
	sodium_memzero(ctx->holder_pk, sizeof ctx->holder_pk);
	sodium_memzero(ctx->holder_p, sizeof ctx->holder_p);
	ctx->bound = 0;
	ctx->h.clock = ctx->h.hits = ctx->h.misses = 0;
}

void
sp_dctx_stats(const sp_dctx *ctx, uint64_t *hits, uint64_t *misses)
{
	cache_stats((const cache_head *) ctx, DCTX_MAGIC, hits, misses);
}

/*
 * The path's key: BLAKE2b-256 of DST, the level, P_1 || X_1 and hop
 * records 2 .. n-1 (every hop byte but T_1; all public).
 */
static void
dc_key(uint8_t key[DCTX_KEYBYTES], const uint8_t *ct)
{
	crypto_generichash_state st;
	int			n = sp_ciphertext_level(ct);
	uint8_t		level = (uint8_t) n;
	const uint8_t *hop1 = sp_ciphertext_hop(ct, 1);

	crypto_generichash_init(&st, NULL, 0, DCTX_KEYBYTES);
	crypto_generichash_update(&st, (const uint8_t *) DCTX_TAG,
							  sizeof(DCTX_TAG));	/* with its zero byte */
	crypto_generichash_update(&st, &level, 1);
	crypto_generichash_update(&st, hop1, SP_PUBLICKEYBYTES + SP_POINTBYTES);
	crypto_generichash_update(&st, hop1 + SP_HOPBYTES,
							  (size_t) (n - 2) * SP_HOPBYTES);
	crypto_generichash_final(&st, key, DCTX_KEYBYTES);
}

/* Bind the context to key's holder, emptying it if it served another. */
static void
dc_bind(sp_dctx *ctx, const sp_secret *key)
{
	/* the public key is public; the scalar is compared in constant time */
	if (ctx->bound &&
		memcmp(ctx->holder_pk, key->pk, SP_PUBLICKEYBYTES) == 0 &&
		sodium_memcmp(ctx->holder_p, key->p, SP_SCALARBYTES) == 0)
		return;
	sp_dctx_wipe(ctx);
	memcpy(ctx->holder_pk, key->pk, SP_PUBLICKEYBYTES);
	memcpy(ctx->holder_p, key->p, SP_SCALARBYTES);
	ctx->bound = 1;
}

/* d_1 of the value's path through the context. */
static int
dc_d1(sp_dctx *ctx, uint8_t d1[SP_SCALARBYTES], const uint8_t *ct,
	  const sp_secret *key)
{
	uint8_t		k[DCTX_KEYBYTES];
	uint32_t	start;
	dc_entry   *victim = NULL;
	int			rc;

	dc_bind(ctx, key);
	dc_key(k, ct);
	start = (uint32_t) (sp_load64_le(k) % ctx->h.slots);
	for (uint32_t w = 0; w < CACHE_WAYS && w < ctx->h.slots; w++)
	{
		dc_entry   *e = &ctx->e[(start + w) % ctx->h.slots];

		/* digests of public bytes: plain memcmp is fine */
		if (e->stamp != 0 && memcmp(e->key, k, DCTX_KEYBYTES) == 0)
		{
			e->stamp = ++ctx->h.clock;
			ctx->h.hits++;
			memcpy(d1, e->d1, SP_SCALARBYTES);
			return SP_OK;
		}
		if (victim == NULL || e->stamp < victim->stamp)
			victim = e;
	}
	ctx->h.misses++;
	if ((rc = sp_recover_d1(d1, ct, key)) != SP_OK)
		return rc;
	sodium_memzero(victim, sizeof *victim);
	victim->stamp = ++ctx->h.clock;
	memcpy(victim->key, k, DCTX_KEYBYTES);
	memcpy(victim->d1, d1, SP_SCALARBYTES);
	return SP_OK;
}

/* sp_recover_fn through the context (arg). */
static int
dc_recover(uint8_t S[SP_POINTBYTES], const uint8_t *ct, const sp_secret *key,
		   void *arg)
{
	uint8_t		d1[SP_SCALARBYTES];
	int			rc;

	if (sp_ciphertext_level(ct) == 1)
		return sp_recover_S(S, ct, key, NULL);
	rc = dc_d1((sp_dctx *) arg, d1, ct, key);
	if (rc == SP_OK)
		rc = sp_S_from_d1(S, d1, ct);
	sodium_memzero(d1, sizeof d1);
	return rc;
}

int
sp_decrypt_cached(uint8_t *m, size_t mcap, size_t *mlen, const uint8_t *ct,
				  size_t ctlen, const sp_secret *key, sp_dctx *ctx)
{
	if (ctx == NULL)
		return sp_decrypt(m, mcap, mlen, ct, ctlen, key);
	if (ctx->h.magic != DCTX_MAGIC)
	{
		*mlen = 0;
		sodium_memzero(m, mcap);
		return SP_EINTERNAL;
	}
	return sp_decrypt_with(m, mcap, mlen, ct, ctlen, key, dc_recover, ctx);
}

/* ---- validation of values on known paths ---- */

typedef struct vc_entry
{
	uint64_t	stamp;			/* last use; 0 = empty */
	uint64_t	tag;			/* mix of the path's bytes, for the probe */
	uint32_t	level;
	uint8_t		path[VC_PATHMAX];	/* the first vc_len(level) bytes */
} vc_entry;

struct sp_vcache
{
	cache_head	h;
	sp_keycache keys;			/* P_0, and the P_k of paths not yet known */
	vc_entry	e[];
};

size_t
sp_vcache_bytes(unsigned slots)
{
	return cache_bytes(slots, offsetof(struct sp_vcache, e), sizeof(vc_entry));
}

int
sp_vcache_init(sp_vcache *cache, size_t bytes, unsigned slots)
{
	return cache_init((cache_head *) cache, bytes, sp_vcache_bytes(slots), slots,
					  VCACHE_MAGIC);
}

void
sp_vcache_wipe(sp_vcache *cache)
{
	if (cache == NULL || cache->h.magic != VCACHE_MAGIC)
		return;
	sodium_memzero(&cache->keys, sizeof cache->keys);
	sodium_memzero(cache->e, (size_t) cache->h.slots * sizeof(vc_entry));
	cache->h.clock = cache->h.hits = cache->h.misses = 0;
}

void
sp_vcache_stats(const sp_vcache *cache, uint64_t *hits, uint64_t *misses)
{
	cache_stats((const cache_head *) cache, VCACHE_MAGIC, hits, misses);
}

/* Bytes of the path part of a value at level n >= 2 (hop bytes but T_1). */
static size_t
vc_len(int n)
{
	return SP_PUBLICKEYBYTES + SP_POINTBYTES + (size_t) (n - 2) * SP_HOPBYTES;
}

/*
 * The path part of a laid-out value at level >= 2 into path (VC_PATHMAX
 * bytes): P_1 || X_1 || hop records 2 .. n-1; its length is vc_len(n).
 */
static void
vc_path(uint8_t *path, const uint8_t *ct)
{
	const uint8_t *hop1 = sp_ciphertext_hop(ct, 1);
	size_t		head = SP_PUBLICKEYBYTES + SP_POINTBYTES;
	int			n = sp_ciphertext_level(ct);

	memcpy(path, hop1, head);
	memcpy(path + head, hop1 + SP_HOPBYTES, vc_len(n) - head);
}

/*
 * Was the path part of ct found valid before?  If not, check it (P_k
 * and X_k of every record, T_k of records 2 .. n-1) and remember it when
 * valid.  SP_OK or SP_EPOINT.
 */
static int
vc_check_path(sp_vcache *cache, const uint8_t *ct)
{
	int			n = sp_ciphertext_level(ct);
	size_t		len = vc_len(n);
	uint8_t		path[VC_PATHMAX];
	uint64_t	tag;
	uint32_t	start;
	vc_entry   *victim = NULL;
	int			rc;

	vc_path(path, ct);
	/* the last X and X_1 differ between paths; level too */
	tag = mix64(sp_load64_le(path + SP_PUBLICKEYBYTES) ^
				mix64(sp_load64_le(sp_ciphertext_hop(ct, n - 1) + SP_PUBLICKEYBYTES) ^
					  (uint64_t) n));
	start = (uint32_t) (tag % cache->h.slots);
	for (uint32_t w = 0; w < CACHE_WAYS && w < cache->h.slots; w++)
	{
		vc_entry   *e = &cache->e[(start + w) % cache->h.slots];

		/* public bytes, compared in full: plain memcmp is fine */
		if (e->stamp != 0 && e->tag == tag && e->level == (uint32_t) n &&
			memcmp(e->path, path, len) == 0)
		{
			e->stamp = ++cache->h.clock;
			cache->h.hits++;
			return SP_OK;
		}
		if (victim == NULL || e->stamp < victim->stamp)
			victim = e;
	}
	cache->h.misses++;
	if ((rc = sp_ciphertext_path_points(ct, &cache->keys)) != SP_OK)
		return rc;
	sodium_memzero(victim, sizeof *victim);
	victim->stamp = ++cache->h.clock;
	victim->tag = tag;
	victim->level = (uint32_t) n;
	memcpy(victim->path, path, len);
	return SP_OK;
}

int
sp_ciphertext_validate_path(const uint8_t *ct, size_t ctlen, sp_vcache *cache)
{
	int			rc;

	if (cache == NULL)
		return sp_ciphertext_validate(ct, ctlen);
	if (cache->h.magic != VCACHE_MAGIC)
		return SP_EINTERNAL;
	/* sp_ciphertext_validate_cached's parts, the path's through the cache */
	if ((rc = sp_ciphertext_check_layout(ct, ctlen)) != SP_OK ||
		(rc = sp_ciphertext_record_points(ct, &cache->keys)) != SP_OK)
		return rc;
	if (sp_ciphertext_level(ct) >= 2 &&
		(rc = vc_check_path(cache, ct)) != SP_OK)
		return rc;
	return sp_ciphertext_check_capsule(ct);
}
