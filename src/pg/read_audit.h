/*
 * read_audit.h - the opt-in read audit (secant.set_read_audit): one entry
 * per statement and target of secant.reencrypt_for in secant.access_log,
 * written when the transaction commits, with the number of rows; and a
 * server log line at once, so that a rolled-back read leaves a trace.
 */
#ifndef SP_READ_AUDIT_H
#define SP_READ_AUDIT_H

#include "postgres.h"

#include "sp_core.h"

typedef struct sp_read_entry sp_read_entry;

/*
 * Raise unless reads can be audited here: not in a READ ONLY transaction,
 * not on a standby (fail closed).
 */
void		sp_read_audit_check(void);

/*
 * A new entry for a read by the current user of what is addressed to
 * target along the grants ids[0..n), logged at commit by owner; rows 0.
 */
sp_read_entry *sp_read_audit_begin(Oid owner, const uint8_t *target,
								   const int64 *ids, int n);

/* One more row re-encrypted for the entry. */
void		sp_read_audit_row(sp_read_entry *entry);

#endif							/* SP_READ_AUDIT_H */
