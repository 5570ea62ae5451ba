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
	uint8_t		from[SP_PUBLICKEYBYTES];
	uint8_t		to[SP_PUBLICKEYBYTES];
	int			hops;
	uint8_t		grants[SP_PATH_MAXHOPS][SP_GRANTBYTES];
	MemoryContextCallback wipe;
} sp_path;

/* The path cache of a call site (fn_extra), made on first use. */
sp_path    *sp_path_cache(FmgrInfo *flinfo);

/*
 * Make *path the active path from -> to (pk_type: the pre_public_key type),
 * looking it up as the function's owner on a miss; raise if there is none.
 */
void		sp_path_find(sp_path *path, Oid pk_type, const uint8_t *from,
						 const uint8_t *to);

/*
 * Re-encrypt the ciphertext (len bytes at ct, the detoasted bytes of Datum
 * orig) along the path; raise on failure.  No hops: orig itself.
 */
Datum		sp_path_apply(const sp_path *path, const uint8_t *ct, size_t len,
						  Datum orig, const char *operation);

/*
 * Run a query through SPI (connected) with the latest snapshot, also in
 * REPEATABLE READ; returns the SPI code.
 */
int			sp_run_latest(const char *query, int nargs, Oid *argtypes,
						  Datum *args);

#endif							/* SP_GRANT_PATH_H */
