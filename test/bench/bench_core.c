/*
 * bench_core.c - microbenchmark of the secant_pre core (sp_core.c) and of
 * the libsodium primitives each operation needs (its physical bound).
 *
 * Single thread.  Every measurement is the best of BENCH_RUNS runs (20) of
 * about BENCH_SECONDS seconds (0.1) each; the count of iterations per run is
 * calibrated first, and the runs go round all benchmarks in turn.  Many
 * short runs rather than a few long ones: on a shared virtual machine the
 * speed of a core swings by +-40 % within a second, and only many chances
 * let every benchmark catch the core at full speed (BENCH_SECONDS=0.5
 * BENCH_RUNS=3 gives the classic setting).  The
 * bound of an operation is the sum of the costs of the libsodium primitives
 * it needs, measured in the same rounds.  Output: tab-separated lines, one record per line, read
 * by test/bench/report.py:
 *
 *   meta   KEY  VALUE
 *   prim   NAME  OPS_PER_S  NS_PER_OP  DESCRIPTION
 *   op     KEY  LABEL  OPS_PER_S  BOUND_OPS_PER_S  BOUND_FORMULA
 *          EXPLAINED_OPS_PER_S  EXPLAINED_FORMULA  WALL_OPS_PER_S
 *   level  N  DECRYPT_OPS_PER_S  BOUND_OPS_PER_S  CT_BYTES  WALL_OPS_PER_S
 *
 * Rates are per CPU-second of this process (CLOCK_PROCESS_CPUTIME_ID), so
 * that time the scheduler gives to other work on a shared machine does not
 * count; WALL_OPS_PER_S is the best wall-clock rate, for reference.
 *   size   LABEL  BYTES  TEXT_CHARS
 *   tokens KIND  BYTES  MB_PER_S  TOKENS     (KIND plain or adversarial)
 *   tokens ratio  ADVERSARIAL_TIME / PLAIN_TIME
 *   amort  KEY  LABEL  OPS_PER_S  BASE_KEY  BASE_OPS_PER_S  RATIO  TARGET
 *          (--amortized only: the caches of sp_cache.h, per value of a
 *          batch, against the uncached operation they replace; target 0:
 *          none)
 *   thr    KEY  LABEL  OPS_PER_S  US_PER_OP  TIMES_THE_SINGLE_KEY_COST
 *          (--threshold only: threshold grants, t-of-n 2/3 and 3/5)
 *
 * The token lines time the work of pre_tokens in the core (normalise, split,
 * one keyed hash per word) on two documents of the same size: ordinary
 * words, and words made of the longest runs of combining marks a word can
 * hold (U+0301 then U+0316: each mark must move past every earlier one in
 * a whole-text canonical reordering).  --tokens-ratio prints only those.
 *
 * Build (run.sh does it):
 *   cc -O2 -Isrc/core test/bench/bench_core.c \
 *      $(make -s -f src/core/core.mk print-core-srcs) -lsodium -lutf8proc
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <sodium.h>

#include "sp_cache.h"
#include "sp_codec.h"
#include "sp_core.h"
#include "sp_random.h"
#include "sp_seal.h"
#include "sp_text.h"
#include "sp_threshold.h"

#define NLEVELS 8				/* decrypt L1..L8 for the chart */
#define MSGBYTES 32

static double bench_seconds = 0.1;
static int	bench_runs = 20;

/* ---- timing ---- */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU time of this process: leaves out the time other work took the core */
static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
die(const char *what, int rc)
{
	fprintf(stderr, "bench_core: %s failed: %d (%s)\n", what, rc,
			sp_strerror(rc));
	exit(1);
}

typedef void (*bench_fn) (void *arg);

/*
 * A benchmark: calibrated once, then run once per round; the rounds go over
 * every benchmark in turn, so that a burst of load from elsewhere on the
 * machine hits all of them alike and "best of the rounds" stays fair.
 */
typedef struct bench
{
	const char *name;
	bench_fn	fn;
	void	   *arg;
	long		n;				/* iterations per run */
	double		best;			/* best ops per CPU-second */
	double		best_wall;		/* best ops per wall-clock second */
} bench;

#define MAXBENCH 64
static bench benches[MAXBENCH];
static int	nbenches;

/* Register and calibrate: double the count until a batch takes >= 50 ms. */
static bench *
bench_add(const char *name, bench_fn fn, void *arg)
{
	bench	   *b = &benches[nbenches++];
	long		n = 1;
	double		t;

	if (nbenches > MAXBENCH)
		die("too many benchmarks", -1);
	for (;;)
	{
		double		t0 = now();

		for (long i = 0; i < n; i++)
			fn(arg);
		t = now() - t0;
		if (t >= 0.05 || n >= (1L << 30))
			break;
		n *= 2;
	}
	b->name = name;
	b->fn = fn;
	b->arg = arg;
	b->n = (long) (n * bench_seconds / t);
	if (b->n < 1)
		b->n = 1;
	b->best = b->best_wall = n / t;
	return b;
}

/* bench_runs rounds over every registered benchmark. */
static void
bench_run_all(void)
{
	for (int r = 0; r < bench_runs; r++)
	{
		if (r % 5 == 0)
			fprintf(stderr, "bench_core: round %d/%d\n", r + 1, bench_runs);
		for (int i = 0; i < nbenches; i++)
		{
			bench	   *b = &benches[i];
			double		t0 = now(),
						c0 = cpu_now(),
						rate,
						wall;

			for (long k = 0; k < b->n; k++)
				b->fn(b->arg);
			wall = b->n / (now() - t0);
			rate = b->n / (cpu_now() - c0);
			if (r == 0 || rate > b->best)
				b->best = rate;
			if (r == 0 || wall > b->best_wall)
				b->best_wall = wall;
		}
	}
}

/* ---- fixture: a chain of keys, grants and ciphertexts ---- */

static uint8_t seeds[NLEVELS + 1][SP_SEEDBYTES];
static sp_secret keys[NLEVELS + 1];
static uint8_t grants[NLEVELS][SP_GRANTBYTES];	/* grants[k]: key k -> k+1 */
static uint8_t *cts[NLEVELS + 1];	/* cts[n]: level n, for key n-1 */
static size_t ctlens[NLEVELS + 1];
static uint8_t msg[MSGBYTES];
static uint8_t scratch_m[1 << 21];
static uint8_t *scratch_out;
static volatile uint8_t sink;

/* ---- keyword normalisation: plain vs adversarial text ---- */

#define TOKDOCBYTES (256 * 1024)

typedef struct tok_doc
{
	uint8_t    *text;
	size_t		len;
	size_t		tokens;			/* words hashed by the last walk */
} tok_doc;

static sp_text_work tok_work;
static uint8_t tok_key[SP_INDEXKEYBYTES];

/* Append the UTF-8 of cp to d (room is the caller's). */
static void
put_cp(tok_doc *d, unsigned cp)
{
	if (cp < 0x80)
		d->text[d->len++] = (uint8_t) cp;
	else
	{
		d->text[d->len++] = (uint8_t) (0xc0 | (cp >> 6));
		d->text[d->len++] = (uint8_t) (0x80 | (cp & 0x3f));
	}
}

/* Words of ordinary text, or runs of 1000 + 1000 marks on a letter. */
static void
tok_doc_make(tok_doc *d, int adversarial)
{
	static const char *const words[] = {"patient", "HbA1c", "diabetes",
	"observation", "glucose", "follow-up", "Ärztin", "clinic"};

	d->text = malloc(TOKDOCBYTES + 8192);
	d->len = 0;
	if (d->text == NULL)
		die("malloc", SP_ENOMEM);
	for (int w = 0; d->len < TOKDOCBYTES; w++)
	{
		if (adversarial)
		{
			put_cp(d, 'a');
			for (int i = 0; i < 2000 && d->len < TOKDOCBYTES - 3; i++)
				put_cp(d, i < 1000 ? 0x301 : 0x316);
		}
		else
		{
			size_t		n = strlen(words[w % 8]);

			memcpy(d->text + d->len, words[w % 8], n);
			d->len += n;
		}
		put_cp(d, ' ');
	}
	d->len = TOKDOCBYTES;		/* the last byte is a space either way */
}

static int
tok_hash(void *arg, const uint8_t *word, size_t len)
{
	tok_doc    *d = arg;
	uint8_t		tok[SP_TOKENBYTES];
	int			rc = sp_token(tok, tok_key, word, len);

	d->tokens++;
	sink ^= tok[0];
	return rc;
}

static void
op_tokens(void *arg)
{
	tok_doc    *d = arg;
	int			rc;

	d->tokens = 0;
	rc = sp_text_words(&tok_work, d->text, d->len, 0, tok_hash, d);
	if (rc != SP_OK)
		die("sp_text_words", rc);
}

/* Time both documents in turns; print their rates and the ratio. */
static void
tokens_ratio(int rounds)
{
	static tok_doc docs[2];
	double		best[2] = {0, 0};

	for (int k = 0; k < 2; k++)
		tok_doc_make(&docs[k], k);
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < 2; k++)
		{
			double		c0 = cpu_now(),
						t;

			op_tokens(&docs[k]);
			t = cpu_now() - c0;
			if (r == 0 || t < best[k])
				best[k] = t;
		}
	for (int k = 0; k < 2; k++)
		printf("tokens\t%s\t%zu\t%.1f\t%zu\n", k ? "adversarial" : "plain",
			   docs[k].len, docs[k].len / best[k] / 1e6, docs[k].tokens);
	printf("tokens\tratio\t%.2f\n", best[1] / best[0]);
	for (int k = 0; k < 2; k++)
		free(docs[k].text);
}


static uint8_t *
encrypt_new(const uint8_t *pk, size_t mlen, size_t *ctlen)
{
	uint8_t		r[32],
				u[32],
				nonce[SP_NONCEBYTES];
	uint8_t    *m = calloc(1, mlen ? mlen : 1);
	uint8_t    *ct;
	int			rc;

	*ctlen = sp_ciphertext_bytes(1, 0, mlen);
	ct = malloc(*ctlen);
	if (!m || !ct)
		die("malloc", SP_ENOMEM);
	sp_random_bytes(m, mlen);
	sp_random_scalar(r);
	sp_random_scalar(u);
	sp_random_bytes(nonce, sizeof nonce);
	if ((rc = sp_encrypt(ct, *ctlen, pk, m, mlen, NULL, 0, r, u, nonce)) != SP_OK)
		die("sp_encrypt", rc);
	free(m);
	return ct;
}

static uint8_t *
reencrypt_new(const uint8_t *ct, size_t ctlen, const uint8_t *grant)
{
	uint8_t    *out = malloc(ctlen + SP_HOPBYTES);
	int			rc;

	if (!out)
		die("malloc", SP_ENOMEM);
	if ((rc = sp_reencrypt(out, ctlen + SP_HOPBYTES, ct, ctlen, grant)) != SP_OK)
		die("sp_reencrypt", rc);
	return out;
}

static void
setup(void)
{
	int			rc;

	for (int k = 0; k <= NLEVELS; k++)
	{
		sp_random_bytes(seeds[k], SP_SEEDBYTES);
		if ((rc = sp_secret_expand(&keys[k], seeds[k])) != SP_OK)
			die("sp_secret_expand", rc);
	}
	for (int k = 0; k < NLEVELS; k++)
	{
		uint8_t		x[32];

		sp_random_scalar(x);
		if ((rc = sp_grant(grants[k], &keys[k], keys[k + 1].pk, 0, x)) != SP_OK)
			die("sp_grant", rc);
		if ((rc = sp_grant_validate(grants[k])) != SP_OK)
			die("sp_grant_validate", rc);
	}
	sp_random_bytes(msg, sizeof msg);
	cts[1] = encrypt_new(keys[0].pk, MSGBYTES, &ctlens[1]);
	for (int n = 2; n <= NLEVELS; n++)
	{
		cts[n] = reencrypt_new(cts[n - 1], ctlens[n - 1], grants[n - 2]);
		ctlens[n] = ctlens[n - 1] + SP_HOPBYTES;
	}
	for (int n = 1; n <= NLEVELS; n++)
	{
		size_t		mlen;

		if ((rc = sp_ciphertext_validate(cts[n], ctlens[n])) != SP_OK)
			die("sp_ciphertext_validate", rc);
		if (sp_plaintext_bytes(cts[n], ctlens[n]) != MSGBYTES ||
			(rc = sp_decrypt(scratch_m, MSGBYTES, &mlen, cts[n],
							 ctlens[n], &keys[n - 1])) != SP_OK)
			die("sp_decrypt", rc);
	}
	scratch_out = malloc((1 << 21) + 4096);
	if (!scratch_out)
		die("malloc", SP_ENOMEM);
}

/* ---- the core's operations ---- */

static void
op_ed25519_keypair(void *arg)
{
	uint8_t		pk[32],
				sk[64];

	(void) arg;
	crypto_sign_seed_keypair(pk, sk, seeds[0]);
	sink ^= pk[0];
}

static void
op_keygen(void *arg)
{
	uint8_t		seed[SP_SEEDBYTES];
	sp_secret	key;

	(void) arg;
	sp_random_bytes(seed, sizeof seed);
	if (sp_secret_expand(&key, seed) != SP_OK)
		die("sp_secret_expand", -1);
	sink ^= key.pk[0];
	sp_secret_wipe(&key);
}

static void
op_encrypt(void *arg)
{
	uint8_t		r[32],
				u[32],
				nonce[SP_NONCEBYTES];
	int			rc;

	(void) arg;
	sp_random_scalar(r);
	sp_random_scalar(u);
	sp_random_bytes(nonce, sizeof nonce);
	rc = sp_encrypt(scratch_out, ctlens[1], keys[0].pk, msg, MSGBYTES, NULL, 0,
					r, u, nonce);
	if (rc != SP_OK)
		die("sp_encrypt", rc);
}

static void
op_grant(void *arg)
{
	uint8_t		x[32];
	int			rc;

	(void) arg;
	sp_random_scalar(x);
	rc = sp_grant(scratch_out, &keys[0], keys[1].pk, 0, x);
	if (rc != SP_OK)
		die("sp_grant", rc);
}

typedef struct reenc_arg
{
	const uint8_t *ct;
	size_t		ctlen;
	const uint8_t *grant;
	uint8_t    *out;
} reenc_arg;

static void
op_reencrypt(void *arg)
{
	reenc_arg  *a = arg;
	int			rc = sp_reencrypt(a->out, a->ctlen + SP_HOPBYTES, a->ct,
								  a->ctlen, a->grant);

	if (rc != SP_OK)
		die("sp_reencrypt", rc);
}

static void
op_decrypt(void *arg)
{
	int			n = *(int *) arg;
	size_t		mlen;

	/*
	 * The output buffer is exactly the plaintext's size, as in SQL: sp_decrypt
	 * wipes all of mcap first, so a larger buffer would cost its size.
	 */
	int			rc = sp_decrypt(scratch_m, MSGBYTES, &mlen, cts[n],
								ctlens[n], &keys[n - 1]);

	if (rc != SP_OK)
		die("sp_decrypt", rc);
}

/* ---- libsodium primitives ---- */

static uint8_t prim_scalar[32],
			prim_point[32],
			prim_point2[32],
			prim_sig[64],
			prim_ad[256];

static void
prim_var(void *arg)
{
	uint8_t		q[32];

	(void) arg;
	if (crypto_scalarmult_ristretto255(q, prim_scalar, prim_point) != 0)
		die("crypto_scalarmult_ristretto255", -1);
	sink ^= q[0];
}

static void
prim_base(void *arg)
{
	uint8_t		q[32];

	(void) arg;
	if (crypto_scalarmult_ristretto255_base(q, prim_scalar) != 0)
		die("crypto_scalarmult_ristretto255_base", -1);
	sink ^= q[0];
}

static void
prim_decode(void *arg)
{
	(void) arg;
	sink ^= (uint8_t) crypto_core_ristretto255_is_valid_point(prim_point);
}

static void
prim_add(void *arg)
{
	uint8_t		q[32];

	(void) arg;
	crypto_core_ristretto255_add(q, prim_point, prim_point2);
	sink ^= q[0];
}

static void
prim_ed_base(void *arg)
{
	uint8_t		q[32];

	(void) arg;
	crypto_scalarmult_ed25519_base_noclamp(q, prim_scalar);
	sink ^= q[0];
}

static void
prim_ed_valid(void *arg)
{
	(void) arg;
	sink ^= (uint8_t) crypto_core_ed25519_is_valid_point(keys[1].pk + 32);
}

static void
prim_sign(void *arg)
{
	(void) arg;
	crypto_sign_detached(prim_sig, NULL, grants[0], SP_GRANT_SIGNEDBYTES,
						 keys[0].sign_sk);
}

static void
prim_verify(void *arg)
{
	(void) arg;
	if (crypto_sign_verify_detached(grants[0] + SP_GR_SIG, grants[0],
									SP_GRANT_SIGNEDBYTES,
									keys[0].pk + 32) != 0)
		die("crypto_sign_verify_detached", -1);
}

static void
prim_aead_seal(void *arg)
{
	uint8_t		c[MSGBYTES + 16];

	(void) arg;
	crypto_aead_xchacha20poly1305_ietf_encrypt(c, NULL, msg, MSGBYTES,
											   prim_ad, 133, NULL,
											   prim_ad + 200, prim_ad + 160);
	sink ^= c[0];
}

static uint8_t aead_c[MSGBYTES + 16];

static void
prim_aead_open(void *arg)
{
	uint8_t		m[MSGBYTES];

	(void) arg;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(m, NULL, NULL, aead_c,
												   sizeof aead_c, prim_ad, 133,
												   prim_ad + 200,
												   prim_ad + 160) != 0)
		die("aead open", -1);
	sink ^= m[0];
}

static void
prim_hash(void *arg)
{
	uint8_t		wide[64],
				s[32];

	(void) arg;
	crypto_generichash(wide, 64, prim_ad, 120, NULL, 0);
	crypto_core_ristretto255_scalar_reduce(s, wide);
	sink ^= s[0];
}

static void
prim_invert(void *arg)
{
	uint8_t		s[32];

	(void) arg;
	crypto_core_ristretto255_scalar_invert(s, prim_scalar);
	sink ^= s[0];
}

static void
prim_pk_validate(void *arg)
{
	(void) arg;
	if (sp_public_key_validate(keys[1].pk) != SP_OK)
		die("sp_public_key_validate", -1);
}

static void
prim_random_scalar(void *arg)
{
	uint8_t		s[32];

	(void) arg;
	sp_random_scalar(s);
	sink ^= s[0];
}

static void
prim_copy(void *arg)
{
	size_t		len = *(const size_t *) arg;

	memcpy(scratch_out, scratch_m, len);
	sink ^= scratch_out[len - 1];
}

/* ---- output ---- */

/* seconds per op of a measured benchmark */
#define SEC(b) (1.0 / (b)->best)

/* A grant sealed to a server key: opened (first use) and its cache key. */
static uint8_t seal_sk[SP_SERVER_SECRETBYTES];
static uint8_t seal_dbid[SP_DBIDBYTES];
static uint8_t sealed_grant[SP_SEALEDBYTES];

static void
seal_setup(void)
{
	uint8_t		pk[SP_SERVER_PUBLICBYTES],
				keyid[SP_KEYIDBYTES],
				key[SP_SEALKEYBYTES],
				seed[SP_SEALSEEDBYTES];

	randombytes_buf(seal_sk, sizeof seal_sk);
	randombytes_buf(seal_dbid, sizeof seal_dbid);
	randombytes_buf(seed, sizeof seed);
	if (sp_server_public(pk, keyid, seal_sk) != SP_OK)
		die("server key", -1);
	sp_seal_key(key, pk, seal_dbid);
	if (sp_seal_grant(sealed_grant, grants[0], key, seed) != SP_OK)
		die("seal", -1);
}

static void
op_open_sealed(void *arg)
{
	uint8_t		g[SP_GRANTBYTES];

	(void) arg;
	if (sp_open_sealed_grant(g, sealed_grant, seal_sk, seal_dbid) != SP_OK)
		die("open sealed", -1);
	sink ^= g[0];
}

static void
op_sealed_cache_key(void *arg)
{
	uint8_t		d[32];

	(void) arg;
	crypto_generichash(d, sizeof d, sealed_grant, sizeof sealed_grant, NULL, 0);
	sink ^= d[0];
}

static void
prim_line(const bench *b, const char *desc)
{
	printf("prim\t%s\t%.1f\t%.0f\t%s\n", b->name, b->best, 1e9 / b->best, desc);
}

/*
 * One operation: its rate, its bound (the libsodium primitives it cannot do
 * without) and the rate explained by everything it actually calls (bound +
 * the extra checks the core does, e.g. validating a public key).
 */
static void
op_line(const bench *b, const char *label, double bound_s,
		const char *formula, double explained_s, const char *explained)
{
	printf("op\t%s\t%s\t%.1f\t%.1f\t%s\t%.1f\t%s\t%.1f\n", b->name, label,
		   b->best, 1 / bound_s, formula, 1 / explained_s, explained,
		   b->best_wall);
}

/*
 * count level-3 values, each len bytes, on 100 paths a -> m -> holder (10
 * first keys, 10 middle keys, fresh), in random order, into cts.
 */
static void
paths100(uint8_t **cts, int count, const uint8_t *holder, size_t *len)
{
	static sp_secret first[10],
				middle[10];
	static uint8_t g_fm[10][10][SP_GRANTBYTES],
				g_mh[10][SP_GRANTBYTES];
	uint8_t		seed[SP_SEEDBYTES],
				x[32];

	for (int k = 0; k < 10; k++)
	{
		sp_random_bytes(seed, sizeof seed);
		if (sp_secret_expand(&first[k], seed) != SP_OK)
			die("sp_secret_expand", -1);
		sp_random_bytes(seed, sizeof seed);
		if (sp_secret_expand(&middle[k], seed) != SP_OK)
			die("sp_secret_expand", -1);
		sp_random_scalar(x);
		if (sp_grant(g_mh[k], &middle[k], holder, 0, x) != SP_OK)
			die("sp_grant", -1);
	}
	for (int a = 0; a < 10; a++)
		for (int m = 0; m < 10; m++)
		{
			sp_random_scalar(x);
			if (sp_grant(g_fm[a][m], &first[a], middle[m].pk, 0, x) != SP_OK)
				die("sp_grant", -1);
		}
	for (int v = 0; v < count; v++)
	{
		int			p = v % 100;
		size_t		l1;
		uint8_t    *c1 = encrypt_new(first[p / 10].pk, MSGBYTES, &l1),
				   *c2 = reencrypt_new(c1, l1, g_fm[p / 10][p % 10]);

		cts[v] = reencrypt_new(c2, l1 + SP_HOPBYTES, g_mh[p % 10]);
		*len = l1 + 2 * SP_HOPBYTES;
		free(c1);
		free(c2);
	}
	for (int v = count - 1; v > 0; v--)
	{
		int			j = (int) randombytes_uniform((uint32_t) v + 1);
		uint8_t    *t = cts[v];

		cts[v] = cts[j];
		cts[j] = t;
	}
}

/* ---- amortised operations (sp_cache.h): --amortized ---- */

/*
 * Batches of AM_VALUES values: level 1 for key 0, through grant 0 (level
 * 2, for key 1), through grant 1 (level 3, for key 2); and AM_VALUES
 * level-3 values on AM_PATHS different paths a -> b -> holder, shuffled.
 * Each batch starts with empty caches (wiped when the index wraps), so
 * that the misses of a batch are in its rate.
 */
#define AM_VALUES 10000
#define AM_PATHS 100			/* 10 first keys x 10 middle keys */
#define AM_DCTX_SLOTS 128		/* as pre_decrypt's (src/pg/seckey.c) */
#define AM_RCACHE_SLOTS 64		/* as pre_reencrypt's (src/pg/reencrypt.c) */

typedef struct am_batch
{
	uint8_t    *ct[AM_VALUES];
	size_t		len;
	const sp_secret *key[AM_VALUES];
	int			i;
	sp_dctx    *dctx;
	sp_rcache  *rcache;
	const uint8_t *grant;		/* re-encryption: the grant */
	uint8_t    *suffix;			/* path: the constant hops */
	int			nsuffix;
} am_batch;

static am_batch am_l1, am_l2, am_l3, am_paths, am_path13;

static void
am_next(am_batch *b)
{
	if (++b->i == AM_VALUES)
	{
		b->i = 0;
		sp_dctx_wipe(b->dctx);
		sp_rcache_wipe(b->rcache);
	}
}

static void
op_am_decrypt(void *arg)
{
	am_batch   *b = arg;
	size_t		mlen;
	int			rc = sp_decrypt_cached(scratch_m, MSGBYTES, &mlen, b->ct[b->i],
									   b->len, b->key[b->i], b->dctx);

	if (rc != SP_OK)
		die("sp_decrypt_cached", rc);
	am_next(b);
}

static void
op_am_reencrypt(void *arg)
{
	am_batch   *b = arg;
	int			rc = sp_reencrypt_path(scratch_out, b->len +
									   (size_t) (1 + b->nsuffix) * SP_HOPBYTES,
									   b->ct[b->i], b->len, b->grant, b->suffix,
									   b->nsuffix, b->rcache);

	if (rc != SP_OK)
		die("sp_reencrypt_path", rc);
	am_next(b);
}

static void
am_setup(void)
{
	static uint8_t suffix[SP_HOPBYTES];
	size_t		dbytes = sp_dctx_bytes(AM_DCTX_SLOTS),
				rbytes = sp_rcache_bytes(AM_RCACHE_SLOTS);
	am_batch   *all[5] = {&am_l1, &am_l2, &am_l3, &am_paths, &am_path13};
	int			rc;

	for (int b = 0; b < 5; b++)
	{
		all[b]->dctx = malloc(dbytes);
		all[b]->rcache = malloc(rbytes);
		if (!all[b]->dctx || !all[b]->rcache ||
			sp_dctx_init(all[b]->dctx, dbytes, AM_DCTX_SLOTS) != SP_OK ||
			sp_rcache_init(all[b]->rcache, rbytes, AM_RCACHE_SLOTS) != SP_OK)
			die("cache init", SP_ENOMEM);
	}
	/* one path: key 0 -> 1 -> 2 */
	for (int v = 0; v < AM_VALUES; v++)
	{
		am_l1.ct[v] = encrypt_new(keys[0].pk, MSGBYTES, &am_l1.len);
		am_l1.key[v] = &keys[0];
		am_l2.ct[v] = reencrypt_new(am_l1.ct[v], am_l1.len, grants[0]);
		am_l2.key[v] = &keys[1];
		am_l3.ct[v] = reencrypt_new(am_l2.ct[v], am_l1.len + SP_HOPBYTES, grants[1]);
		am_l3.key[v] = &keys[2];
	}
	am_l2.len = am_l1.len + SP_HOPBYTES;
	am_l3.len = am_l2.len + SP_HOPBYTES;
	am_l1.grant = grants[0];
	am_l2.grant = grants[1];
	/* the path L1 -> L3 in one call */
	am_path13 = am_l1;
	am_path13.dctx = am_paths.dctx;		/* unused */
	if ((rc = sp_rcache_init(am_path13.rcache = malloc(rbytes), rbytes,
							 AM_RCACHE_SLOTS)) != SP_OK)
		die("cache init", rc);
	if ((rc = sp_path_suffix(suffix, sizeof suffix, grants[0], 2)) != SP_OK)
		die("sp_path_suffix", rc);
	am_path13.suffix = suffix;
	am_path13.nsuffix = 1;

	/* AM_PATHS paths a -> m -> keys[2], values shuffled */
	paths100(am_paths.ct, AM_VALUES, keys[2].pk, &am_paths.len);
	for (int v = 0; v < AM_VALUES; v++)
		am_paths.key[v] = &keys[2];
}

/* amort KEY LABEL RATE BASE_KEY BASE_RATE RATIO TARGET */
static void
am_line(const char *key, const char *label, const bench *b,
		const char *base_key, const bench *base, double target)
{
	printf("amort\t%s\t%s\t%.1f\t%s\t%.1f\t%.3f\t%.2f\n", key, label, b->best,
		   base_key, base->best, b->best / base->best, target);
}

static int
amortized_main(void)
{
	bench	   *dec1,
			   *dec3,
			   *dec3_1p,
			   *dec3_100p,
			   *re1,
			   *re2,
			   *re2_c,
			   *p13;
	static reenc_arg a1,
				a2;
	static int	l1 = 1,
				l3 = 3;

	setup();
	fprintf(stderr, "bench_core: amortised: making %d + %d values\n",
			3 * AM_VALUES, AM_VALUES);
	am_setup();
	a1 = (reenc_arg) {am_l1.ct[0], am_l1.len, grants[0], scratch_out};
	a2 = (reenc_arg) {am_l2.ct[0], am_l2.len, grants[1], scratch_out};
	dec1 = bench_add("decrypt_l1", op_decrypt, &l1);
	dec3 = bench_add("decrypt_l3", op_decrypt, &l3);
	dec3_1p = bench_add("decrypt_l3_batch_1path", op_am_decrypt, &am_l3);
	dec3_100p = bench_add("decrypt_l3_batch_100paths", op_am_decrypt, &am_paths);
	re1 = bench_add("reencrypt_l1", op_reencrypt, &a1);
	re2 = bench_add("reencrypt_l2", op_reencrypt, &a2);
	re2_c = bench_add("reencrypt_l2_cached", op_am_reencrypt, &am_l2);
	p13 = bench_add("path_l1_l3", op_am_reencrypt, &am_path13);
	bench_run_all();
	printf("meta\tlibsodium\t%s\n", sodium_version_string());
	printf("meta\tseconds_per_run\t%.2f\n", bench_seconds);
	printf("meta\truns\t%d\n", bench_runs);
	am_line("decrypt_l3_batch_1path",
			"decrypt 10 000 level-3 values on one path (decryption context)",
			dec3_1p, "decrypt_l1", dec1, 0.85);
	am_line("decrypt_l3_batch_100paths",
			"decrypt 10 000 level-3 values on 100 paths, shuffled (128-path context)",
			dec3_100p, "decrypt_l1", dec1, 0);
	am_line("decrypt_l3", "decrypt level 3, uncached", dec3, "decrypt_l1", dec1, 0);
	am_line("reencrypt_l2_cached",
			"re-encrypt L2→L3, 10 000 values through one grant (cache)",
			re2_c, "reencrypt_l1", re1, 0);
	am_line("reencrypt_l2", "re-encrypt L2→L3, uncached", re2, "reencrypt_l1", re1, 0);
	am_line("path_l1_l3", "re-encrypt L1→L3 along a path (constant hop 2)",
			p13, "reencrypt_l1", re1, 0.90);
	fflush(stdout);
	return 0;
}

/* ---- inputs of the CLI's batch decryption: --cli-input DIR N ---- */

#define CLI_LEVELS SP_MAXLEVEL

/* Write the text form of a value of kind as one line of f. */
static void
put_text(FILE *f, sp_kind kind, const uint8_t *bin, size_t len)
{
	size_t		cap = sp_text_bytes(kind, len);
	char	   *text = malloc(cap);
	int			rc;

	if (text == NULL)
		die("malloc", SP_ENOMEM);
	if ((rc = sp_text_encode(text, cap, kind, bin, len)) != SP_OK)
		die("sp_text_encode", rc);
	fprintf(f, "%s\n", text);
	free(text);
}

static FILE *
open_in(const char *dir, const char *name)
{
	char		path[4096];
	FILE	   *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
	{
		perror(path);
		exit(1);
	}
	return f;
}

/*
 * Keys chain[0 .. 16], each granting to the next (grants[k]: k -> k + 1);
 * with dir, also written as key files DIR/kK.sk of mode 0600.
 */
static void
chain_make(sp_secret *chain, uint8_t (*cgrants)[SP_GRANTBYTES], const char *dir)
{
	uint8_t		seed[SP_SEEDBYTES],
				x[32];
	int			rc;

	umask(077);
	for (int k = 0; k <= CLI_LEVELS; k++)
	{
		sp_random_bytes(seed, sizeof seed);
		if ((rc = sp_secret_expand(&chain[k], seed)) != SP_OK)
			die("sp_secret_expand", rc);
		if (dir != NULL)
		{
			char		name[32];
			FILE	   *f;

			snprintf(name, sizeof name, "k%d.sk", k);
			f = open_in(dir, name);
			put_text(f, SP_KIND_SECRET_KEY, seed, sizeof seed);
			fclose(f);
		}
	}
	sodium_memzero(seed, sizeof seed);
	for (int k = 0; k < CLI_LEVELS; k++)
	{
		sp_random_scalar(x);
		if ((rc = sp_grant(cgrants[k], &chain[k], chain[k + 1].pk, 0, x)) != SP_OK)
			die("sp_grant", rc);
	}
}

/*
 * DIR/kK.sk (K = 0 .. 16: a chain of keys, each granting to the next, key
 * files of mode 0600) and DIR/lN.txt (N = 1 .. 16): count values of level
 * N on the one path k0 -> ... -> k(N-1), for k(N-1); DIR/p100.txt: count
 * level-3 values on 100 paths a -> m -> k2, shuffled.
 */
static int
cli_input(const char *dir, int count)
{
	static sp_secret chain[CLI_LEVELS + 1];
	static uint8_t cgrants[CLI_LEVELS][SP_GRANTBYTES];
	uint8_t   **ps = calloc((size_t) count, sizeof *ps);
	uint8_t   **cs = calloc((size_t) count, sizeof *cs);
	size_t		len = 0;

	if (ps == NULL || cs == NULL)
		die("malloc", SP_ENOMEM);
	chain_make(chain, cgrants, dir);
	/* level n + 1 from level n: one encryption per value in all */
	for (int v = 0; v < count; v++)
		cs[v] = encrypt_new(chain[0].pk, MSGBYTES, &len);
	for (int n = 1; n <= CLI_LEVELS; n++)
	{
		char		name[32];
		FILE	   *f;

		snprintf(name, sizeof name, "l%d.txt", n);
		f = open_in(dir, name);
		for (int v = 0; v < count; v++)
		{
			put_text(f, SP_KIND_CIPHERTEXT, cs[v], len);
			if (n < CLI_LEVELS)
			{
				uint8_t    *next = reencrypt_new(cs[v], len, cgrants[n - 1]);

				free(cs[v]);
				cs[v] = next;
			}
		}
		len += SP_HOPBYTES;
		fclose(f);
	}
	for (int v = 0; v < count; v++)
		free(cs[v]);
	paths100(ps, count, chain[2].pk, &len);
	{
		FILE	   *f = open_in(dir, "p100.txt");

		for (int v = 0; v < count; v++)
		{
			put_text(f, SP_KIND_CIPHERTEXT, ps[v], len);
			free(ps[v]);
		}
		fclose(f);
	}
	free(ps);
	free(cs);
	for (int k = 0; k <= CLI_LEVELS; k++)
		sp_secret_wipe(&chain[k]);
	return 0;
}

/* ---- cost per record against the level: --levels ---- */

/*
 * For each level n = 1 .. 16, LV_VALUES values on the one path k0 -> ...
 * -> k(n-1): decrypt each on its own (sp_decrypt) and as a batch through
 * a decryption context; bring a level-1 value to level n hop by hop
 * (n - 1 sp_reencrypt calls) and in one call along the path
 * (sp_reencrypt_path, the constant hops 2 .. n-1 computed once per batch,
 * that cost inside the batch's rate).  Each batch starts with empty
 * caches.  Prints: lvl N DEC_OP DEC_BATCH RE_OP RE_BATCH CT_BYTES (values
 * per CPU-second; 0 where there is nothing to do: no re-encryption to
 * level 1).
 */
#define LV_VALUES 1000

typedef struct lv_batch
{
	int			n;
	uint8_t    *ct[LV_VALUES];	/* level n */
	uint8_t    *l1[LV_VALUES];	/* the same values at level 1 */
	size_t		len,
				len1;
	const sp_secret *key;
	const uint8_t *grants;		/* n - 1 grants, contiguous */
	uint8_t    *suffix;
	uint8_t    *out[2];
	sp_dctx    *dctx;
	int			i;
} lv_batch;

static void
lv_next(lv_batch *b, int wipe_ctx)
{
	if (++b->i == LV_VALUES)
	{
		b->i = 0;
		if (wipe_ctx)
			sp_dctx_wipe(b->dctx);
	}
}

static void
op_lv_decrypt(void *arg)
{
	lv_batch   *b = arg;
	size_t		mlen;
	int			rc = sp_decrypt(scratch_m, MSGBYTES, &mlen, b->ct[b->i], b->len, b->key);

	if (rc != SP_OK)
		die("sp_decrypt", rc);
	lv_next(b, 0);
}

static void
op_lv_decrypt_batch(void *arg)
{
	lv_batch   *b = arg;
	size_t		mlen;
	int			rc = sp_decrypt_cached(scratch_m, MSGBYTES, &mlen, b->ct[b->i],
									   b->len, b->key, b->dctx);

	if (rc != SP_OK)
		die("sp_decrypt_cached", rc);
	lv_next(b, 1);
}

static void
op_lv_reencrypt(void *arg)
{
	lv_batch   *b = arg;
	const uint8_t *in = b->l1[b->i];
	size_t		len = b->len1;

	for (int k = 0; k < b->n - 1; k++)
	{
		uint8_t    *o = b->out[k % 2];
		int			rc = sp_reencrypt(o, len + SP_HOPBYTES, in, len,
									  b->grants + (size_t) k * SP_GRANTBYTES);

		if (rc != SP_OK)
			die("sp_reencrypt", rc);
		in = o;
		len += SP_HOPBYTES;
	}
	lv_next(b, 0);
}

static void
op_lv_reencrypt_path(void *arg)
{
	lv_batch   *b = arg;
	int			h = b->n - 1,
				rc;

	/* a batch starts by computing its path's constant hops */
	if (b->i == 0 &&
		(rc = sp_path_suffix(b->suffix, (size_t) (h - 1) * SP_HOPBYTES,
							 b->grants, h)) != SP_OK)
		die("sp_path_suffix", rc);
	rc = sp_reencrypt_path(b->out[0], b->len, b->l1[b->i], b->len1, b->grants,
						   b->suffix, h - 1, NULL);
	if (rc != SP_OK)
		die("sp_reencrypt_path", rc);
	lv_next(b, 0);
}

static int
levels_main(void)
{
	static sp_secret chain[CLI_LEVELS + 1];
	static uint8_t cgrants[CLI_LEVELS][SP_GRANTBYTES];
	static lv_batch lv[CLI_LEVELS + 1],
				each[CLI_LEVELS + 1][4];
	bench	   *b[CLI_LEVELS + 1][4];
	size_t		dbytes = sp_dctx_bytes(AM_DCTX_SLOTS);

	chain_make(chain, cgrants, NULL);
	fprintf(stderr, "bench_core: levels: making %d values per level\n", LV_VALUES);
	for (int n = 1; n <= CLI_LEVELS; n++)
	{
		lv_batch   *l = &lv[n];

		l->n = n;
		l->key = &chain[n - 1];
		l->grants = cgrants[0];
		for (int v = 0; v < LV_VALUES; v++)
		{
			l->l1[v] = n == 1 ? encrypt_new(chain[0].pk, MSGBYTES, &l->len1)
				: lv[1].l1[v];
			l->ct[v] = n == 1 ? l->l1[v]
				: reencrypt_new(lv[n - 1].ct[v], lv[n - 1].len, cgrants[n - 2]);
		}
		l->len1 = lv[1].len1;
		l->len = l->len1 + (size_t) (n - 1) * SP_HOPBYTES;
		l->suffix = malloc((size_t) CLI_LEVELS * SP_HOPBYTES);
		l->out[0] = malloc(l->len + SP_HOPBYTES);
		l->out[1] = malloc(l->len + SP_HOPBYTES);
		l->dctx = malloc(dbytes);
		if (!l->suffix || !l->out[0] || !l->out[1] || !l->dctx ||
			sp_dctx_init(l->dctx, dbytes, AM_DCTX_SLOTS) != SP_OK)
			die("malloc", SP_ENOMEM);
	}
	/* each operation its own position in the batch */
	for (int n = 1; n <= CLI_LEVELS; n++)
		for (int o = 0; o < 4; o++)
			each[n][o] = lv[n];
	for (int n = 1; n <= CLI_LEVELS; n++)
	{
		b[n][0] = bench_add("lv_decrypt", op_lv_decrypt, &each[n][0]);
		b[n][1] = bench_add("lv_decrypt_batch", op_lv_decrypt_batch, &each[n][1]);
		b[n][2] = n > 1 ? bench_add("lv_reencrypt", op_lv_reencrypt, &each[n][2]) : NULL;
		b[n][3] = n > 1 ? bench_add("lv_reencrypt_path", op_lv_reencrypt_path,
									&each[n][3]) : NULL;
		/* the batches start again from the start, with empty caches */
		each[n][1].i = 0;
		sp_dctx_wipe(each[n][1].dctx);
		each[n][3].i = 0;
	}
	bench_run_all();
	printf("meta\tlibsodium\t%s\n", sodium_version_string());
	printf("meta\tlevel_values\t%d\n", LV_VALUES);
	for (int n = 1; n <= CLI_LEVELS; n++)
		printf("lvl\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%zu\n", n, b[n][0]->best,
			   b[n][1]->best, b[n][2] ? b[n][2]->best : 0.0,
			   b[n][3] ? b[n][3]->best : 0.0, lv[n].len);
	fflush(stdout);
	return 0;
}

/* ---- threshold grants (--threshold): cost against a single-key grant ---- */

#define THR_CONFIGS 2

/* One t-of-n split of grants[0] (keys[0] -> keys[1]) over n server keys. */
typedef struct thr_arg
{
	int			t,
				n;
	size_t		one;			/* bytes of one share */
	uint8_t		sk[SP_TMAXN][SP_SERVER_SECRETBYTES];
	uint8_t		dbid[SP_TMAXN][SP_DBIDBYTES];
	uint8_t		sealkeys[SP_TMAXN * SP_SEALKEYBYTES];
	uint8_t		shares[SP_TMAXN * SP_TSHARE_MAXBYTES];
	uint8_t		rk[SP_TMAXN][SP_SCALARBYTES];
	uint8_t		partials[SP_TMAXN * SP_TPARTIALBYTES];
} thr_arg;

/* sp_tshare_split with fresh coefficients and seeds (as the library's _random) */
static int
thr_split(uint8_t *out, const thr_arg *a, const uint8_t *g)
{
	uint8_t		coeffs[SP_TMAXN * SP_SCALARBYTES],
				seeds[SP_TMAXN * SP_SEALSEEDBYTES];
	int			rc;

	for (int j = 0; j < a->t - 1; j++)
		sp_random_scalar(coeffs + SP_SCALARBYTES * j);
	sp_random_bytes(seeds, SP_SEALSEEDBYTES * a->n);
	rc = sp_tshare_split(out, a->one * a->n, g, &keys[0], a->t, a->n,
						 a->sealkeys, coeffs, seeds);
	sodium_memzero(coeffs, sizeof coeffs);
	return rc;
}

static void
thr_setup(thr_arg *a, int t, int n)
{
	uint8_t		pk[SP_SERVER_PUBLICBYTES],
				keyid[SP_KEYIDBYTES],
				rho[SP_TRHOBYTES];
	int			rc;

	a->t = t;
	a->n = n;
	a->one = SP_TSHAREBYTES(t);
	for (int i = 0; i < n; i++)
	{
		sp_random_bytes(a->sk[i], SP_SERVER_SECRETBYTES);
		sp_random_bytes(a->dbid[i], SP_DBIDBYTES);
		if (sp_server_public(pk, keyid, a->sk[i]) != SP_OK)
			die("sp_server_public", -1);
		sp_seal_key(a->sealkeys + SP_SEALKEYBYTES * i, pk, a->dbid[i]);
	}
	if ((rc = thr_split(a->shares, a, grants[0])) != SP_OK)
		die("sp_tshare_split", rc);
	for (int i = 0; i < n; i++)
	{
		sp_random_bytes(rho, sizeof rho);
		if ((rc = sp_tshare_open(a->rk[i], a->shares + a->one * i, a->one,
								 a->sk[i], a->dbid[i])) != SP_OK ||
			(rc = sp_tpartial(a->partials + SP_TPARTIALBYTES * i,
							  a->shares + a->one * i, a->one, a->rk[i],
							  cts[1], ctlens[1], rho)) != SP_OK)
			die("sp_tshare_open / sp_tpartial", rc);
	}
}

/* A single-key grant as stored: made and sealed to one server key. */
static void
op_thr_grant_sealed(void *arg)
{
	thr_arg    *a = arg;
	uint8_t		x[32],
				seed[SP_SEALSEEDBYTES],
				g[SP_GRANTBYTES];
	int			rc;

	sp_random_scalar(x);
	sp_random_bytes(seed, sizeof seed);
	if ((rc = sp_grant(g, &keys[0], keys[1].pk, 0, x)) != SP_OK ||
		(rc = sp_seal_grant(scratch_out, g, a->sealkeys, seed)) != SP_OK)
		die("sp_grant / sp_seal_grant", rc);
	sodium_memzero(g, sizeof g);
}

/* A threshold grant: the grant, then its n shares. */
static void
op_thr_split(void *arg)
{
	thr_arg    *a = arg;
	uint8_t		x[32],
				g[SP_GRANTBYTES];
	int			rc;

	sp_random_scalar(x);
	if ((rc = sp_grant(g, &keys[0], keys[1].pk, 0, x)) != SP_OK ||
		(rc = thr_split(scratch_out, a, g)) != SP_OK)
		die("sp_grant / sp_tshare_split", rc);
	sodium_memzero(g, sizeof g);
}

static void
op_thr_open(void *arg)
{
	thr_arg    *a = arg;
	uint8_t		rk[SP_SCALARBYTES];
	int			rc = sp_tshare_open(rk, a->shares, a->one, a->sk[0], a->dbid[0]);

	if (rc != SP_OK)
		die("sp_tshare_open", rc);
	sink ^= rk[0];
}

/* Holder 1's partial and proof for the level-1 value, fresh rho. */
static void
op_thr_partial(void *arg)
{
	thr_arg    *a = arg;
	uint8_t		p[SP_TPARTIALBYTES],
				rho[SP_TRHOBYTES];
	int			rc;

	sp_random_bytes(rho, sizeof rho);
	rc = sp_tpartial(p, a->shares, a->one, a->rk[0], cts[1], ctlens[1], rho);
	if (rc != SP_OK)
		die("sp_tpartial", rc);
	sink ^= p[8];
}

/* Verify t partials (holders 1..t) and combine them into the hop. */
static void
op_thr_combine(void *arg)
{
	thr_arg    *a = arg;
	int			rc = sp_tcombine(scratch_out, ctlens[1] + SP_HOPBYTES, cts[1],
								 ctlens[1], a->shares, a->one, a->partials,
								 a->t);

	if (rc != SP_OK)
		die("sp_tcombine", rc);
}

static void
op_thr_validate(void *arg)
{
	int			rc;

	(void) arg;
	if ((rc = sp_ciphertext_validate(cts[1], ctlens[1])) != SP_OK)
		die("sp_ciphertext_validate", rc);
}

static void
thr_line(const char *key, const char *label, double s_per_op, double base_s)
{
	printf("thr\t%s\t%s\t%.1f\t%.1f\t%.2f\n", key, label, 1 / s_per_op,
		   1e6 * s_per_op, s_per_op / base_s);
}

/*
 * Each cost side by side in one run: making a grant (sealed to one server
 * key, or split into n sealed shares), opening it on a holder, and per
 * record the single-key hop against t partials with their proofs plus
 * the verification and combination of t partials.  Lines:
 *   thr  KEY  LABEL  OPS_PER_S  US_PER_OP  TIMES_THE_SINGLE_KEY_COST
 */
static int
threshold_main(void)
{
	static const int tn[THR_CONFIGS][2] = {{2, 3}, {3, 5}};
	static thr_arg args[THR_CONFIGS];
	static reenc_arg re;
	bench	   *b_re,
			   *b_val,
			   *b_grant,
			   *b_sopen,
			   *b_split[THR_CONFIGS],
			   *b_open[THR_CONFIGS],
			   *b_part[THR_CONFIGS],
			   *b_comb[THR_CONFIGS];

	setup();
	seal_setup();
	for (int c = 0; c < THR_CONFIGS; c++)
		thr_setup(&args[c], tn[c][0], tn[c][1]);
	re = (reenc_arg) {cts[1], ctlens[1], grants[0], scratch_out};
	b_re = bench_add("reencrypt_l1", op_reencrypt, &re);
	b_val = bench_add("validate_l1", op_thr_validate, NULL);
	b_grant = bench_add("grant_sealed", op_thr_grant_sealed, &args[0]);
	b_sopen = bench_add("open_sealed_grant", op_open_sealed, NULL);
	for (int c = 0; c < THR_CONFIGS; c++)
	{
		b_split[c] = bench_add("grant_split", op_thr_split, &args[c]);
		b_open[c] = bench_add("share_open", op_thr_open, &args[c]);
		b_part[c] = bench_add("partial", op_thr_partial, &args[c]);
		b_comb[c] = bench_add("combine", op_thr_combine, &args[c]);
	}
	bench_run_all();
	printf("meta\tlibsodium\t%s\n", sodium_version_string());
	printf("meta\tseconds_per_run\t%.2f\n", bench_seconds);
	printf("meta\truns\t%d\n", bench_runs);
	thr_line("grant_sealed", "single key: grant + seal to one server key",
			 SEC(b_grant), SEC(b_grant));
	thr_line("open_sealed", "single key: open the sealed grant (a holder, first use)",
			 SEC(b_sopen), SEC(b_sopen));
	thr_line("reencrypt_l1", "single key: re-encrypt L1→L2 (per record)",
			 SEC(b_re), SEC(b_re));
	thr_line("validate_l1", "  for reference: full validity of the L1 value (capsule check)",
			 SEC(b_val), SEC(b_re));
	for (int c = 0; c < THR_CONFIGS; c++)
	{
		char		key[4][32],
					label[4][96];
		int			t = tn[c][0],
					n = tn[c][1];

		snprintf(key[0], sizeof key[0], "split_%d_%d", t, n);
		snprintf(label[0], sizeof label[0], "%d-of-%d: grant + split into %d sealed shares", t, n, n);
		snprintf(key[1], sizeof key[1], "share_open_%d_%d", t, n);
		snprintf(label[1], sizeof label[1], "%d-of-%d: open a share (a holder, first use)", t, n);
		snprintf(key[2], sizeof key[2], "partial_%d_%d", t, n);
		snprintf(label[2], sizeof label[2], "%d-of-%d: one partial + proof (per record, per holder)", t, n);
		snprintf(key[3], sizeof key[3], "combine_%d_%d", t, n);
		snprintf(label[3], sizeof label[3], "%d-of-%d: verify %d partials + combine (per record)", t, n, t);
		thr_line(key[0], label[0], SEC(b_split[c]), SEC(b_grant));
		thr_line(key[1], label[1], SEC(b_open[c]), SEC(b_sopen));
		thr_line(key[2], label[2], SEC(b_part[c]), SEC(b_re));
		thr_line(key[3], label[3], SEC(b_comb[c]), SEC(b_re));
		snprintf(key[0], sizeof key[0], "hop_%d_%d", t, n);
		snprintf(label[0], sizeof label[0],
				 "%d-of-%d: the whole hop, %d partials + combine (CPU per record)", t, n, t);
		thr_line(key[0], label[0], t * SEC(b_part[c]) + SEC(b_comb[c]), SEC(b_re));
	}
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *env;
	bench	   *p_var,
			   *p_base,
			   *p_add,
			   *p_edbase,
			   *p_sign,
			   *p_seal,
			   *p_open,
			   *p_hash,
			   *p_rand,
			   *p_inv,
			   *p_pkval,
			   *p_decode,
			   *p_edvalid,
			   *p_verify;
	bench	   *o_edkp,
			   *o_keygen,
			   *o_enc,
			   *o_grant,
			   *o_re1,
			   *o_re2,
			   *o_sopen,
			   *o_scache,
			   *o_dec[NLEVELS + 1],
			   *o_big[3],
			   *p_copy[3];
	static int	levels[NLEVELS + 1];
	static reenc_arg re_args[5];
	static const struct
	{
		const char *key;
		const char *copykey;
		const char *label;
		size_t		mlen;
	}			big[3] = {
		{"reencrypt_1k", "copy_1k", "re-encrypt L1→L2, 1 KiB value", 1024},
		{"reencrypt_64k", "copy_64k", "re-encrypt L1→L2, 64 KiB value", 65536},
		{"reencrypt_1m", "copy_1m", "re-encrypt L1→L2, 1 MiB value", 1048576},
	};
	static size_t big_ctlen[3];
	static size_t copy_lens[3];
	int			quick = argc > 1 && strcmp(argv[1], "--quick") == 0;

	/*
	 * --reencrypt-rate SECONDS: only re-encrypt L1->L2, one run of about
	 * SECONDS; prints its mean rate by wall-clock time and by CPU time.
	 * sql_bench.py runs it right after each SQL run it compares with, so
	 * that both see the same machine.
	 */
	if (argc > 3 && strcmp(argv[1], "--cli-input") == 0)
	{
		if (sp_init() != SP_OK)
			die("sp_init", SP_EINTERNAL);
		return cli_input(argv[2], atoi(argv[3]) > 0 ? atoi(argv[3]) : 1);
	}
	if (argc > 1 && strcmp(argv[1], "--tokens-ratio") == 0)
	{
		if (sp_init() != SP_OK)
			die("sp_init", SP_EINTERNAL);
		tokens_ratio(5);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "--reencrypt-rate") == 0)
	{
		reenc_arg	a;
		double		secs = atof(argv[2]) > 0 ? atof(argv[2]) : 1;
		double		t0,
					c0,
					wall,
					cpu;
		long		n;

		if (sp_init() != SP_OK)
			die("sp_init", SP_EINTERNAL);
		setup();
		a = (reenc_arg) {cts[1], ctlens[1], grants[0], scratch_out};
		bench_seconds = secs;
		n = bench_add("reencrypt_l1", op_reencrypt, &a)->n;
		t0 = now();
		c0 = cpu_now();
		for (long i = 0; i < n; i++)
			op_reencrypt(&a);
		wall = now() - t0;
		cpu = cpu_now() - c0;
		printf("%.1f\t%.1f\n", n / wall, n / (cpu > 0 ? cpu : wall));
		return 0;
	}

	if ((env = getenv("BENCH_SECONDS")) != NULL && atof(env) > 0)
		bench_seconds = atof(env);
	if ((env = getenv("BENCH_RUNS")) != NULL && atoi(env) > 0)
		bench_runs = atoi(env);
	if (quick)
	{
		bench_seconds = 0.05;
		bench_runs = 1;
	}
	if (sp_init() != SP_OK)
		die("sp_init", SP_EINTERNAL);
	/* --levels: cost per record against the level (test/bench/amortized.sh) */
	if (argc > 1 && strcmp(argv[argc - 1], "--levels") == 0)
	{
		if (getenv("BENCH_SECONDS") == NULL && !quick)
			bench_seconds = 0.05;
		if (getenv("BENCH_RUNS") == NULL && !quick)
			bench_runs = 6;
		return levels_main();
	}
	/* --threshold: threshold grants against a single-key grant */
	if (argc > 1 && strcmp(argv[argc - 1], "--threshold") == 0)
		return threshold_main();
	/* --amortized: only the sp_cache.h operations (test/bench/amortized.sh) */
	if (argc > 1 && strcmp(argv[argc - 1], "--amortized") == 0)
		return amortized_main();
	setup();

	/* primitives: a random valid point and scalar */
	sp_random_scalar(prim_scalar);
	crypto_core_ristretto255_random(prim_point);
	crypto_core_ristretto255_random(prim_point2);
	randombytes_buf(prim_ad, sizeof prim_ad);
	crypto_aead_xchacha20poly1305_ietf_encrypt(aead_c, NULL, msg, MSGBYTES,
											   prim_ad, 133, NULL,
											   prim_ad + 200, prim_ad + 160);

	p_var = bench_add("var_mult", prim_var, NULL);
	p_base = bench_add("base_mult", prim_base, NULL);
	p_decode = bench_add("decode", prim_decode, NULL);
	p_add = bench_add("point_add", prim_add, NULL);
	p_edbase = bench_add("ed25519_base_mult", prim_ed_base, NULL);
	p_edvalid = bench_add("ed25519_valid", prim_ed_valid, NULL);
	p_pkval = bench_add("pk_validate", prim_pk_validate, NULL);
	p_sign = bench_add("sign", prim_sign, NULL);
	p_verify = bench_add("verify", prim_verify, NULL);
	p_seal = bench_add("aead_seal_32", prim_aead_seal, NULL);
	p_open = bench_add("aead_open_32", prim_aead_open, NULL);
	p_hash = bench_add("hash_scalar", prim_hash, NULL);
	p_inv = bench_add("scalar_invert", prim_invert, NULL);
	p_rand = bench_add("random_scalar", prim_random_scalar, NULL);

	o_edkp = bench_add("ed25519_keypair", op_ed25519_keypair, NULL);
	o_keygen = bench_add("keygen", op_keygen, NULL);
	o_enc = bench_add("encrypt", op_encrypt, NULL);
	o_grant = bench_add("grant", op_grant, NULL);
	re_args[0] = (reenc_arg) {cts[1], ctlens[1], grants[0], scratch_out};
	re_args[1] = (reenc_arg) {cts[2], ctlens[2], grants[1], scratch_out};
	o_re1 = bench_add("reencrypt_l1", op_reencrypt, &re_args[0]);
	o_re2 = bench_add("reencrypt_l2", op_reencrypt, &re_args[1]);
	seal_setup();
	o_sopen = bench_add("open_sealed_grant", op_open_sealed, NULL);
	o_scache = bench_add("sealed_grant_cached", op_sealed_cache_key, NULL);
	for (int n = 1; n <= NLEVELS; n++)
	{
		static char names[NLEVELS + 1][16];

		levels[n] = n;
		snprintf(names[n], sizeof names[n], "decrypt_l%d", n % 100);
		o_dec[n] = bench_add(names[n], op_decrypt, &levels[n]);
	}
	for (int i = 0; i < 3; i++)
	{
		uint8_t    *ct = encrypt_new(keys[0].pk, big[i].mlen, &big_ctlen[i]);

		re_args[2 + i] = (reenc_arg) {ct, big_ctlen[i], grants[0], scratch_out};
		o_big[i] = bench_add(big[i].key, op_reencrypt, &re_args[2 + i]);
		copy_lens[i] = big_ctlen[i];
		p_copy[i] = bench_add(big[i].copykey, prim_copy, &copy_lens[i]);
	}

	bench_run_all();

	printf("meta\tlibsodium\t%s\n", sodium_version_string());
	printf("meta\tseconds_per_run\t%.2f\n", bench_seconds);
	printf("meta\truns\t%d\n", bench_runs);

	prim_line(p_var, "crypto_scalarmult_ristretto255 (variable base; includes decode + encode)");
	prim_line(p_base, "crypto_scalarmult_ristretto255_base");
	prim_line(p_decode, "crypto_core_ristretto255_is_valid_point");
	prim_line(p_add, "crypto_core_ristretto255_add (2 decodes + add + encode)");
	prim_line(p_edbase, "crypto_scalarmult_ed25519_base_noclamp");
	prim_line(p_edvalid, "crypto_core_ed25519_is_valid_point (decode + subgroup check)");
	prim_line(p_pkval, "sp_public_key_validate (ristretto decode + Ed25519 subgroup check)");
	prim_line(p_sign, "crypto_sign_detached, 208 bytes");
	prim_line(p_verify, "crypto_sign_verify_detached, 208 bytes");
	prim_line(p_seal, "XChaCha20-Poly1305 seal, 32 B message, 133 B AD");
	prim_line(p_open, "XChaCha20-Poly1305 open, 32 B message, 133 B AD");
	prim_line(p_hash, "BLAKE2b-512 of 120 B + scalar_reduce (one Hs)");
	prim_line(p_inv, "crypto_core_ristretto255_scalar_invert");
	prim_line(p_rand, "sp_random_scalar");
	for (int i = 0; i < 3; i++)
		prim_line(p_copy[i], "memcpy of the whole value");

	op_line(o_edkp, "Ed25519 key pair", SEC(p_edbase), "1 ed25519 base mult",
			SEC(p_edbase), "1 ed25519 base mult (+ SHA-512)");
	op_line(o_keygen, "PRE key pair (keygen)", SEC(p_base) + SEC(p_edbase),
			"1 base mult + 1 ed25519 base mult",
			SEC(p_base) + SEC(p_edbase) + 2 * SEC(p_hash),
			"bound + 2 hashes");
	op_line(o_enc, "encrypt 32 B", 2 * SEC(p_base) + SEC(p_var) + SEC(p_seal),
			"2 base mult + 1 var mult + AEAD seal",
			2 * SEC(p_base) + SEC(p_var) + SEC(p_seal) + SEC(p_pkval) +
			2 * SEC(p_rand) + 2 * SEC(p_hash),
			"bound + recipient key validation (Ed25519 subgroup check) + 2 random scalars + 2 hashes");
	op_line(o_grant, "grant (transform key)",
			SEC(p_base) + SEC(p_var) + SEC(p_sign),
			"1 base mult + 1 var mult + sign",
			SEC(p_base) + SEC(p_var) + SEC(p_sign) + SEC(p_pkval) +
			SEC(p_inv) + SEC(p_rand) + SEC(p_hash),
			"bound + grantee key validation (Ed25519 subgroup check) + scalar invert + random scalar + hash");
	op_line(o_re1, "re-encrypt L1→L2", SEC(p_var) + SEC(p_add),
			"1 var mult + 1 point add", SEC(p_var) + SEC(p_add), "bound");
	op_line(o_re2, "re-encrypt L2→L3", SEC(p_var), "1 var mult",
			SEC(p_var), "bound");
	op_line(o_sopen, "open a sealed grant (first use in a backend)",
			SEC(p_verify) + 2 * SEC(p_pkval) + SEC(p_decode) + 2 * SEC(p_var),
			"verify + 2 key validations + X decode + 2 X25519 (taken as 2 var mults)",
			SEC(p_verify) + 2 * SEC(p_pkval) + SEC(p_decode) + 2 * SEC(p_var) + SEC(p_open),
			"bound + the box's XSalsa20-Poly1305 (taken as one AEAD open)");
	op_line(o_scache, "opened grant from the backend's cache", 3 * SEC(p_hash),
			"BLAKE2b-256 of the 360 sealed bytes (3 blocks, taken as 3 Hs)",
			3 * SEC(p_hash), "bound");
	for (int n = 1; n <= NLEVELS; n++)
	{
		double		bound = n * SEC(p_var) + SEC(p_open) +
			(n == 1 ? SEC(p_add) : 0);
		double		explained = bound + (n - 1) * SEC(p_hash) + SEC(p_hash);
		char		label[32],
					formula[64];

		if (n <= 3)
		{
			snprintf(label, sizeof label, "decrypt L%d", n);
			if (n == 1)
				snprintf(formula, sizeof formula,
						 "1 var mult + 1 point add + AEAD open");
			else
				snprintf(formula, sizeof formula, "%d var mult + AEAD open", n);
			op_line(o_dec[n], label, bound, formula, explained,
					"bound + one hash per level");
		}
		printf("level\t%d\t%.1f\t%.1f\t%zu\t%.1f\n", n, o_dec[n]->best,
			   1 / bound, ctlens[n], o_dec[n]->best_wall);
	}
	for (int i = 0; i < 3; i++)
	{
		char		formula[96];

		snprintf(formula, sizeof formula,
				 "1 var mult + 1 point add + copy of %zu B (%.1f us)",
				 big_ctlen[i], 1e6 * SEC(p_copy[i]));
		op_line(o_big[i], big[i].label,
				SEC(p_var) + SEC(p_add) + SEC(p_copy[i]), formula,
				SEC(p_var) + SEC(p_add) + SEC(p_copy[i]), "bound");
	}

	/* sizes */
	printf("size\tsecret key\t%d\t%zu\n", SP_SEEDBYTES,
		   sp_text_bytes(SP_KIND_SECRET_KEY, SP_SEEDBYTES) - 1);
	printf("size\tpublic key\t%d\t%zu\n", SP_PUBLICKEYBYTES,
		   sp_text_bytes(SP_KIND_PUBLIC_KEY, SP_PUBLICKEYBYTES) - 1);
	printf("size\tgrant\t%d\t%zu\n", SP_GRANTBYTES,
		   sp_text_bytes(SP_KIND_GRANT, SP_GRANTBYTES) - 1);
	for (int n = 1; n <= SP_MAXLEVEL; n++)
	{
		size_t		b = sp_ciphertext_bytes(n, 0, MSGBYTES);

		if (n <= 4 || n == 8 || n == SP_MAXLEVEL)
			printf("size\tciphertext L%d, 32 B message\t%zu\t%zu\n", n, b,
				   sp_text_bytes(SP_KIND_CIPHERTEXT, b) - 1);
	}
	tokens_ratio(quick ? 1 : 5);
	fflush(stdout);
	return sink == 0x5a ? 0 : 0;
}
