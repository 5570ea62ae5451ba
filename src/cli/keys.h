/*
 * keys.h - the key commands (keys.c).
 */
#ifndef CLI_KEYS_H
#define CLI_KEYS_H

#include "args.h"

/* keygen: write a new random secret key. */
int			cmd_keygen(const args *a);

/* index-keygen: write a new random 32-byte search index key. */
int			cmd_index_keygen(const args *a);

/* pubkey: print the public key of a secret key (standard input by default). */
int			cmd_pubkey(const args *a);

/* protect FILE: add a passphrase to an unprotected key file. */
int			cmd_protect(const args *a);

/* passwd FILE: change the passphrase of a protected key file. */
int			cmd_passwd(const args *a);

/* unprotect FILE: remove the passphrase of a protected key file. */
int			cmd_unprotect(const args *a);

#endif							/* CLI_KEYS_H */
