/*
 * secant_pre.c - module entry: PG_MODULE_MAGIC and libsodium start-up.
 */
#include "postgres.h"

#include "fmgr.h"

#include "sp_core.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Start libsodium once per backend; refuse to load without it. */
void
_PG_init(void)
{
	if (sp_init() != SP_OK)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not initialize libsodium")));
}
