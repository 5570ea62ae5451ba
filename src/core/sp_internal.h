/*
 * sp_internal.h - what the core's files share: the byte rules of every
 * value (the 8-byte header, little-endian integers) and the pieces of
 * sp_core.c that sp_cache.c builds on.  Not part of the core's interface:
 * only core files include it, and no library exports it.
 */
#ifndef SP_INTERNAL_H
#define SP_INTERNAL_H

#include <string.h>

#include <sodium.h>

#include "sp_core.h"

/* ---- the header: magic (4 bytes) | version | three reserved bytes ---- */

/* Write magic, version and three zero bytes. */
static inline void
sp_header_put(uint8_t *out, const uint8_t magic[4], int version)
{
	memcpy(out, magic, 4);
	out[4] = (uint8_t) version;
	out[5] = out[6] = out[7] = 0;
}

/* Magic and version only: SP_EMAGIC, SP_EVERSION or SP_OK. */
static inline int
sp_magic_check(const uint8_t *in, const uint8_t magic[4], int version)
{
	if (memcmp(in, magic, 4) != 0)
		return SP_EMAGIC;
	if (in[4] != version)
		return SP_EVERSION;
	return SP_OK;
}

/* The whole header, in that order; then SP_ERESERVED if a byte 5-7 is set. */
static inline int
sp_header_check(const uint8_t *in, const uint8_t magic[4], int version)
{
	int			rc = sp_magic_check(in, magic, version);

	if (rc == SP_OK && (in[5] != 0 || in[6] != 0 || in[7] != 0))
		rc = SP_ERESERVED;
	return rc;
}

/* ---- little-endian integers ---- */

static inline uint32_t
sp_load32_le(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 |
		(uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static inline void
sp_store32_le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

static inline uint64_t
sp_load64_le(const uint8_t *p)
{
	uint64_t	v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline void
sp_store64_le(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

/* ---- decryption steps shared with sp_cache.c ---- */

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

/* S = d_1·T_1 of a ciphertext at level >= 2: SP_OK or SP_EDECRYPT. */
int			sp_S_from_d1(uint8_t S[SP_POINTBYTES],
						 const uint8_t d1[SP_SCALARBYTES],
						 const uint8_t *ct) SP_WUR;

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
