/*
 * ciphertext.h - what the pre_ciphertext functions (ciphertext.c) give the
 * rest of the glue.
 */
#ifndef SP_CIPHERTEXT_H
#define SP_CIPHERTEXT_H

#include "postgres.h"

#include "sp_core.h"

/* The X of every hop of a (validated) ciphertext, in order (bytea[]). */
struct ArrayType *sp_hop_keys(const uint8_t *ct);

#endif							/* SP_CIPHERTEXT_H */
