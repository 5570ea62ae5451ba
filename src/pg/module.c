/*
 * module.c - module entry: PG_MODULE_MAGIC, libsodium start-up, the
 * log-redaction hook (redact.c) and the server key setting (server_key.c).
 */
#include "postgres.h"

#include "fmgr.h"

#include "raise.h"
#include "redact.h"
#include "server_key.h"

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
	sp_server_key_init();
}
