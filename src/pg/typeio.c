/*
 * typeio.c - text, binary and bytea I/O shared by the six secant_pre types.
 * Fixed-size types (keys, grants, sealed grants, tokens) are
 * pass-by-reference without a varlena header; pre_ciphertext is a varlena.
 * Decoded bytes that may be secret (secret keys, grants) are wiped before
 * an error is raised.
 *
 * Validating a public key costs two point decodings, one of them with a
 * subgroup check (a scalar multiplication); input, encryption and grants
 * see the same few keys over and over, so each backend remembers the ones
 * it has accepted (public data: nothing to wipe) in the core's sp_keycache
 * (sp_core.h).
 */
#include "postgres.h"

#include <sodium.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "typeio.h"

/* Public keys this backend has found valid. */
static sp_keycache valid_keys;

/* The backend's cache of valid public keys. */
sp_keycache *
sp_valid_keys(void)
{
	return &valid_keys;
}

/* Bytes of a value of kind held in a Datum (fixed or varlena). */
const uint8_t *
sp_datum_bytes(sp_kind kind, Datum d, size_t *len)
{
	if (kind == SP_KIND_CIPHERTEXT)
	{
		/* may be toasted: values over ~2 kB are stored out of line */
		struct varlena *v = PG_DETOAST_DATUM_PACKED(d);

		*len = VARSIZE_ANY_EXHDR(v);
		return (const uint8_t *) VARDATA_ANY(v);
	}
	*len = sp_kind_bytes(kind);
	return (const uint8_t *) DatumGetPointer(d);
}

/* Room for len bytes of kind: fixed, or a varlena with its header set. */
uint8_t *
sp_datum_alloc(sp_kind kind, size_t len, Datum *result)
{
	if (kind == SP_KIND_CIPHERTEXT)
	{
		bytea	   *v;

		if (len > MaxAllocSize - VARHDRSZ)
			sp_raise(SP_ETOOLONG, "pre_ciphertext");
		v = (bytea *) palloc(VARHDRSZ + len);
		SET_VARSIZE(v, VARHDRSZ + len);
		*result = PointerGetDatum(v);
		return (uint8_t *) VARDATA(v);
	}
	*result = PointerGetDatum(palloc(len));
	return (uint8_t *) DatumGetPointer(*result);
}

/* A Datum of kind holding a copy of bin (already validated). */
Datum
sp_datum_make(sp_kind kind, const uint8_t *bin, size_t len)
{
	Datum		result;

	memcpy(sp_datum_alloc(kind, len, &result), bin, len);
	return result;
}

/* True for kinds whose bytes hold a secret (a seed, or a grant's rk). */
static bool
kind_is_secret(sp_kind kind)
{
	return kind == SP_KIND_SECRET_KEY || kind == SP_KIND_GRANT;
}

/* Validate bin as a value of kind and copy it into a Datum, or raise. */
static Datum
accept_bytes(sp_kind kind, uint8_t *bin, size_t len, sp_way way)
{
	int			rc = sp_validate_cached(kind, bin, len, sp_valid_keys());
	Datum		result;

	if (rc == SP_OK)
		result = sp_datum_make(kind, bin, len);
	if (kind_is_secret(kind))
		sodium_memzero(bin, len);
	if (rc != SP_OK)
		sp_raise_input(rc, kind, way);
	return result;
}

/* Text input: prefix + strict base64url, then full validation. */
Datum
sp_in_text(sp_kind kind, const char *str)
{
	size_t		textlen = strlen(str);
	size_t		cap = sp_text_decoded_max(textlen);
	uint8_t    *bin = palloc(cap);
	size_t		len;
	int			rc = sp_text_decode(bin, cap, &len, kind, str, textlen);
	Datum		result;

	if (rc != SP_OK)
	{
		sodium_memzero(bin, cap);
		sp_raise_input(rc, kind, SP_WAY_TEXT);
	}
	result = accept_bytes(kind, bin, len, SP_WAY_TEXT);
	pfree(bin);
	return result;
}

/* Binary receive: the SCHEME.md bytes, all of the message. */
Datum
sp_in_binary(sp_kind kind, StringInfo buf)
{
	size_t		len = buf->len - buf->cursor;
	uint8_t    *bin = (uint8_t *) buf->data + buf->cursor;
	Datum		result = accept_bytes(kind, bin, len, SP_WAY_BINARY);

	buf->cursor = buf->len;
	return result;
}

/* Cast from bytea: same validation as every other way in. */
Datum
sp_in_bytea(sp_kind kind, bytea *b)
{
	size_t		len = VARSIZE_ANY_EXHDR(b);
	uint8_t    *bin = palloc(len > 0 ? len : 1);
	Datum		result;

	memcpy(bin, VARDATA_ANY(b), len);
	result = accept_bytes(kind, bin, len, SP_WAY_BYTEA);
	pfree(bin);
	return result;
}

/* Text output: prefix + base64url. */
char *
sp_out_text(sp_kind kind, Datum d)
{
	size_t		len;
	const uint8_t *bin = sp_datum_bytes(kind, d, &len);
	size_t		cap = sp_text_bytes(kind, len);
	char	   *out = palloc(cap);

	if (sp_text_encode(out, cap, kind, bin, len) != SP_OK)
		elog(ERROR, "could not encode %s", sp_kind_name(kind));
	return out;
}

/* A bytea holding a copy of len bytes. */
bytea *
sp_bytea(const uint8_t *bin, size_t len)
{
	bytea	   *out = (bytea *) palloc(VARHDRSZ + len);

	SET_VARSIZE(out, VARHDRSZ + len);
	memcpy(VARDATA(out), bin, len);
	return out;
}

/* Binary send and cast to bytea: the raw bytes. */
bytea *
sp_out_bytea(sp_kind kind, Datum d)
{
	size_t		len;
	const uint8_t *bin = sp_datum_bytes(kind, d, &len);

	return sp_bytea(bin, len);
}
