/*
 * io.h - buffers, input, output and secret files (io.c).
 */
#ifndef CLI_IO_H
#define CLI_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MAX_INPUT_BYTES ((size_t) 1 << 30)	/* 1 GiB */
#define READ_CHUNK		((size_t) 1 << 16)

/* unpadded base64url: the text form of an envelope's body, and of a
 * plaintext in decrypt --batch's JSON */
#define BASE64URL		sodium_base64_VARIANT_URLSAFE_NO_PADDING

/* A growable byte buffer; wiped before it is freed. */
typedef struct buf
{
	uint8_t    *data;
	size_t		len;
	size_t		cap;
} buf;

/* Wipe and free a buffer, leaving it empty. */
void		buf_free(buf *b);

/*
 * Move b into a new allocation of cap bytes, wiping the old one; -1 if
 * memory is short (b left as it was, nothing reported).
 */
int			buf_grow(buf *b, size_t cap);

/* buf_grow, reporting a failure: 0 or the exit status 1. */
int			buf_reserve(buf *b, size_t cap);

/* True for the path of standard input: NULL or "-". */
bool		is_stdin(const char *path);

/* The name of a source in messages. */
const char *source_name(const char *path);

/* Say so on stderr when standard input is a terminal, instead of waiting silently. */
void		notice_terminal_stdin(void);

/* Warn if the secret file open as f is a regular file that others can read. */
void		check_secret_mode(FILE *f, const char *path);

/* Read a whole file, or standard input if path is NULL or "-". */
int			read_file(const char *path, bool secret, buf *b);

/* Read a whole file that holds no secret (or standard input). */
int			read_source(const char *path, buf *b);

/* Write bytes to standard output (errors are caught at exit). */
void		write_out(const void *data, size_t len);

/* True for ASCII white space. */
bool		is_space(uint8_t c);

/* Narrow p/len to the part without surrounding ASCII white space. */
void		trim(const uint8_t **p, size_t *len);

/* Refuse "-" for a key file when standard input holds the data. */
int			key_not_stdin(const char *path, const char *option, const char *data);

/* Refuse early (before any passphrase prompt) an output file that exists. */
int			check_new_file(const char *path);

/*
 * Warn, before a secret is written to standard output, if that is a
 * regular file that group or others can read; hint says what to do.
 */
void		warn_readable_stdout(const char *hint);

/* warn_readable_stdout's hint for a plaintext */
#define PLAINTEXT_HINT "write plaintexts to a file only you can read (umask 077)"

/* Write len bytes of a secret to a new file (mode 0600) or standard output. */
int			write_secret(const char *path, const void *data, size_t len);

/* Check, before any prompt, that path is a key file that can be replaced. */
int			check_replaceable(const char *path);

/*
 * Replace the key file path by data atomically: a new file (mkstemp:
 * O_EXCL, mode 0600, the old file's owner if we may give it) in the same
 * directory, written and fsynced, renamed over path.  On failure path is
 * untouched and the new file removed.
 */
int			replace_secret(const char *path, const void *data, size_t len);

#endif							/* CLI_IO_H */
