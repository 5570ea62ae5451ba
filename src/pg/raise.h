/*
 * raise.h - the one place where the glue raises user-facing errors: core
 * codes (sp_err) become ereport() with a SQLSTATE, a message naming the
 * type and a detail sentence; the other caller errors have a function each
 * here.  Internal "cannot happen" checks use elog() where they are.
 * Callers wipe their secrets before calling these, as ereport(ERROR) does
 * not return.
 */
#ifndef SP_RAISE_H
#define SP_RAISE_H

#include "postgres.h"

#include "pg_compat.h"

#include "sp_codec.h"

/* How a value entered: decides the SQLSTATE of a malformed value. */
typedef enum sp_way
{
	SP_WAY_TEXT,				/* text input function */
	SP_WAY_BINARY,				/* binary receive function */
	SP_WAY_BYTEA				/* cast from bytea */
} sp_way;

/* A value of kind could not be accepted. */
pg_noreturn void sp_raise_input(int err, sp_kind kind, sp_way way);

/* An operation (re-encrypt, decrypt, grant, ...) failed. */
pg_noreturn void sp_raise(int err, const char *operation);

/* A caller error that is not a core code: SQLSTATE 22023 with a detail. */
pg_noreturn void sp_raise_argument(const char *message,
											   const char *detail);

/* A caller lacks a privilege: SQLSTATE 42501, with an optional hint. */
pg_noreturn void sp_raise_privilege(const char *message,
												const char *hint);

/* No chain of active grants leads to the target (42501). */
pg_noreturn void sp_raise_no_path(void);

/* The role may not obtain what is addressed to the target (42501). */
pg_noreturn void sp_raise_not_bound(const char *role);

/* Hop k (0: the origin) of a ciphertext matches no active grant (42501). */
pg_noreturn void sp_raise_bad_chain(int hop);

/* Read audit is on and this transaction cannot write it (25006). */
pg_noreturn void sp_raise_read_audit_readonly(void);

/* A column that is filled from the grant was given another value (428C9). */
pg_noreturn void sp_raise_filled_column(const char *column);

/* No server key is configured (55000). */
pg_noreturn void sp_raise_no_server_key(void);

/* The server key file is unusable (F0000); the path is not a secret. */
pg_noreturn void sp_raise_server_key(const char *path, const char *what);

/* A sealed grant does not open here (22023). */
pg_noreturn void sp_raise_sealed(int err, const uint8_t *named, const uint8_t *ours);

/* This database's identity is another database's: a copy (55000). */
pg_noreturn void sp_raise_copied_database(Oid rec_oid, uint64 rec_sysid,
													  Oid oid, uint64 sysid);

/* A re-encryption asked of a standby (25006). */
pg_noreturn void sp_raise_standby(void);

/* A restore loads secant.grants before table (23503). */
pg_noreturn void sp_raise_restore_order(const char *table);

/* A stored grant opened to another grant than its columns describe (XX001). */
pg_noreturn void sp_raise_grant_columns(void);

/* The grants of a path kept going away during the lookup (40001). */
pg_noreturn void sp_raise_path_changed(void);

/*
 * A grant a transaction-snapshot reader found went away before its lock
 * was granted (40001, the message of a row lock's serialization failure).
 */
pg_noreturn void sp_raise_serialization(void);

/* Re-encryption along a path of hops would pass level 16 (54000). */
pg_noreturn void sp_raise_path_level(int level, int hops);

/* Decrypted bytes are not text in the database encoding (22021). */
pg_noreturn void sp_raise_encoding(void);

/* A sharing trigger installed by hand, wrongly (22023, with a hint). */
pg_noreturn void sp_raise_sharing_setup(const char *message);

/* The shared row of a share is missing (23503) or not unique (21000). */
pg_noreturn void sp_raise_shared_row(const char *table, bool missing);

/*
 * 55P03 (wait => false): message, and the sessions (holders, "pid (role),
 * ...", empty: none left) in a transaction that did what doing says.
 */
pg_noreturn void sp_raise_in_use(const char *message, const char *doing,
								 const char *holders);

/* A function of an older version that this library no longer has (0A000). */
pg_noreturn void sp_raise_removed(const char *function, const char *hint);
/*
 * A keyword or document could not be normalised (sp_text.h): too long
 * (54000), empty, not UTF-8 (22023), canceled (57014), out of memory.
 */
pg_noreturn void sp_raise_text(int err);

/* Out of memory (53200). */
pg_noreturn void sp_raise_out_of_memory(void);

/* libsodium could not start (38000). */
pg_noreturn void sp_raise_init(void);

#endif							/* SP_RAISE_H */
