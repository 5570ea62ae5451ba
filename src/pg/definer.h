/*
 * definer.h - run a piece of a C function as the owner of the SQL function
 * being called (sp_function_owner: the role that ran CREATE EXTENSION,
 * unless the function was given to another) with search_path
 * "pg_catalog, pg_temp", the way
 * SECURITY DEFINER ... SET search_path runs a whole function, but only where
 * needed (a path lookup on a cache miss, storing a copy).  The code that
 * runs so uses fully qualified, fixed queries on the extension's own
 * tables only.
 */
#ifndef SP_DEFINER_H
#define SP_DEFINER_H

#include "postgres.h"

typedef struct sp_definer
{
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;
} sp_definer;

/* The owner of a function. */
Oid			sp_function_owner(Oid fn);

/*
 * Become owner with search_path "pg_catalog, pg_temp".  On error the
 * (sub)transaction's abort restores the user and the settings.
 */
void		sp_definer_enter(sp_definer *d, Oid owner);

/* Back to the caller's user and settings. */
void		sp_definer_leave(sp_definer *d);

#endif							/* SP_DEFINER_H */
