/*
 * sp_threshold.h - threshold grants (docs/SCHEME.md, "Threshold grants"):
 * a grant's scalar rk split t-of-n with Shamir into grant shares (each
 * sealed to one holder's server key, with Feldman commitments, signed by
 * the delegator), partial hops T_i = rk_i·B with a Chaum-Pedersen proof,
 * and their combination into a v1 hop record.  Pure C over libsodium;
 * randomness is passed in; secret intermediates are wiped.
 */
#ifndef SP_THRESHOLD_H
#define SP_THRESHOLD_H

#include "sp_core.h"
#include "sp_seal.h"

#define SP_TMAXN			16	/* largest n (and so t) */
/* a grant share: 352 + 32·t bytes */
#define SP_TSHAREBYTES(t)	(352 + 32 * (size_t) (t))
#define SP_TSHARE_MINBYTES	SP_TSHAREBYTES(1)
#define SP_TSHARE_MAXBYTES	SP_TSHAREBYTES(SP_TMAXN)
#define SP_TPARTIALBYTES	104 /* "SPTP" 01 i 00 00 | T_i | c | z */
#define SP_TRHOBYTES		32	/* the caller's randomness for a proof nonce */
#define SP_TSEALBYTES		112 /* a share's sealed part: key id (8) | box (104) */

/*
 * Layout check of a grant share: at least 384 bytes, magic, version,
 * 1 <= t <= n <= 16 and 1 <= i <= n (SP_ETHRESHOLD), then length exactly
 * 352 + 32·t (SP_ELENGTH).
 */
int			sp_tshare_check_layout(const uint8_t *share, size_t len) SP_WUR;

/* t, n and i of a share that passed the layout check. */
int			sp_tshare_t(const uint8_t *share);
int			sp_tshare_n(const uint8_t *share);
int			sp_tshare_index(const uint8_t *share);

/*
 * The grant header of a share that passed the layout check: its from and
 * to public keys (SP_PUBLICKEYBYTES), its hop key X (SP_POINTBYTES) and
 * its not_after (Unix seconds, 0 = none).
 */
const uint8_t *sp_tshare_from(const uint8_t *share);
const uint8_t *sp_tshare_to(const uint8_t *share);
const uint8_t *sp_tshare_x(const uint8_t *share);
int64_t		sp_tshare_not_after(const uint8_t *share);

/*
 * Full public validity: layout; from and to valid keys, X and every
 * commitment valid non-identity points (SP_EPOINT); from != to
 * (SP_ESAMEKEY); the delegator's signature (SP_ESIGNATURE).
 */
int			sp_tshare_validate(const uint8_t *share, size_t len) SP_WUR;

/*
 * SP_OK if two valid shares belong to the same threshold grant (equal t,
 * n, from, to, X, not_after and commitments), else SP_ETHRESHOLD.
 */
int			sp_tshare_same_grant(const uint8_t *a, size_t alen,
								 const uint8_t *b, size_t blen) SP_WUR;

/*
 * Split a valid grant from the delegator `from` into n shares, t-of-n,
 * written one after another into shares (n · SP_TSHAREBYTES(t) bytes,
 * sharelen).  sealkeys: n sealing keys (64 bytes each, distinct key ids),
 * share i sealed to the i-th; coeffs: t - 1 random non-zero canonical
 * scalars (NULL when t = 1); seeds: n random 32-byte ephemeral seeds.
 * SP_ERANDOM if a coefficient is unusable or a share comes out zero (draw
 * again).  Nothing is left in shares on error.
 */
int			sp_tshare_split(uint8_t *shares, size_t sharelen,
							const uint8_t grant[SP_GRANTBYTES],
							const sp_secret *from, int t, int n,
							const uint8_t *sealkeys, const uint8_t *coeffs,
							const uint8_t *seeds) SP_WUR;

/*
 * Open share i with holder i's server secret key for its database: public
 * validity, then SP_EWRONGKEY (sealed to another server key), SP_EDECRYPT
 * (does not open), SP_EDATABASE (for another database), SP_ESCALAR,
 * SP_ESHARE (rk_i·G is not the commitments' U_i).  rk_i is wiped on error.
 */
int			sp_tshare_open(uint8_t rk_i[SP_SCALARBYTES],
						   const uint8_t *share, size_t len,
						   const uint8_t sk[SP_SERVER_SECRETBYTES],
						   const uint8_t dbid[SP_DBIDBYTES]) SP_WUR;

/*
 * The sealed part of a share that passed the layout check: the key id of
 * its holder's server key and the sealed box of rk_i (SP_TSEALBYTES).
 */
const uint8_t *sp_tshare_sealed(const uint8_t *share);

/*
 * sp_tshare_open with the sealed part taken from `sealed` (SP_TSEALBYTES)
 * instead of the share's own: the holder's re-seal of rk_i after a server
 * key rotation (sp_tshare_reseal).  The share's public validity (its
 * signature covers its own sealed part) and rk_i·G = U_i are checked as
 * in sp_tshare_open, so a re-seal cannot carry another scalar.
 */
int			sp_tshare_open_sealed(uint8_t rk_i[SP_SCALARBYTES],
								  const uint8_t *share, size_t len,
								  const uint8_t sealed[SP_TSEALBYTES],
								  const uint8_t sk[SP_SERVER_SECRETBYTES],
								  const uint8_t dbid[SP_DBIDBYTES]) SP_WUR;

/*
 * A holder's re-seal of its opened rk_i to a sealing key (SP_SEALKEYBYTES,
 * its new server key and database identity), laid out as a share's sealed
 * part: the key id, then a sealed box of key id | database identity | rk_i
 * made as sp_tshare_split makes it.  seed: 32 random bytes.
 */
int			sp_tshare_reseal(uint8_t sealed[SP_TSEALBYTES],
							 const uint8_t rk_i[SP_SCALARBYTES],
							 const uint8_t *sealkey,
							 const uint8_t seed[SP_SEALSEEDBYTES]) SP_WUR;

/*
 * The partial of an opened share (rk_i from sp_tshare_open) for a
 * ciphertext: ct must be fully valid (capsule included), its current
 * recipient the share's from, its level below 16.  At level >= 2 the
 * caller must know that ct's last hop is one of its own grants (the core
 * cannot).  rho: 32 caller-supplied random bytes, mixed into the
 * deterministic nonce (any value is safe).
 */
int			sp_tpartial(uint8_t partial[SP_TPARTIALBYTES],
						const uint8_t *share, size_t sharelen,
						const uint8_t rk_i[SP_SCALARBYTES],
						const uint8_t *ct, size_t ctlen,
						const uint8_t rho[SP_TRHOBYTES]) SP_WUR;

/*
 * Verify a partial for ct against any valid share of its grant: layout
 * (SP_ELENGTH is never returned: the size is fixed), index (SP_ETHRESHOLD),
 * T_i (SP_EPOINT), c and z (SP_ESCALAR), the share (sp_tshare_validate),
 * ct's recipient and level (as sp_reencrypt), then the proof (SP_EPROOF).
 */
int			sp_tpartial_verify(const uint8_t partial[SP_TPARTIALBYTES],
							   const uint8_t *share, size_t sharelen,
							   const uint8_t *ct, size_t ctlen) SP_WUR;

/*
 * The checks of a partial that need no share: magic, version, reserved
 * bytes, 1 <= i <= 16 (SP_ETHRESHOLD), T_i a valid non-identity point
 * (SP_EPOINT), c and z canonical and non-zero (SP_ESCALAR).
 */
int			sp_tpartial_check(const uint8_t partial[SP_TPARTIALBYTES]) SP_WUR;

/* Index i of a partial (its byte 5; check the partial first). */
int			sp_tpartial_index(const uint8_t partial[SP_TPARTIALBYTES]);

/*
 * Combine exactly t partials (npartials · 104 bytes, distinct indices,
 * each verified here) for ct into out (ctlen + SP_HOPBYTES bytes): the
 * v1 re-encryption of ct by the unsplit grant, byte for byte.
 */
int			sp_tcombine(uint8_t *out, size_t outlen,
						const uint8_t *ct, size_t ctlen,
						const uint8_t *share, size_t sharelen,
						const uint8_t *partials, int npartials) SP_WUR;

/*
 * sp_tcombine for a share that the caller has found valid with
 * sp_tshare_validate (these very bytes, unchanged since): every check of
 * sp_tcombine but the share's points and signature, so that a batch of
 * ciphertexts of one grant pays for them once.  Every partial's proof is
 * verified as in sp_tcombine.
 */
int			sp_tcombine_validated(uint8_t *out, size_t outlen,
								  const uint8_t *ct, size_t ctlen,
								  const uint8_t *share, size_t sharelen,
								  const uint8_t *partials, int npartials) SP_WUR;

/*
 * sp_tcombine_validated WITHOUT the partials' proofs: every structural
 * check (exactly t partials, distinct indices at most n, magic, T_i valid
 * points, c and z canonical; ct's recipient and level; the sum a valid
 * point) and the Lagrange combination only.  A wrong partial then gives a
 * hop whose value fails its AEAD at the client, never a wrong value; the
 * caller must re-read with sp_tcombine_validated when a client reports
 * that failure (docs/THRESHOLD.md, "What is checked, where, when").
 */
int			sp_tcombine_unverified(uint8_t *out, size_t outlen,
								   const uint8_t *ct, size_t ctlen,
								   const uint8_t *share, size_t sharelen,
								   const uint8_t *partials, int npartials) SP_WUR;

#endif							/* SP_THRESHOLD_H */
