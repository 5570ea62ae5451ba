/*
 * sp_lib.h - the library layer over the core (libsecant-pre): what an
 * application needs beyond the core's pure functions.  Randomness drawn
 * from libsodium's CSPRNG, keys and caches allocated (secret keys in
 * guarded, locked memory), keywords normalised in scratch space the
 * library owns.  Every function returns SP_OK (0) or a negative sp_err
 * code unless said otherwise, and never aborts on input data; every
 * function is safe to call from several threads at once on distinct
 * objects (a cache or context is not thread-safe: one per thread).
 *
 * Part of the installed header secant_pre.h; the core's own headers
 * (sp_core.h, sp_codec.h, ...) are the rest of it.
 */
#ifndef SP_LIB_H
#define SP_LIB_H

#include <stddef.h>
#include <stdint.h>

#include "sp_core.h"
#include "sp_cache.h"
#include "sp_seal.h"
#include "sp_text.h"
#include "sp_threshold.h"

#define SP_LIB_SONAME_MAJOR	0	/* libsecant-pre.so.0 */

/* The version of the library, e.g. "0.5.0" (a static string). */
const char *sp_library_version(void);

/* A new random secret key seed (32 bytes of the CSPRNG); calls sp_init. */
int			sp_keygen(uint8_t seed[SP_SEEDBYTES]) SP_WUR;

/*
 * An expanded secret key in guarded, locked memory (sodium_malloc), from a
 * seed; NULL on failure with *err (if not NULL) set: SP_ENOMEM, or the
 * code of sp_secret_expand.  Free it with sp_secret_free.
 */
sp_secret  *sp_secret_new(const uint8_t seed[SP_SEEDBYTES], int *err);

/* Wipe and free a key of sp_secret_new (NULL is ignored). */
void		sp_secret_free(sp_secret *key);

/* The public key of an expanded key (copied out of it). */
void		sp_secret_public_key(uint8_t pk[SP_PUBLICKEYBYTES],
								 const sp_secret *key);

/*
 * sp_encrypt with fresh randomness: m for pk at level 1 into ct, exactly
 * sp_ciphertext_bytes(1, aadlen, mlen) bytes.
 */
int			sp_encrypt_random(uint8_t *ct, size_t ctlen,
							  const uint8_t pk[SP_PUBLICKEYBYTES],
							  const uint8_t *m, size_t mlen,
							  const uint8_t *aad, size_t aadlen) SP_WUR;

/* sp_grant with a fresh X: from the key's holder to pk, not_after in Unix seconds (0 = never). */
int			sp_grant_random(uint8_t grant[SP_GRANTBYTES], const sp_secret *from,
							const uint8_t to[SP_PUBLICKEYBYTES],
							int64_t not_after) SP_WUR;

/*
 * sp_seal_grant with a fresh ephemeral key: a valid grant sealed to a
 * sealing key (the presealkey_ text of secant.server_public_key(),
 * decoded).  SP_ELENGTH etc. if the sealing key's layout is wrong.
 */
int			sp_seal_grant_random(uint8_t out[SP_SEALEDBYTES],
								 const uint8_t grant[SP_GRANTBYTES],
								 const uint8_t key[SP_SEALKEYBYTES]) SP_WUR;

/*
 * A decryption context of slots paths (sp_cache.h), allocated and
 * initialised; NULL if slots is out of range or memory is short.  Pass it
 * to sp_decrypt_cached for every value of a batch; free with
 * sp_dctx_free (which wipes it).
 */
sp_dctx    *sp_dctx_new(unsigned slots);

/* Wipe and free a context of sp_dctx_new (NULL is ignored). */
void		sp_dctx_free(sp_dctx *ctx);

/* A re-encryption cache of slots entries, as sp_dctx_new; free with sp_rcache_free. */
sp_rcache  *sp_rcache_new(unsigned slots);

/* Wipe and free a cache of sp_rcache_new (NULL is ignored). */
void		sp_rcache_free(sp_rcache *cache);

/* A validation cache of slots paths (sp_cache.h), as sp_dctx_new; free with sp_vcache_free. */
sp_vcache  *sp_vcache_new(unsigned slots);

/* Wipe and free a cache of sp_vcache_new (NULL is ignored). */
void		sp_vcache_free(sp_vcache *cache);

/*
 * The normaliser's scratch space (sp_text.h), in guarded memory, its stop
 * callback unset; NULL if memory is short.  Free it with sp_text_work_free.
 */
sp_text_work *sp_text_work_new(void);

/* Wipe and free a scratch space of sp_text_work_new (NULL is ignored). */
void		sp_text_work_free(sp_text_work *work);

/*
 * The search token of one keyword (UTF-8, len bytes), normalised as the
 * server's pre_token(key, word) does (sp_text.h): SP_ELENGTH if it
 * normalises to nothing, SP_EUTF8, SP_ETEXTLONG, SP_EWORDLONG.
 */
int			sp_token_keyword(uint8_t token[SP_TOKENBYTES],
							 const uint8_t key[SP_INDEXKEYBYTES],
							 const uint8_t *keyword, size_t len) SP_WUR;

/*
 * The distinct tokens of a document's words (and, with prefixes, of their
 * prefixes), sorted by their bytes: what the server's pre_tokens(key, doc,
 * prefixes) gives (sp_text_tokens, in memory of this library).  *n
 * receives the count; if it exceeds cap (tokens may be NULL with cap 0,
 * to ask), nothing is written and SP_ELENGTH is returned.  Errors as
 * sp_text_words, or SP_ENOMEM.
 */
int			sp_tokens_document(uint8_t (*tokens)[SP_TOKENBYTES], size_t cap,
							   size_t *n, const uint8_t key[SP_INDEXKEYBYTES],
							   const uint8_t *doc, size_t len,
							   int prefixes) SP_WUR;

/*
 * TODO (key rotation): helpers to rotate a principal's key and rewrap its
 * values are not part of this version; they will follow the semantics of
 * the SQL and CLI rotation (secant-pre rotate / rewrap) once those settle.
 */

/*
 * sp_tshare_split with fresh randomness (the polynomial's coefficients and
 * the sealed boxes' ephemeral seeds, wiped before returning); draws again
 * in the negligible case of a zero share.  Calls sp_init.
 */
int			sp_tshare_split_random(uint8_t *shares, size_t sharelen,
								   const uint8_t grant[SP_GRANTBYTES],
								   const sp_secret *from, int t, int n,
								   const uint8_t *sealkeys) SP_WUR;

/* sp_tpartial with 32 fresh random bytes mixed into the proof's nonce. */
int			sp_tpartial_random(uint8_t partial[SP_TPARTIALBYTES],
							   const uint8_t *share, size_t sharelen,
							   const uint8_t rk_i[SP_SCALARBYTES],
							   const uint8_t *ct, size_t ctlen) SP_WUR;

#endif							/* SP_LIB_H */
