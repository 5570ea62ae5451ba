/*
 * definer.h - the one door for the SQL the extension runs.
 *
 * Every query that C code runs goes through a scope opened here: connected
 * to SPI, either with the caller's rights (sp_caller_query) or as the owner
 * of the SQL function being called (sp_owner_query; sp_function_owner: the
 * role that ran CREATE EXTENSION, unless the function was given to
 * another) with search_path "pg_catalog, pg_temp", the way SECURITY
 * DEFINER ... SET search_path runs a whole function, but only where needed
 * (a path lookup on a cache miss, storing a copy, writing the audit).  The
 * code that runs as the owner uses fully qualified, fixed queries on the
 * extension's own tables only.  Inside a scope, sp_run_latest runs a fixed
 * query with a plan kept for the backend.
 */
#ifndef SP_DEFINER_H
#define SP_DEFINER_H

#include "postgres.h"

#include "utils/queryenvironment.h"

/* The owner of a function. */
Oid			sp_function_owner(Oid fn);

/* What runs inside a scope: SPI is connected; queries and their results. */
typedef void (*sp_query_body) (void *arg);

/*
 * Run body(arg) connected to SPI as owner, with search_path "pg_catalog,
 * pg_temp"; then back to the caller's user and settings.  On error the
 * (sub)transaction's abort restores the user, the settings and SPI.
 */
void		sp_owner_query(Oid owner, sp_query_body body, void *arg);

/*
 * Is an owner-run scope open (in this backend, around the code running
 * now)?  The sharing triggers refuse to run inside one: owner-run code
 * never reads a caller's table (docs/SECURITY.md, "Owner-run code").
 */
bool		sp_in_owner_scope(void);

/* Run body(arg) connected to SPI with the caller's rights. */
void		sp_caller_query(sp_query_body body, void *arg);

/*
 * Run a fixed query (inside a scope) with the latest snapshot, also in
 * REPEATABLE READ; its plan is prepared once per backend.  Returns the
 * SPI code.
 */
int			sp_run_latest(const char *query, int nargs, Oid *argtypes,
						  Datum *args);

/*
 * The same over an ephemeral named relation that the extension's code
 * built (never a caller's table), registered for the query; planned on
 * each call for the relation's size.
 */
int			sp_run_latest_over(EphemeralNamedRelation enr, const char *query,
							   int nargs, Oid *argtypes, Datum *args);

/*
 * Run a read-only query (inside a scope) with the current snapshot, at most
 * tcount rows; its plan is prepared once per backend (the sharing
 * trigger's read of the source row, once per shared row).  Returns the
 * SPI code.
 */
int			sp_run_read(const char *query, int nargs, Oid *argtypes,
						Datum *args, long tcount);

#endif							/* SP_DEFINER_H */
