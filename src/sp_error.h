/*
 * sp_error.h - the one place where secant_pre raises errors: core codes
 * (sp_err) become ereport() with a SQLSTATE, a message naming the type and
 * a detail sentence.  Callers wipe their secrets before calling these, as
 * ereport(ERROR) does not return.
 */
#ifndef SP_ERROR_H
#define SP_ERROR_H

#include "sp_codec.h"

/* How a value entered: decides the SQLSTATE of a malformed value. */
typedef enum sp_way
{
	SP_WAY_TEXT,				/* text input function */
	SP_WAY_BINARY,				/* binary receive function */
	SP_WAY_BYTEA				/* cast from bytea */
} sp_way;

/* A value of kind could not be accepted. */
pg_attribute_noreturn() void sp_raise_input(int err, sp_kind kind, sp_way way);

/* An operation (re-encrypt, decrypt, grant, ...) failed. */
pg_attribute_noreturn() void sp_raise(int err, const char *operation);

/* A caller error that is not a core code: SQLSTATE 22023 with a detail. */
pg_attribute_noreturn() void sp_raise_argument(const char *message,
											   const char *detail);

#endif							/* SP_ERROR_H */
