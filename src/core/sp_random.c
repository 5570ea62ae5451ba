/* sp_random.c - randomness for the core's operations (libsodium CSPRNG). */
#include <sodium.h>

#include "sp_random.h"

/* A uniformly random non-zero canonical scalar. */
void
sp_random_scalar(uint8_t s[SP_SCALARBYTES])
{
	do
		crypto_core_ristretto255_scalar_random(s);
	while (sodium_is_zero(s, SP_SCALARBYTES));
}

/* len random bytes. */
void
sp_random_bytes(uint8_t *buf, size_t len)
{
	randombytes_buf(buf, len);
}
