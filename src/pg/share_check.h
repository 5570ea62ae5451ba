/*
 * share_check.h - the checks a sharing trigger makes before it touches a
 * value (share_check.c): its shape, its table's persistence, the
 * registration in secant.sharing, its columns' types.
 */
#ifndef SP_SHARE_CHECK_H
#define SP_SHARE_CHECK_H

#include "postgres.h"

#include "commands/trigger.h"
#include "fmgr.h"

#include "raise.h"

/*
 * The trigger data of a call as an AFTER trigger with nargs arguments,
 * FOR EACH ROW on INSERT, UPDATE or DELETE, FOR EACH STATEMENT on
 * TRUNCATE, on an ordinary permanent table of no extension (not inside
 * owner-run code); else raise.
 */
TriggerData *sp_share_trigger(FunctionCallInfo fcinfo, int nargs, const char *name);

/*
 * Raise unless rel is an ordinary permanent table (relkind 'r', not a
 * partition) of no extension.
 */
void		sp_share_plain_table(Oid rel, const char *name);

/*
 * Raise unless column key of src (and, share valid, column ref of share,
 * of the same type) is of a sharing key type: int2, int4, int8, uuid,
 * text or varchar (or a domain over one), text and varchar with a
 * deterministic collation.
 */
void		sp_share_key(Oid share, const char *ref, Oid src, const char *key);

/*
 * The source table of the share table's registration whose columns are
 * exactly the trigger's arguments (source table, source column, source
 * key, reference column, recipient column); the source table permanent;
 * else raise.
 */
Oid			sp_share_registered_source(TriggerData *td, Oid owner);

/* A registration on a source table: its share table, key and value columns. */
typedef struct sp_source_registration
{
	Oid			share;
	char	   *key;
	char	   *column;
} sp_source_registration;

/*
 * The registrations whose source is the trigger's relation, in share table
 * order, in the caller's memory: their number (at least one; else raise).
 */
int			sp_share_source_registrations(TriggerData *td, Oid owner,
										  sp_source_registration **regs);

/*
 * The number of column col of the trigger's relation; raise if there is
 * none or (type valid) it is not of that exact type.
 */
int			sp_share_column(TriggerData *td, const char *col, Oid type);

#endif							/* SP_SHARE_CHECK_H */
