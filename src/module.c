/*
 * module.c - module entry: PG_MODULE_MAGIC and libsodium start-up.
 */
#include "postgres.h"

#include "fmgr.h"

#include "raise.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Start libsodium once per backend; refuse to load without it. */
void
_PG_init(void)
{
	if (sp_init() != SP_OK)
		sp_raise_init();
}
