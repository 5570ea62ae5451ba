/*
 * sp_internal.h - the pieces of sp_core.c that sp_cache.c builds on.  Not
 * part of the core's interface: only core files include it.
 */
#ifndef SP_INTERNAL_H
#define SP_INTERNAL_H

#include <sodium.h>

#include "sp_core.h"

/* How sp_decrypt_with finds S: SP_OK or SP_EDECRYPT; S wiped by the caller. */
typedef int (*sp_recover_fn) (uint8_t S[SP_POINTBYTES], const uint8_t *ct,
							  const sp_secret *key, void *arg);

/* SCHEME.md "Decrypt" step 2-3, uncached (arg unused). */
int			sp_recover_S(uint8_t S[SP_POINTBYTES], const uint8_t *ct,
						 const sp_secret *key, void *arg) SP_WUR;

/*
 * Level n >= 2: d_1 = Hs("delegate", X_1 || P_1 || D), D the walk from
 * p·X(n-1) down through hops n-1 .. 2; then S = d_1·T_1.  SP_EDECRYPT if
 * a multiplication fails (d1 then undefined, wipe it anyway).
 */
int			sp_recover_d1(uint8_t d1[SP_SCALARBYTES], const uint8_t *ct,
						  const sp_secret *key) SP_WUR;

/* sp_decrypt, S found by recover (sp_decrypt passes sp_recover_S). */
int			sp_decrypt_with(uint8_t *m, size_t mcap, size_t *mlen,
							const uint8_t *ct, size_t ctlen,
							const sp_secret *key, sp_recover_fn recover,
							void *arg) SP_WUR;

/*
 * The parts of sp_ciphertext_validate_cached after the layout check, for
 * a ciphertext that passed it; each returns SP_OK or its code.  The
 * points that differ between values on one path: P_0, E, V and T_1
 * (SP_EPOINT).  Those of every other hop byte: P_k, X_k of each hop record
 * and T_k of records 2 .. n-1, the same for every value on the path
 * (SP_EPOINT).  Then the scalar s and the capsule (SP_ESCALAR,
 * SP_ECAPSULE).  Validity is the three in this order.
 */
int			sp_ciphertext_record_points(const uint8_t *ct,
										sp_keycache *cache) SP_WUR;
int			sp_ciphertext_path_points(const uint8_t *ct,
									  sp_keycache *cache) SP_WUR;
int			sp_ciphertext_check_capsule(const uint8_t *ct) SP_WUR;

/* Start a BLAKE2b state (keyed when key is not NULL) over DST(tag). */
void		sp_hash_start(crypto_generichash_state *st, const char *tag,
						  size_t outlen, const uint8_t *key, size_t keylen);

/* SP_OK if p is a valid ristretto255 encoding other than the identity. */
int			sp_point_validate(const uint8_t p[SP_POINTBYTES]) SP_WUR;

/*
 * The checks of Re-encrypt after the layout, for a grant from `from`:
 * level below 16 (SP_EMAXLEVEL), from the current recipient
 * (SP_ERECIPIENT); then B, the point a new hop multiplies (E + V at level
 * 1, else the last hop's X).
 */
int			sp_hop_base_for(uint8_t base[SP_POINTBYTES], const uint8_t *ct,
							const uint8_t from[SP_PUBLICKEYBYTES]) SP_WUR;

/*
 * out (ctlen + SP_HOPBYTES bytes) = ct, laid out, with its level raised by
 * one and the hop record (to || X || T) before its body.
 */
void		sp_hop_append(uint8_t *out, const uint8_t *ct, size_t ctlen,
						  const uint8_t to[SP_PUBLICKEYBYTES],
						  const uint8_t X[SP_POINTBYTES],
						  const uint8_t T[SP_POINTBYTES]);

/*
 * A sealed box to the X25519 public key pk (crypto_box_seal's bytes: epk
 * 32 | tag 16 | ciphertext) with the ephemeral key made from seed; out
 * holds 48 + plainlen bytes (sp_seal.c).
 */
int			sp_seal_box(uint8_t *out, const uint8_t *plain, size_t plainlen,
						const uint8_t pk[32], const uint8_t seed[32]) SP_WUR;

#endif							/* SP_INTERNAL_H */
