/*
 * module.c - module entry: PG_MODULE_MAGIC, libsodium start-up and the
 * log-redaction hook (redact.c).
 */
#include "postgres.h"

#include "fmgr.h"

#include "raise.h"
#include "redact.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Start libsodium once per backend (refuse to load without it) and redact
 * secrets from the server log from now on: from the first statement when
 * preloaded (shared_preload_libraries), else from the first use.
 */
void
_PG_init(void)
{
	if (sp_init() != SP_OK)
		sp_raise_init();
	sp_redact_install();
}
