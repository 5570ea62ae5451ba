/*
 * test_seed.h - randomness from a printed seed for the unit tests: every
 * random byte the test and the core draw (sp_random_*, randombytes_*, and
 * libsodium's own use) comes from a ChaCha20 stream of one seed, printed
 * first as "# seed HEX"; SECANT_PRE_SEED=HEX replays that run.
 *
 * Call test_seed_install() before sp_init() (libsodium takes a randombytes
 * implementation only before sodium_init).  Header-only: each test program
 * is one translation unit.
 */
#ifndef TEST_SEED_H
#define TEST_SEED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static uint8_t test_seed_state[randombytes_SEEDBYTES];

static const char *
test_seed_name(void)
{
	return "secant_pre test stream";
}

/* size bytes of the stream; the state moves on by a hash of itself */
static void
test_seed_buf(void *const buf, const size_t size)
{
	randombytes_buf_deterministic(buf, size, test_seed_state);
	crypto_generichash(test_seed_state, sizeof test_seed_state,
					   test_seed_state, sizeof test_seed_state, NULL, 0);
}

static uint32_t
test_seed_random(void)
{
	uint32_t	r;

	test_seed_buf(&r, sizeof r);
	return r;
}

static randombytes_implementation test_seed_impl = {
	.implementation_name = test_seed_name,
	.random = test_seed_random,
	.buf = test_seed_buf,
};

/*
 * Seed the stream from SECANT_PRE_SEED (docs/DEVELOPMENT.md, "Deterministic
 * tests": 64 hex digits as printed, or any other text, hashed) or else from
 * the system's randomness, print the seed as "# seed HEX", and make the
 * stream libsodium's randomness.  Returns 0, or -1 (printed) without a seed.
 */
static int
test_seed_install(void)
{
	const char *env = getenv("SECANT_PRE_SEED");
	char		hex[2 * sizeof test_seed_state + 1];
	size_t		len = 0;
	FILE	   *f;

	if (env != NULL && *env != '\0')
	{
		if (strlen(env) != 2 * sizeof test_seed_state ||
			sodium_hex2bin(test_seed_state, sizeof test_seed_state, env,
						   strlen(env), NULL, &len, NULL) != 0 ||
			len != sizeof test_seed_state)
			crypto_generichash(test_seed_state, sizeof test_seed_state,
							   (const unsigned char *) env, strlen(env), NULL, 0);
	}
	else
	{
		f = fopen("/dev/urandom", "rb");
		len = f != NULL ? fread(test_seed_state, 1, sizeof test_seed_state, f) : 0;
		if (f != NULL)
			fclose(f);
		if (len != sizeof test_seed_state)
		{
			printf("# cannot read /dev/urandom for a seed\n");
			return -1;
		}
	}
	sodium_bin2hex(hex, sizeof hex, test_seed_state, sizeof test_seed_state);
	printf("# seed %s (SECANT_PRE_SEED=%s replays this run)\n", hex, hex);
	return randombytes_set_implementation(&test_seed_impl) == 0 ? 0 : -1;
}

#endif							/* TEST_SEED_H */
