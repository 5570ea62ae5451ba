/*
 * raise.c - core error codes to ereport() (pgcrypto's px_THROW_ERROR
 * pattern).  Messages name the type or the operation and the failed check,
 * never the value: inputs may carry secrets and ciphertexts may be huge.
 */
#include "postgres.h"

#include <sodium.h>

#include "mb/pg_wchar.h"

#include "raise.h"

/* A value of kind could not be accepted. */
void
sp_raise_input(int err, sp_kind kind, sp_way way)
{
	const char *type = sp_kind_name(kind);

	/* "level above 16" has its own code (STYLE.md), whatever the way in */
	if (err == SP_ELEVELMAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("invalid value for type %s", type),
				 errdetail("%s", sp_strerror(err))));
	if (way == SP_WAY_BINARY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary input for type %s", type),
				 errdetail("%s", sp_strerror(err))));
	if (way == SP_WAY_TEXT && sp_err_is_malformed(err))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", type),
				 errdetail("%s", sp_strerror(err)),
				 err == SP_EPREFIX
				 ? errhint("A %s value starts with \"%s\".", type,
						   sp_kind_prefix(kind)) : 0));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for type %s", type),
			 errdetail("%s", sp_strerror(err))));
}

/* SQLSTATE for an operation's failure code. */
static int
operation_sqlstate(int err)
{
	switch (err)
	{
		case SP_EMAXLEVEL:
		case SP_ETOOLONG:
			return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		case SP_EWRONGKEY:
		case SP_EDECRYPT:
			return ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION;
		case SP_ENOMEM:
			return ERRCODE_OUT_OF_MEMORY;
		case SP_ERANDOM:
		case SP_EINTERNAL:
			return ERRCODE_INTERNAL_ERROR;
	}
	return ERRCODE_INVALID_PARAMETER_VALUE;
}

/* Message for an operation's failure code; NULL for the generic one. */
static const char *
operation_message(int err)
{
	switch (err)
	{
		case SP_EWRONGKEY:
		case SP_EDECRYPT:
			/* one message for every decryption failure (pgcrypto) */
			return "could not decrypt value";
		case SP_ERECIPIENT:
			return "grant does not apply to this ciphertext";
		case SP_EMAXLEVEL:
			return "ciphertext is already at the maximum level 16";
		case SP_ESAMEKEY:
			return "cannot grant a key to itself";
		case SP_ETOOLONG:
			return "value too long for type pre_ciphertext";
	}
	return NULL;
}

/* An operation (re-encrypt, decrypt, grant, ...) failed. */
void
sp_raise(int err, const char *operation)
{
	const char *message = operation_message(err);

	if (message)
		ereport(ERROR,
				(errcode(operation_sqlstate(err)),
				 errmsg("%s", message),
				 errdetail("%s", sp_strerror(err))));
	ereport(ERROR,
			(errcode(operation_sqlstate(err)),
			 errmsg("%s failed", operation),
			 errdetail("%s", sp_strerror(err))));
}

/* A caller error that is not a core code. */
void
sp_raise_argument(const char *message, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s", message),
			 detail ? errdetail("%s", detail) : 0));
}

/* A caller lacks a privilege. */
void
sp_raise_privilege(const char *message, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("%s", message),
			 hint ? errhint("%s", hint) : 0));
}

/* No chain of active grants leads to the target. */
void
sp_raise_no_path(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("no active grant path to the target key"),
			 errdetail("No chain of unexpired, unrevoked grants leads from the ciphertext's current recipient to the target.")));
}

/* The role may not obtain what is addressed to the target. */
void
sp_raise_not_bound(const char *role)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("role \"%s\" may not obtain re-encryptions for the target principal", role),
			 errdetail("The role is bound to neither the target nor holds the proxy capability in this database."),
			 errhint("An admin binds the role: SELECT secant.bind('principal name', 'role name').")));
}

/* Hop k (0: the origin) of a ciphertext matches no active grant. */
void
sp_raise_bad_chain(int hop)
{
	if (hop == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("ciphertext's hop chain does not match the active grants"),
				 errdetail("Its origin is not a known principal.")));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("ciphertext's hop chain does not match the active grants"),
			 errdetail("Hop %d was not made by an active grant from the previous recipient.", hop)));
}

/* Read audit is on and this transaction cannot write it. */
void
sp_raise_read_audit_readonly(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
			 errmsg("read audit is on: reads need a read-write transaction on the primary"),
			 errdetail("Each read is logged in secant.access_log when its transaction commits."),
			 errhint("Run the read in a read-write transaction on the primary, or an admin turns read audit off: SELECT secant.set_read_audit(false).")));
}

/* A column that is filled from the grant was given another value. */
void
sp_raise_filled_column(const char *column)
{
	ereport(ERROR,
			(errcode(ERRCODE_GENERATED_ALWAYS),
			 errmsg("column \"%s\" of secant.grants is filled from the grant", column),
			 errdetail("The value given is not the grant's."),
			 errhint("Insert only the grant: INSERT INTO secant.grants (sealed) VALUES (...).")));
}

/* No server key is configured. */
void
sp_raise_no_server_key(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("no server key is configured: grants cannot be stored or used"),
			 errdetail("Grants are stored sealed to the server's key (secant_pre.server_key_file)."),
			 errhint("Write a key (64 hexadecimal characters, e.g. from: head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n') into a file outside the data directory, owned by the server's user, mode 0600; set secant_pre.server_key_file to it and reload.")));
}

/* The server key file is unusable. */
void
sp_raise_server_key(const char *path, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_CONFIG_FILE_ERROR),
			 errmsg("server key file \"%s\" %s", path, what),
			 errhint("secant_pre.server_key_file names a file of 64 hexadecimal characters, owned by the server's user, mode 0600.")));
}

/*
 * A sealed grant does not open here.  named and ours are the key ids (8
 * bytes, public) of the key it is sealed to and of the server key.
 */
void
sp_raise_sealed(int err, const uint8_t *named, const uint8_t *ours)
{
	char		nhex[17];
	char		ohex[17];

	if (err != SP_EWRONGKEY && err != SP_EDATABASE && err != SP_EDECRYPT)
		sp_raise(err, "opening a sealed grant");
	sodium_bin2hex(nhex, sizeof nhex, named, 8);
	sodium_bin2hex(ohex, sizeof ohex, ours, 8);
	if (err == SP_EWRONGKEY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sealed grant is sealed to another server key"),
				 strcmp(nhex, ohex) == 0
				 ? errdetail("Its outer key id is this server's (%s), the one sealed inside it another's: it was relabelled.", ohex)
				 : errdetail("It is sealed to server key %s; this server's key is %s.", nhex, ohex),
				 errhint("After a server key rotation, or for a dump from a server with another key: set secant_pre.previous_server_key_file to the old key file and reload; then restore, or run SELECT secant.reseal_grants().  New grants are sealed to secant.server_public_key().")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s", err == SP_EDATABASE ? "sealed grant was sealed for another database"
					: "could not open sealed grant"),
			 errdetail("%s", err == SP_EDATABASE
					   ? "A sealed grant names the database it was made for; this is another one."
					   : "The sealed bytes were changed or were not sealed to this key."),
			 errhint("Seal the grant to this database's key: secant.server_public_key().")));
}

/* This database's identity was recorded for another database (a copy). */
void
sp_raise_copied_database(Oid rec_oid, uint64 rec_sysid, Oid oid, uint64 sysid)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("this database is a copy of a secant_pre database: its grants stay closed until an admin adopts it"),
			 errdetail("Its identity was recorded for database OID %u of the cluster with system identifier " UINT64_FORMAT "; this is database OID %u of cluster " UINT64_FORMAT " (CREATE DATABASE ... TEMPLATE, a restore into another database or cluster, pg_upgrade, or a copy made under 0.5.0 and updated after that database).",
					   rec_oid, rec_sysid, oid, sysid),
			 errhint("An admin of this database runs SELECT secant.adopt_database(); it gives the copy an identity of its own and re-seals its grants.  A database moved, not copied (the original is gone), keeps its identity with secant.adopt_database(new_identity => false).  See docs/OPERATIONS.md.")));
}

/* A re-encryption asked of a standby. */
void
sp_raise_standby(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
			 errmsg("secant_pre does not re-encrypt on a standby"),
			 errdetail("A reader locks the grants, bindings and capabilities it uses until its transaction ends, so that a revocation waits for it; a standby cannot take these locks and learns of revocations only as it replays them."),
			 errhint("Re-encrypt on the primary.  A promoted standby re-encrypts at once, with no admin step (docs/OPERATIONS.md).")));
}

/* A restore loads a table of secant's before what it needs (table). */
void
sp_raise_restore_order(const char *table)
{
	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("restore loads secant.grants before %s", table),
			 errdetail("pg_restore -j without session_replication_role = replica loads secant's tables in parallel; this grant cannot be checked yet and would be lost."),
			 errhint("Restore into a new database with PGOPTIONS=\"-c session_replication_role=replica\" pg_restore ... (README, \"Backup and restore\"), then run SELECT * FROM secant.audit_check().")));
}

/* A stored grant opened to another grant than its columns describe. */
void
sp_raise_grant_columns(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("stored grant does not match its columns"),
			 errdetail("The sealed grant opens to a grant with another delegator, grantee or hop key than secant.grants records."),
			 errhint("The row was changed behind the extension's back: check SELECT * FROM secant.audit_check(), remove the grant and have its delegator issue it again.")));
}

/* The grants of a path kept going away during the lookup. */
void
sp_raise_path_changed(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("grant path changed during the lookup"),
			 errdetail("Grants of the path were revoked while it was being looked up."),
			 errhint("Retry the statement.")));
}

/* A grant went away under a transaction snapshot. */
void
sp_raise_serialization(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("could not serialize access due to concurrent update"),
			 errdetail("A grant of the path was revoked after this transaction's snapshot was taken."),
			 errhint("Retry the transaction.")));
}

/* Re-encryption along a path would pass the highest level. */
void
sp_raise_path_level(int level, int hops)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("re-encryption along the grant path would exceed level 16"),
			 errdetail("The ciphertext is at level %d and the path has %d hops.",
					   level, hops)));
}

/* Decrypted bytes are not valid text in the database encoding. */
void
sp_raise_encoding(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
			 errmsg("decrypted value is not valid text in encoding \"%s\"",
					GetDatabaseEncodingName()),
			 errhint("Use pre_decrypt() to get the bytes.")));
}

/* A sharing trigger installed by hand, wrongly. */
void
sp_raise_sharing_setup(const char *message)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s", message),
			 errhint("Install the sharing triggers with secant.enable_sharing().")));
}

/* The shared row of a share is missing or not unique. */
void
sp_raise_shared_row(const char *table, bool missing)
{
	if (missing)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("shared row not found in %s", table)));
	ereport(ERROR,
			(errcode(ERRCODE_CARDINALITY_VIOLATION),
			 errmsg("more than one shared row in %s", table),
			 errhint("The source key column of a share must be unique.")));
}

/* Something a removal needs is in use by other sessions (wait => false). */
void
sp_raise_in_use(const char *message, const char *doing, const char *holders)
{
	ereport(ERROR,
			(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
			 errmsg("%s", message),
			 errdetail("Sessions in a transaction that %s: %s.", doing,
					   holders[0] != '\0' ? holders : "none left"),
			 errhint("Retry, call it with wait => true, or end those sessions with pg_terminate_backend().")));
}

/* A function of an older version that this library no longer has. */
void
sp_raise_removed(const char *function, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s was removed in secant_pre 0.4.0", function),
			 errhint("%s Update the extension: ALTER EXTENSION secant_pre UPDATE.", hint)));
}

/* A keyword or document could not be normalised. */
void
sp_raise_text(int err)
{
	if (err == SP_ENOMEM)
		sp_raise_out_of_memory();
	if (err == SP_ELENGTH)
		sp_raise_argument("keyword is empty",
						  "A keyword needs a character other than white space.");
	if (err == SP_ECANCELED)
		ereport(ERROR,
				(errcode(ERRCODE_QUERY_CANCELED),
				 errmsg("canceling statement due to user request")));
	if (err == SP_EWORDLONG || err == SP_ETEXTLONG)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg(err == SP_EWORDLONG ? "keyword too long"
						: "text too long for search tokens"),
				 errdetail("%s", sp_strerror(err))));
	sp_raise_argument("could not normalise keyword text", sp_strerror(err));
}

/* Out of memory. */
void
sp_raise_out_of_memory(void)
{
	ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
					errmsg("out of memory")));
}

/* libsodium could not start. */
void
sp_raise_init(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("could not initialize libsodium")));
}
