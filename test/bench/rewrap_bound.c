/*
 * rewrap_bound.c - the bound of secant-pre rewrap per record, in CPU time
 * of this process, on N records of a 200-byte value (those of
 * test/bench/rotation.sh), one thread:
 *
 *   bound      sp_decrypt + sp_encrypt, each as bench_core.c times it (the
 *              new key checked at every encryption, fresh randomness): the
 *              bound of issue 36
 *   validated  the same with the retired and the new key checked once and
 *              each record validated first (sp_ciphertext_validate_cached):
 *              the least a rewrap that validates what it reads can do
 *
 * Prints "bound_us X" and "validated_us Y", microseconds per record (the
 * best of three passes).  Built and run by test/bench/rotation.sh:
 *   cc -O2 -Isrc/core test/bench/rewrap_bound.c \
 *      $(make -s -f src/core/core.mk print-core-srcs) -lsodium -lutf8proc
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "sp_core.h"
#include "sp_random.h"

#define MSGBYTES 200
#define PASSES 3

static double
cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void
die(const char *what, int rc)
{
	fprintf(stderr, "rewrap_bound: %s failed (%d)\n", what, rc);
	exit(1);
}

/* Rewrap every record once; the CPU seconds it took. */
static double
pass(const uint8_t *cts, size_t ctlen, int n, const sp_secret *old,
	 const uint8_t *pk, sp_keycache *cache)
{
	uint8_t		m[MSGBYTES],
				r[SP_SCALARBYTES],
				u[SP_SCALARBYTES],
				nonce[SP_NONCEBYTES];
	uint8_t    *out = malloc(ctlen);
	size_t		mlen;
	double		t0 = cpu_now();
	int			rc;

	for (int i = 0; i < n; i++)
	{
		const uint8_t *ct = cts + (size_t) i * ctlen;

		if (cache != NULL && (rc = sp_ciphertext_validate_cached(ct, ctlen, cache)) != SP_OK)
			die("sp_ciphertext_validate_cached", rc);
		if ((rc = sp_decrypt(m, sizeof m, &mlen, ct, ctlen, old)) != SP_OK)
			die("sp_decrypt", rc);
		sp_random_scalar(r);
		sp_random_scalar(u);
		sp_random_bytes(nonce, sizeof nonce);
		if ((rc = sp_encrypt_cached(out, ctlen, pk, m, mlen, NULL, 0, r, u, nonce,
									cache)) != SP_OK)
			die("sp_encrypt", rc);
	}
	free(out);
	return cpu_now() - t0;
}

int
main(int argc, char **argv)
{
	int			n = argc > 1 && atoi(argv[1]) > 0 ? atoi(argv[1]) : 2000;
	size_t		ctlen = sp_ciphertext_bytes(1, 0, MSGBYTES);
	uint8_t    *cts = malloc((size_t) n * ctlen);
	uint8_t		seed[SP_SEEDBYTES],
				m[MSGBYTES],
				r[SP_SCALARBYTES],
				u[SP_SCALARBYTES],
				nonce[SP_NONCEBYTES];
	sp_secret	old,
				new;
	sp_keycache *cache = calloc(1, sizeof *cache);
	double		best[2] = {1e9, 1e9};
	int			rc;

	if (cts == NULL || cache == NULL || sodium_init() < 0)
		die("setup", 0);
	memset(m, 'x', sizeof m);
	sp_random_bytes(seed, sizeof seed);
	if ((rc = sp_secret_expand(&old, seed)) != SP_OK)
		die("sp_secret_expand", rc);
	sp_random_bytes(seed, sizeof seed);
	if ((rc = sp_secret_expand(&new, seed)) != SP_OK)
		die("sp_secret_expand", rc);
	for (int i = 0; i < n; i++)
	{
		sp_random_scalar(r);
		sp_random_scalar(u);
		sp_random_bytes(nonce, sizeof nonce);
		if ((rc = sp_encrypt(cts + (size_t) i * ctlen, ctlen, old.pk, m, sizeof m,
							 NULL, 0, r, u, nonce)) != SP_OK)
			die("sp_encrypt", rc);
	}
	for (int p = 0; p < PASSES; p++)
	{
		double		b = pass(cts, ctlen, n, &old, new.pk, NULL);
		double		v = pass(cts, ctlen, n, &old, new.pk, cache);

		best[0] = b < best[0] ? b : best[0];
		best[1] = v < best[1] ? v : best[1];
	}
	printf("bound_us %.1f\nvalidated_us %.1f\n", best[0] / n * 1e6, best[1] / n * 1e6);
	sp_secret_wipe(&old);
	sp_secret_wipe(&new);
	free(cts);
	free(cache);
	return 0;
}
