/*
 * sp_cache.h - one scalar multiplication per record over many records on
 * one grant path (SCHEME.md "Re-encrypt" and "Decrypt", unchanged: every
 * function here gives the same bytes and the same codes as sp_reencrypt
 * and sp_decrypt of sp_core.h, on every input).
 *
 * Why it pays.  Re-encryption at level n >= 2 computes T = rk·X(n-1), and
 * X(n-1) is the X of the grant the value came through: every value that
 * came through one grant gets the same T from the next grant.  Decryption
 * at level n walks down with D = d_k·T_k; only T_1 = rk_1·(E + V) differs
 * between values on one path, so d_1 (which depends on the holder and on
 * every hop byte but T_1) is one value per path, and S = d_1·T_1 the only
 * multiplication per record.  Validation likewise checks a path's hop
 * bytes once (sp_vcache) and each value's own bytes every time.
 *
 * Memory: no allocation.  The caller provides the storage of each cache,
 * sp_*_bytes(slots) bytes aligned as malloc aligns, calls sp_*_init on it,
 * and sp_*_wipe before freeing it (or reusing it for something else).
 * The caches are bounded (slots entries, chosen at init), set-associative
 * (4 ways) with least-recently-used replacement; an evicted entry is wiped
 * with sodium_memzero before it is reused.  Entries hold secret-derived
 * values (a product of a grant's rk; a holder's d_1 and a copy of its
 * scalar): wipe the caches when done.  Not thread-safe: one cache per
 * thread (or call site).
 *
 * A cache that was not initialised (or was corrupted) is refused with
 * SP_EINTERNAL; a NULL cache means "no cache": the plain computation.
 */
#ifndef SP_CACHE_H
#define SP_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "sp_core.h"

#define SP_CACHE_MAXSLOTS	65536	/* largest cache accepted */

/* ---- re-encryption cache ---- */

/*
 * T = rk·X(n-1) of level n >= 2, keyed on the FULL grant bytes (272, rk
 * included: a grant's rk is not bound to its X, anyone can sign a grant
 * with another's X and a different rk) and on X(n-1).  Grant bytes are
 * compared with sodium_memcmp.  Level 1 is never cached (E + V differs per
 * value).
 */
typedef struct sp_rcache sp_rcache;

/* Storage for a cache of slots entries (1..SP_CACHE_MAXSLOTS); 0 if out of range. */
size_t		sp_rcache_bytes(unsigned slots);

/* Initialise bytes >= sp_rcache_bytes(slots) of storage at cache. */
int			sp_rcache_init(sp_rcache *cache, size_t bytes, unsigned slots) SP_WUR;

/* Wipe every entry (sodium_memzero); the cache stays initialised, empty. */
void		sp_rcache_wipe(sp_rcache *cache);

/* Lookups that found their entry, and those that did not, since the last wipe. */
void		sp_rcache_stats(const sp_rcache *cache, uint64_t *hits,
							uint64_t *misses);

/* sp_reencrypt through a cache (may be NULL): same bytes, same codes. */
int			sp_reencrypt_cached(uint8_t *out, size_t outlen,
								const uint8_t *ct, size_t ctlen,
								const uint8_t grant[SP_GRANTBYTES],
								sp_rcache *cache) SP_WUR;

/* ---- a grant path's constant hops ---- */

/*
 * The hop records 2 .. hops of a path of grants (hops * SP_GRANTBYTES
 * contiguous bytes, grant 1 first) into suffix ((hops - 1) * SP_HOPBYTES
 * bytes): record k is to_k || X_k || rk_k·X_(k-1), the same for every
 * value the path re-encrypts.  SP_ERECIPIENT if grant k is not from the
 * grantee of grant k - 1 (sp_reencrypt along the path would refuse it
 * too); on any failure suffix is wiped.
 */
int			sp_path_suffix(uint8_t *suffix, size_t suffixlen,
						   const uint8_t *grants, int hops) SP_WUR;

/*
 * Re-encrypt along a path: with grant (the path's first grant, through
 * the cache, which may be NULL, at level >= 2), then append the nsuffix
 * records that sp_path_suffix computed for this same path.  out must be
 * exactly ctlen + (1 + nsuffix) * SP_HOPBYTES bytes.  The bytes and codes
 * of 1 + nsuffix sp_reencrypt calls in a row, provided the suffix belongs
 * to the path that starts with grant (the caller's duty: keep the suffix
 * with the grants it came from).
 */
int			sp_reencrypt_path(uint8_t *out, size_t outlen,
							  const uint8_t *ct, size_t ctlen,
							  const uint8_t grant[SP_GRANTBYTES],
							  const uint8_t *suffix, int nsuffix,
							  sp_rcache *cache) SP_WUR;

/* ---- decryption context ---- */

/*
 * For one holder at a time (bound at the first decryption at level >= 2;
 * a different key, by public key or scalar, empties it and binds that
 * one): per path, d_1, keyed on a BLAKE2b-256 digest of the level and of
 * every hop byte except T_1 (P_1, X_1, hop records 2 .. n-1).  The digest
 * stands for those bytes (a collision would make a value undecryptable,
 * SP_EDECRYPT, never decrypt it wrongly: the AEAD checks the key).  Per
 * record: S = d_1·T_1, the DEM key and the AEAD.  Level 1 is not cached.
 */
typedef struct sp_dctx sp_dctx;

/* Storage for a context of slots paths (1..SP_CACHE_MAXSLOTS); 0 if out of range. */
size_t		sp_dctx_bytes(unsigned slots);

/* Initialise bytes >= sp_dctx_bytes(slots) of storage at ctx. */
int			sp_dctx_init(sp_dctx *ctx, size_t bytes, unsigned slots) SP_WUR;

/* Wipe every entry and the holder (sodium_memzero); stays initialised, empty. */
void		sp_dctx_wipe(sp_dctx *ctx);

/*
 * Lookups that found their path, and those that did not (level >= 2),
 * since the context was last emptied (wipe, or binding another holder).
 */
void		sp_dctx_stats(const sp_dctx *ctx, uint64_t *hits, uint64_t *misses);

/* sp_decrypt through a context (may be NULL): same bytes, same codes. */
int			sp_decrypt_cached(uint8_t *m, size_t mcap, size_t *mlen,
							  const uint8_t *ct, size_t ctlen,
							  const sp_secret *key, sp_dctx *ctx) SP_WUR;

/* ---- validation of values on known paths ---- */

/*
 * sp_ciphertext_validate for many values: per path, the hop bytes other
 * than T_1 (level, P_1 || X_1, hop records 2 .. n-1, all public) once
 * they were found valid, kept in full and compared in full, so that a
 * value on a known path has only the bytes that differ per value checked:
 * layout, P_0 (through the cache's own public-key cache), E, V, T_1, s
 * and the capsule.  Level 1 has no hop bytes: only the key cache helps.
 * The entries are public bytes (wiping them is still offered).
 */
typedef struct sp_vcache sp_vcache;

/* Storage for a cache of slots paths (1..SP_CACHE_MAXSLOTS); 0 if out of range. */
size_t		sp_vcache_bytes(unsigned slots);

/* Initialise bytes >= sp_vcache_bytes(slots) of storage at cache. */
int			sp_vcache_init(sp_vcache *cache, size_t bytes, unsigned slots) SP_WUR;

/* Empty the cache (sodium_memzero); it stays initialised. */
void		sp_vcache_wipe(sp_vcache *cache);

/* Lookups (level >= 2) that found their path, and those that did not. */
void		sp_vcache_stats(const sp_vcache *cache, uint64_t *hits,
							uint64_t *misses);

/*
 * sp_ciphertext_validate through a cache (may be NULL): the same code on
 * every input.  SP_EINTERNAL for a cache that was not initialised.
 */
int			sp_ciphertext_validate_path(const uint8_t *ct, size_t ctlen,
										sp_vcache *cache) SP_WUR;

#endif							/* SP_CACHE_H */
