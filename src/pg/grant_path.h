/*
 * grant_path.h - the active grant path between two keys, looked up once
 * per statement, its grant rows locked, and applied to ciphertexts.  Used
 * by secant.reencrypt_for and by the sharing trigger.
 */
#ifndef SP_GRANT_PATH_H
#define SP_GRANT_PATH_H

#include "postgres.h"

#include "fmgr.h"

#include "sp_core.h"

/*
 * A call site's path: the grants from one key to another, in order.  Valid
 * for the statement that looked it up, as long as no (sub)transaction that
 * locked its rows has aborted and no grant changed in this backend.  The
 * grants hold their delegators' rk: wiped when the call site's memory goes.
 * Only grant_path.c reads and writes its fields.
 */
typedef struct sp_path sp_path;

/* The path cache of a call site (fn_extra), made on first use. */
sp_path    *sp_path_cache(FmgrInfo *flinfo);

/* The owner of the call site's function: reads grants, writes copies. */
Oid			sp_path_owner(const sp_path *path);

/*
 * The public key of a target given as text (a name or a prepk_ text),
 * resolved once per statement with secant.principal as the caller.
 */
const uint8_t *sp_path_target(sp_path *path, text *ref);

/*
 * Make *path the active path from -> to (pk_type: the pre_public_key type),
 * looking it up as the function's owner on a miss; raise if there is none.
 * With for_caller, also raise unless current_user may obtain what is
 * addressed to `to` (bound to it, or holding the proxy capability).
 */
void		sp_path_find(sp_path *path, Oid pk_type, const uint8_t *from,
						 const uint8_t *to, bool for_caller);

/*
 * Raise unless the hop chain of a ciphertext (level 2 and more) is genuine
 * as far as the database can tell: its origin is a known key (current or
 * retired) and every hop k carries the hop key X of an active grant from
 * the previous recipient to its P_k (rows locked like a path's), a hop
 * into or out of a retired key only that key's bridge.  Level 1: nothing
 * to check.  Remembered per call site for the statement.
 */
void		sp_path_check_chain(sp_path *path, Oid pk_type, const uint8_t *ct);

/* The pre_public_key type, found beside another of the extension's types. */
Oid			sp_path_key_type(Oid ext_type);

/* The extension's schema (that of its types), quoted, for OPERATOR(). */
const char *sp_ext_schema(Oid pk_type);

/*
 * Re-encrypt the ciphertext (len bytes at ct, the detoasted bytes of Datum
 * orig) along the path; raise on failure.  No hops: orig itself.  One
 * scalar multiplication per value: the path's constant hops are computed
 * once per lookup (path_apply.c).
 */
Datum		sp_path_apply(sp_path *path, const uint8_t *ct, size_t len,
						  Datum orig, const char *operation);

#endif							/* SP_GRANT_PATH_H */
