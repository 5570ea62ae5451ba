/*
 * ctgrind.c - constant-time check of the secant_pre core under valgrind
 * (the Monocypher / ctgrind technique).
 *
 * Secret inputs are marked "undefined" with VALGRIND_MAKE_MEM_UNDEFINED.
 * Memcheck then reports every conditional jump, and every memory address,
 * that depends on them: a branch or a table index on a secret.  Values that
 * are public by definition (public keys, outputs that are sent anyway, the
 * success of an operation) are marked defined again ("declassified") once
 * computed.  Run under valgrind; outside valgrind it only runs the
 * operations.  Build and run with test/ct/run.sh.
 *
 * Each section prints a line "=== section" to stderr before it runs, so
 * that valgrind's reports (also on stderr) can be attributed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sp_codec.h"
#include "sp_core.h"
#include "sp_seal.h"
#include "sp_threshold.h"
#include "threshold_vectors.h"
#include "vectors.h"

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define HAVE_MEMCHECK 1
#endif
#endif

#ifdef HAVE_MEMCHECK
#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#else
#define SECRET(p, n) ((void) (p), (void) (n))
#define PUBLIC(p, n) ((void) (p), (void) (n))
#define RUNNING_ON_VALGRIND 0
#endif

static int	failures;

static void
section(const char *name)
{
	fflush(stdout);
	fprintf(stderr, "=== %s\n", name);
}

/* The result of an operation is public: declassify it before testing it. */
static int
public_rc(int rc)
{
	PUBLIC(&rc, sizeof rc);
	return rc;
}

static void
expect(int ok, const char *what)
{
	if (!ok)
	{
		failures++;
		printf("ctgrind: %s failed\n", what);
	}
}

/*
 * A holder's re-seal on a server key rotation: rk_i (secret, from
 * sp_tshare_open) and the seed sealed to another server's key (the sealed
 * part goes public), then opened with that server's secret key (secret)
 * to rk_i again.  sp_tcombine_unverified has no section: its inputs (the
 * share, the ciphertext, the partials) and its output are all public.
 */
static void
reseal(const uint8_t *share, size_t one, const uint8_t rk[SP_SCALARBYTES],
	   const tv_grant *v, int i)
{
	const int	h = (v->holders[i] + 1) % TV_NSERVERS;
	uint8_t		seed[SP_SEALSEEDBYTES],
				sealed[SP_TSEALBYTES],
				sk[SP_SERVER_SECRETBYTES],
				again[SP_SCALARBYTES];
	char		name[96];
	int			rc;

	snprintf(name, sizeof name, "sp_tshare_reseal (%s, %d-of-%d, share %d)",
			 v->from, v->t, v->n, i + 1);
	section(name);
	memcpy(seed, v->seeds + SP_SEALSEEDBYTES * i, sizeof seed);
	SECRET(seed, sizeof seed);
	rc = public_rc(sp_tshare_reseal(sealed, rk, tv_servers[h].sealing_key, seed));
	PUBLIC(sealed, sizeof sealed);
	expect(rc == SP_OK, name);
	snprintf(name, sizeof name, "sp_tshare_open_sealed (%s, %d-of-%d, share %d)",
			 v->from, v->t, v->n, i + 1);
	section(name);
	memcpy(sk, tv_servers[h].secret, sizeof sk);
	SECRET(sk, sizeof sk);
	rc = public_rc(sp_tshare_open_sealed(again, share, one, sealed, sk,
										 tv_servers[h].database));
	PUBLIC(again, sizeof again);
	expect(rc == SP_OK && memcmp(again, v->scalars + SP_SCALARBYTES * i,
								 sizeof again) == 0, name);
}

/*
 * Threshold grants (test/vectors/threshold.json): splitting (the grant's
 * rk, the coefficients and the seeds secret; the shares go public),
 * opening a share (the holder's server key secret, rk_i out) and a
 * partial with its proof (rk_i and rho secret; the partial goes public).
 */
static void
threshold(const sp_secret *keys)
{
	for (size_t g = 0; g < sizeof tv_grants / sizeof tv_grants[0]; g++)
	{
		const tv_grant *v = &tv_grants[g];
		size_t		one = SP_TSHAREBYTES(v->t);
		const sp_secret *from = NULL;
		uint8_t		grant[SP_GRANTBYTES],
					coeffs[SP_TMAXN * SP_SCALARBYTES],
					seeds[SP_TMAXN * SP_SEALSEEDBYTES],
					shares[SP_TMAXN * SP_TSHARE_MAXBYTES],
					sealkeys[SP_TMAXN * SP_SEALKEYBYTES];
		char		name[96];
		int			rc;

		for (int k = 0; k < KAT_NKEYS; k++)
			if (strcmp(kat_keys[k].name, v->from) == 0)
				from = &keys[k];
		if (from == NULL)
			exit(2);
		snprintf(name, sizeof name, "sp_tshare_split (%s, %d-of-%d)", v->from, v->t, v->n);
		section(name);
		for (int i = 0; i < v->n; i++)
			memcpy(sealkeys + SP_SEALKEYBYTES * i,
				   tv_servers[v->holders[i]].sealing_key, SP_SEALKEYBYTES);
		memcpy(grant, v->grant, sizeof grant);
		memcpy(coeffs, v->coeffs, SP_SCALARBYTES * (size_t) (v->t - 1));
		memcpy(seeds, v->seeds, SP_SEALSEEDBYTES * (size_t) v->n);
		SECRET(grant + SP_GR_RK, SP_SCALARBYTES);
		SECRET(coeffs, sizeof coeffs);
		SECRET(seeds, sizeof seeds);
		rc = public_rc(sp_tshare_split(shares, one * v->n, grant, from, v->t, v->n,
									   sealkeys, coeffs, seeds));
		PUBLIC(shares, one * v->n);
		expect(rc == SP_OK && memcmp(shares, v->shares, one * v->n) == 0, name);
		for (int i = 0; i < v->n; i++)
		{
			const uint8_t *share = v->shares + one * i;
			uint8_t		sk[SP_SERVER_SECRETBYTES],
						rk[SP_SCALARBYTES],
						rho[SP_TRHOBYTES],
						partial[SP_TPARTIALBYTES];

			snprintf(name, sizeof name, "sp_tshare_open (%s, %d-of-%d, share %d)",
					 v->from, v->t, v->n, i + 1);
			section(name);
			memcpy(sk, tv_servers[v->holders[i]].secret, sizeof sk);
			SECRET(sk, sizeof sk);
			rc = public_rc(sp_tshare_open(rk, share, one, sk,
										  tv_servers[v->holders[i]].database));
			expect(rc == SP_OK, name);
			snprintf(name, sizeof name, "sp_tpartial (%s, %d-of-%d, share %d)",
					 v->from, v->t, v->n, i + 1);
			section(name);
			memcpy(rho, v->rhos + SP_TRHOBYTES * i, sizeof rho);
			SECRET(rho, sizeof rho);
			rc = public_rc(sp_tpartial(partial, share, one, rk, v->ct, v->ctlen, rho));
			PUBLIC(partial, sizeof partial);
			expect(rc == SP_OK && memcmp(partial, v->partials + SP_TPARTIALBYTES * i,
										 sizeof partial) == 0, name);
			reseal(share, one, rk, v, i);
			PUBLIC(rk, sizeof rk);
			expect(memcmp(rk, v->scalars + SP_SCALARBYTES * i, sizeof rk) == 0,
				   "sp_tshare_open: the vector's share scalar");
		}
	}
}

int
main(void)
{
	sp_secret	keys[KAT_NKEYS];
	uint8_t		seed[SP_SEEDBYTES];
	int			rc;

	if (sp_init() != SP_OK)
		return 2;
#ifndef HAVE_MEMCHECK
	printf("ctgrind: valgrind/memcheck.h not found: operations run, nothing checked\n");
#else
	if (!RUNNING_ON_VALGRIND)
		printf("ctgrind: not running under valgrind: operations run, nothing checked\n");
#endif

	/* keys: the seed is the secret; the public key is public */
	for (int i = 0; i < KAT_NKEYS; i++)
	{
		char		name[64];

		snprintf(name, sizeof name, "sp_secret_expand (%s)", kat_keys[i].name);
		section(name);
		memcpy(seed, kat_keys[i].seed, sizeof seed);
		SECRET(seed, sizeof seed);
		rc = public_rc(sp_secret_expand(&keys[i], seed));
		PUBLIC(keys[i].pk, sizeof keys[i].pk);
		expect(rc == SP_OK && memcmp(keys[i].pk, kat_keys[i].pk, 64) == 0, "expand");
	}

	/* decrypt at levels 1..4: secret key in, plaintext out */
	for (int l = 0; l < 4; l++)
	{
		const kat_ct *c = &kat_cts[l];
		uint8_t		m[KAT_MESSAGE_LEN];
		size_t		mlen = 0;
		char		name[64];

		snprintf(name, sizeof name, "sp_decrypt (level %d, %s key)", c->level,
				 kat_keys[c->recipient].name);
		section(name);
		rc = public_rc(sp_decrypt(m, sizeof m, &mlen, c->ct, c->len, &keys[c->recipient]));
		PUBLIC(m, sizeof m);
		PUBLIC(&mlen, sizeof mlen);
		expect(rc == SP_OK && mlen == KAT_MESSAGE_LEN &&
			   memcmp(m, kat_message, KAT_MESSAGE_LEN) == 0, name);
	}

	/* grant: delegator's key and x secret, the grant itself goes public */
	for (int i = 0; i < 3; i++)
	{
		const kat_hop *h = &kat_hops[i];
		uint8_t		x[SP_SCALARBYTES],
					g[SP_GRANTBYTES];
		char		name[64];

		snprintf(name, sizeof name, "sp_grant (%s -> %s)", kat_keys[h->from].name,
				 kat_keys[h->to].name);
		section(name);
		memcpy(x, h->x, sizeof x);
		SECRET(x, sizeof x);
		rc = public_rc(sp_grant(g, &keys[h->from], kat_keys[h->to].pk, h->not_after, x));
		PUBLIC(g, sizeof g);
		expect(rc == SP_OK && memcmp(g, h->grant, sizeof g) == 0, name);
	}

	/* re-encrypt: rk is the delegator's secret held by the proxy */
	for (int l = 0; l < 3; l++)
	{
		uint8_t		g[SP_GRANTBYTES],
				   *out = malloc(kat_cts[l + 1].len);
		char		name[64];

		if (out == NULL)
			return 2;
		snprintf(name, sizeof name, "sp_reencrypt (level %d -> %d)", l + 1, l + 2);
		section(name);
		memcpy(g, kat_hops[l].grant, sizeof g);
		SECRET(g + SP_GR_RK, SP_SCALARBYTES);
		rc = public_rc(sp_reencrypt(out, kat_cts[l + 1].len, kat_cts[l].ct,
									kat_cts[l].len, g));
		PUBLIC(out, kat_cts[l + 1].len);
		expect(rc == SP_OK && memcmp(out, kat_cts[l + 1].ct, kat_cts[l + 1].len) == 0,
			   name);
		free(out);
	}

	/* encrypt: r, u and the message are secret */
	{
		uint8_t		r[SP_SCALARBYTES],
					u[SP_SCALARBYTES],
					m[KAT_MESSAGE_LEN],
					ct[KAT_CT1_LEN];

		section("sp_encrypt");
		memcpy(r, kat_r, sizeof r);
		memcpy(u, kat_u, sizeof u);
		memcpy(m, kat_message, sizeof m);
		SECRET(r, sizeof r);
		SECRET(u, sizeof u);
		SECRET(m, sizeof m);
		rc = public_rc(sp_encrypt(ct, sizeof ct, kat_keys[KAT_GROUP].pk, m, sizeof m,
								  kat_aad, KAT_AAD_LEN, r, u, kat_nonce));
		PUBLIC(ct, sizeof ct);
		expect(rc == SP_OK && memcmp(ct, kat_ct1, sizeof ct) == 0, "sp_encrypt");
	}

	/* token: index key and keyword secret */
	{
		uint8_t		key[SP_INDEXKEYBYTES],
					word[64],
					tok[SP_TOKENBYTES];
		size_t		wlen = strlen(kat_keyword);

		section("sp_token");
		memcpy(key, kat_index_key, sizeof key);
		memcpy(word, kat_keyword, wlen);
		SECRET(key, sizeof key);
		SECRET(word, wlen);
		rc = public_rc(sp_token(tok, key, word, wlen));
		PUBLIC(tok, sizeof tok);
		expect(rc == SP_OK && memcmp(tok, kat_token, sizeof tok) == 0, "sp_token");
	}

	threshold(keys);

	section("sp_secret_wipe");
	for (int i = 0; i < KAT_NKEYS; i++)
		sp_secret_wipe(&keys[i]);
	section("end");
	printf("ctgrind: %d operation failures\n", failures);
	return failures ? 1 : 0;
}
