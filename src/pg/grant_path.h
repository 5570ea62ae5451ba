/*
 * grant_path.h - the active grant path between two keys, looked up once
 * per statement, its grant rows locked, and applied to ciphertexts.  Used
 * by secant.reencrypt_for and by the sharing trigger.
 */
#ifndef SP_GRANT_PATH_H
#define SP_GRANT_PATH_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/timestamp.h"

#include "sp_core.h"

#define SP_PATH_MAXHOPS (SP_MAXLEVEL - 1)
#define SP_PATH_CHAINS	8		/* hop chains remembered per call site */
#define SP_PATH_CHAINBYTES 32	/* BLAKE2b-256 of a chain */

/*
 * A call site's path: the grants from one key to another, in order.  Valid
 * for the statement that looked it up, as long as no (sub)transaction that
 * locked its rows has aborted and no grant changed in this backend.  The
 * grants hold their delegators' rk: wiped when the call site's memory goes.
 */
typedef struct sp_path
{
	LocalTransactionId lxid;
	TimestampTz statement;
	uint64		generation;
	bool		valid;
	Oid			owner;			/* of the calling function: reads grants */
	Oid			caller;			/* current_user that the decision was for */
	uint8_t		from[SP_PUBLICKEYBYTES];
	uint8_t		to[SP_PUBLICKEYBYTES];
	int			hops;
	uint8_t		grants[SP_PATH_MAXHOPS][SP_GRANTBYTES];
	int64		ids[SP_PATH_MAXHOPS];	/* the grants' ids */
	/* hop chains of incoming ciphertexts found to match active grants */
	uint64		chains_generation;
	LocalTransactionId chains_lxid;
	TimestampTz chains_statement;
	int			nchains;
	uint8_t		chains[SP_PATH_CHAINS][SP_PATH_CHAINBYTES];
	struct sp_read_entry *read_entry;	/* read audit of this lookup */
	/* a target given as text (name or prepk_), resolved for the statement */
	LocalTransactionId ref_lxid;
	TimestampTz ref_statement;
	char	   *ref;			/* in the call site's memory */
	uint8_t		ref_key[SP_PUBLICKEYBYTES];
	/* amortised application (path_cache.c): tied to the fill it serves */
	uint64		fills;			/* bumped by every lookup (path_fill) */
	struct sp_path_amort *amort;	/* its own memory and wipe callback */
	MemoryContextCallback wipe;
} sp_path;

/* The path cache of a call site (fn_extra), made on first use. */
sp_path    *sp_path_cache(FmgrInfo *flinfo);

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
 * once per lookup (path_cache.c).
 */
Datum		sp_path_apply(sp_path *path, const uint8_t *ct, size_t len,
						  Datum orig, const char *operation);

#endif							/* SP_GRANT_PATH_H */
