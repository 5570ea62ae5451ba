/*
 * sp_random.h - fresh randomness for the core's operations, from libsodium's
 * CSPRNG.  Kept apart from sp_core so that the core stays deterministic.
 */
#ifndef SP_RANDOM_H
#define SP_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#include "sp_core.h"

/* A uniformly random non-zero canonical scalar. */
void		sp_random_scalar(uint8_t s[SP_SCALARBYTES]);

/* len random bytes. */
void		sp_random_bytes(uint8_t *buf, size_t len);

#endif							/* SP_RANDOM_H */
