/*
 * share.c - secant.log_share(table, copy): the audit entry of a copy made
 * by secant.share_trigger.  The trigger runs as the user who inserts the
 * share row; the audit log is writable only by the extension's owner.  So
 * this function checks the caller (INSERT or UPDATE privilege on a table
 * that carries the sharing trigger), then writes the entry as the owner.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"

#include "definer.h"
#include "typeio.h"

/* A table's name for a message. */
static const char *
rel_name(Oid rel)
{
	const char *name = get_rel_name(rel);

	return name ? name : "?";
}

/* Raise unless the caller may share into table rel. */
static void
check_caller(Oid rel)
{
	if (pg_class_aclmask(rel, GetUserId(), ACL_INSERT | ACL_UPDATE,
						 ACLMASK_ANY) == 0)
		sp_raise_privilege(psprintf("permission denied to log a share into table \"%s\"",
									rel_name(rel)),
						   "Shares are logged by secant.share_trigger.");
}

/* secant.log_share(table regclass, copy pre_ciphertext) */
PG_FUNCTION_INFO_V1(pre_log_share);
Datum
pre_log_share(PG_FUNCTION_ARGS)
{
	Oid			rel = PG_GETARG_OID(0);
	Oid			argtypes[2] = {REGCLASSOID,
	get_fn_expr_argtype(fcinfo->flinfo, 1)};
	Datum		args[2] = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)};
	sp_definer	d;
	int			rc;

	check_caller(rel);
	sp_definer_enter(&d, sp_function_owner(fcinfo->flinfo->fn_oid),
					 argtypes[1]);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args(
							   "SELECT 1 FROM pg_catalog.pg_trigger "
							   "WHERE tgrelid OPERATOR(pg_catalog.=) $1 "
							   "AND tgfoid OPERATOR(pg_catalog.=) "
							   "'secant.share_trigger()'::pg_catalog.regprocedure",
							   1, argtypes, args, NULL, true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		sp_raise_privilege(psprintf("table \"%s\" has no secant.share_trigger",
									rel_name(rel)), NULL);
	rc = SPI_execute_with_args(
							   "INSERT INTO secant.audit_log (action, detail) "
							   "VALUES ('share', jsonb_build_object("
							   "'table', $1::text, "
							   "'origin', pre_origin($2)::text, "
							   "'recipient', pre_recipient($2)::text, "
							   "'level', pre_level($2)))",
							   2, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not write the audit entry: %s",
			 SPI_result_code_string(rc));
	SPI_finish();
	sp_definer_leave(&d);
	PG_RETURN_VOID();
}
