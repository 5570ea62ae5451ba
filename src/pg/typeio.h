/*
 * typeio.h - I/O shared by the six secant_pre types: text in/out, binary
 * recv/send and bytea casts.  Every way in runs the same validation
 * (sp_validate).  SP_TYPE_IO(name, kind) defines the fmgr functions of one
 * type, so each type's file holds only what is particular to it.
 */
#ifndef SP_TYPEIO_H
#define SP_TYPEIO_H

#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "pg_compat.h"
#include "lib/stringinfo.h"

#include "sp_codec.h"
#include "raise.h"

/* Bytes of a value of kind held in a Datum (fixed, or varlena detoasted). */
const uint8_t *sp_datum_bytes(sp_kind kind, Datum d, size_t *len);

/* A new Datum of kind with room for len bytes, which it returns. */
uint8_t    *sp_datum_alloc(sp_kind kind, size_t len, Datum *result);

/* A Datum of kind holding a copy of bin (already validated). */
Datum		sp_datum_make(sp_kind kind, const uint8_t *bin, size_t len);

/* The backend's cache of public keys found valid. */
sp_keycache *sp_valid_keys(void);

/* A bytea holding a copy of len bytes. */
bytea	   *sp_bytea(const uint8_t *bin, size_t len);

Datum		sp_in_text(sp_kind kind, const char *str);
Datum		sp_in_binary(sp_kind kind, StringInfo buf);
Datum		sp_in_bytea(sp_kind kind, bytea *b);
char	   *sp_out_text(sp_kind kind, Datum d);
bytea	   *sp_out_bytea(sp_kind kind, Datum d);

/* Ciphertext argument n of the current call: its bytes and length. */
#define SP_CT_ARG(n, lenp) \
	sp_datum_bytes(SP_KIND_CIPHERTEXT, PG_GETARG_DATUM(n), (lenp))

/* The fmgr functions of one type: in, out, recv, send, casts to/from bytea. */
#define SP_TYPE_IO(name, kind) \
PG_FUNCTION_INFO_V1(name##_in); \
Datum name##_in(PG_FUNCTION_ARGS) \
{ return sp_in_text(kind, PG_GETARG_CSTRING(0)); } \
PG_FUNCTION_INFO_V1(name##_out); \
Datum name##_out(PG_FUNCTION_ARGS) \
{ PG_RETURN_CSTRING(sp_out_text(kind, PG_GETARG_DATUM(0))); } \
PG_FUNCTION_INFO_V1(name##_recv); \
Datum name##_recv(PG_FUNCTION_ARGS) \
{ return sp_in_binary(kind, (StringInfo) PG_GETARG_POINTER(0)); } \
PG_FUNCTION_INFO_V1(name##_send); \
Datum name##_send(PG_FUNCTION_ARGS) \
{ PG_RETURN_BYTEA_P(sp_out_bytea(kind, PG_GETARG_DATUM(0))); } \
PG_FUNCTION_INFO_V1(name##_from_bytea); \
Datum name##_from_bytea(PG_FUNCTION_ARGS) \
{ return sp_in_bytea(kind, PG_GETARG_BYTEA_PP(0)); } \
PG_FUNCTION_INFO_V1(name##_to_bytea); \
Datum name##_to_bytea(PG_FUNCTION_ARGS) \
{ PG_RETURN_BYTEA_P(sp_out_bytea(kind, PG_GETARG_DATUM(0))); }

/*
 * Equality, ordering and hashing of a fixed-size type (public keys,
 * tokens): byte order.  These never fail, so they are LEAKPROOF.
 */
#define SP_TYPE_OPS(name, bytes) \
static int name##_compare(FunctionCallInfo fcinfo) \
{ return memcmp(PG_GETARG_POINTER(0), PG_GETARG_POINTER(1), (bytes)); } \
PG_FUNCTION_INFO_V1(name##_cmp); \
Datum name##_cmp(PG_FUNCTION_ARGS) \
{ int c = name##_compare(fcinfo); PG_RETURN_INT32(c < 0 ? -1 : c > 0); } \
PG_FUNCTION_INFO_V1(name##_eq); \
Datum name##_eq(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(name##_compare(fcinfo) == 0); } \
PG_FUNCTION_INFO_V1(name##_ne); \
Datum name##_ne(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(name##_compare(fcinfo) != 0); } \
PG_FUNCTION_INFO_V1(name##_lt); \
Datum name##_lt(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(name##_compare(fcinfo) < 0); } \
PG_FUNCTION_INFO_V1(name##_le); \
Datum name##_le(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(name##_compare(fcinfo) <= 0); } \
PG_FUNCTION_INFO_V1(name##_gt); \
Datum name##_gt(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(name##_compare(fcinfo) > 0); } \
PG_FUNCTION_INFO_V1(name##_ge); \
Datum name##_ge(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(name##_compare(fcinfo) >= 0); } \
PG_FUNCTION_INFO_V1(name##_hash); \
Datum name##_hash(PG_FUNCTION_ARGS) \
{ return hash_any((const unsigned char *) PG_GETARG_POINTER(0), (bytes)); } \
PG_FUNCTION_INFO_V1(name##_hash_extended); \
Datum name##_hash_extended(PG_FUNCTION_ARGS) \
{ return hash_any_extended((const unsigned char *) PG_GETARG_POINTER(0), \
						   (bytes), PG_GETARG_INT64(1)); }

#endif							/* SP_TYPEIO_H */
