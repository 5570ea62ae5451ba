/*
 * sp_codec.h - text forms of secant_pre values (SCHEME.md "Text forms"):
 * a fixed prefix followed by unpadded base64url.  Pure C over libsodium.
 */
#ifndef SP_CODEC_H
#define SP_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "sp_core.h"

typedef enum sp_kind
{
	SP_KIND_SECRET_KEY,
	SP_KIND_PUBLIC_KEY,
	SP_KIND_GRANT,
	SP_KIND_CIPHERTEXT,
	SP_KIND_TOKEN,
	SP_KIND_SEALED_GRANT,		/* a grant sealed to a server key (sp_seal.h) */
	SP_KIND_SEAL_KEY,			/* the key clients seal grants to */
	SP_KIND_TSHARE,				/* a threshold grant share (sp_threshold.h) */
	SP_KIND_TPARTIAL,			/* a partial with its proof (sp_threshold.h) */
	SP_KIND_COUNT
} sp_kind;

/* "presk_", "prepk_", ... */
const char *sp_kind_prefix(sp_kind kind);

/* SQL type name: "pre_secret_key", ... */
const char *sp_kind_name(sp_kind kind);

/* Fixed byte length of a kind, 0 for the variable-length ciphertext. */
size_t		sp_kind_bytes(sp_kind kind);

/* Length of the text form of len bytes, including the terminating NUL. */
size_t		sp_text_bytes(sp_kind kind, size_t len);

/*
 * Write the text form of bin into out (outcap >= sp_text_bytes()).
 * Returns SP_OK or SP_ELENGTH.
 */
int			sp_text_encode(char *out, size_t outcap, sp_kind kind,
						   const uint8_t *bin, size_t len) SP_WUR;

/*
 * Decode the text form of a value (white space around it is ignored) into
 * bin (bincap bytes), setting *len.  Checks prefix, strict base64url and,
 * for fixed-size kinds, the length; not the content (see sp_validate).
 * An upper bound for bincap is sp_text_decoded_max(textlen).
 */
int			sp_text_decode(uint8_t *bin, size_t bincap, size_t *len,
						   sp_kind kind, const char *text, size_t textlen) SP_WUR;

/* Upper bound of the decoded length of a text of textlen characters. */
size_t		sp_text_decoded_max(size_t textlen);

/* Which kind a text form is, by prefix; -1 if none. */
int			sp_text_kind(const char *text, size_t textlen);

/* Full validation of the bytes of a value of any kind. */
int			sp_validate(sp_kind kind, const uint8_t *bin, size_t len) SP_WUR;

/* sp_validate, public keys through a cache (which may be NULL). */
int			sp_validate_cached(sp_kind kind, const uint8_t *bin, size_t len,
							   sp_keycache *cache) SP_WUR;

#endif							/* SP_CODEC_H */
