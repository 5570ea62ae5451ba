/*
 * redact.h - the log-redaction hook (redact.c): secret keys and grants are
 * taken out of every server log entry once the library is loaded.
 */
#ifndef SP_REDACT_H
#define SP_REDACT_H

/* Install the emit_log_hook (once per process). */
void		sp_redact_install(void);

#endif							/* SP_REDACT_H */
