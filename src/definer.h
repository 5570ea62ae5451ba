/*
 * definer.h - run a piece of a C function as another role with a safe
 * search_path, the way SECURITY DEFINER ... SET search_path runs a whole
 * function, but only where needed (a path cache miss in reencrypt_for.c,
 * a share's audit entry in share.c).  The callers pass the owner of the SQL
 * function being called (sp_function_owner), which is the role that ran
 * CREATE EXTENSION unless the function was given to another.
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

/* The owner of a function (pg_proc.proowner); raises if there is none. */
Oid			sp_function_owner(Oid fn);

/*
 * Become owner with search_path "pg_catalog, <extension schema>, pg_temp",
 * the extension's schema being that of ext_type, one of its types.  On
 * error the abort of the (sub)transaction restores the user and the
 * settings.
 */
void		sp_definer_enter(sp_definer *d, Oid owner, Oid ext_type);

/* Back to the caller's user and settings. */
void		sp_definer_leave(sp_definer *d);

#endif							/* SP_DEFINER_H */
