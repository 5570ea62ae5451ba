/*
 * policy_lock.h - the one function that decides how what a re-encryption
 * relies on is locked: the grants of its path and hop chain, the binding or
 * proxy capability of the role that asks.  Readers lock them shared;
 * whatever removes one (revoke, purge, rotation, unbind, revoke_capability,
 * a plain DELETE) locks it exclusive, so it waits for the transactions that
 * used it (or fails fast naming them), and later readers wait for it and
 * then find it gone.  See policy_lock.c for the tags, the order and the
 * lock table budget.
 */
#ifndef SP_POLICY_LOCK_H
#define SP_POLICY_LOCK_H

#include "postgres.h"

#include "storage/lock.h"

#include "sp_core.h"

/* What is locked (the classes, in the global lock order). */
typedef struct sp_lock_item
{
	uint16		cls;			/* SP_LOCK_GRANT, _BINDING, _CAPABILITY */
	uint32		k1;
	uint32		k2;
} sp_lock_item;

#define SP_LOCK_GRANT		1
#define SP_LOCK_BINDING		2
#define SP_LOCK_CAPABILITY	3

sp_lock_item sp_lock_grant(int64 id);
sp_lock_item sp_lock_binding(const uint8_t principal_key[SP_PUBLICKEYBYTES], Oid role);
sp_lock_item sp_lock_capability(Oid role);

/*
 * Lock items[0..n) until the transaction ends (a subtransaction abort
 * releases what it took): shared for a reader, exclusive for a removal.
 * All at once in the global order; never waiting while holding any of
 * them (a conflict releases the batch, waits for that one, and starts
 * again).  Without wait, a conflict raises 55P03 naming the sessions that
 * hold it; what ("grant", "binding", "capability") names the thing.
 */
void		sp_lock_take(sp_lock_item *items, int n, bool exclusive, bool wait,
						 const char *what);

/*
 * The sessions other than this one that hold a lock on tag conflicting
 * with mode, as "pid (role), ..."; empty when none is left (for a 55P03
 * that names them).
 */
char	   *sp_lock_holders(const LOCKTAG *tag, LOCKMODE mode);

#endif							/* SP_POLICY_LOCK_H */
