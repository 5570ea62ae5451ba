/*
 * sp_envelope.c - envelope bodies v1 and v2 (SCHEME.md, "Envelopes").
 *
 * A body is the plaintext sealed with XChaCha20-Poly1305 under the data key,
 * with the key ciphertext's own associated data (sp_aead_bound), so that a
 * body opens only next to its key ciphertext, at any level.  v2 puts an
 * 8-byte marker in front and authenticates it too: a v2 body cut down to a
 * v1 one, or a v1 body given a marker, no longer opens.
 *
 * Pure C: no allocation here (sp_aead_bound allocates only for a key
 * ciphertext aad above 1 KiB), data key and nonce passed in.
 */
#include <string.h>

#include <sodium.h>

#include "sp_envelope.h"
#include "sp_internal.h"

/* the v2 marker: magic "SPEN", version 0x02, three reserved zero bytes */
static const uint8_t env_magic[4] = {'S', 'P', 'E', 'N'};

/* Bytes in front of the nonce in a body of version; -1 if unknown. */
static long
header_bytes(int version)
{
	if (version == SP_ENVELOPE_V1)
		return 0;
	if (version == SP_ENVELOPE_V2)
		return SP_ENVELOPE_HEADERBYTES;
	return -1;
}

/* Size of a body of version holding mlen bytes; 0 if out of range. */
size_t
sp_envelope_body_bytes(int version, size_t mlen)
{
	long		h = header_bytes(version);

	if (h < 0 || mlen > SP_MAXDATABYTES)
		return 0;
	return (size_t) h + SP_ENVELOPE_V1_OVERHEAD + mlen;
}

/* Room that sp_envelope_open needs: the plaintext length read as v1. */
size_t
sp_envelope_plaintext_bytes(size_t bodylen)
{
	if (bodylen < SP_ENVELOPE_V1_OVERHEAD)
		return 0;
	return bodylen - SP_ENVELOPE_V1_OVERHEAD;
}

/* Split body as the given version. */
int
sp_envelope_parse(sp_envelope_body *b, int version, const uint8_t *body,
				  size_t bodylen)
{
	long		h = header_bytes(version);
	int			rc;

	memset(b, 0, sizeof *b);
	if (h < 0)
		return SP_EVERSION;
	if (bodylen < (size_t) h + SP_ENVELOPE_V1_OVERHEAD)
		return SP_ELENGTH;
	if (h > 0 && (rc = sp_header_check(body, env_magic, version)) != SP_OK)
		return rc;
	b->version = version;
	b->headerlen = (size_t) h;
	b->nonce = body + h;
	b->sealed = b->nonce + SP_ENVELOPE_NONCEBYTES;
	b->sealedlen = bodylen - (size_t) h - SP_ENVELOPE_NONCEBYTES;
	return SP_OK;
}

/* The version to read a body as first. */
int
sp_envelope_version(const uint8_t *body, size_t bodylen)
{
	sp_envelope_body b;

	if (sp_envelope_parse(&b, SP_ENVELOPE_V2, body, bodylen) == SP_OK)
		return SP_ENVELOPE_V2;
	if (sp_envelope_parse(&b, SP_ENVELOPE_V1, body, bodylen) == SP_OK)
		return SP_ENVELOPE_V1;
	return SP_ELENGTH;
}

/* Seal m into a body of version, bound to the key ciphertext. */
int
sp_envelope_seal(uint8_t *body, size_t bodylen, int version,
				 const uint8_t key[SP_ENVELOPE_KEYBYTES],
				 const uint8_t nonce[SP_ENVELOPE_NONCEBYTES],
				 const uint8_t *key_ct, size_t key_ctlen,
				 const uint8_t *m, size_t mlen)
{
	long		h = header_bytes(version);
	size_t		n = sp_envelope_body_bytes(version, mlen);
	int			rc;

	if (h < 0)
		return SP_EVERSION;
	if (n == 0)
		return SP_ETOOLONG;
	if (bodylen != n)
		return SP_ELENGTH;
	if ((rc = sp_ciphertext_check_layout(key_ct, key_ctlen)) != SP_OK)
		return rc;
	if (h > 0)
		sp_header_put(body, env_magic, version);
	memcpy(body + h, nonce, SP_ENVELOPE_NONCEBYTES);
	rc = sp_aead_bound(1, body + h + SP_ENVELOPE_NONCEBYTES, m, mlen,
					   body, (size_t) h, key_ct, body + h, key);
	if (rc != SP_OK)
		sodium_memzero(body, bodylen);
	return rc;
}

/* Open a body read as one version into m; m is wiped on failure. */
static int
open_as(uint8_t *m, size_t *mlen, int version,
		const uint8_t key[SP_ENVELOPE_KEYBYTES], const uint8_t *key_ct,
		const uint8_t *body, size_t bodylen)
{
	sp_envelope_body b;
	int			rc = sp_envelope_parse(&b, version, body, bodylen);

	if (rc == SP_OK)
		rc = sp_aead_bound(0, m, b.sealed, b.sealedlen, body, b.headerlen,
						   key_ct, b.nonce, key);
	if (rc == SP_OK)
		*mlen = b.sealedlen - SP_TAGBYTES;
	return rc;
}

/* Open a body: as v2 if it parses as v2, then as v1. */
int
sp_envelope_open(uint8_t *m, size_t mcap, size_t *mlen, int *version,
				 const uint8_t key[SP_ENVELOPE_KEYBYTES],
				 const uint8_t *key_ct, size_t key_ctlen,
				 const uint8_t *body, size_t bodylen)
{
	size_t		need = sp_envelope_plaintext_bytes(bodylen);
	int			first = sp_envelope_version(body, bodylen);
	int			rc;

	*mlen = 0;
	if (version != NULL)
		*version = 0;
	/* never partial plaintext, nor stale bytes, on any failure */
	sodium_memzero(m, mcap);
	if (first < 0)
		return first;
	if (mcap < need)
		return SP_ELENGTH;
	if ((rc = sp_ciphertext_check_layout(key_ct, key_ctlen)) != SP_OK)
		return rc;
	rc = open_as(m, mlen, first, key, key_ct, body, bodylen);
	if (rc != SP_OK && first == SP_ENVELOPE_V2)
	{
		/* a v1 body whose random nonce begins with the v2 marker */
		first = SP_ENVELOPE_V1;
		rc = open_as(m, mlen, first, key, key_ct, body, bodylen);
	}
	if (rc == SP_OK && version != NULL)
		*version = first;
	if (rc != SP_OK)
		sodium_memzero(m, mcap);
	return rc;
}
