/*
 * caller_basis.h - what current_user relies on to obtain what is addressed
 * to a principal, for secant.reencrypt_for, and its check under the
 * reader's locks.
 */
#ifndef SP_CALLER_BASIS_H
#define SP_CALLER_BASIS_H

#include "postgres.h"

#include "policy_lock.h"
#include "sp_core.h"

/*
 * May role who still act at all?  It and the session's user exist (a
 * dropped login's open sessions keep its OID); when the session's user is
 * not a member of it, it is neither the role a SET ROLE chose (PostgreSQL
 * keeps a SET ROLE after REVOKE role FROM the session's user) nor the
 * owner of a SECURITY DEFINER function in this session's temporary schema
 * (which such a stale SET ROLE could make).  Else it relies on nothing.
 */
bool		sp_caller_stands(Oid who);

/*
 * With the latest snapshot (0 unless sp_caller_stands): -1 when role who
 * is a superuser; else the
 * number of items (at most max) it relies on, into items: its bindings to
 * target and its proxy capabilities, through the roles it is a member of
 * (the rule of secant.obtain_basis); 0: it may not.  *audit: read audit is
 * on (secant.read_audit_on()).
 */
int			sp_caller_basis(const uint8_t target[SP_PUBLICKEYBYTES], Oid who,
							sp_lock_item *items, int max, bool *audit);

/*
 * May current_user obtain what is addressed to target?  Raise unless it
 * may; what it relies on (bindings, proxy capabilities) is locked for a
 * reader until the transaction ends and read again under the lock
 * (policy_lock.h).  Returns whether read audit is on.
 */
bool		sp_caller_check(const uint8_t target[SP_PUBLICKEYBYTES]);

#endif							/* SP_CALLER_BASIS_H */
