/*
 * decrypt.h - decrypt (decrypt.c).
 */
#ifndef CLI_DECRYPT_H
#define CLI_DECRYPT_H

#include "secant_pre.h"
#include "args.h"
#include "io.h"

int			decrypt_value(const sp_secret *key, const buf *ct, buf *m);

/* decrypt: write the plaintext of the ciphertext on standard input. */
int			cmd_decrypt(const args *a);

#endif							/* CLI_DECRYPT_H */
