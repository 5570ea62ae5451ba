/*
 * sp_threshold.c - threshold grants (see sp_threshold.h and SCHEME.md,
 * "Threshold grants").  Secrets: the grant's rk, the polynomial's
 * coefficients, the shares rk_i and the proof nonces; all live in fixed
 * stack arrays and are wiped on every path.  Indices, t and n are public.
 */
#include <stdbool.h>
#include <string.h>

#include <sodium.h>

#include "sp_internal.h"
#include "sp_threshold.h"

static const uint8_t share_magic[4] = {'S', 'P', 'T', 'S'};
static const uint8_t partial_magic[4] = {'S', 'P', 'T', 'P'};

/* share offsets (SCHEME.md, "Grant share") */
#define TS_T		5
#define TS_N		6
#define TS_I		7
#define TS_FROM		8
#define TS_TO		72
#define TS_X		136
#define TS_NOTAFTER 168
#define TS_C		176
#define TS_KEYID(t)	(TS_C + 32 * (size_t) (t))
#define TS_BOX(t)	(TS_KEYID(t) + SP_KEYIDBYTES)
#define TS_SIG(t)	(TS_BOX(t) + TS_BOXBYTES)
#define TS_HEAD		5			/* the head H_i: bytes 5 .. 176 + 32t */
#define TS_PLAINBYTES (SP_KEYIDBYTES + SP_DBIDBYTES + SP_SCALARBYTES)
#define TS_BOXBYTES	(crypto_box_SEALBYTES + TS_PLAINBYTES)

/* partial offsets */
#define TP_I		5
#define TP_T		8
#define TP_C		40
#define TP_Z		72

/* the encoding of G, the ristretto255 base point */
static const uint8_t G_bytes[SP_POINTBYTES] = {
	0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61,
	0xc5, 0x00, 0x51, 0x5f, 0x58, 0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd, 0x8d,
	0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76
};

/* ---- small helpers ---- */

static void
scalar_of_int(uint8_t s[SP_SCALARBYTES], int v)
{
	memset(s, 0, SP_SCALARBYTES);
	s[0] = (uint8_t) v;
}

static void
hs_final(uint8_t out[SP_SCALARBYTES], crypto_generichash_state *st)
{
	uint8_t		wide[64];

	crypto_generichash_final(st, wide, sizeof wide);
	crypto_core_ristretto255_scalar_reduce(out, wide);
	sodium_memzero(wide, sizeof wide);
	sodium_memzero(st, sizeof *st);
}

/* H_i: the head of a share (bytes 5 .. 176+32t) with byte 7 set to i. */
static void
hash_head(crypto_generichash_state *st, const uint8_t *share, int i)
{
	uint8_t		idx = (uint8_t) i;
	int			t = share[TS_T];

	crypto_generichash_update(st, share + TS_HEAD, TS_I - TS_HEAD);
	crypto_generichash_update(st, &idx, 1);
	crypto_generichash_update(st, share + TS_FROM, TS_KEYID(t) - TS_FROM);
}

/* c = Hs("dleq", G || B || U_i || T_i || R_1 || R_2 || H_i) */
static void
challenge(uint8_t c[SP_SCALARBYTES], const uint8_t B[SP_POINTBYTES],
		  const uint8_t U[SP_POINTBYTES], const uint8_t T[SP_POINTBYTES],
		  const uint8_t R1[SP_POINTBYTES], const uint8_t R2[SP_POINTBYTES],
		  const uint8_t *share, int i)
{
	crypto_generichash_state st;

	sp_hash_start(&st, "dleq", 64, NULL, 0);
	crypto_generichash_update(&st, G_bytes, SP_POINTBYTES);
	crypto_generichash_update(&st, B, SP_POINTBYTES);
	crypto_generichash_update(&st, U, SP_POINTBYTES);
	crypto_generichash_update(&st, T, SP_POINTBYTES);
	crypto_generichash_update(&st, R1, SP_POINTBYTES);
	crypto_generichash_update(&st, R2, SP_POINTBYTES);
	hash_head(&st, share, i);
	hs_final(c, &st);
}

/* U_i = sum over j of i^j·C_j; SP_EPROOF if a step hits the identity. */
static int
commitment_at(uint8_t U[SP_POINTBYTES], const uint8_t *share, int i)
{
	int			t = share[TS_T];
	uint8_t		pw[SP_SCALARBYTES],
				si[SP_SCALARBYTES],
				term[SP_POINTBYTES];

	memcpy(U, share + TS_C, SP_POINTBYTES);
	scalar_of_int(pw, 1);
	scalar_of_int(si, i);
	for (int j = 1; j < t; j++)
	{
		crypto_core_ristretto255_scalar_mul(pw, pw, si);
		if (crypto_scalarmult_ristretto255(term, pw,
										   share + TS_C + 32 * j) != 0 ||
			crypto_core_ristretto255_add(U, U, term) != 0)
			return SP_EPROOF;
	}
	return sp_point_validate(U) == SP_OK ? SP_OK : SP_EPROOF;
}

/* ---- shares: layout and validity ---- */

int
sp_tshare_check_layout(const uint8_t *share, size_t len)
{
	int			t,
				n,
				i,
				rc;

	if (len < SP_TSHARE_MINBYTES)
		return SP_ELENGTH;
	t = share[TS_T];
	n = share[TS_N];
	i = share[TS_I];
	if ((rc = sp_magic_check(share, share_magic, SP_VERSION)) != SP_OK)
		return rc;
	if (t < 1 || n < t || n > SP_TMAXN || i < 1 || i > n)
		return SP_ETHRESHOLD;
	if (len != SP_TSHAREBYTES(t))
		return SP_ELENGTH;
	return SP_OK;
}

int
sp_tshare_t(const uint8_t *share)
{
	return share[TS_T];
}

int
sp_tshare_n(const uint8_t *share)
{
	return share[TS_N];
}

int
sp_tshare_index(const uint8_t *share)
{
	return share[TS_I];
}

const uint8_t *
sp_tshare_from(const uint8_t *share)
{
	return share + TS_FROM;
}

const uint8_t *
sp_tshare_to(const uint8_t *share)
{
	return share + TS_TO;
}

const uint8_t *
sp_tshare_x(const uint8_t *share)
{
	return share + TS_X;
}

int64_t
sp_tshare_not_after(const uint8_t *share)
{
	return (int64_t) sp_load64_le(share + TS_NOTAFTER);
}

int
sp_tshare_validate(const uint8_t *share, size_t len)
{
	int			rc = sp_tshare_check_layout(share, len);
	int			t;

	if (rc != SP_OK)
		return rc;
	t = share[TS_T];
	if (sp_public_key_validate(share + TS_FROM) != SP_OK ||
		sp_public_key_validate(share + TS_TO) != SP_OK ||
		sp_point_validate(share + TS_X) != SP_OK)
		return SP_EPOINT;
	for (int j = 0; j < t; j++)
		if (sp_point_validate(share + TS_C + 32 * j) != SP_OK)
			return SP_EPOINT;
	/* public keys: plain memcmp is fine */
	if (memcmp(share + TS_FROM, share + TS_TO, SP_PUBLICKEYBYTES) == 0)
		return SP_ESAMEKEY;
	if (crypto_sign_verify_detached(share + TS_SIG(t), share, TS_SIG(t),
									share + TS_FROM + SP_POINTBYTES) != 0)
		return SP_ESIGNATURE;
	return SP_OK;
}

int
sp_tshare_same_grant(const uint8_t *a, size_t alen, const uint8_t *b,
					 size_t blen)
{
	if (alen != blen || sp_tshare_check_layout(a, alen) != SP_OK ||
		sp_tshare_check_layout(b, blen) != SP_OK ||
		a[TS_T] != b[TS_T] || a[TS_N] != b[TS_N] ||
		memcmp(a + TS_FROM, b + TS_FROM, TS_KEYID(a[TS_T]) - TS_FROM) != 0)
		return SP_ETHRESHOLD;
	return SP_OK;
}

/* ---- splitting ---- */

/* The arguments of sp_tshare_split other than the randomness of shares. */
static int
split_check(size_t sharelen, const uint8_t grant[SP_GRANTBYTES],
			const sp_secret *from, int t, int n, const uint8_t *sealkeys,
			const uint8_t *coeffs)
{
	int			rc;

	if (t < 1 || n < t || n > SP_TMAXN)
		return SP_ETHRESHOLD;
	if (sharelen != (size_t) n * SP_TSHAREBYTES(t))
		return SP_ELENGTH;
	if ((rc = sp_grant_validate(grant)) != SP_OK)
		return rc;
	/* public keys: plain memcmp is fine */
	if (memcmp(grant + SP_GR_FROM, from->pk, SP_PUBLICKEYBYTES) != 0)
		return SP_EWRONGKEY;
	for (int i = 0; i < n; i++)
	{
		if ((rc = sp_seal_key_validate(sealkeys + SP_SEALKEYBYTES * i)) != SP_OK)
			return rc;
		for (int j = 0; j < i; j++)
			if (memcmp(sealkeys + SP_SEALKEYBYTES * i + 8,
					   sealkeys + SP_SEALKEYBYTES * j + 8, SP_KEYIDBYTES) == 0)
				return SP_ETHRESHOLD;
	}
	for (int j = 0; j < t - 1; j++)
		if (sp_scalar_validate(coeffs + SP_SCALARBYTES * j) != SP_OK)
			return SP_ERANDOM;
	return SP_OK;
}

/* f(i) by Horner's rule over a_0 = rk, a_1 .. a_(t-1) = coeffs. */
static void
poly_at(uint8_t out[SP_SCALARBYTES], const uint8_t rk[SP_SCALARBYTES],
		const uint8_t *coeffs, int t, int i)
{
	uint8_t		si[SP_SCALARBYTES];

	scalar_of_int(si, i);
	memcpy(out, t > 1 ? coeffs + SP_SCALARBYTES * (t - 2) : rk,
		   SP_SCALARBYTES);
	for (int j = t - 2; j >= 0; j--)
	{
		crypto_core_ristretto255_scalar_mul(out, out, si);
		crypto_core_ristretto255_scalar_add(out, out,
											j > 0 ? coeffs + SP_SCALARBYTES * (j - 1) : rk);
	}
}

/* Share i (1-based) into out, after its head (bytes 0..176+32t) is set. */
static int
split_one(uint8_t *out, const uint8_t rk[SP_SCALARBYTES],
		  const uint8_t *coeffs, int t, int i, const uint8_t *sealkey,
		  const uint8_t *seed, const sp_secret *from)
{
	uint8_t		plain[TS_PLAINBYTES];
	int			rc;

	out[TS_I] = (uint8_t) i;
	memcpy(plain, sealkey + 8, SP_KEYIDBYTES);
	memcpy(plain + SP_KEYIDBYTES, sealkey + 8 + SP_KEYIDBYTES +
		   SP_SERVER_PUBLICBYTES, SP_DBIDBYTES);
	poly_at(plain + SP_KEYIDBYTES + SP_DBIDBYTES, rk, coeffs, t, i);
	rc = sodium_is_zero(plain + SP_KEYIDBYTES + SP_DBIDBYTES, SP_SCALARBYTES)
		? SP_ERANDOM : SP_OK;
	memcpy(out + TS_KEYID(t), sealkey + 8, SP_KEYIDBYTES);
	if (rc == SP_OK)
		rc = sp_seal_box(out + TS_BOX(t), plain, sizeof plain,
						 sealkey + 8 + SP_KEYIDBYTES, seed);
	if (rc == SP_OK)
		crypto_sign_detached(out + TS_SIG(t), NULL, out, TS_SIG(t),
							 from->sign_sk);
	sodium_memzero(plain, sizeof plain);
	return rc;
}

int
sp_tshare_split(uint8_t *shares, size_t sharelen,
				const uint8_t grant[SP_GRANTBYTES], const sp_secret *from,
				int t, int n, const uint8_t *sealkeys, const uint8_t *coeffs,
				const uint8_t *seeds)
{
	size_t		one = SP_TSHAREBYTES(t);
	uint8_t		head[TS_C + 32 * SP_TMAXN];
	int			rc = split_check(sharelen, grant, from, t, n, sealkeys, coeffs);

	if (rc != SP_OK)
		return rc;
	memset(head, 0, sizeof head);
	memcpy(head, share_magic, sizeof share_magic);
	head[4] = SP_VERSION;
	head[TS_T] = (uint8_t) t;
	head[TS_N] = (uint8_t) n;
	/* from, to, X are contiguous in the grant too; not_after follows rk */
	memcpy(head + TS_FROM, grant + SP_GR_FROM, TS_NOTAFTER - TS_FROM);
	memcpy(head + TS_NOTAFTER, grant + SP_GR_NOTAFTER, 8);
	if (crypto_scalarmult_ristretto255_base(head + TS_C, grant + SP_GR_RK) != 0)
		rc = SP_ESCALAR;
	for (int j = 1; j < t && rc == SP_OK; j++)
		if (crypto_scalarmult_ristretto255_base(head + TS_C + 32 * j,
												coeffs + SP_SCALARBYTES * (j - 1)) != 0)
			rc = SP_ERANDOM;
	for (int i = 1; i <= n && rc == SP_OK; i++)
	{
		memcpy(shares + one * (i - 1), head, TS_KEYID(t));
		rc = split_one(shares + one * (i - 1), grant + SP_GR_RK, coeffs, t, i,
					   sealkeys + SP_SEALKEYBYTES * (i - 1),
					   seeds + SP_SEALSEEDBYTES * (i - 1), from);
	}
	if (rc != SP_OK)
		sodium_memzero(shares, sharelen);
	return rc;
}

/* ---- opening ---- */

int
sp_tshare_open(uint8_t rk_i[SP_SCALARBYTES], const uint8_t *share,
			   size_t len, const uint8_t sk[SP_SERVER_SECRETBYTES],
			   const uint8_t dbid[SP_DBIDBYTES])
{
	int			rc = sp_tshare_check_layout(share, len);

	if (rc != SP_OK)
	{
		sodium_memzero(rk_i, SP_SCALARBYTES);
		return rc;
	}
	return sp_tshare_open_sealed(rk_i, share, len, sp_tshare_sealed(share),
								 sk, dbid);
}

const uint8_t *
sp_tshare_sealed(const uint8_t *share)
{
	return share + TS_KEYID(share[TS_T]);
}

int
sp_tshare_open_sealed(uint8_t rk_i[SP_SCALARBYTES], const uint8_t *share,
					  size_t len, const uint8_t sealed[SP_TSEALBYTES],
					  const uint8_t sk[SP_SERVER_SECRETBYTES],
					  const uint8_t dbid[SP_DBIDBYTES])
{
	uint8_t		pk[SP_SERVER_PUBLICBYTES],
				keyid[SP_KEYIDBYTES],
				plain[TS_PLAINBYTES],
				U[SP_POINTBYTES],
				V[SP_POINTBYTES];
	int			rc = sp_tshare_validate(share, len);

	if (rc == SP_OK)
		rc = sp_server_public(pk, keyid, sk);
	if (rc == SP_OK && sodium_memcmp(keyid, sealed, SP_KEYIDBYTES) != 0)
		rc = SP_EWRONGKEY;
	if (rc == SP_OK &&
		crypto_box_seal_open(plain, sealed + SP_KEYIDBYTES, TS_BOXBYTES, pk, sk) != 0)
		rc = SP_EDECRYPT;
	if (rc == SP_OK &&
		(sodium_memcmp(plain, keyid, SP_KEYIDBYTES) != 0 ||
		 sodium_memcmp(plain + SP_KEYIDBYTES, dbid, SP_DBIDBYTES) != 0))
		rc = SP_EDATABASE;
	if (rc == SP_OK)
		rc = sp_scalar_validate(plain + SP_KEYIDBYTES + SP_DBIDBYTES);
	if (rc == SP_OK &&
		(crypto_scalarmult_ristretto255_base(V, plain + SP_KEYIDBYTES +
											 SP_DBIDBYTES) != 0 ||
		 commitment_at(U, share, share[TS_I]) != SP_OK ||
		 sodium_memcmp(U, V, SP_POINTBYTES) != 0))
		rc = SP_ESHARE;
	if (rc == SP_OK)
		memcpy(rk_i, plain + SP_KEYIDBYTES + SP_DBIDBYTES, SP_SCALARBYTES);
	else
		sodium_memzero(rk_i, SP_SCALARBYTES);
	sodium_memzero(plain, sizeof plain);
	return rc;
}

int
sp_tshare_reseal(uint8_t sealed[SP_TSEALBYTES],
				 const uint8_t rk_i[SP_SCALARBYTES], const uint8_t *sealkey,
				 const uint8_t seed[SP_SEALSEEDBYTES])
{
	uint8_t		plain[TS_PLAINBYTES];
	int			rc = sp_seal_key_validate(sealkey);

	memset(sealed, 0, SP_TSEALBYTES);
	if (rc == SP_OK)
		rc = sp_scalar_validate(rk_i);
	if (rc != SP_OK)
		return rc;
	memcpy(plain, sealkey + 8, SP_KEYIDBYTES);
	memcpy(plain + SP_KEYIDBYTES, sealkey + 8 + SP_KEYIDBYTES +
		   SP_SERVER_PUBLICBYTES, SP_DBIDBYTES);
	memcpy(plain + SP_KEYIDBYTES + SP_DBIDBYTES, rk_i, SP_SCALARBYTES);
	memcpy(sealed, sealkey + 8, SP_KEYIDBYTES);
	rc = sp_seal_box(sealed + SP_KEYIDBYTES, plain, sizeof plain,
					 sealkey + 8 + SP_KEYIDBYTES, seed);
	if (rc != SP_OK)
		sodium_memzero(sealed, SP_TSEALBYTES);
	sodium_memzero(plain, sizeof plain);
	return rc;
}

/* ---- partials ---- */

int
sp_tpartial_index(const uint8_t partial[SP_TPARTIALBYTES])
{
	return partial[TP_I];
}

/* k = Hs("tnonce", rk_i || rho || B || H_i) */
static void
proof_nonce(uint8_t k[SP_SCALARBYTES], const uint8_t rk_i[SP_SCALARBYTES],
			const uint8_t rho[SP_TRHOBYTES], const uint8_t B[SP_POINTBYTES],
			const uint8_t *share)
{
	crypto_generichash_state st;

	sp_hash_start(&st, "tnonce", 64, NULL, 0);
	crypto_generichash_update(&st, rk_i, SP_SCALARBYTES);
	crypto_generichash_update(&st, rho, SP_TRHOBYTES);
	crypto_generichash_update(&st, B, SP_POINTBYTES);
	hash_head(&st, share, share[TS_I]);
	hs_final(k, &st);
}

/* T_i, R_1, R_2, c and z of a partial (steps 2-6); out laid out by caller. */
static int
prove(uint8_t *out, const uint8_t *share, const uint8_t rk_i[SP_SCALARBYTES],
	  const uint8_t B[SP_POINTBYTES], const uint8_t rho[SP_TRHOBYTES])
{
	uint8_t		k[SP_SCALARBYTES],
				U[SP_POINTBYTES],
				R1[SP_POINTBYTES],
				R2[SP_POINTBYTES];
	int			rc = SP_OK;

	proof_nonce(k, rk_i, rho, B, share);
	if (crypto_scalarmult_ristretto255(out + TP_T, rk_i, B) != 0 ||
		crypto_scalarmult_ristretto255_base(U, rk_i) != 0 ||
		crypto_scalarmult_ristretto255_base(R1, k) != 0 ||
		crypto_scalarmult_ristretto255(R2, k, B) != 0)
		rc = SP_ERANDOM;
	if (rc == SP_OK)
	{
		challenge(out + TP_C, B, U, out + TP_T, R1, R2, share, share[TS_I]);
		crypto_core_ristretto255_scalar_mul(out + TP_Z, out + TP_C, rk_i);
		crypto_core_ristretto255_scalar_add(out + TP_Z, out + TP_Z, k);
		if (sodium_is_zero(out + TP_C, SP_SCALARBYTES) ||
			sodium_is_zero(out + TP_Z, SP_SCALARBYTES))
			rc = SP_ERANDOM;
	}
	sodium_memzero(k, sizeof k);
	return rc;
}

int
sp_tpartial(uint8_t partial[SP_TPARTIALBYTES], const uint8_t *share,
			size_t sharelen, const uint8_t rk_i[SP_SCALARBYTES],
			const uint8_t *ct, size_t ctlen, const uint8_t rho[SP_TRHOBYTES])
{
	uint8_t		B[SP_POINTBYTES];
	int			rc;

	memset(partial, 0, SP_TPARTIALBYTES);
	if ((rc = sp_tshare_check_layout(share, sharelen)) != SP_OK ||
		(rc = sp_scalar_validate(rk_i)) != SP_OK ||
		(rc = sp_ciphertext_validate(ct, ctlen)) != SP_OK ||
		(rc = sp_hop_base_for(B, ct, share + TS_FROM)) != SP_OK)
		return rc;
	memcpy(partial, partial_magic, sizeof partial_magic);
	partial[4] = SP_VERSION;
	partial[TP_I] = share[TS_I];
	rc = prove(partial, share, rk_i, B, rho);
	if (rc != SP_OK)
		sodium_memzero(partial, SP_TPARTIALBYTES);
	return rc;
}

int
sp_tpartial_check(const uint8_t partial[SP_TPARTIALBYTES])
{
	int			rc = sp_magic_check(partial, partial_magic, SP_VERSION);

	if (rc != SP_OK)
		return rc;
	if (partial[6] != 0 || partial[7] != 0)
		return SP_ERESERVED;
	if (partial[TP_I] < 1 || partial[TP_I] > SP_TMAXN)
		return SP_ETHRESHOLD;
	if (sp_point_validate(partial + TP_T) != SP_OK)
		return SP_EPOINT;
	if (sp_scalar_validate(partial + TP_C) != SP_OK ||
		sp_scalar_validate(partial + TP_Z) != SP_OK)
		return SP_ESCALAR;
	return SP_OK;
}

/* sp_tpartial_check, and its index at most the n of a laid-out share. */
static int
partial_check(const uint8_t partial[SP_TPARTIALBYTES], const uint8_t *share)
{
	int			rc = sp_tpartial_check(partial);

	if (rc == SP_OK && partial[TP_I] > share[TS_N])
		rc = SP_ETHRESHOLD;
	return rc;
}

/* The proof of a checked partial for B against a valid share. */
static int
proof_verify(const uint8_t partial[SP_TPARTIALBYTES], const uint8_t *share,
			 const uint8_t B[SP_POINTBYTES])
{
	int			i = partial[TP_I];
	uint8_t		U[SP_POINTBYTES],
				zG[SP_POINTBYTES],
				cU[SP_POINTBYTES],
				zB[SP_POINTBYTES],
				cT[SP_POINTBYTES],
				R1[SP_POINTBYTES],
				R2[SP_POINTBYTES],
				c[SP_SCALARBYTES];

	if (commitment_at(U, share, i) != SP_OK ||
		crypto_scalarmult_ristretto255_base(zG, partial + TP_Z) != 0 ||
		crypto_scalarmult_ristretto255(cU, partial + TP_C, U) != 0 ||
		crypto_scalarmult_ristretto255(zB, partial + TP_Z, B) != 0 ||
		crypto_scalarmult_ristretto255(cT, partial + TP_C, partial + TP_T) != 0 ||
		crypto_core_ristretto255_sub(R1, zG, cU) != 0 ||
		crypto_core_ristretto255_sub(R2, zB, cT) != 0)
		return SP_EPROOF;
	challenge(c, B, U, partial + TP_T, R1, R2, share, i);
	/* public values: plain memcmp is fine */
	return memcmp(c, partial + TP_C, SP_SCALARBYTES) == 0 ? SP_OK : SP_EPROOF;
}

/*
 * The share and ciphertext checks common to verify and combine, and B; the
 * share's full validity is skipped when the caller has checked it already
 * (share_valid: sp_tcombine_validated).
 */
static int
statement(uint8_t B[SP_POINTBYTES], const uint8_t *share, size_t sharelen,
		  const uint8_t *ct, size_t ctlen, bool share_valid)
{
	int			rc;

	if ((!share_valid && (rc = sp_tshare_validate(share, sharelen)) != SP_OK) ||
		(rc = sp_ciphertext_check_layout(ct, ctlen)) != SP_OK)
		return rc;
	return sp_hop_base_for(B, ct, share + TS_FROM);
}

int
sp_tpartial_verify(const uint8_t partial[SP_TPARTIALBYTES],
				   const uint8_t *share, size_t sharelen,
				   const uint8_t *ct, size_t ctlen)
{
	uint8_t		B[SP_POINTBYTES];
	int			rc;

	if ((rc = sp_tshare_check_layout(share, sharelen)) != SP_OK ||
		(rc = partial_check(partial, share)) != SP_OK ||
		(rc = statement(B, share, sharelen, ct, ctlen, false)) != SP_OK)
		return rc;
	return proof_verify(partial, share, B);
}

/* lambda_i = prod over j in I, j != i of j·(j - i)^-1 (indices public). */
static void
lagrange(uint8_t l[SP_SCALARBYTES], const uint8_t *partials, int m, int k)
{
	uint8_t		si[SP_SCALARBYTES],
				sj[SP_SCALARBYTES],
				d[SP_SCALARBYTES];

	scalar_of_int(l, 1);
	scalar_of_int(si, partials[SP_TPARTIALBYTES * k + TP_I]);
	for (int j = 0; j < m; j++)
	{
		if (j == k)
			continue;
		scalar_of_int(sj, partials[SP_TPARTIALBYTES * j + TP_I]);
		crypto_core_ristretto255_scalar_sub(d, sj, si);
		/* distinct indices: d != 0 */
		(void) crypto_core_ristretto255_scalar_invert(d, d);
		crypto_core_ristretto255_scalar_mul(d, d, sj);
		crypto_core_ristretto255_scalar_mul(l, l, d);
	}
}

/*
 * sp_tcombine; share_valid: the caller validated the share (see statement);
 * verify: check every partial's proof (false: sp_tcombine_unverified).
 */
static int
combine(uint8_t *out, size_t outlen, const uint8_t *ct, size_t ctlen,
		const uint8_t *share, size_t sharelen, const uint8_t *partials,
		int npartials, bool share_valid, bool verify)
{
	uint8_t		B[SP_POINTBYTES],
				T[SP_POINTBYTES],
				term[SP_POINTBYTES],
				l[SP_SCALARBYTES];
	const uint8_t *p;
	int			rc;

	if ((rc = sp_tshare_check_layout(share, sharelen)) != SP_OK ||
		(rc = sp_ciphertext_check_layout(ct, ctlen)) != SP_OK)
		return rc;
	if (outlen != ctlen + SP_HOPBYTES)
		return SP_ELENGTH;
	if (npartials != share[TS_T])
		return SP_ETHRESHOLD;
	for (int k = 0; k < npartials; k++)
	{
		p = partials + SP_TPARTIALBYTES * k;
		if ((rc = partial_check(p, share)) != SP_OK)
			return rc;
		for (int j = 0; j < k; j++)
			if (partials[SP_TPARTIALBYTES * j + TP_I] == p[TP_I])
				return SP_ETHRESHOLD;
	}
	if ((rc = statement(B, share, sharelen, ct, ctlen, share_valid)) != SP_OK)
		return rc;
	for (int k = 0; k < npartials && rc == SP_OK; k++)
	{
		p = partials + SP_TPARTIALBYTES * k;
		if (verify && (rc = proof_verify(p, share, B)) != SP_OK)
			break;
		lagrange(l, partials, npartials, k);
		if (crypto_scalarmult_ristretto255(term, l, p + TP_T) != 0)
			rc = SP_EPROOF;
		else if (k == 0)
			memcpy(T, term, SP_POINTBYTES);
		else if (crypto_core_ristretto255_add(T, T, term) != 0)
			rc = SP_EPROOF;
	}
	if (rc == SP_OK && sp_point_validate(T) != SP_OK)
		rc = SP_EPROOF;
	if (rc == SP_OK)
		sp_hop_append(out, ct, ctlen, share + TS_TO, share + TS_X, T);
	return rc;
}

int
sp_tcombine(uint8_t *out, size_t outlen, const uint8_t *ct, size_t ctlen,
			const uint8_t *share, size_t sharelen, const uint8_t *partials,
			int npartials)
{
	return combine(out, outlen, ct, ctlen, share, sharelen, partials,
				   npartials, false, true);
}

int
sp_tcombine_validated(uint8_t *out, size_t outlen, const uint8_t *ct,
					  size_t ctlen, const uint8_t *share, size_t sharelen,
					  const uint8_t *partials, int npartials)
{
	return combine(out, outlen, ct, ctlen, share, sharelen, partials,
				   npartials, true, true);
}

int
sp_tcombine_unverified(uint8_t *out, size_t outlen, const uint8_t *ct,
					   size_t ctlen, const uint8_t *share, size_t sharelen,
					   const uint8_t *partials, int npartials)
{
	return combine(out, outlen, ct, ctlen, share, sharelen, partials,
				   npartials, true, false);
}
