/*
 * batch_rate.c - batch decryption through libsecant-pre's decryption
 * context, in C: N values on one grant path of LEVEL - 1 hops, decrypted
 * with sp_decrypt_cached; prints "values_per_second <rate>".  Built and run
 * by test/bench/py_batch.py (not a test: no timed assertions).
 * Usage: batch_rate N LEVEL
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <secant_pre.h>

int
main(int argc, char **argv)
{
	int			n = argc > 1 ? atoi(argv[1]) : 1000;
	int			level = argc > 2 ? atoi(argv[2]) : 3;
	uint8_t		seeds[SP_MAXLEVEL][SP_SEEDBYTES];
	sp_secret  *keys[SP_MAXLEVEL];
	uint8_t		grants[SP_MAXLEVEL][SP_GRANTBYTES];
	size_t		len0 = sp_ciphertext_bytes(1, 0, 32);
	size_t		len = len0 + (size_t) (level - 1) * SP_HOPBYTES;
	uint8_t    *cts = malloc((size_t) n * len);
	uint8_t    *tmp = malloc(len);
	uint8_t		m[32];
	size_t		mlen;
	sp_dctx    *ctx = sp_dctx_new(256);
	struct timespec t0,
				t1;

	if (n < 1 || level < 1 || level > SP_MAXLEVEL || cts == NULL || tmp == NULL ||
		ctx == NULL || sp_init() != SP_OK)
		return 2;
	for (int k = 0; k < level; k++)
	{
		uint8_t		pk[SP_PUBLICKEYBYTES];

		if (sp_keygen(seeds[k]) != SP_OK || (keys[k] = sp_secret_new(seeds[k], NULL)) == NULL)
			return 1;
		sp_secret_public_key(pk, keys[k]);
		if (k > 0 && sp_grant_random(grants[k - 1], keys[k - 1], pk, 0) != SP_OK)
			return 1;
	}
	for (int i = 0; i < n; i++)
	{
		uint8_t    *ct = cts + (size_t) i * len;
		size_t		cur = len0;

		if (sp_encrypt_random(ct, len0, keys[0]->pk, m, sizeof m, NULL, 0) != SP_OK)
			return 1;
		for (int k = 0; k + 1 < level; k++, cur += SP_HOPBYTES)
		{
			if (sp_reencrypt(tmp, cur + SP_HOPBYTES, ct, cur, grants[k]) != SP_OK)
				return 1;
			for (size_t j = 0; j < cur + SP_HOPBYTES; j++)
				ct[j] = tmp[j];
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++)
		if (sp_decrypt_cached(m, sizeof m, &mlen, cts + (size_t) i * len, len,
							  keys[level - 1], ctx) != SP_OK)
			return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("values_per_second %.0f\n",
		   n / ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9));
	return 0;
}
