/*
 * authority.h - doors: the entry points of the extension's owner-run
 * functions (authority.c; docs/SECURITY.md, "Authority").
 */
#ifndef SP_AUTHORITY_H
#define SP_AUTHORITY_H

#include "postgres.h"

#include "fmgr.h"

/*
 * What a door does: record its caller as the asking role and call its
 * body, secant_internal.<the door's name>(its argument types), with the
 * door's arguments; the body's result.  A C function that is a door and
 * does more (secant.enable_sharing) calls it first.
 */
Datum		sp_door_call(FunctionCallInfo fcinfo);

#endif							/* SP_AUTHORITY_H */
