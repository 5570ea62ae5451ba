/*
 * sp_internal.h - the pieces of sp_core.c that sp_cache.c builds on.  Not
 * part of the core's interface: only core files include it.
 */
#ifndef SP_INTERNAL_H
#define SP_INTERNAL_H

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

#endif							/* SP_INTERNAL_H */
