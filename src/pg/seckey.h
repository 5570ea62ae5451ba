/*
 * seckey.h - expanded secret keys for the functions that take a
 * pre_secret_key argument.
 */
#ifndef SP_SECKEY_H
#define SP_SECKEY_H

#include "postgres.h"

#include "fmgr.h"

#include "sp_cache.h"
#include "sp_core.h"

/*
 * The expanded key of secret key argument n, cached for the call site
 * (fn_extra) while the same key comes again, and wiped when the call
 * site's memory goes away.  Raises on a key that cannot be expanded.
 */
const sp_secret *sp_secret_arg(FunctionCallInfo fcinfo, int n);

/*
 * A decryption context (sp_cache.h) for the key sp_secret_arg just
 * returned, for the current statement: emptied at a new statement or a
 * new key, wiped with the call site's memory.
 */
sp_dctx    *sp_secret_dctx(FunctionCallInfo fcinfo);

#endif							/* SP_SECKEY_H */
