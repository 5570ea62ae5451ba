/*
 * sp_core.c - the secant_pre wire scheme v1 (SCHEME.md) over libsodium.
 *
 * Pure C: no PostgreSQL, randomness passed in, no allocation but the
 * temporary copy of a long associated data in aead_run.  Secret
 * intermediates (scalars, DH points, AEAD keys) live in fixed stack arrays
 * and are wiped on every path before returning.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sp_core.h"
#include "sp_internal.h"

#define DST_PREFIX "secant-pre/v1/"

static const uint8_t ct_magic[4] = {'S', 'P', 'C', 'T'};
static const uint8_t grant_magic[4] = {'S', 'P', 'G', 'R'};

/* One sentence describing an error code, for error details. */
const char *
sp_strerror(int err)
{
	switch (err)
	{
		case SP_OK:
			return "No error.";
		case SP_EPREFIX:
			return "The text form does not start with the prefix of this type.";
		case SP_EBASE64:
			return "The text after the prefix is not unpadded base64url.";
		case SP_ELENGTH:
			return "The value has the wrong length.";
		case SP_EMAGIC:
			return "The value does not start with the magic bytes of this type.";
		case SP_EVERSION:
			return "The value has an unsupported version.";
		case SP_ERESERVED:
			return "Reserved bytes are not zero.";
		case SP_ELEVEL:
			return "The ciphertext level is outside 1 to 16.";
		case SP_ELEVELMAX:
			return "The ciphertext level is above the maximum 16.";
		case SP_EPOINT:
			return "A public key or point is not a valid ristretto255/Ed25519 encoding, or is the identity.";
		case SP_ESCALAR:
			return "A scalar is not canonical or is zero.";
		case SP_ECAPSULE:
			return "The ciphertext capsule check fails.";
		case SP_ESIGNATURE:
			return "The grant signature does not verify.";
		case SP_ESAMEKEY:
			return "The grant's delegator and grantee are the same key.";
		case SP_ERECIPIENT:
			return "The grant's delegator is not the ciphertext's current recipient.";
		case SP_EMAXLEVEL:
			return "The ciphertext is already at the maximum level 16.";
		case SP_EWRONGKEY:
			return "The secret key is not the ciphertext's current recipient.";
		case SP_EDECRYPT:
			return "The key is wrong or the value was modified.";
		case SP_ERANDOM:
			return "The supplied randomness is not a canonical non-zero scalar.";
		case SP_ETOOLONG:
			return "The message or associated data is too long.";
		case SP_EINTERNAL:
			return "libsodium refused an operation.";
		case SP_ENOMEM:
			return "Out of memory.";
		case SP_EUTF8:
			return "The text is not valid UTF-8.";
		case SP_ECANCELED:
			return "The operation was canceled.";
		case SP_EWORDLONG:
			return "A keyword, or a word of a document, is longer than 4096 bytes after normalisation.";
		case SP_ETEXTLONG:
			return "The text is longer than 1048576 bytes.";
		case SP_EDATABASE:
			return "The sealed grant was sealed for another database.";
		case SP_ETHRESHOLD:
			return "A threshold, share count or share index is out of range, repeated, or the number of partials is not the threshold.";
		case SP_ESHARE:
			return "The grant share does not match its commitments.";
		case SP_EPROOF:
			return "The partial's proof does not verify.";
	}
	return "Unknown error.";
}

/* True for codes that mean "the bytes are malformed" (vs. invalid). */
int
sp_err_is_malformed(int err)
{
	return err <= SP_EPREFIX && err >= SP_ELEVELMAX;
}

/* sodium_init(); returns SP_EINTERNAL if libsodium cannot start. */
int
sp_init(void)
{
	return sodium_init() < 0 ? SP_EINTERNAL : SP_OK;
}

/* ---- hashing ---- */

/* Start a BLAKE2b state (keyed when key is not NULL) over DST(tag). */
void
sp_hash_start(crypto_generichash_state *st, const char *tag, size_t outlen,
		   const uint8_t *key, size_t keylen)
{
	static const uint8_t zero = 0;

	crypto_generichash_init(st, key, keylen, outlen);
	crypto_generichash_update(st, (const uint8_t *) DST_PREFIX,
							  sizeof(DST_PREFIX) - 1);
	crypto_generichash_update(st, (const uint8_t *) tag, strlen(tag));
	crypto_generichash_update(st, &zero, 1);
}

/* Hs(tag, a || b || c): BLAKE2b-512 reduced mod l.  Parts may be NULL. */
static void
hash_scalar(uint8_t out[SP_SCALARBYTES], const char *tag,
			const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
			const uint8_t *c, size_t clen)
{
	crypto_generichash_state st;
	uint8_t		wide[64];

	sp_hash_start(&st, tag, sizeof wide, NULL, 0);
	crypto_generichash_update(&st, a, alen);
	if (b)
		crypto_generichash_update(&st, b, blen);
	if (c)
		crypto_generichash_update(&st, c, clen);
	crypto_generichash_final(&st, wide, sizeof wide);
	crypto_core_ristretto255_scalar_reduce(out, wide);
	sodium_memzero(wide, sizeof wide);
	sodium_memzero(&st, sizeof st);
}

/* d = Hs("delegate", X || P || DH) */
static void
hash_delegate(uint8_t d[SP_SCALARBYTES], const uint8_t X[SP_POINTBYTES],
			  const uint8_t P[SP_POINTBYTES], const uint8_t dh[SP_POINTBYTES])
{
	hash_scalar(d, "delegate", X, SP_POINTBYTES, P, SP_POINTBYTES,
				dh, SP_POINTBYTES);
}

/* ---- scalars and points ---- */

/* SP_OK if s is a canonical, non-zero scalar. */
int
sp_scalar_validate(const uint8_t s[SP_SCALARBYTES])
{
	uint8_t		wide[64] = {0};
	uint8_t		reduced[SP_SCALARBYTES];
	int			canonical;

	memcpy(wide, s, SP_SCALARBYTES);
	crypto_core_ristretto255_scalar_reduce(reduced, wide);
	canonical = sodium_memcmp(reduced, s, SP_SCALARBYTES) == 0;
	sodium_memzero(wide, sizeof wide);
	sodium_memzero(reduced, sizeof reduced);
	if (!canonical || sodium_is_zero(s, SP_SCALARBYTES))
		return SP_ESCALAR;
	return SP_OK;
}

/*
 * A valid ristretto255 encoding other than the identity.  libsodium 1.0.18
 * ignores bit 255 when decoding; RFC 9496 requires refusing it, so we do.
 */
int
sp_point_validate(const uint8_t p[SP_POINTBYTES])
{
	if ((p[SP_POINTBYTES - 1] & 0x80) != 0 ||
		!crypto_core_ristretto255_is_valid_point(p) ||
		sodium_is_zero(p, SP_POINTBYTES))
		return SP_EPOINT;
	return SP_OK;
}

/* SP_OK if pk is a valid public key (SCHEME.md "Keys"). */
int
sp_public_key_validate(const uint8_t pk[SP_PUBLICKEYBYTES])
{
	if (sp_point_validate(pk) != SP_OK ||
		!crypto_core_ed25519_is_valid_point(pk + SP_POINTBYTES))
		return SP_EPOINT;
	return SP_OK;
}

/* sp_public_key_validate through a cache (which may be NULL). */
int
sp_public_key_validate_cached(const uint8_t pk[SP_PUBLICKEYBYTES],
							  sp_keycache *cache)
{
	int			slot = pk[0];
	int			rc;

	/* public keys: plain memcmp is fine */
	if (cache && cache->full[slot] &&
		memcmp(cache->key[slot], pk, SP_PUBLICKEYBYTES) == 0)
		return SP_OK;
	rc = sp_public_key_validate(pk);
	if (cache && rc == SP_OK)
	{
		memcpy(cache->key[slot], pk, SP_PUBLICKEYBYTES);
		cache->full[slot] = 1;
	}
	return rc;
}

/* ---- keys ---- */

/* Derive the expanded key from a 32-byte seed. */
int
sp_secret_expand(sp_secret *key, const uint8_t seed[SP_SEEDBYTES])
{
	uint8_t		sign_seed[crypto_sign_SEEDBYTES];
	crypto_generichash_state st;
	int			rc = SP_OK;

	hash_scalar(key->p, "sk", seed, SP_SEEDBYTES, NULL, 0, NULL, 0);
	sp_hash_start(&st, "sign", sizeof sign_seed, NULL, 0);
	crypto_generichash_update(&st, seed, SP_SEEDBYTES);
	crypto_generichash_final(&st, sign_seed, sizeof sign_seed);
	if (sodium_is_zero(key->p, SP_SCALARBYTES) ||
		crypto_scalarmult_ristretto255_base(key->pk, key->p) != 0)
		rc = SP_ESCALAR;
	else if (crypto_sign_seed_keypair(key->pk + SP_POINTBYTES, key->sign_sk,
									  sign_seed) != 0)
		rc = SP_EINTERNAL;
	sodium_memzero(sign_seed, sizeof sign_seed);
	sodium_memzero(&st, sizeof st);
	if (rc != SP_OK)
		sp_secret_wipe(key);
	return rc;
}

/* Wipe an expanded key. */
void
sp_secret_wipe(sp_secret *key)
{
	sodium_memzero(key, sizeof *key);
}

/* Public key of a seed. */
int
sp_public_key(uint8_t pk[SP_PUBLICKEYBYTES], const uint8_t seed[SP_SEEDBYTES])
{
	sp_secret	key;
	int			rc = sp_secret_expand(&key, seed);

	if (rc == SP_OK)
		memcpy(pk, key.pk, SP_PUBLICKEYBYTES);
	sp_secret_wipe(&key);
	return rc;
}

/* ---- ciphertext layout ---- */

/* Total size of a ciphertext; 0 if out of range. */
size_t
sp_ciphertext_bytes(int level, size_t aadlen, size_t mlen)
{
	if (level < 1 || level > SP_MAXLEVEL ||
		aadlen > SP_MAXDATABYTES || mlen > SP_MAXDATABYTES)
		return 0;
	return SP_HEADERBYTES + aadlen + (size_t) SP_HOPBYTES * (level - 1) +
		mlen + SP_TAGBYTES;
}

int
sp_ciphertext_level(const uint8_t *ct)
{
	return ct[SP_CT_LEVEL];
}

uint32_t
sp_ciphertext_aadlen(const uint8_t *ct)
{
	return sp_load32_le(ct + SP_CT_AADLEN);
}

/* Hop record k (1-based) of a laid-out ciphertext. */
const uint8_t *
sp_ciphertext_hop(const uint8_t *ct, int k)
{
	return ct + SP_CT_AAD + sp_ciphertext_aadlen(ct) +
		(size_t) SP_HOPBYTES * (k - 1);
}

/* Public key of the current recipient. */
const uint8_t *
sp_ciphertext_recipient(const uint8_t *ct)
{
	int			n = sp_ciphertext_level(ct);

	return n == 1 ? ct + SP_CT_P0 : sp_ciphertext_hop(ct, n - 1);
}

size_t
sp_ciphertext_body_offset(const uint8_t *ct)
{
	return SP_CT_AAD + sp_ciphertext_aadlen(ct) +
		(size_t) SP_HOPBYTES * (sp_ciphertext_level(ct) - 1);
}

/* Plaintext length of a ciphertext that passed the layout check. */
size_t
sp_plaintext_bytes(const uint8_t *ct, size_t ctlen)
{
	return ctlen - sp_ciphertext_body_offset(ct) - SP_TAGBYTES;
}

/* Structure only: magic, version, level, reserved, lengths. */
int
sp_ciphertext_check_layout(const uint8_t *ct, size_t ctlen)
{
	uint64_t	need;
	int			rc;

	if (ctlen < SP_HEADERBYTES)
		return SP_ELENGTH;
	if ((rc = sp_magic_check(ct, ct_magic, SP_VERSION)) != SP_OK)
		return rc;
	if (ct[SP_CT_LEVEL] < 1)
		return SP_ELEVEL;
	if (ct[SP_CT_LEVEL] > SP_MAXLEVEL)
		return SP_ELEVELMAX;
	if (ct[6] != 0 || ct[7] != 0)
		return SP_ERESERVED;
	/* 64-bit arithmetic: aad length is at most 2^32 - 1 */
	need = (uint64_t) SP_HEADERBYTES + sp_ciphertext_aadlen(ct) +
		(uint64_t) SP_HOPBYTES * (ct[SP_CT_LEVEL] - 1) + SP_TAGBYTES;
	if ((uint64_t) ctlen < need)
		return SP_ELENGTH;
	return SP_OK;
}

/* h = Hs("capsule", E || V) */
static void
capsule_hash(uint8_t h[SP_SCALARBYTES], const uint8_t *ct)
{
	hash_scalar(h, "capsule", ct + SP_CT_E, SP_POINTBYTES,
				ct + SP_CT_V, SP_POINTBYTES, NULL, 0);
}

/* s·G == V + h·E, and E + V is not the identity. */
static int
capsule_check(const uint8_t *ct)
{
	uint8_t		h[SP_SCALARBYTES];
	uint8_t		lhs[SP_POINTBYTES],
				hE[SP_POINTBYTES],
				rhs[SP_POINTBYTES],
				EV[SP_POINTBYTES];

	capsule_hash(h, ct);
	if (crypto_scalarmult_ristretto255_base(lhs, ct + SP_CT_S) != 0 ||
		crypto_scalarmult_ristretto255(hE, h, ct + SP_CT_E) != 0 ||
		crypto_core_ristretto255_add(rhs, ct + SP_CT_V, hE) != 0 ||
		crypto_core_ristretto255_add(EV, ct + SP_CT_E, ct + SP_CT_V) != 0)
		return SP_ECAPSULE;
	if (memcmp(lhs, rhs, SP_POINTBYTES) != 0 ||
		sodium_is_zero(EV, SP_POINTBYTES))
		return SP_ECAPSULE;
	return SP_OK;
}

/*
 * The points of a ciphertext that differ between values on one path
 * (sp_internal.h): P_0, E, V and, at level >= 2, T_1.
 */
int
sp_ciphertext_record_points(const uint8_t *ct, sp_keycache *cache)
{
	if (sp_public_key_validate_cached(ct + SP_CT_P0, cache) != SP_OK ||
		sp_point_validate(ct + SP_CT_E) != SP_OK ||
		sp_point_validate(ct + SP_CT_V) != SP_OK ||
		(sp_ciphertext_level(ct) >= 2 &&
		 sp_point_validate(sp_ciphertext_hop(ct, 1) + SP_PUBLICKEYBYTES +
						SP_POINTBYTES) != SP_OK))
		return SP_EPOINT;
	return SP_OK;
}

/*
 * The points of every hop byte but T_1 (sp_internal.h): P_k and X_k of
 * every hop record, T_k of records 2 .. n-1.
 */
int
sp_ciphertext_path_points(const uint8_t *ct, sp_keycache *cache)
{
	int			n = sp_ciphertext_level(ct);

	for (int k = 1; k < n; k++)
	{
		const uint8_t *hop = sp_ciphertext_hop(ct, k);

		if (sp_public_key_validate_cached(hop, cache) != SP_OK ||
			sp_point_validate(hop + SP_PUBLICKEYBYTES) != SP_OK ||
			(k >= 2 &&
			 sp_point_validate(hop + SP_PUBLICKEYBYTES + SP_POINTBYTES) != SP_OK))
			return SP_EPOINT;
	}
	return SP_OK;
}

/* The checks of validity after the points (sp_internal.h): s, the capsule. */
int
sp_ciphertext_check_capsule(const uint8_t *ct)
{
	/* s is public: a plain range check is fine, but zero is allowed */
	if (sp_scalar_validate(ct + SP_CT_S) != SP_OK &&
		!sodium_is_zero(ct + SP_CT_S, SP_SCALARBYTES))
		return SP_ESCALAR;
	return capsule_check(ct);
}

/* Full validity (SCHEME.md "Validity"): layout, points, scalar, capsule. */
int
sp_ciphertext_validate(const uint8_t *ct, size_t ctlen)
{
	return sp_ciphertext_validate_cached(ct, ctlen, NULL);
}

/*
 * sp_ciphertext_validate, public keys through a cache (may be NULL).
 * Every failure of a point or key is SP_EPOINT, so the order in which
 * the points are checked is not visible.
 */
int
sp_ciphertext_validate_cached(const uint8_t *ct, size_t ctlen,
							  sp_keycache *cache)
{
	int			rc;

	if ((rc = sp_ciphertext_check_layout(ct, ctlen)) != SP_OK ||
		(rc = sp_ciphertext_record_points(ct, cache)) != SP_OK ||
		(rc = sp_ciphertext_path_points(ct, cache)) != SP_OK)
		return rc;
	return sp_ciphertext_check_capsule(ct);
}

/* ---- encryption ---- */

/*
 * K = KDF("dem", P0 || E || V || S); the header's P0, E, V are contiguous
 * at offsets 8..136.
 */
static void
dem_key(uint8_t K[crypto_aead_xchacha20poly1305_ietf_KEYBYTES],
		const uint8_t *ct, const uint8_t S[SP_POINTBYTES])
{
	crypto_generichash_state st;

	sp_hash_start(&st, "dem", crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
			   NULL, 0);
	crypto_generichash_update(&st, ct + SP_CT_P0,
							  SP_PUBLICKEYBYTES + 2 * SP_POINTBYTES);
	crypto_generichash_update(&st, S, SP_POINTBYTES);
	crypto_generichash_final(&st, K, crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
	sodium_memzero(&st, sizeof st);
}

/* AD = "SPCT" || 0x01 || bytes 8 .. 196+A of the value (SCHEME.md) */
#define AD_FIXEDBYTES (5 + SP_CT_AAD - SP_CT_P0)
#define AD_STACKBYTES (SP_AD_PREFIXMAX + AD_FIXEDBYTES + 1024)

/*
 * Run the AEAD (seal when sealing, else open) under key and nonce with the
 * associated data prefix || AD of ct.  The AD is not contiguous in the
 * value (level and reserved bytes sit between version and P0), so it is
 * copied: into a stack buffer when the aad is small, else into a heap
 * buffer.  A failed open wipes out.
 */
int
sp_aead_bound(int sealing, uint8_t *out, const uint8_t *in, size_t inlen,
			  const uint8_t *prefix, size_t prefixlen, const uint8_t *ct,
			  const uint8_t nonce[SP_NONCEBYTES],
			  const uint8_t key[SP_AEADKEYBYTES])
{
	uint8_t		small[AD_STACKBYTES];
	size_t		adlen;
	uint8_t    *ad;
	int			rc;

	if (prefixlen > SP_AD_PREFIXMAX || (!sealing && inlen < SP_TAGBYTES))
		return SP_ELENGTH;
	adlen = prefixlen + AD_FIXEDBYTES + sp_ciphertext_aadlen(ct);
	ad = adlen <= sizeof small ? small : malloc(adlen);
	if (ad == NULL)
		return SP_ENOMEM;
	if (prefixlen > 0)
		memcpy(ad, prefix, prefixlen);
	memcpy(ad + prefixlen, ct_magic, sizeof ct_magic);
	ad[prefixlen + 4] = SP_VERSION;
	memcpy(ad + prefixlen + 5, ct + SP_CT_P0, adlen - prefixlen - 5);
	if (sealing)
		rc = crypto_aead_xchacha20poly1305_ietf_encrypt(out, NULL, in, inlen,
														ad, adlen, NULL,
														nonce, key);
	else
		rc = crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL,
														in, inlen, ad, adlen,
														nonce, key);
	if (ad != small)
		free(ad);
	if (rc == 0)
		return SP_OK;
	if (sealing)
		return SP_EINTERNAL;
	sodium_memzero(out, inlen - SP_TAGBYTES);
	return SP_EDECRYPT;
}

/* Encrypt m for pk at level 1 into ct. */
int
sp_encrypt(uint8_t *ct, size_t ctlen, const uint8_t pk[SP_PUBLICKEYBYTES],
		   const uint8_t *m, size_t mlen, const uint8_t *aad, size_t aadlen,
		   const uint8_t r[SP_SCALARBYTES], const uint8_t u[SP_SCALARBYTES],
		   const uint8_t nonce[SP_NONCEBYTES])
{
	return sp_encrypt_cached(ct, ctlen, pk, m, mlen, aad, aadlen, r, u, nonce,
							 NULL);
}

/* sp_encrypt, the recipient's key checked through a cache (may be NULL). */
int
sp_encrypt_cached(uint8_t *ct, size_t ctlen,
				  const uint8_t pk[SP_PUBLICKEYBYTES], const uint8_t *m,
				  size_t mlen, const uint8_t *aad, size_t aadlen,
				  const uint8_t r[SP_SCALARBYTES],
				  const uint8_t u[SP_SCALARBYTES],
				  const uint8_t nonce[SP_NONCEBYTES], sp_keycache *cache)
{
	uint8_t		h[SP_SCALARBYTES],
				ru[SP_SCALARBYTES],
				S[SP_POINTBYTES],
				K[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	int			rc = SP_OK;

	if (sp_ciphertext_bytes(1, aadlen, mlen) == 0)
		return SP_ETOOLONG;
	if (ctlen != sp_ciphertext_bytes(1, aadlen, mlen))
		return SP_ELENGTH;
	if (sp_scalar_validate(r) != SP_OK || sp_scalar_validate(u) != SP_OK)
		return SP_ERANDOM;
	if (sp_public_key_validate_cached(pk, cache) != SP_OK)
		return SP_EPOINT;

	sp_header_put(ct, ct_magic, SP_VERSION);
	ct[SP_CT_LEVEL] = 1;
	memcpy(ct + SP_CT_P0, pk, SP_PUBLICKEYBYTES);
	crypto_core_ristretto255_scalar_add(ru, r, u);
	if (sodium_is_zero(ru, SP_SCALARBYTES) ||
		crypto_scalarmult_ristretto255_base(ct + SP_CT_E, r) != 0 ||
		crypto_scalarmult_ristretto255_base(ct + SP_CT_V, u) != 0 ||
		crypto_scalarmult_ristretto255(S, ru, pk) != 0)
		rc = SP_ERANDOM;
	if (rc == SP_OK)
	{
		/* s = u + r·h */
		capsule_hash(h, ct);
		crypto_core_ristretto255_scalar_mul(ct + SP_CT_S, r, h);
		crypto_core_ristretto255_scalar_add(ct + SP_CT_S, ct + SP_CT_S, u);
		memcpy(ct + SP_CT_NONCE, nonce, SP_NONCEBYTES);
		sp_store32_le(ct + SP_CT_AADLEN, (uint32_t) aadlen);
		if (aadlen)
			memcpy(ct + SP_CT_AAD, aad, aadlen);
		dem_key(K, ct, S);
		rc = sp_aead_bound(1, ct + SP_CT_AAD + aadlen, m, mlen, NULL, 0, ct,
						   ct + SP_CT_NONCE, K);
	}
	if (rc != SP_OK)
		sodium_memzero(ct, ctlen);
	sodium_memzero(ru, sizeof ru);
	sodium_memzero(S, sizeof S);
	sodium_memzero(h, sizeof h);
	sodium_memzero(K, sizeof K);
	return rc;
}

/* ---- re-encryption ---- */

/* The point a new hop multiplies: E + V at level 1, else the last X. */
static int
hop_base(uint8_t base[SP_POINTBYTES], const uint8_t *ct)
{
	int			n = sp_ciphertext_level(ct);

	if (n == 1)
		return crypto_core_ristretto255_add(base, ct + SP_CT_E,
											ct + SP_CT_V) == 0
			? SP_OK : SP_EPOINT;
	memcpy(base, sp_ciphertext_hop(ct, n - 1) + SP_PUBLICKEYBYTES,
		   SP_POINTBYTES);
	return SP_OK;
}

/* The checks of Re-encrypt after the layout, and B (sp_internal.h). */
int
sp_hop_base_for(uint8_t base[SP_POINTBYTES], const uint8_t *ct,
				const uint8_t from[SP_PUBLICKEYBYTES])
{
	if (sp_ciphertext_level(ct) >= SP_MAXLEVEL)
		return SP_EMAXLEVEL;
	/* public keys: plain memcmp is fine */
	if (memcmp(from, sp_ciphertext_recipient(ct), SP_PUBLICKEYBYTES) != 0)
		return SP_ERECIPIENT;
	return hop_base(base, ct);
}

/* out = ct at level + 1 with the hop (to || X || T) (sp_internal.h). */
void
sp_hop_append(uint8_t *out, const uint8_t *ct, size_t ctlen,
			  const uint8_t to[SP_PUBLICKEYBYTES],
			  const uint8_t X[SP_POINTBYTES], const uint8_t T[SP_POINTBYTES])
{
	size_t		body = sp_ciphertext_body_offset(ct);

	memcpy(out, ct, body);
	out[SP_CT_LEVEL] = (uint8_t) (sp_ciphertext_level(ct) + 1);
	memcpy(out + body, to, SP_PUBLICKEYBYTES);
	memcpy(out + body + SP_PUBLICKEYBYTES, X, SP_POINTBYTES);
	memcpy(out + body + SP_PUBLICKEYBYTES + SP_POINTBYTES, T, SP_POINTBYTES);
	memcpy(out + body + SP_HOPBYTES, ct + body, ctlen - body);
}

/* Re-encrypt a valid ciphertext with a valid grant. */
int
sp_reencrypt(uint8_t *out, size_t outlen, const uint8_t *ct, size_t ctlen,
			 const uint8_t grant[SP_GRANTBYTES])
{
	uint8_t		base[SP_POINTBYTES],
				T[SP_POINTBYTES];
	int			rc;

	if ((rc = sp_ciphertext_check_layout(ct, ctlen)) != SP_OK)
		return rc;
	if (outlen != ctlen + SP_HOPBYTES)
		return SP_ELENGTH;
	if ((rc = sp_hop_base_for(base, ct, grant + SP_GR_FROM)) != SP_OK)
		return rc;
	if (crypto_scalarmult_ristretto255(T, grant + SP_GR_RK, base) != 0)
	{
		sodium_memzero(out, outlen);
		return SP_EPOINT;
	}
	sp_hop_append(out, ct, ctlen, grant + SP_GR_TO, grant + SP_GR_X, T);
	return SP_OK;
}

/* ---- decryption ---- */

/*
 * d_1 of a ciphertext at level n >= 2 (sp_internal.h): the walk of
 * recover_S down to hop 1, before its last multiplication by T_1.  It
 * depends on the holder and on every hop byte but T_1, so sp_cache.c
 * keeps it per path.
 */
int
sp_recover_d1(uint8_t d1[SP_SCALARBYTES], const uint8_t *ct,
			  const sp_secret *key)
{
	int			n = sp_ciphertext_level(ct);
	uint8_t		D[SP_POINTBYTES];
	uint8_t		d[SP_SCALARBYTES];
	const uint8_t *hop;
	int			rc = SP_OK;

	if (n < 2 ||
		crypto_scalarmult_ristretto255(D, key->p,
									   sp_ciphertext_hop(ct, n - 1) +
									   SP_PUBLICKEYBYTES) != 0)
		rc = SP_EDECRYPT;
	for (int k = n - 1; k >= 2 && rc == SP_OK; k--)
	{
		hop = sp_ciphertext_hop(ct, k);
		hash_delegate(d, hop + SP_PUBLICKEYBYTES, hop, D);
		if (crypto_scalarmult_ristretto255(D, d, hop + SP_PUBLICKEYBYTES +
										   SP_POINTBYTES) != 0)
			rc = SP_EDECRYPT;
	}
	if (rc == SP_OK)
	{
		hop = sp_ciphertext_hop(ct, 1);
		hash_delegate(d1, hop + SP_PUBLICKEYBYTES, hop, D);
	}
	sodium_memzero(D, sizeof D);
	sodium_memzero(d, sizeof d);
	return rc;
}

/*
 * S from the holder's scalar: walk the hop records back to level 1
 * (sp_internal.h).  Level 1: S = p·(E + V); else S = d_1·T_1.
 */
int
sp_recover_S(uint8_t S[SP_POINTBYTES], const uint8_t *ct,
			 const sp_secret *key, void *unused)
{
	uint8_t		base[SP_POINTBYTES];
	uint8_t		d1[SP_SCALARBYTES];
	int			rc = SP_OK;

	(void) unused;
	if (sp_ciphertext_level(ct) == 1)
	{
		if (hop_base(base, ct) != SP_OK ||
			crypto_scalarmult_ristretto255(S, key->p, base) != 0)
			rc = SP_EDECRYPT;
		sodium_memzero(base, sizeof base);
		return rc;
	}
	rc = sp_recover_d1(d1, ct, key);
	if (rc == SP_OK)
		rc = sp_S_from_d1(S, d1, ct);
	sodium_memzero(d1, sizeof d1);
	return rc;
}

/* S = d_1·T_1 (sp_internal.h). */
int
sp_S_from_d1(uint8_t S[SP_POINTBYTES], const uint8_t d1[SP_SCALARBYTES],
			 const uint8_t *ct)
{
	if (crypto_scalarmult_ristretto255(S, d1, sp_ciphertext_hop(ct, 1) +
									   SP_PUBLICKEYBYTES + SP_POINTBYTES) != 0)
		return SP_EDECRYPT;
	return SP_OK;
}

/* Decrypt a valid ciphertext with an expanded key into m. */
int
sp_decrypt(uint8_t *m, size_t mcap, size_t *mlen, const uint8_t *ct,
		   size_t ctlen, const sp_secret *key)
{
	return sp_decrypt_with(m, mcap, mlen, ct, ctlen, key, sp_recover_S, NULL);
}

/*
 * sp_decrypt with S found by recover(S, ct, key, arg) (sp_internal.h):
 * sp_decrypt_cached passes a recovery through its context.  Every check,
 * the order of the checks and the wiping are those of sp_decrypt.
 */
int
sp_decrypt_with(uint8_t *m, size_t mcap, size_t *mlen, const uint8_t *ct,
				size_t ctlen, const sp_secret *key, sp_recover_fn recover,
				void *arg)
{
	uint8_t		S[SP_POINTBYTES],
				K[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	size_t		body,
				len;
	int			rc;

	*mlen = 0;
	/* never partial plaintext, nor stale bytes, on any failure */
	sodium_memzero(m, mcap);
	if ((rc = sp_ciphertext_check_layout(ct, ctlen)) != SP_OK)
		return rc;
	body = sp_ciphertext_body_offset(ct);
	len = ctlen - body - SP_TAGBYTES;
	if (mcap < len)
		return SP_ELENGTH;
	/* public keys: plain memcmp is fine */
	if (memcmp(sp_ciphertext_recipient(ct), key->pk, SP_PUBLICKEYBYTES) != 0)
		return SP_EWRONGKEY;
	rc = recover(S, ct, key, arg);
	if (rc == SP_OK)
	{
		dem_key(K, ct, S);
		rc = sp_aead_bound(0, m, ct + body, ctlen - body, NULL, 0, ct,
						   ct + SP_CT_NONCE, K);
	}
	if (rc == SP_OK)
		*mlen = len;
	else
		sodium_memzero(m, len);
	sodium_memzero(S, sizeof S);
	sodium_memzero(K, sizeof K);
	return rc;
}

/* ---- grants ---- */

/* Grant from the delegator to the grantee public key. */
int
sp_grant(uint8_t grant[SP_GRANTBYTES], const sp_secret *from,
		 const uint8_t to[SP_PUBLICKEYBYTES], int64_t not_after,
		 const uint8_t x[SP_SCALARBYTES])
{
	return sp_grant_cached(grant, from, to, not_after, x, NULL);
}

/* sp_grant, the grantee's key checked through a cache (may be NULL). */
int
sp_grant_cached(uint8_t grant[SP_GRANTBYTES], const sp_secret *from,
				const uint8_t to[SP_PUBLICKEYBYTES], int64_t not_after,
				const uint8_t x[SP_SCALARBYTES], sp_keycache *cache)
{
	uint8_t		dh[SP_POINTBYTES],
				d[SP_SCALARBYTES],
				dinv[SP_SCALARBYTES];
	int			rc = SP_OK;

	if (sp_scalar_validate(x) != SP_OK)
		return SP_ERANDOM;
	if (sp_public_key_validate_cached(to, cache) != SP_OK)
		return SP_EPOINT;
	if (memcmp(from->pk, to, SP_PUBLICKEYBYTES) == 0)
		return SP_ESAMEKEY;
	memset(grant, 0, SP_GRANTBYTES);
	sp_header_put(grant, grant_magic, SP_VERSION);
	memcpy(grant + SP_GR_FROM, from->pk, SP_PUBLICKEYBYTES);
	memcpy(grant + SP_GR_TO, to, SP_PUBLICKEYBYTES);
	if (crypto_scalarmult_ristretto255_base(grant + SP_GR_X, x) != 0 ||
		crypto_scalarmult_ristretto255(dh, x, to) != 0)
		rc = SP_ERANDOM;
	if (rc == SP_OK)
	{
		hash_delegate(d, grant + SP_GR_X, to, dh);
		if (crypto_core_ristretto255_scalar_invert(dinv, d) != 0)
			rc = SP_ERANDOM;
	}
	if (rc == SP_OK)
	{
		crypto_core_ristretto255_scalar_mul(grant + SP_GR_RK, from->p, dinv);
		sp_store64_le(grant + SP_GR_NOTAFTER, (uint64_t) not_after);
		crypto_sign_detached(grant + SP_GR_SIG, NULL, grant,
							 SP_GRANT_SIGNEDBYTES, from->sign_sk);
	}
	else
		sodium_memzero(grant, SP_GRANTBYTES);
	sodium_memzero(dh, sizeof dh);
	sodium_memzero(d, sizeof d);
	sodium_memzero(dinv, sizeof dinv);
	return rc;
}

/* Full validity (SCHEME.md "Grant"): layout, keys, X, rk, signature. */
int
sp_grant_validate(const uint8_t grant[SP_GRANTBYTES])
{
	return sp_grant_validate_cached(grant, NULL);
}

/* sp_grant_validate, public keys through a cache (may be NULL). */
int
sp_grant_validate_cached(const uint8_t grant[SP_GRANTBYTES],
						 sp_keycache *cache)
{
	int			rc = sp_header_check(grant, grant_magic, SP_VERSION);

	if (rc != SP_OK)
		return rc;
	if (sp_public_key_validate_cached(grant + SP_GR_FROM, cache) != SP_OK ||
		sp_public_key_validate_cached(grant + SP_GR_TO, cache) != SP_OK ||
		sp_point_validate(grant + SP_GR_X) != SP_OK)
		return SP_EPOINT;
	if (sp_scalar_validate(grant + SP_GR_RK) != SP_OK)
		return SP_ESCALAR;
	/* public keys: plain memcmp is fine */
	if (memcmp(grant + SP_GR_FROM, grant + SP_GR_TO, SP_PUBLICKEYBYTES) == 0)
		return SP_ESAMEKEY;
	if (crypto_sign_verify_detached(grant + SP_GR_SIG, grant,
									SP_GRANT_SIGNEDBYTES,
									grant + SP_GR_FROM + SP_POINTBYTES) != 0)
		return SP_ESIGNATURE;
	return SP_OK;
}

/* not_after field of a grant (0 = no expiry). */
int64_t
sp_grant_not_after(const uint8_t grant[SP_GRANTBYTES])
{
	return (int64_t) sp_load64_le(grant + SP_GR_NOTAFTER);
}

/* ---- search tokens ---- */

/* token = BLAKE2b-128(key, DST("token") || word) */
int
sp_token(uint8_t token[SP_TOKENBYTES], const uint8_t key[SP_INDEXKEYBYTES],
		 const uint8_t *word, size_t wordlen)
{
	crypto_generichash_state st;

	sp_hash_start(&st, "token", SP_TOKENBYTES, key, SP_INDEXKEYBYTES);
	crypto_generichash_update(&st, word, wordlen);
	crypto_generichash_final(&st, token, SP_TOKENBYTES);
	sodium_memzero(&st, sizeof st);
	return SP_OK;
}
