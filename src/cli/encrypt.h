/*
 * encrypt.h - encrypt, grant, reencrypt (encrypt.c).
 */
#ifndef CLI_ENCRYPT_H
#define CLI_ENCRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "secant_pre.h"
#include "args.h"
#include "io.h"

/* Encrypt m for the public key pk at level 1 into ct, freshly random. */
int			encrypt_for_aad(const uint8_t *pk, const uint8_t *m, size_t mlen,
							const uint8_t *aad, size_t aadlen, buf *ct);

/* encrypt_for_aad, pk checked through a cache (may be NULL): rewrap's
 * workers check the new key once */
int			encrypt_for_aad_cached(const uint8_t *pk, const uint8_t *m, size_t mlen,
								   const uint8_t *aad, size_t aadlen,
								   sp_keycache *cache, buf *ct);

/* encrypt_for_aad with a text aad */
int			encrypt_for(const uint8_t *pk, const uint8_t *m, size_t mlen, const char *aad,
						buf *ct);

/* encrypt: encrypt standard input for a public key (level 1). */
int			cmd_encrypt(const args *a);

/* A new grant from -> to, sealed to seal_key. */
int			seal_new_grant(uint8_t sealed[SP_SEALEDBYTES], const sp_secret *from,
						   const uint8_t *to, int64_t not_after, const uint8_t *seal_key);

/* grant: make a grant from the key on standard input to a public key. */
int			cmd_grant(const args *a);

/* reencrypt: re-encrypt the ciphertext on standard input with a grant. */
int			cmd_reencrypt(const args *a);

#endif							/* CLI_ENCRYPT_H */
