/*
 * share_check.c - before a sharing trigger touches a value: was it called
 * the way secant.enable_sharing installs it (an AFTER trigger of the
 * right level, with its transition tables when FOR EACH STATEMENT on
 * INSERT, UPDATE or DELETE, its argument count), on a permanent table registered in
 * secant.sharing: a share table with exactly its arguments, a source table
 * by its registrations (the source trigger has no arguments and serves
 * them all)?  Asked as the extension's owner (the registrations are the
 * extension's); nothing is locked.
 */
#include "postgres.h"

#include "catalog/dependency.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "definer.h"
#include "share_check.h"

/*
 * Raise unless rel is an ordinary permanent table (relkind 'r', not a
 * partition: a partitioned table's partitions would run its triggers as
 * themselves) that belongs to no extension (the extension's own tables are
 * written by owner-run code, which never fires a sharing trigger): checked
 * on every run for the share and the source table, since a table can
 * become a view, a partition or UNLOGGED after its registration.
 */
void
sp_share_plain_table(Oid rel, const char *name)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
	Form_pg_class c;
	bool		plain;
	char	   *relname;

	if (!HeapTupleIsValid(tup))
		sp_raise_sharing_setup(psprintf("%s: relation %u does not exist", name, rel));
	c = (Form_pg_class) GETSTRUCT(tup);
	plain = c->relkind == RELKIND_RELATION && !c->relispartition &&
		c->relpersistence == RELPERSISTENCE_PERMANENT;
	relname = pstrdup(NameStr(c->relname));
	ReleaseSysCache(tup);
	if (!plain)
		sp_raise_sharing_setup(psprintf("%s runs on ordinary permanent tables only: \"%s\" is a view, a partitioned table, a partition, TEMP or UNLOGGED",
										name, relname));
	if (OidIsValid(getExtensionOfObject(RelationRelationId, rel)))
		sp_raise_sharing_setup(psprintf("%s refuses to run on \"%s\", a table of an extension",
										name, relname));
}

/*
 * Is a column of type typ with collation coll a sharing key: int2, int4,
 * int8, uuid, text or varchar (or a domain over one), text and varchar
 * with a deterministic collation?  Their text form is the same in every
 * session and two values are equal exactly when their texts are.
 */
static bool
key_type(Oid typ, Oid coll)
{
	switch (getBaseType(typ))
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case UUIDOID:
			return true;
		case TEXTOID:
		case VARCHAROID:
			return OidIsValid(coll) && get_collation_isdeterministic(coll);
		default:
			return false;
	}
}

void
sp_share_key(Oid share, const char *ref, Oid src, const char *key)
{
	AttrNumber	ka = get_attnum(src, key);
	AttrNumber	ra = OidIsValid(share) ? get_attnum(share, ref) : InvalidAttrNumber;
	Oid			kt,
				kc,
				rt = InvalidOid,
				rc = InvalidOid;
	int32		typmod;

	if (ka == InvalidAttrNumber || (OidIsValid(share) && ra == InvalidAttrNumber))
		sp_raise_sharing_setup(psprintf("column \"%s\" of relation \"%s\" or \"%s\" of relation \"%s\" does not exist",
										key, get_rel_name(src), ref ? ref : "", share ? get_rel_name(share) : ""));
	get_atttypetypmodcoll(src, ka, &kt, &typmod, &kc);
	if (OidIsValid(share))
		get_atttypetypmodcoll(share, ra, &rt, &typmod, &rc);
	if (!key_type(kt, kc) || (OidIsValid(share) && (rt != kt || !key_type(rt, rc))))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("sharing needs a key and a reference of one type of int2, int4, int8, uuid, text or varchar (text and varchar with a deterministic collation)"),
				 errdetail("Key column \"%s\" of \"%s\" is of type %s%s.", key, get_rel_name(src),
						   format_type_be(kt),
						   OidIsValid(share) ? psprintf(", reference column \"%s\" of \"%s\" of type %s",
														ref, get_rel_name(share), format_type_be(rt)) : ""),
				 errhint("Change the column types and register the share table again with secant.enable_sharing(), or unregister it with secant.disable_sharing().")));
}

/*
 * Has a statement trigger the transition tables of its event: the new rows
 * of an INSERT, the old of a DELETE, both of an UPDATE?
 */
static bool
has_transition_tables(TriggerData *td)
{
	bool		old = td->tg_oldtable != NULL;
	bool		new = td->tg_newtable != NULL;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		return new;
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		return old;
	return old && new;
}

TriggerData *
sp_share_trigger(FunctionCallInfo fcinfo, int nargs, const char *name)
{
	TriggerData *td;

	if (!CALLED_AS_TRIGGER(fcinfo))
		sp_raise_sharing_setup(psprintf("%s can only be called as a trigger", name));
	td = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_AFTER(td->tg_event) || td->tg_trigger->tgnargs != nargs)
		sp_raise_sharing_setup(psprintf("%s must be an AFTER trigger with %d arguments",
										name, nargs));
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event) ? TRIGGER_FIRED_FOR_ROW(td->tg_event) :
		!TRIGGER_FIRED_FOR_ROW(td->tg_event) && !has_transition_tables(td))
		sp_raise_sharing_setup(psprintf("%s must be FOR EACH ROW (or FOR EACH STATEMENT with its transition tables) on INSERT, UPDATE or DELETE and FOR EACH STATEMENT on TRUNCATE",
										name));
	if (sp_in_owner_scope())
		sp_raise_sharing_setup(psprintf("%s does not run inside the extension's owner-run code", name));
	sp_share_plain_table(RelationGetRelid(td->tg_relation), name);
	return td;
}

/* A registration query (a SELECT of one oid column) and the oid found. */
typedef struct registration
{
	const char *query;
	int			nargs;
	Oid		   *types;
	Datum	   *args;
	Oid			found;
} registration;

static void
registration_body(void *arg)
{
	registration *r = (registration *) arg;
	bool		isnull;

	if (sp_run_latest(r->query, r->nargs, r->types, r->args) != SPI_OK_SELECT)
		elog(ERROR, "could not read secant.sharing");
	if (SPI_processed > 0)
	{
		r->found = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
												  SPI_tuptable->tupdesc, 1, &isnull));
		if (isnull)
			r->found = InvalidOid;
	}
}

/*
 * Run a registration query as owner with the latest snapshot; the oid of
 * its first row, or InvalidOid.
 */
static Oid
registered(Oid owner, const char *query, int nargs, Oid *types, Datum *args)
{
	registration r = {query, nargs, types, args, InvalidOid};

	sp_owner_query(owner, registration_body, &r);
	return r.found;
}

Oid
sp_share_registered_source(TriggerData *td, Oid owner)
{
	char	  **argv = td->tg_trigger->tgargs;
	Oid			types[6] = {REGCLASSOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		args[6];
	Oid			src;
	int			i;

	args[0] = ObjectIdGetDatum(RelationGetRelid(td->tg_relation));
	for (i = 0; i < 5; i++)
		args[i + 1] = CStringGetTextDatum(argv[i]);
	src = registered(owner,
					 "SELECT s.source_table::pg_catalog.oid FROM secant.sharing AS s "
					 "JOIN pg_catalog.pg_class AS c ON c.oid OPERATOR(pg_catalog.=) s.source_table "
					 "JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
					 "WHERE s.share_table OPERATOR(pg_catalog.=) $1 "
					 "AND pg_catalog.format('%I.%I', n.nspname, c.relname) OPERATOR(pg_catalog.=) $2 "
					 "AND s.source_column::pg_catalog.text OPERATOR(pg_catalog.=) $3 "
					 "AND s.source_key::pg_catalog.text OPERATOR(pg_catalog.=) $4 "
					 "AND s.reference_column::pg_catalog.text OPERATOR(pg_catalog.=) $5 "
					 "AND s.recipient_column::pg_catalog.text OPERATOR(pg_catalog.=) $6 "
					 "AND c.relpersistence OPERATOR(pg_catalog.=) 'p'",
					 6, types, args);
	if (!OidIsValid(src))
		sp_raise_sharing_setup(psprintf("table \"%s\" is not registered for sharing with these trigger arguments",
										RelationGetRelationName(td->tg_relation)));
	sp_share_plain_table(src, "secant_internal.share_copy()");
	return src;
}

/* The read of a source table's registrations, into the caller's memory. */
typedef struct source_registrations
{
	Oid			rel;
	MemoryContext cxt;
	int			n;
	sp_source_registration *regs;
} source_registrations;

static void
source_registrations_body(void *arg)
{
	source_registrations *r = (source_registrations *) arg;
	Oid			types[1] = {REGCLASSOID};
	Datum		args[1] = {ObjectIdGetDatum(r->rel)};
	TupleDesc	desc;
	bool		isnull;
	uint64		i;

	if (sp_run_latest("SELECT s.share_table::pg_catalog.oid, s.source_key::pg_catalog.text, "
					  "s.source_column::pg_catalog.text FROM secant.sharing AS s "
					  "WHERE s.source_table OPERATOR(pg_catalog.=) $1 ORDER BY 1",
					  1, types, args) != SPI_OK_SELECT)
		elog(ERROR, "could not read secant.sharing");
	desc = SPI_tuptable->tupdesc;
	r->n = (int) SPI_processed;
	r->regs = MemoryContextAllocZero(r->cxt, Max(r->n, 1) * sizeof(sp_source_registration));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];

		r->regs[i].share = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
		r->regs[i].key = MemoryContextStrdup(r->cxt, SPI_getvalue(tup, desc, 2));
		r->regs[i].column = MemoryContextStrdup(r->cxt, SPI_getvalue(tup, desc, 3));
	}
}

int
sp_share_source_registrations(TriggerData *td, Oid owner, sp_source_registration **regs)
{
	source_registrations r = {RelationGetRelid(td->tg_relation), CurrentMemoryContext, 0, NULL};

	sp_owner_query(owner, source_registrations_body, &r);
	if (r.n == 0)
		sp_raise_sharing_setup(psprintf("table \"%s\" is not registered as a source of sharing",
										RelationGetRelationName(td->tg_relation)));
	*regs = r.regs;
	return r.n;
}

int
sp_share_column(TriggerData *td, const char *col, Oid type)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	int			n = SPI_fnumber(desc, col);

	if (n <= 0)
		sp_raise_sharing_setup(psprintf("column \"%s\" of relation \"%s\" does not exist",
										col, RelationGetRelationName(td->tg_relation)));
	if (OidIsValid(type) && SPI_gettypeid(desc, n) != type)
		sp_raise_sharing_setup(psprintf("column \"%s\" of relation \"%s\" is of type %s, not %s",
										col, RelationGetRelationName(td->tg_relation),
										format_type_be(SPI_gettypeid(desc, n)),
										format_type_be(type)));
	return n;
}

/*
 * secant_internal.require_sharing_key(share table, reference column,
 * source table, source key): secant.enable_sharing's check of the key
 * types, the triggers' own (sp_share_key).
 */
PG_FUNCTION_INFO_V1(pre_require_sharing_key);
Datum
pre_require_sharing_key(PG_FUNCTION_ARGS)
{
	sp_share_key(PG_GETARG_OID(0), NameStr(*PG_GETARG_NAME(1)),
				 PG_GETARG_OID(2), NameStr(*PG_GETARG_NAME(3)));
	PG_RETURN_VOID();
}
