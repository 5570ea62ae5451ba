/*
 * sp_envelope.h - envelope bodies (SCHEME.md, "Envelopes") in pure C over
 * libsodium: a record too large to re-encrypt is sealed once under a random
 * data key; the data key travels as a small secant_pre ciphertext (the key
 * ciphertext) that the proxy re-encrypts, and the body, bound to the key
 * ciphertext, is never touched again.
 *
 * Same contract as sp_core.h: no PostgreSQL, no I/O, no global state; the
 * data key and the nonce are passed in by the caller (fresh random bytes
 * for every body), so every body is reproducible from the vectors.  The
 * data key is not derived from anything: a trusted client rotates it by
 * opening a body and sealing the plaintext again under a new data key and a
 * new key ciphertext.  Every function returns SP_OK (0) or a negative
 * sp_err and never aborts on input data; plaintext is never left behind on
 * failure.
 */
#ifndef SP_ENVELOPE_H
#define SP_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "sp_core.h"

#define SP_ENVELOPE_V1			1	/* nonce || sealed: no marker */
#define SP_ENVELOPE_V2			2	/* "SPEN" 0x02 0 0 0 || nonce || sealed */
#define SP_ENVELOPE_KEYBYTES	SP_AEADKEYBYTES /* the data key */
#define SP_ENVELOPE_NONCEBYTES	SP_NONCEBYTES
#define SP_ENVELOPE_HEADERBYTES 8	/* v2 marker: magic, version, reserved */
#define SP_ENVELOPE_V1_OVERHEAD (SP_ENVELOPE_NONCEBYTES + SP_TAGBYTES)
#define SP_ENVELOPE_V2_OVERHEAD (SP_ENVELOPE_HEADERBYTES + \
								 SP_ENVELOPE_V1_OVERHEAD)

/* A body split into its fields; the pointers point into the body. */
typedef struct sp_envelope_body
{
	int			version;		/* SP_ENVELOPE_V1 or SP_ENVELOPE_V2 */
	size_t		headerlen;		/* 0 (v1) or SP_ENVELOPE_HEADERBYTES (v2) */
	const uint8_t *nonce;		/* SP_ENVELOPE_NONCEBYTES */
	const uint8_t *sealed;		/* AEAD ciphertext of the plaintext, tag */
	size_t		sealedlen;		/* plaintext length + SP_TAGBYTES */
} sp_envelope_body;

/* Size of a body of version holding mlen bytes; 0 if out of range. */
size_t		sp_envelope_body_bytes(int version, size_t mlen);

/*
 * Room that sp_envelope_open needs for a body of bodylen bytes: its
 * plaintext as v1, which is the longer reading; 0 if shorter than any body.
 */
size_t		sp_envelope_plaintext_bytes(size_t bodylen);

/*
 * Split body as the given version.  v1 accepts any body of at least
 * SP_ENVELOPE_V1_OVERHEAD bytes; v2 needs SP_ENVELOPE_V2_OVERHEAD bytes and
 * the marker (SP_EMAGIC, SP_EVERSION, SP_ERESERVED if it differs).
 */
int			sp_envelope_parse(sp_envelope_body *b, int version,
							  const uint8_t *body, size_t bodylen) SP_WUR;

/*
 * The version to read a body as first: SP_ENVELOPE_V2 if it parses as v2
 * (sp_envelope_open still falls back to v1, since a v1 nonce may begin with
 * the marker), SP_ENVELOPE_V1 if only as v1, SP_ELENGTH if too short.
 */
int			sp_envelope_version(const uint8_t *body, size_t bodylen);

/*
 * Seal m into body (exactly sp_envelope_body_bytes(version, mlen) bytes)
 * under data key key and nonce (random, never reused with the key), bound
 * to the key ciphertext key_ct (its layout is checked).  Writers use
 * SP_ENVELOPE_V2; v1 is kept to reproduce the old bytes.  On failure body
 * is wiped.
 */
int			sp_envelope_seal(uint8_t *body, size_t bodylen, int version,
							 const uint8_t key[SP_ENVELOPE_KEYBYTES],
							 const uint8_t nonce[SP_ENVELOPE_NONCEBYTES],
							 const uint8_t *key_ct, size_t key_ctlen,
							 const uint8_t *m, size_t mlen) SP_WUR;

/*
 * Open body with data key key for the key ciphertext key_ct into m, which
 * must hold sp_envelope_plaintext_bytes(bodylen) bytes; *mlen receives the
 * plaintext length and *version (if not NULL) the version it opened as.
 * A body that parses as v2 is tried as v2, then as v1; any other as v1.
 * SP_EDECRYPT if neither opens; m is wiped on every failure.
 */
int			sp_envelope_open(uint8_t *m, size_t mcap, size_t *mlen,
							 int *version,
							 const uint8_t key[SP_ENVELOPE_KEYBYTES],
							 const uint8_t *key_ct, size_t key_ctlen,
							 const uint8_t *body, size_t bodylen) SP_WUR;

#endif							/* SP_ENVELOPE_H */
