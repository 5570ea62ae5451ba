/*
 * envelope.h - envelopes: seal and open (envelope.c).
 */
#ifndef CLI_ENVELOPE_H
#define CLI_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "args.h"
#include "io.h"

/* Seal m with the data key into the text line of a v2 body. */
int			seal_body(const uint8_t *data_key, const buf *key_ct, const buf *m,
					  buf *text);

/* Decode a body's text form (unpadded base64url) into body. */
int			decode_body(const char *name, const uint8_t *p, size_t len, buf *body);

/* Open a body (v1 or v2) with the data key into m; m stays empty on failure. */
int			open_body(const uint8_t *data_key, const buf *key_ct, const buf *body,
					  buf *m);

/* seal: print a key ciphertext and a body for standard input. */
int			cmd_seal(const args *a);

/* open: decrypt the key ciphertext on standard input, then write the body. */
int			cmd_open(const args *a);

#endif							/* CLI_ENVELOPE_H */
