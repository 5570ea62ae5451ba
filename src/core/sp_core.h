/*
 * sp_core.h - the secant_pre wire scheme v1 (docs/SCHEME.md) in pure C over
 * libsodium.  No PostgreSQL headers, no global state: randomness is passed
 * in by the caller, so every operation is reproducible from the
 * known-answer vectors.  Outputs go to buffers the caller provides; the one
 * allocation is internal and temporary (the AEAD's associated data when a
 * ciphertext's aad is longer than 1 KiB, freed before returning;
 * SP_ENOMEM if it fails).
 *
 * Every function returns SP_OK (0) or a negative sp_err code and never
 * aborts on input data.  Secret intermediates are wiped before returning.
 */
#ifndef SP_CORE_H
#define SP_CORE_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define SP_WUR __attribute__((warn_unused_result))
#else
#define SP_WUR
#endif

#define SP_SEEDBYTES		32	/* secret key: a random seed */
#define SP_SCALARBYTES		32	/* ristretto255 scalar, canonical */
#define SP_POINTBYTES		32	/* ristretto255 point, canonical */
#define SP_PUBLICKEYBYTES	64	/* P || sigma */
#define SP_SIGNBYTES		64	/* Ed25519 detached signature */
#define SP_GRANTBYTES		272
#define SP_GRANT_SIGNEDBYTES 208	/* bytes 0..208 are signed */
#define SP_HOPBYTES			128 /* Pk || Xk || Tk */
#define SP_HEADERBYTES		196 /* fixed ciphertext header, before aad */
#define SP_NONCEBYTES		24
#define SP_TAGBYTES			16
#define SP_AEADKEYBYTES		32	/* XChaCha20-Poly1305 key */
#define SP_MAXLEVEL			16
#define SP_TOKENBYTES		16
#define SP_INDEXKEYBYTES	32
#define SP_VERSION			0x01

/* ciphertext field offsets (SCHEME.md, "Layout") */
#define SP_CT_LEVEL			5
#define SP_CT_P0			8
#define SP_CT_E				72
#define SP_CT_V				104
#define SP_CT_S				136
#define SP_CT_NONCE			168
#define SP_CT_AADLEN		192
#define SP_CT_AAD			196

/* grant field offsets */
#define SP_GR_FROM			8
#define SP_GR_TO			72
#define SP_GR_X				136
#define SP_GR_RK			168
#define SP_GR_NOTAFTER		200
#define SP_GR_SIG			208

/* largest aad or message accepted: keeps every size computation in range */
#define SP_MAXDATABYTES		((size_t) 0x3fffffff)

typedef enum sp_err
{
	SP_OK = 0,
	/* malformed bytes */
	SP_EPREFIX = -1,			/* text form: missing or wrong prefix */
	SP_EBASE64 = -2,			/* text form: not strict unpadded base64url */
	SP_ELENGTH = -3,			/* wrong or inconsistent length */
	SP_EMAGIC = -4,
	SP_EVERSION = -5,
	SP_ERESERVED = -6,			/* reserved bytes not zero */
	SP_ELEVEL = -7,				/* level 0 */
	SP_ELEVELMAX = -8,			/* level above 16 */
	/* well-formed but invalid values */
	SP_EPOINT = -10,			/* invalid or identity point / public key */
	SP_ESCALAR = -11,			/* non-canonical or zero scalar */
	SP_ECAPSULE = -12,			/* capsule check failed */
	SP_ESIGNATURE = -13,		/* grant signature does not verify */
	SP_ESAMEKEY = -14,			/* grant from == to */
	/* operations */
	SP_ERECIPIENT = -20,		/* grant does not apply to this ciphertext */
	SP_EMAXLEVEL = -21,			/* ciphertext already at level 16 */
	SP_EWRONGKEY = -22,			/* secret key is not the current recipient */
	SP_EDECRYPT = -23,			/* AEAD failure: wrong key or modified value */
	SP_ERANDOM = -24,			/* caller-supplied randomness unusable */
	SP_ETOOLONG = -25,			/* message or aad too long */
	SP_EINTERNAL = -26,			/* libsodium refused (should not happen) */
	SP_ENOMEM = -27,			/* out of memory */
	SP_EUTF8 = -28,				/* text is not valid UTF-8 */
	SP_ECANCELED = -29,			/* the caller asked to stop */
	SP_EWORDLONG = -30,			/* a keyword or word too long (sp_text.h) */
	SP_ETEXTLONG = -31,			/* a text too long to normalise (sp_text.h) */
	SP_EDATABASE = -32,			/* sealed for another database (sp_seal.h) */
	SP_ETHRESHOLD = -33,		/* t, n, an index or a count out of range (sp_threshold.h) */
	SP_ESHARE = -34,			/* a share is not on its committed polynomial */
	SP_EPROOF = -35				/* a partial's proof does not verify */
} sp_err;

/* One sentence describing an error code, for error details. */
const char *sp_strerror(int err);

/* True for codes that mean "the bytes are malformed" (vs. invalid). */
int			sp_err_is_malformed(int err);

/* sodium_init(); returns SP_EINTERNAL if libsodium cannot start. */
int			sp_init(void) SP_WUR;

/* ---- keys ---- */

/* An expanded secret key: what the operations need, derived once. */
typedef struct sp_secret
{
	uint8_t		p[SP_SCALARBYTES];	/* PRE scalar */
	uint8_t		sign_sk[64];	/* Ed25519 secret key (seed || pk) */
	uint8_t		pk[SP_PUBLICKEYBYTES];	/* public key */
} sp_secret;

/* Derive the expanded key from a 32-byte seed. */
int			sp_secret_expand(sp_secret *key, const uint8_t seed[SP_SEEDBYTES]) SP_WUR;

/* Wipe an expanded key. */
void		sp_secret_wipe(sp_secret *key);

/* Public key of a seed. */
int			sp_public_key(uint8_t pk[SP_PUBLICKEYBYTES],
						  const uint8_t seed[SP_SEEDBYTES]) SP_WUR;

/* SP_OK if pk is a valid public key (SCHEME.md "Keys"). */
int			sp_public_key_validate(const uint8_t pk[SP_PUBLICKEYBYTES]) SP_WUR;

/*
 * Public keys already found valid, so that the same few keys recurring in
 * every value (origin, hop keys, grant ends) are checked once: the Ed25519
 * half costs a full scalar multiplication.  Keys are public, so keeping
 * them is safe.  Direct-mapped on the first byte; zero it before use.
 */
#define SP_KEYCACHE_SLOTS 256
typedef struct sp_keycache
{
	uint8_t		key[SP_KEYCACHE_SLOTS][SP_PUBLICKEYBYTES];
	uint8_t		full[SP_KEYCACHE_SLOTS];
} sp_keycache;

/* sp_public_key_validate through a cache (which may be NULL). */
int			sp_public_key_validate_cached(const uint8_t pk[SP_PUBLICKEYBYTES],
										  sp_keycache *cache) SP_WUR;

/* SP_OK if s is a canonical, non-zero scalar. */
int			sp_scalar_validate(const uint8_t s[SP_SCALARBYTES]) SP_WUR;

/* ---- ciphertexts ---- */

/* Total size of a ciphertext; 0 if out of range. */
size_t		sp_ciphertext_bytes(int level, size_t aadlen, size_t mlen);

/*
 * Encrypt m for pk at level 1 into ct (exactly sp_ciphertext_bytes(1, aadlen,
 * mlen) bytes).  r and u are random non-zero canonical scalars, nonce 24
 * random bytes.
 */
int			sp_encrypt(uint8_t *ct, size_t ctlen,
					   const uint8_t pk[SP_PUBLICKEYBYTES],
					   const uint8_t *m, size_t mlen,
					   const uint8_t *aad, size_t aadlen,
					   const uint8_t r[SP_SCALARBYTES],
					   const uint8_t u[SP_SCALARBYTES],
					   const uint8_t nonce[SP_NONCEBYTES]) SP_WUR;

/* sp_encrypt, the recipient's key checked through a cache (may be NULL). */
int			sp_encrypt_cached(uint8_t *ct, size_t ctlen,
							  const uint8_t pk[SP_PUBLICKEYBYTES],
							  const uint8_t *m, size_t mlen,
							  const uint8_t *aad, size_t aadlen,
							  const uint8_t r[SP_SCALARBYTES],
							  const uint8_t u[SP_SCALARBYTES],
							  const uint8_t nonce[SP_NONCEBYTES],
							  sp_keycache *cache) SP_WUR;

/* Structure only: magic, version, level, reserved, lengths. */
int			sp_ciphertext_check_layout(const uint8_t *ct, size_t ctlen) SP_WUR;

/* Full validity (SCHEME.md "Validity"): layout, points, scalar, capsule. */
int			sp_ciphertext_validate(const uint8_t *ct, size_t ctlen) SP_WUR;
int			sp_ciphertext_validate_cached(const uint8_t *ct, size_t ctlen,
										  sp_keycache *cache) SP_WUR;

/* Accessors of a ciphertext that passed sp_ciphertext_check_layout. */
int			sp_ciphertext_level(const uint8_t *ct);
uint32_t	sp_ciphertext_aadlen(const uint8_t *ct);
const uint8_t *sp_ciphertext_hop(const uint8_t *ct, int k);	/* k = 1..level-1 */
const uint8_t *sp_ciphertext_recipient(const uint8_t *ct);
size_t		sp_ciphertext_body_offset(const uint8_t *ct);

/*
 * Re-encrypt a valid ciphertext with a valid grant into out, which must be
 * exactly ctlen + SP_HOPBYTES bytes.  One scalar multiplication.
 */
int			sp_reencrypt(uint8_t *out, size_t outlen,
						 const uint8_t *ct, size_t ctlen,
						 const uint8_t grant[SP_GRANTBYTES]) SP_WUR;

/*
 * Decrypt a valid ciphertext with an expanded key into m, which must hold
 * ctlen - body offset - SP_TAGBYTES bytes; *mlen receives that length.
 * On failure m is wiped: never partial plaintext.
 */
int			sp_decrypt(uint8_t *m, size_t mcap, size_t *mlen,
					   const uint8_t *ct, size_t ctlen,
					   const sp_secret *key) SP_WUR;

/* Plaintext length of a ciphertext that passed the layout check. */
size_t		sp_plaintext_bytes(const uint8_t *ct, size_t ctlen);

/*
 * The AEAD of a ciphertext body, shared with the envelope (sp_envelope.c):
 * XChaCha20-Poly1305 under key and nonce, sealing (out: inlen +
 * SP_TAGBYTES bytes) or opening (out: inlen - SP_TAGBYTES bytes), with the
 * associated data prefix || "SPCT" || 0x01 || bytes 8 .. 196+A of ct, the
 * bytes of ct that re-encryption never changes (SCHEME.md, Encrypt step 6).
 * ct must have passed sp_ciphertext_check_layout; prefix is at most
 * SP_AD_PREFIXMAX bytes.  A failed open wipes out and returns SP_EDECRYPT
 * (a failed seal, which libsodium never does, SP_EINTERNAL).
 */
#define SP_AD_PREFIXMAX		16
int			sp_aead_bound(int sealing, uint8_t *out,
						  const uint8_t *in, size_t inlen,
						  const uint8_t *prefix, size_t prefixlen,
						  const uint8_t *ct,
						  const uint8_t nonce[SP_NONCEBYTES],
						  const uint8_t key[SP_AEADKEYBYTES]) SP_WUR;

/* ---- grants ---- */

/*
 * Grant from the delegator (expanded key) to the grantee public key.  x is
 * a random non-zero canonical scalar; not_after is Unix seconds, 0 = never.
 */
int			sp_grant(uint8_t grant[SP_GRANTBYTES], const sp_secret *from,
					 const uint8_t to[SP_PUBLICKEYBYTES], int64_t not_after,
					 const uint8_t x[SP_SCALARBYTES]) SP_WUR;

/* sp_grant, the grantee's key checked through a cache (may be NULL). */
int			sp_grant_cached(uint8_t grant[SP_GRANTBYTES], const sp_secret *from,
							const uint8_t to[SP_PUBLICKEYBYTES], int64_t not_after,
							const uint8_t x[SP_SCALARBYTES],
							sp_keycache *cache) SP_WUR;

/* Full validity (SCHEME.md "Grant"): layout, keys, X, rk, signature. */
int			sp_grant_validate(const uint8_t grant[SP_GRANTBYTES]) SP_WUR;
int			sp_grant_validate_cached(const uint8_t grant[SP_GRANTBYTES],
									 sp_keycache *cache) SP_WUR;

/* not_after field of a grant (0 = no expiry). */
int64_t		sp_grant_not_after(const uint8_t grant[SP_GRANTBYTES]);

/* ---- search tokens ---- */

/* token = BLAKE2b-128(key, DST("token") || word); word already normalised */
int			sp_token(uint8_t token[SP_TOKENBYTES],
					 const uint8_t key[SP_INDEXKEYBYTES],
					 const uint8_t *word, size_t wordlen) SP_WUR;

#endif							/* SP_CORE_H */
