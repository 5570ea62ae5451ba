/*
 * keyfile.h - key files, loaded and written (keyfile.c).
 */
#ifndef CLI_KEYFILE_H
#define CLI_KEYFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "secant_pre.h"
#include "args.h"
#include "io.h"
#include "passphrase.h"

/* Decode the protected key file text of name and check its header. */
int			parse_protected(const char *name, const uint8_t *text, size_t len,
							uint8_t file[SP_KF_BYTES], sp_kf_header *h);

/*
 * Open the protected key file text of name with the passphrase of pass_cur
 * into secret; it must hold content (0: either kind).  h gets its header.
 */
int			open_protected(const char *name, const uint8_t *text, size_t len, int content,
						   uint8_t secret[SP_KF_SECRETBYTES], sp_kf_header *h);

/* Expand a secret key from its seed. */
int			expand_secret(sp_secret *key, const uint8_t seed[SP_SEEDBYTES]);

/* True if text looks like an index key file: 64 hex digits or 32 bytes. */
bool		looks_like_index_key(const buf *text);

/* Parse the unprotected key file text of name as a PRE secret key seed. */
int			parse_seed(const char *name, const buf *text, uint8_t seed[SP_SEEDBYTES]);

/* Load a secret key from a file (or standard input) and expand it. */
int			load_secret(const char *path, sp_secret *key);

/* Parse the unprotected key file text of name as an index key: 64 hex
 * digits (white space trimmed) or 32 raw bytes. */
int			parse_index_key(const char *name, const buf *file, uint8_t key[SP_INDEXKEYBYTES]);

/* Load an index key: an unprotected key file, or a protected one. */
int			load_index_key(const char *path, uint8_t key[SP_INDEXKEYBYTES]);

/* Parse --pwhash-limits: interactive, moderate (the default) or sensitive. */
int			pwhash_limits(const char *name, uint64_t *ops, uint64_t *mem);

/*
 * The text of a key file that holds the 32-byte secret of content: a
 * presk_ line or 64 hex digits, or, with a passphrase pass (read), a
 * prelocked_ line sealed with Argon2id limits ops and mem.
 */
int			key_file_text(int content, const uint8_t secret[SP_KF_SECRETBYTES],
						  const passphrase_src *pass, uint64_t ops, uint64_t mem, buf *text);

/* Write a new 32-byte secret of content as text (plain or protected). */
int			save_new_secret(const args *a, int content, const uint8_t secret[32]);

#endif							/* CLI_KEYFILE_H */
