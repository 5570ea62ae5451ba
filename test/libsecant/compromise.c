/*
 * compromise.c - the compromise test of threshold grants (docs/SCHEME.md,
 * "Threshold grants", the promise), over the public API of libsecant-pre
 * only (plus libsodium for the attacker's own arithmetic).  Built and run
 * by test/libsecant/run.sh against the installed library.
 *
 * The world: a chain group -> user -> two devices; each grant split 2-of-3
 * among three holders H1, H2, H3.  Record R1 is encrypted to the group and
 * re-encrypted (threshold) to device 1 before the user is revoked; record
 * R2 is encrypted to the group after it (the holders dropped the user's
 * shares; a dump taken before still has them).
 *
 * The attacker holds what holder H1's server key and a dump give (H1's
 * sealed shares of every grant, opened with H1's key), every device key,
 * every public value and R1 at every level.  It runs the v1 recovery
 * arithmetic: a device's d of each grant it received, the d of its
 * user's incoming grant learnt while decrypting R1, every interpolation
 * of the shares it holds (and a single share weighted by every Lagrange
 * coefficient it could carry), every product of two of these scalars, and
 * the cascade device -> user -> group (a candidate user secret gives a
 * candidate d of the group's grant, times every known scalar).  It must
 * find no delegator secret and no rk (compared with the real ones), and
 * R2 must not open: not under any candidate group secret, nor through a
 * forged hop T = c·(E+V) for any candidate c followed by an honest hop to
 * device 1 (more help than the holders give after the revocation).
 *
 * Positive control: the same attack with H1's and H2's dumps recovers
 * the group's rk, the group's secret and the user's, and opens R2 both
 * ways; so the test can fail.
 *
 * Randomness from a printed seed (SP_COMPROMISE_SEED=hex to repeat).
 * Output: "ok - ..." / "not ok - ..." and "N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <secant_pre.h>

/* share offsets (SCHEME.md, "Grant share"): X and the commitment C_0 */
#define TS_X		136
#define TS_C0		176

#define NHOLDERS	3
#define T			2
#define NGRANTS		3			/* group->user, user->device 1, user->device 2 */
#define SHAREBYTES	SP_TSHAREBYTES(T)
#define MAXS		64			/* known scalars */
#define MAXK		(MAXS * (MAXS + 1) / 2)

static int	passed,
			failed;

static void
check(int ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	if (ok)
		passed++;
	else
		failed++;
}

/* ---- randomness from a printed seed ---- */

static uint8_t stream[randombytes_SEEDBYTES];

static void
rnd(uint8_t *buf, size_t len)
{
	randombytes_buf_deterministic(buf, len, stream);
	crypto_generichash(stream, sizeof stream, stream, sizeof stream, NULL, 0);
}

static void
rnd_scalar(uint8_t s[32])
{
	uint8_t		wide[64];

	do
	{
		rnd(wide, sizeof wide);
		crypto_core_ristretto255_scalar_reduce(s, wide);
	} while (sodium_is_zero(s, 32));
}

/* ---- the world ---- */

typedef struct holder
{
	uint8_t		sk[SP_SERVER_SECRETBYTES],
				dbid[SP_DBIDBYTES],
				sealkey[SP_SEALKEYBYTES];
} holder;

enum
{
	GROUP, USER, DEV1, DEV2, NKEYS
};
enum
{
	GU, UD1, UD2
};

static holder holders[NHOLDERS];
static sp_secret keys[NKEYS];
static uint8_t grants[NGRANTS][SP_GRANTBYTES];	/* the real rk: for comparing only */
static uint8_t shares[NGRANTS][NHOLDERS][SHAREBYTES];
static const char note1[] = "R1: before the revocation";
static const char note2[] = "R2: after the revocation";
static uint8_t *r1[4],
		   *r2;					/* R1 at levels 1..3, R2 at level 1 */
static size_t r1len[4],
			r2len;

static uint8_t *
encrypt(size_t *len, const uint8_t pk[SP_PUBLICKEYBYTES], const char *m)
{
	uint8_t		r[32],
				u[32],
				nonce[SP_NONCEBYTES];
	uint8_t    *ct;

	*len = sp_ciphertext_bytes(1, 0, strlen(m));
	ct = malloc(*len);
	rnd_scalar(r);
	rnd_scalar(u);
	rnd(nonce, sizeof nonce);
	if (ct == NULL || sp_encrypt(ct, *len, pk, (const uint8_t *) m, strlen(m),
								 NULL, 0, r, u, nonce) != SP_OK)
		abort();
	return ct;
}

/* The honest hop of grant g by holders a and b (0-based) into a new value. */
static uint8_t *
threshold_hop(size_t *outlen, int g, int a, int b, const uint8_t *ct,
			  size_t ctlen)
{
	uint8_t		partials[2 * SP_TPARTIALBYTES],
				rk_i[32],
				rho[32];
	uint8_t    *out = malloc(ctlen + SP_HOPBYTES);
	int			who[2] = {a, b};
	int			rc = out ? SP_OK : SP_ENOMEM;

	for (int k = 0; k < 2 && rc == SP_OK; k++)
	{
		rnd(rho, sizeof rho);
		rc = sp_tshare_open(rk_i, shares[g][who[k]], SHAREBYTES,
							holders[who[k]].sk, holders[who[k]].dbid);
		if (rc == SP_OK)
			rc = sp_tpartial(partials + SP_TPARTIALBYTES * k, shares[g][who[k]],
							 SHAREBYTES, rk_i, ct, ctlen, rho);
	}
	if (rc == SP_OK)
		rc = sp_tcombine(out, ctlen + SP_HOPBYTES, ct, ctlen, shares[g][a],
						 SHAREBYTES, partials, 2);
	sodium_memzero(rk_i, sizeof rk_i);
	if (rc != SP_OK)
	{
		free(out);
		return NULL;
	}
	*outlen = ctlen + SP_HOPBYTES;
	return out;
}

static void
make_world(void)
{
	static const int from[NGRANTS] = {GROUP, USER, USER};
	static const int to[NGRANTS] = {USER, DEV1, DEV2};
	uint8_t		seed[SP_SEEDBYTES],
				x[32],
				coeffs[32],
				seeds[NHOLDERS * SP_SEALSEEDBYTES],
				sealkeys[NHOLDERS * SP_SEALKEYBYTES],
				pk[SP_SERVER_PUBLICBYTES],
				id[SP_KEYIDBYTES],
				all[NHOLDERS * SHAREBYTES];

	for (int h = 0; h < NHOLDERS; h++)
	{
		rnd(holders[h].sk, SP_SERVER_SECRETBYTES);
		rnd(holders[h].dbid, SP_DBIDBYTES);
		if (sp_server_public(pk, id, holders[h].sk) != SP_OK)
			abort();
		sp_seal_key(holders[h].sealkey, pk, holders[h].dbid);
		memcpy(sealkeys + SP_SEALKEYBYTES * h, holders[h].sealkey, SP_SEALKEYBYTES);
	}
	for (int k = 0; k < NKEYS; k++)
	{
		rnd(seed, sizeof seed);
		if (sp_secret_expand(&keys[k], seed) != SP_OK)
			abort();
	}
	for (int g = 0; g < NGRANTS; g++)
	{
		rnd_scalar(x);
		rnd_scalar(coeffs);
		rnd(seeds, sizeof seeds);
		if (sp_grant(grants[g], &keys[from[g]], keys[to[g]].pk, 0, x) != SP_OK ||
			sp_tshare_split(all, sizeof all, grants[g], &keys[from[g]], T,
							NHOLDERS, sealkeys, coeffs, seeds) != SP_OK)
			abort();
		for (int h = 0; h < NHOLDERS; h++)
			memcpy(shares[g][h], all + SHAREBYTES * h, SHAREBYTES);
	}
	/* R1 reaches device 1 through H1+H2, then H2+H3; R2 stays at level 1 */
	r1[1] = encrypt(&r1len[1], keys[GROUP].pk, note1);
	r1[2] = threshold_hop(&r1len[2], GU, 0, 1, r1[1], r1len[1]);
	r1[3] = r1[2] ? threshold_hop(&r1len[3], UD1, 1, 2, r1[2], r1len[2]) : NULL;
	r2 = encrypt(&r2len, keys[GROUP].pk, note2);
	if (r1[3] == NULL)
		abort();
}

/* ---- the attacker's arithmetic (libsodium only) ---- */

typedef struct knowledge
{
	int			n;
	uint8_t		s[MAXS][32];
} knowledge;

static void
add(knowledge *k, const uint8_t s[32])
{
	if (k->n == MAXS)
		abort();
	memcpy(k->s[k->n++], s, 32);
}

static void
scalar_of_int(uint8_t s[32], int v)
{
	memset(s, 0, 32);
	s[0] = (uint8_t) v;
}

/* d = Hs("delegate", X || P || dh) (SCHEME.md, "Grant") */
static void
delegate(uint8_t d[32], const uint8_t X[32], const uint8_t P[32],
		 const uint8_t dh[32])
{
	static const char dst[] = "secant-pre/v1/delegate";
	crypto_generichash_state st;
	uint8_t		wide[64];

	crypto_generichash_init(&st, NULL, 0, sizeof wide);
	crypto_generichash_update(&st, (const uint8_t *) dst, sizeof dst);	/* with its 0 */
	crypto_generichash_update(&st, X, 32);
	crypto_generichash_update(&st, P, 32);
	crypto_generichash_update(&st, dh, 32);
	crypto_generichash_final(&st, wide, sizeof wide);
	crypto_core_ristretto255_scalar_reduce(d, wide);
}

/* lambda of index i over the index set I (1-based indices) */
static void
lagrange(uint8_t l[32], int i, const int *I, int m)
{
	uint8_t		si[32],
				sj[32],
				q[32];

	scalar_of_int(l, 1);
	scalar_of_int(si, i);
	for (int k = 0; k < m; k++)
	{
		if (I[k] == i)
			continue;
		scalar_of_int(sj, I[k]);
		crypto_core_ristretto255_scalar_sub(q, sj, si);
		if (crypto_core_ristretto255_scalar_invert(q, q) != 0)
			abort();
		crypto_core_ristretto255_scalar_mul(q, q, sj);
		crypto_core_ristretto255_scalar_mul(l, l, q);
	}
}

/*
 * What the attacker derives from the dumps of the holders in mask (bit h
 * for holder h) and every device key.  *opened counts the shares that
 * opened; d_gu receives the d of the user's incoming grant that device 1
 * learns while decrypting R1 at level 3.
 */
static void
learn(knowledge *k, int mask, int *opened, uint8_t d_gu[32])
{
	uint8_t		one[32],
				p[32],
				dh[32],
				d_ud1[32],
				l[32],
				sum[32],
				term[32];

	k->n = 0;
	*opened = 0;
	scalar_of_int(one, 1);
	add(k, one);
	/* device keys: their scalars, the d of the grants they received */
	for (int dev = DEV1; dev <= DEV2; dev++)
	{
		const uint8_t *X = shares[dev == DEV1 ? UD1 : UD2][0] + TS_X;

		add(k, keys[dev].p);
		if (crypto_scalarmult_ristretto255(dh, keys[dev].p, X) != 0)
			abort();
		delegate(p, X, keys[dev].pk, dh);
		add(k, p);
		if (dev == DEV1)
			memcpy(d_ud1, p, 32);
	}
	/* decrypting R1: D = d_ud1·T_2 = p_user·X_gu, hence d_gu */
	if (crypto_scalarmult_ristretto255(dh, d_ud1, sp_ciphertext_hop(r1[3], 2) + 96) != 0)
		abort();
	delegate(d_gu, shares[GU][0] + TS_X, keys[USER].pk, dh);
	add(k, d_gu);
	/* the shares in the dumps, every interpolation of them, single shares weighted */
	for (int g = 0; g < NGRANTS; g++)
	{
		int			idx[NHOLDERS],
					m = 0;
		uint8_t		rk[NHOLDERS][32];

		for (int h = 0; h < NHOLDERS; h++)
			if ((mask >> h) & 1)
			{
				if (sp_tshare_open(rk[m], shares[g][h], SHAREBYTES,
								   holders[h].sk, holders[h].dbid) != SP_OK)
					continue;
				++*opened;
				idx[m++] = sp_tshare_index(shares[g][h]);
			}
		for (int sub = 1; sub < (1 << m); sub++)
		{
			int			I[NHOLDERS],
						mi = 0;

			for (int a = 0; a < m; a++)
				if ((sub >> a) & 1)
					I[mi++] = idx[a];
			memset(sum, 0, 32);
			for (int a = 0, b = 0; a < m; a++)
				if ((sub >> a) & 1)
				{
					lagrange(l, I[b++], I, mi);
					crypto_core_ristretto255_scalar_mul(term, l, rk[a]);
					crypto_core_ristretto255_scalar_add(sum, sum, term);
				}
			add(k, sum);
		}
		for (int a = 0; a < m; a++)
			for (int j = 1; j <= NHOLDERS; j++)
			{
				int			I[2] = {idx[a], j};

				if (j == idx[a])
					continue;
				lagrange(l, idx[a], I, 2);
				crypto_core_ristretto255_scalar_mul(term, l, rk[a]);
				add(k, term);
			}
		sodium_memzero(rk, sizeof rk);
	}
}

/* Every product of two known scalars (1 is known: every scalar itself). */
static int
products(uint8_t (*c)[32], const knowledge *k)
{
	int			n = 0;

	for (int a = 0; a < k->n; a++)
		for (int b = a; b < k->n; b++)
			crypto_core_ristretto255_scalar_mul(c[n++], k->s[a], k->s[b]);
	return n;
}

/* Whether R2 opens under the group's public key with candidate scalar c. */
static int
opens_as_group(const uint8_t c[32])
{
	sp_secret	guess;
	uint8_t		m[64];
	size_t		mlen = 0;
	int			rc;

	memset(&guess, 0, sizeof guess);
	memcpy(guess.p, c, 32);
	memcpy(guess.pk, keys[GROUP].pk, SP_PUBLICKEYBYTES);
	rc = sp_decrypt(m, sizeof m, &mlen, r2, r2len, &guess);
	return rc == SP_OK && mlen == strlen(note2) && memcmp(m, note2, mlen) == 0;
}

/*
 * Whether R2 opens on device 1 after a forged hop group -> user with
 * T = c·(E+V) and an honest threshold hop user -> device 1 (H2, H3).
 */
static int
opens_by_forged_hop(const uint8_t c[32])
{
	size_t		body = sp_ciphertext_body_offset(r2),
				len2 = r2len + SP_HOPBYTES,
				len3 = 0;
	uint8_t    *l2 = malloc(len2),
			   *l3;
	uint8_t		B[32],
				m[64];
	size_t		mlen = 0;
	int			ok = 0;

	if (l2 == NULL ||
		crypto_core_ristretto255_add(B, r2 + SP_CT_E, r2 + SP_CT_V) != 0)
		abort();
	memcpy(l2, r2, body);
	l2[SP_CT_LEVEL] = 2;
	memcpy(l2 + body, keys[USER].pk, SP_PUBLICKEYBYTES);
	memcpy(l2 + body + 64, shares[GU][0] + TS_X, 32);
	memcpy(l2 + len2 - (r2len - body), r2 + body, r2len - body);
	if (crypto_scalarmult_ristretto255(l2 + body + 96, c, B) == 0 &&
		(l3 = threshold_hop(&len3, UD1, 1, 2, l2, len2)) != NULL)
	{
		ok = sp_decrypt(m, sizeof m, &mlen, l3, len3, &keys[DEV1]) == SP_OK &&
			mlen == strlen(note2) && memcmp(m, note2, mlen) == 0;
		free(l3);
	}
	free(l2);
	return ok;
}

typedef struct findings
{
	int			opened,			/* shares opened from the dumps */
				rk_gu,			/* the group's rk found */
				p_group,		/* the group's secret found */
				p_user,			/* the user's secret found */
				open_direct,	/* R2 opened as the group */
				open_hop;		/* R2 opened through a forged hop */
	uint8_t		d_gu[32];
} findings;

static int
equal(const uint8_t a[32], const uint8_t b[32])
{
	return memcmp(a, b, 32) == 0;
}

/* The attack with the dumps of the holders in mask. */
static void
attack(findings *f, int mask)
{
	static knowledge k;
	static uint8_t c[MAXK][32];
	uint8_t		dh[32],
				d[32],
				cand[32];
	int			nc;

	memset(f, 0, sizeof *f);
	learn(&k, mask, &f->opened, f->d_gu);
	nc = products(c, &k);
	for (int a = 0; a < nc; a++)
	{
		f->rk_gu |= equal(c[a], grants[GU] + SP_GR_RK);
		f->p_group |= equal(c[a], keys[GROUP].p);
		f->p_user |= equal(c[a], keys[USER].p);
		f->open_direct |= opens_as_group(c[a]);
		f->open_hop |= opens_by_forged_hop(c[a]);
		/* the cascade: c as the user's secret gives a d of the group's grant */
		if (crypto_scalarmult_ristretto255(dh, c[a], shares[GU][0] + TS_X) != 0)
			continue;
		delegate(d, shares[GU][0] + TS_X, keys[USER].pk, dh);
		for (int b = 0; b < k.n; b++)
		{
			crypto_core_ristretto255_scalar_mul(cand, k.s[b], d);
			f->p_group |= equal(cand, keys[GROUP].p);
			f->open_direct |= opens_as_group(cand);
		}
	}
	printf("# holders mask %d: %d shares opened, %d known scalars, %d products\n",
		   mask, f->opened, k.n, nc);
}

int
main(void)
{
	const char *env = getenv("SP_COMPROMISE_SEED");
	char		hex[2 * sizeof stream + 1];
	uint8_t		m[64],
				C0[32],
				dinv[32];
	size_t		mlen = 0;
	findings	one,
				two;

	if (sp_init() != SP_OK)
		return 1;
	if (env == NULL || sodium_hex2bin(stream, sizeof stream, env, strlen(env),
									  NULL, NULL, NULL) != 0)
		randombytes_buf(stream, sizeof stream);
	sodium_bin2hex(hex, sizeof hex, stream, sizeof stream);
	printf("# SP_COMPROMISE_SEED=%s\n", hex);
	make_world();

	check(sp_decrypt(m, sizeof m, &mlen, r1[3], r1len[3], &keys[DEV1]) == SP_OK &&
		  mlen == strlen(note1) && memcmp(m, note1, mlen) == 0,
		  "the world: R1 reaches device 1 through two threshold hops and opens");

	attack(&one, 1);			/* H1 only */
	check(one.opened == NGRANTS, "one holder: its dump opens its share of every grant");
	/* C_0 = rk·G = d⁻¹·P_group: what device 1 computes from d_gu anyway */
	if (crypto_core_ristretto255_scalar_invert(dinv, one.d_gu) != 0 ||
		crypto_scalarmult_ristretto255(C0, dinv, keys[GROUP].pk) != 0)
		abort();
	check(memcmp(C0, shares[GU][0] + TS_C0, 32) == 0,
		  "C_0 of the group's grant is d_gu⁻¹·P_group, computable by the user's devices");
	check(!one.rk_gu, "one holder + every device: the group's rk is not found");
	check(!one.p_group, "one holder + every device: the group's secret is not found");
	check(!one.p_user, "one holder + every device: the user's secret is not found");
	check(!one.open_direct, "one holder + every device: R2 does not open under any candidate group secret");
	check(!one.open_hop,
		  "one holder + every device: R2 does not open through a forged hop to the user and an honest one to device 1");

	attack(&two, 3);			/* H1 and H2: the positive control */
	check(two.opened == 2 * NGRANTS, "two holders: their dumps open two shares of every grant");
	check(two.rk_gu, "positive control, two holders: the group's rk is recovered");
	check(two.p_group, "positive control, two holders + device 1: the group's secret is recovered");
	check(two.p_user, "positive control, two holders + a device: the user's secret is recovered");
	check(two.open_direct, "positive control, two holders + device 1: R2 opens as the group");
	check(two.open_hop, "positive control, two holders: R2 opens through the forged hop on device 1");

	for (int i = 0; i < NKEYS; i++)
		sp_secret_wipe(&keys[i]);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
