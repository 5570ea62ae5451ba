/*
 * share.c - sharing: the triggers that keep secant.copies up to date
 * (secant_internal.share_copy on an application's share table,
 * secant_internal.share_source on the shared table); revocation deletes
 * copies in copies_delete.c.
 *
 * secant.enable_sharing registers a share table in secant.sharing and
 * installs the triggers (one source trigger per source table), then shares
 * the rows the table holds as their INSERT would (pre_enable_sharing).
 * The triggers first check their shape, table, registration and columns'
 * types (share_check.c).  They run with the caller's rights: the shared
 * value is read as the role that inserted the share row, so its privileges
 * and row-level security decide whether it may share that row; a source
 * table's change is read in C from its transition tables.  Then, as the
 * extension's owner (definer.h), it looks up and locks the grant path (grant_path.c),
 * makes the copy and stores it in secant.copies with an entry in
 * secant.access_log: fixed, fully qualified queries on the extension's own
 * tables only.  The share or source table a copy is filed under is the
 * trigger's own relation and its registration, so a role only ever adds or
 * removes copies through registered tables it triggers on.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/stratnum.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "authority.h"
#include "ciphertext.h"
#include "pg_compat.h"
#include "definer.h"
#include "grant_path.h"
#include "share_check.h"
#include "typeio.h"

/* The extension's types and schema, read off secant.copies' columns. */
typedef struct ext_types
{
	Oid			pk;				/* pre_public_key */
	Oid			ct;				/* pre_ciphertext */
	const char *schema;			/* the types' (the extension's) schema, quoted */
} ext_types;

static void
ext_types_get(ext_types *t)
{
	Oid			copies = get_relname_relid("copies",
										   get_namespace_oid("secant", false));

	if (!OidIsValid(copies))
		elog(ERROR, "secant.copies not found");
	t->pk = get_atttype(copies, get_attnum(copies, "recipient"));
	t->ct = get_atttype(copies, get_attnum(copies, "copy"));
	t->schema = sp_ext_schema(t->pk);
}

/* A query on secant.copies or secant.access_log and the SPI code it must give. */
typedef struct copies_query
{
	const char *query;
	int			nargs;
	Oid		   *types;
	Datum	   *args;
	int			expect;
	uint64		processed;
} copies_query;

static void
copies_query_body(void *arg)
{
	copies_query *q = (copies_query *) arg;
	int			rc = sp_run_latest(q->query, q->nargs, q->types, q->args);

	if (rc != q->expect)
		elog(ERROR, "secant.copies query failed: %s", SPI_result_code_string(rc));
	q->processed = SPI_processed;
}

/* Run an owner-run query with the latest snapshot: the rows it gave or touched. */
static uint64
owner_run(Oid owner, const char *query, int nargs, Oid *types, Datum *args,
		  int expect)
{
	copies_query q = {query, nargs, types, args, expect, 0};

	sp_owner_query(owner, copies_query_body, &q);
	return q.processed;
}

/* The same over an ephemeral relation of the extension's own making. */
typedef struct copies_query_over
{
	copies_query q;
	EphemeralNamedRelation enr;
} copies_query_over;

static void
copies_query_over_body(void *arg)
{
	copies_query_over *o = (copies_query_over *) arg;
	int			rc = sp_run_latest_over(o->enr, o->q.query, o->q.nargs, o->q.types, o->q.args);

	if (rc != o->q.expect)
		elog(ERROR, "secant.copies query failed: %s", SPI_result_code_string(rc));
	o->q.processed = SPI_processed;
}

static uint64
owner_run_over(Oid owner, EphemeralNamedRelation enr, const char *query,
			   int nargs, Oid *types, Datum *args, int expect)
{
	copies_query_over o = {{query, nargs, types, args, expect, 0}, enr};

	sp_owner_query(owner, copies_query_over_body, &o);
	return o.q.processed;
}

/* A row of a share table: the shared row's key and the recipient. */
typedef struct share_row
{
	Datum		ref;
	Oid			reftype;
	char	   *ref_text;		/* NULL when the reference is NULL */
	const uint8_t *recipient;	/* NULL when the recipient is NULL */
} share_row;

static void
share_row_get(TriggerData *td, const ext_types *t, HeapTuple tup, share_row *row)
{
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	char	  **argv = td->tg_trigger->tgargs;
	int			refcol = sp_share_column(td, argv[3], InvalidOid);
	int			reccol = sp_share_column(td, argv[4], t->pk);
	bool		isnull;
	Datum		rec;

	row->ref = SPI_getbinval(tup, desc, refcol, &isnull);
	row->reftype = SPI_gettypeid(desc, refcol);
	row->ref_text = isnull ? NULL : SPI_getvalue(tup, desc, refcol);
	rec = SPI_getbinval(tup, desc, reccol, &isnull);
	row->recipient = isnull ? NULL : (const uint8_t *) DatumGetPointer(rec);
}

/* The read of a shared value: the source row and what was found. */
typedef struct source_read
{
	Oid			src;
	char	  **argv;
	const share_row *row;
	const ext_types *t;
	char	   *query;
	Datum		ct;
	bool		isnull;
} source_read;

static void
source_read_body(void *arg)
{
	source_read *r = (source_read *) arg;
	Oid			src = r->src;
	char	  **argv = r->argv;
	Oid			reftype = r->row->reftype;
	Datum		ref = r->row->ref;

	if (sp_run_read(r->query, 1, &reftype, &ref, 2) != SPI_OK_SELECT)
		elog(ERROR, "could not read the shared row");
	if (SPI_processed != 1)
		sp_raise_shared_row(get_rel_name(src), SPI_processed == 0);
	if (SPI_gettypeid(SPI_tuptable->tupdesc, 1) != r->t->ct)
		sp_raise_argument(psprintf("column \"%s\" of relation \"%s\" is not of type pre_ciphertext",
								   argv[1], get_rel_name(src)), NULL);
	r->ct = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &r->isnull);
	if (!r->isnull)
		r->ct = SPI_datumTransfer(PointerGetDatum(PG_DETOAST_DATUM_COPY(r->ct)),
								  false, -1);
}

/*
 * "s.KEY::T OPERATOR(schema.op) RHS::T": the source's key column equals the
 * share's reference (RHS: "$1", or a column of the statement's rows) by the equality of the default btree operator class of
 * the key's type (of its base type, for a domain), looked up by OID and
 * named with its schema, on the operator class's input type T (the key's
 * own type when that is polymorphic, as for arrays).  Never "=" by name:
 * the key may be varchar, citext or a domain, whose "=" a search_path
 * would resolve (docs/SECURITY.md, "Names").
 */
static char *
key_equals(Oid src, const char *key, const char *rhs)
{
	AttrNumber	att = get_attnum(src, key);
	Oid			keytype = getBaseType(get_atttype(src, att));
	Oid			opclass = GetDefaultOpClass(keytype, BTREE_AM_OID);
	Oid			intype = InvalidOid;
	Oid			eq = InvalidOid;
	HeapTuple	op;
	Oid			opnamespace;
	char	   *typ;

	if (OidIsValid(opclass))
	{
		intype = get_opclass_input_type(opclass);
		eq = get_opfamily_member(get_opclass_family(opclass), intype, intype,
								 BTEqualStrategyNumber);
	}
	if (!OidIsValid(eq))
		sp_raise_argument(psprintf("column \"%s\" of relation \"%s\" has a type without a default btree equality",
								   key, get_rel_name(src)), NULL);
	op = SearchSysCache1(OPEROID, ObjectIdGetDatum(eq));
	if (!HeapTupleIsValid(op))
		elog(ERROR, "cache lookup failed for operator %u", eq);
	opnamespace = ((Form_pg_operator) GETSTRUCT(op))->oprnamespace;
	ReleaseSysCache(op);
	typ = format_type_be_qualified(IsPolymorphicType(intype) ? keytype : intype);
	return psprintf("s.%s::%s OPERATOR(%s.%s) %s::%s", quote_identifier(key), typ,
					quote_identifier(get_namespace_name(opnamespace)), get_opname(eq),
					rhs, typ);
}

/*
 * Read the shared value as the caller: the source row whose key column
 * equals the share's reference.  false when it is NULL; raise when there
 * is no such row.  The value is copied into the caller's memory.
 */
static bool
read_source(Oid src, char **argv, const share_row *row, const ext_types *t,
			Datum *ct)
{
	source_read r = {src, argv, row, t, NULL, (Datum) 0, true};

	r.query = psprintf("SELECT s.%s FROM %s AS s WHERE %s",
					   quote_identifier(argv[1]),
					   quote_qualified_identifier(get_namespace_name(get_rel_namespace(src)),
												  get_rel_name(src)),
					   key_equals(src, argv[2], "$1"));
	sp_caller_query(source_read_body, &r);
	*ct = r.ct;
	return !r.isnull;
}

/* The name of the current user, as a Datum of type name. */
static Datum
current_user_name(void)
{
	return DirectFunctionCall1(namein,
							   CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
}

/*
 * Copies to file: at most SHARE_BATCH, with what their access-log entries
 * say.  A statement's rows are read and its copies filed a batch at a
 * time (one query each), so memory stays bounded whatever its size.
 */
#define SHARE_BATCH 1024

typedef struct copy_batch
{
	int			n;
	Datum		rows[SHARE_BATCH];	/* source_row, text */
	Datum		recipients[SHARE_BATCH];	/* pre_public_key */
	Datum		copies[SHARE_BATCH];	/* pre_ciphertext */
	Datum		origins[SHARE_BATCH];	/* the copy's origin key, text */
	Datum		recipient_texts[SHARE_BATCH];
	Datum		levels[SHARE_BATCH];	/* int4 */
	uint64		filed[2 * SHARE_BATCH]; /* hashes of (row, recipient); 0: none */
} copy_batch;

/*
 * Note the hash of a copy's (source row, recipient) in the batch: false
 * if it may be there already (then the batch is filed first: one query
 * must not file two copies under one key).  A collision only files early.
 */
static bool
batch_note(copy_batch *b, const char *row, const uint8_t *recipient)
{
	uint64		h = hash_bytes_extended((const unsigned char *) recipient,
										SP_PUBLICKEYBYTES,
										hash_bytes_extended((const unsigned char *) row,
															strlen(row), 0));
	uint32		i = (uint32) h % (2 * SHARE_BATCH);

	h = Max(h, 1);
	for (; b->filed[i] != 0; i = (i + 1) % (2 * SHARE_BATCH))
		if (b->filed[i] == h)
			return false;
	b->filed[i] = h;
	return true;
}

/* An array of n Datums of type typ. */
static Datum
array_of(Datum *elems, int n, Oid typ)
{
	int16		len;
	bool		byval;
	char		align;

	get_typlenbyvalalign(typ, &len, &byval, &align);
	return PointerGetDatum(construct_array(elems, n, typ, len, byval, align));
}

/*
 * File the batch's copies under the share table (a copy already filed
 * under the same source row and recipient is replaced) and log each, in
 * order, in one query.
 */
static void
file_copies(Oid owner, const ext_types *t, Oid share, Oid src, copy_batch *b)
{
	Oid			types[9] = {REGCLASSOID, REGCLASSOID, TEXTARRAYOID,
		get_array_type(t->pk), get_array_type(t->ct), TEXTARRAYOID,
	TEXTARRAYOID, INT4ARRAYOID, NAMEOID};
	Datum		args[9];

	if (b->n == 0)
		return;
	args[0] = ObjectIdGetDatum(share);
	args[1] = ObjectIdGetDatum(src);
	args[2] = array_of(b->rows, b->n, TEXTOID);
	args[3] = array_of(b->recipients, b->n, t->pk);
	args[4] = array_of(b->copies, b->n, t->ct);
	args[5] = array_of(b->origins, b->n, TEXTOID);
	args[6] = array_of(b->recipient_texts, b->n, TEXTOID);
	args[7] = array_of(b->levels, b->n, INT4OID);
	args[8] = current_user_name();
	owner_run(owner,
			  psprintf("WITH stored AS (INSERT INTO secant.copies AS c (share_table, source_table, source_row, "
					   "recipient, copy, hop_keys, created_by) "
					   "SELECT $1, $2, x.source_row, x.recipient, x.copy, %s.pre_hop_keys(x.copy), $9 "
					   "FROM (SELECT pg_catalog.unnest($3) AS source_row, pg_catalog.unnest($4) AS recipient, "
					   "pg_catalog.unnest($5) AS copy) AS x "
					   "ON CONFLICT (share_table, source_row, recipient) DO UPDATE SET "
					   "source_table = EXCLUDED.source_table, copy = EXCLUDED.copy, "
					   "hop_keys = EXCLUDED.hop_keys, created_at = EXCLUDED.created_at, "
					   "created_by = EXCLUDED.created_by) "
					   "INSERT INTO secant.access_log (actor, role, action, detail) "
					   "SELECT SESSION_USER, $9, 'share', pg_catalog.jsonb_build_object("
					   "'share_table', $1::pg_catalog.text, 'source_table', $2::pg_catalog.text, "
					   "'source_row', y.source_row, 'origin', y.origin, 'recipient', y.recipient_text, "
					   "'level', y.level) "
					   "FROM (SELECT pg_catalog.unnest($3) AS source_row, pg_catalog.unnest($6) AS origin, "
					   "pg_catalog.unnest($7) AS recipient_text, pg_catalog.unnest($8) AS level) AS y",
					   t->schema),
			  9, types, args, SPI_OK_INSERT);
	b->n = 0;
	memset(b->filed, 0, sizeof b->filed);
}

/*
 * Add to the batch the copy of a source value (ct) for a share row: its
 * path looked up once per statement (the call site's cache), one scalar
 * multiplication.  Filed when the batch is full.
 */
static void
add_copy(FmgrInfo *flinfo, const ext_types *t, Oid share, Oid src,
		 const share_row *row, Datum ct, copy_batch *b)
{
	sp_path    *path = sp_path_cache(flinfo);
	size_t		len;
	const uint8_t *bytes = sp_datum_bytes(SP_KIND_CIPHERTEXT, ct, &len);
	Datum		copy;
	const uint8_t *cb;

	sp_path_check_chain(path, t->pk, bytes);
	sp_path_find(path, t->pk, sp_ciphertext_recipient(bytes), row->recipient,
				 false);
	copy = sp_path_apply(path, bytes, len, ct, "secant.share_copy");
	cb = sp_datum_bytes(SP_KIND_CIPHERTEXT, copy, &len);
	if (!batch_note(b, row->ref_text, row->recipient))
	{
		file_copies(sp_path_owner(path), t, share, src, b);
		(void) batch_note(b, row->ref_text, row->recipient);
	}
	b->rows[b->n] = CStringGetTextDatum(row->ref_text);
	b->recipients[b->n] = PointerGetDatum(row->recipient);
	b->copies[b->n] = copy;
	b->origins[b->n] = CStringGetTextDatum(sp_out_text(SP_KIND_PUBLIC_KEY,
													   PointerGetDatum(cb + SP_CT_P0)));
	b->recipient_texts[b->n] = CStringGetTextDatum(sp_out_text(SP_KIND_PUBLIC_KEY,
															   PointerGetDatum(row->recipient)));
	b->levels[b->n] = Int32GetDatum(sp_ciphertext_level(cb));
	if (++b->n == SHARE_BATCH)
		file_copies(sp_path_owner(path), t, share, src, b);
}

/* Remove the copy that a share row asked for. */
static void
remove_copy(Oid owner, const ext_types *t, Oid share, const share_row *row)
{
	Oid			types[3] = {REGCLASSOID, TEXTOID, t->pk};
	Datum		args[3];

	if (row->ref_text == NULL || row->recipient == NULL)
		return;
	args[0] = ObjectIdGetDatum(share);
	args[1] = CStringGetTextDatum(row->ref_text);
	args[2] = PointerGetDatum(row->recipient);
	owner_run(owner,
			  psprintf("DELETE FROM secant.copies AS c "
					   "WHERE c.share_table OPERATOR(pg_catalog.=) $1 "
					   "AND c.source_row OPERATOR(pg_catalog.=) $2 "
					   "AND c.recipient OPERATOR(%s.=) $3", t->schema),
			  3, types, args, SPI_OK_DELETE);
}

/* Delete every copy filed under a table (share or source, by column). */
static void
remove_copies_of(Oid owner, const char *column_name, Oid rel)
{
	Oid			types[1] = {REGCLASSOID};
	Datum		args[1] = {ObjectIdGetDatum(rel)};

	owner_run(owner,
			  psprintf("DELETE FROM secant.copies AS c WHERE c.%s OPERATOR(pg_catalog.=) $1",
					   column_name),
			  1, types, args, SPI_OK_DELETE);
}

static bool
same_share(const share_row *a, const share_row *b)
{
	if ((a->ref_text == NULL) != (b->ref_text == NULL) ||
		(a->recipient == NULL) != (b->recipient == NULL))
		return false;
	return (a->ref_text == NULL || strcmp(a->ref_text, b->ref_text) == 0) &&
		(a->recipient == NULL ||
		 memcmp(a->recipient, b->recipient, SP_PUBLICKEYBYTES) == 0);
}

/* ---- statement-level triggers: the rows of a statement at once ---- */

/* What is done with each batch of rows read. */
typedef void (*batch_fn) (void *arg, SPITupleTable *rows, uint64 n);

/* A query over the trigger's transition tables, read a batch at a time. */
typedef struct batch_read
{
	TriggerData *td;
	const char *query;
	batch_fn	fn;
	void	   *arg;
} batch_read;

static void
batch_read_body(void *arg)
{
	batch_read *r = (batch_read *) arg;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "secant sharing batch",
											  ALLOCSET_DEFAULT_SIZES);
	Portal		portal;

	if (r->td != NULL && SPI_register_trigger_data(r->td) != SPI_OK_TD_REGISTER)
		elog(ERROR, "could not register the transition tables");
	portal = SPI_cursor_open_with_args(NULL, r->query, 0, NULL, NULL, NULL,
									   true, 0);
	for (;;)
	{
		SPITupleTable *rows;
		uint64		n;
		MemoryContext old;

		SPI_cursor_fetch(portal, true, SHARE_BATCH);
		rows = SPI_tuptable;
		n = SPI_processed;
		if (n == 0)
			break;
		old = MemoryContextSwitchTo(cxt);
		r->fn(r->arg, rows, n);
		MemoryContextSwitchTo(old);
		MemoryContextReset(cxt);
		SPI_freetuptable(rows);
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(cxt);
}

/*
 * Run a query (over the trigger's transition tables, td not NULL) with the
 * caller's rights, fn on each batch of its rows (in a memory context reset
 * after each batch).
 */
static void
read_batches(TriggerData *td, const char *query, batch_fn fn, void *arg)
{
	batch_read	r = {td, query, fn, arg};

	sp_caller_query(batch_read_body, &r);
}

/* The rows a sharing statement inserted, and their copies. */
typedef struct share_statement
{
	FmgrInfo   *flinfo;
	const ext_types *t;
	Oid			owner;
	Oid			share;
	Oid			src;
	const char *column;			/* the source's value column */
	bool	   *seen;			/* by row number: a source row was found */
	int64		nrows;
	copy_batch *batch;
} share_statement;

/*
 * A batch of (row number, reference, recipient, source value, found) of
 * the inserted share rows joined to their source rows: each row's copy
 * added to the batch of copies, which is filed.
 */
static void
share_rows(void *arg, SPITupleTable *rows, uint64 n)
{
	share_statement *st = (share_statement *) arg;
	TupleDesc	desc = rows->tupdesc;
	const char *srcname = get_rel_name(st->src);

	if (SPI_gettypeid(desc, 4) != st->t->ct)
		sp_raise_argument(psprintf("column \"%s\" of relation \"%s\" is not of type pre_ciphertext",
								   st->column, srcname), NULL);
	for (uint64 k = 0; k < n; k++)
	{
		HeapTuple	tup = rows->vals[k];
		bool		isnull;
		int64		i = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		Datum		ct;
		share_row	row;

		if (isnull || i < 1 || i > st->nrows)
			elog(ERROR, "unexpected row number of a share row");
		if (!DatumGetBool(SPI_getbinval(tup, desc, 5, &isnull)))
			sp_raise_shared_row(srcname, true);
		if (st->seen[i - 1])
			sp_raise_shared_row(srcname, false);
		st->seen[i - 1] = true;
		ct = SPI_getbinval(tup, desc, 4, &isnull);
		if (isnull)
			continue;
		row.ref_text = SPI_getvalue(tup, desc, 2);
		row.recipient = (const uint8_t *) DatumGetPointer(SPI_getbinval(tup, desc, 3, &isnull));
		add_copy(st->flinfo, st->t, st->share, st->src, &row,
				 PointerGetDatum(PG_DETOAST_DATUM(ct)), st->batch);
	}
	file_copies(st->owner, st->t, st->share, st->src, st->batch);
}

/*
 * Share a statement's rows at once: the share rows in "rows" (the INSERT
 * trigger's transition table, or the share table itself), read with their
 * source rows in one query as the caller (a reference without its source
 * row, or with several, is refused as a row at a time would be; rows
 * without a reference or recipient are skipped), their copies filed a
 * batch at a time; the path is looked up once per statement (the cache of
 * flinfo).  argv: the registration (source table, source column, source
 * key, reference column, recipient column), its columns checked; nrows:
 * the number of rows in "rows".
 */
static void
share_statement_rows(FmgrInfo *flinfo, TriggerData *td, const ext_types *t,
					 Oid owner, Oid share, Oid src, char **argv,
					 const char *rows, int64 nrows)
{
	const char *ref = quote_identifier(argv[3]);
	const char *rec = quote_identifier(argv[4]);
	share_statement st;

	st.flinfo = flinfo;
	st.t = t;
	st.owner = owner;
	st.share = share;
	st.src = src;
	st.column = argv[1];
	st.nrows = nrows;
	st.seen = palloc0(Max(st.nrows, 1) * sizeof(bool));
	st.batch = palloc0(sizeof(copy_batch));
	read_batches(td,
				 psprintf("SELECT n.i, n.ref, n.rec, s.%s, s.%s IS NOT NULL "
						  "FROM (SELECT pg_catalog.row_number() OVER () AS i, x.%s AS ref, x.%s AS rec "
						  "FROM %s AS x WHERE x.%s IS NOT NULL AND x.%s IS NOT NULL) AS n "
						  "LEFT JOIN %s AS s ON %s",
						  quote_identifier(argv[1]), quote_identifier(argv[2]), ref, rec,
						  rows, ref, rec,
						  quote_qualified_identifier(get_namespace_name(get_rel_namespace(src)),
													 get_rel_name(src)),
						  key_equals(src, argv[2], "n.ref")),
				 share_rows, &st);
}

/*
 * AFTER INSERT FOR EACH STATEMENT (REFERENCING NEW TABLE) on a share
 * table: its new rows shared at once.
 */
static void
share_statement_insert(FunctionCallInfo fcinfo, TriggerData *td,
					   const ext_types *t, Oid owner, Oid src)
{
	char	  **argv = td->tg_trigger->tgargs;

	(void) sp_share_column(td, argv[3], InvalidOid);
	(void) sp_share_column(td, argv[4], t->pk);
	share_statement_rows(fcinfo->flinfo, td, t, owner,
						 RelationGetRelid(td->tg_relation), src, argv,
						 quote_identifier(td->tg_trigger->tgnewtable),
						 tuplestore_tuple_count(td->tg_newtable));
}

/* The number of rows of a table the caller reads (the caller's query). */
typedef struct row_count
{
	const char *query;
	int64		n;
} row_count;

static void
row_count_body(void *arg)
{
	row_count  *c = (row_count *) arg;
	bool		isnull;

	if (SPI_execute(c->query, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not count the rows of a share table");
	c->n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * secant.enable_sharing(share_table, source_table, source_column,
 * source_key, reference_column, recipient_column): a door (authority.c)
 * whose body registers the share table and installs its triggers (its
 * checks included); then, back with the caller's rights, the rows the
 * share table already holds are shared as one INSERT of them would share
 * them (share_statement_rows, the rows the caller may read; a row without
 * its source row, or whose recipient has no path, refuses the
 * registration): their copies made anew, by the registering role.
 */
PG_FUNCTION_INFO_V1(pre_enable_sharing);
Datum
pre_enable_sharing(PG_FUNCTION_ARGS)
{
	Oid			share = PG_GETARG_OID(0);
	Oid			src = PG_GETARG_OID(1);
	char	   *argv[5];
	FmgrInfo	cache;
	ext_types	t;
	row_count	c;
	const char *rows;

	(void) sp_door_call(fcinfo);
	if (sp_in_owner_scope())
		sp_raise_sharing_setup("secant.enable_sharing() does not share rows inside the extension's owner-run code");
	ext_types_get(&t);
	argv[0] = NULL;
	for (int i = 1; i < 5; i++)
		argv[i] = NameStr(*PG_GETARG_NAME(i + 1));
	rows = quote_qualified_identifier(get_namespace_name(get_rel_namespace(share)),
									  get_rel_name(share));
	c.query = psprintf("SELECT pg_catalog.count(*) FROM %s", rows);
	sp_caller_query(row_count_body, &c);
	if (c.n == 0)
		PG_RETURN_VOID();
	/* a path cache of this call's own (the door keeps its body in fn_extra) */
	cache = *fcinfo->flinfo;
	cache.fn_extra = NULL;
	cache.fn_mcxt = CurrentMemoryContext;
	share_statement_rows(&cache, NULL, &t, sp_function_owner(fcinfo->flinfo->fn_oid),
						 share, src, argv, rows, c.n);
	PG_RETURN_VOID();
}

/*
 * secant.share_copy(source table, source column, source key, reference
 * column, recipient column) on a share table: AFTER INSERT FOR EACH
 * STATEMENT (NEW TABLE), AFTER UPDATE, DELETE (or INSERT) FOR EACH ROW, TRUNCATE.
 */
PG_FUNCTION_INFO_V1(pre_share_copy);
Datum
pre_share_copy(PG_FUNCTION_ARGS)
{
	TriggerData *td = sp_share_trigger(fcinfo, 5, "secant_internal.share_copy()");
	Oid			share = RelationGetRelid(td->tg_relation);
	Oid			owner = sp_function_owner(fcinfo->flinfo->fn_oid);
	Oid			src = sp_share_registered_source(td, owner);
	ext_types	t;
	share_row	old_row,
				new_row;
	Datum		ct;

	ext_types_get(&t);
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
	{
		remove_copies_of(owner, "share_table", share);
		return PointerGetDatum(NULL);
	}
	sp_share_key(share, td->tg_trigger->tgargs[3], src, td->tg_trigger->tgargs[2]);
	if (!TRIGGER_FIRED_FOR_ROW(td->tg_event))
	{
		if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
			sp_raise_sharing_setup("secant_internal.share_copy() runs FOR EACH STATEMENT on INSERT only");
		share_statement_insert(fcinfo, td, &t, owner, src);
		return PointerGetDatum(NULL);
	}
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		share_row_get(td, &t, td->tg_trigtuple, &old_row);
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		remove_copy(owner, &t, share, &old_row);
		return PointerGetDatum(NULL);
	}
	share_row_get(td, &t, TRIGGER_FIRED_BY_UPDATE(td->tg_event) ?
				  td->tg_newtuple : td->tg_trigtuple, &new_row);
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		if (same_share(&old_row, &new_row))
			return PointerGetDatum(NULL);
		remove_copy(owner, &t, share, &old_row);
	}
	/* replicated (or restored): only removes, so the apply never stops here */
	if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA)
		return PointerGetDatum(NULL);
	if (new_row.ref_text == NULL || new_row.recipient == NULL)
		return PointerGetDatum(NULL);
	if (read_source(src, td->tg_trigger->tgargs, &new_row, &t, &ct))
	{
		copy_batch *b = palloc0(sizeof(copy_batch));

		add_copy(fcinfo->flinfo, &t, share, src, &new_row, ct, b);
		file_copies(owner, &t, share, src, b);
	}
	return PointerGetDatum(NULL);
}

/*
 * The keys (as text, as copies are filed) of the source rows whose copies
 * made through one registration go: gathered in a tuplestore (spilled to
 * disk past work_mem), deleted in one query that joins them as the
 * ephemeral relation secant_keys, planned for their number.
 */
typedef struct source_keys
{
	Oid			owner;
	Oid			share;
	Oid			src;
	int			keycol;
	int			valcol;
	FmgrInfo	out;			/* the key type's output function */
	MemoryContext cxt;			/* a row's work, reset after each */
	TupleDesc	desc;			/* (source_row text) */
	Tuplestorestate *keys;
} source_keys;

/*
 * Delete the copies of the gathered rows made through the registration;
 * then free the gathering.
 */
static void
source_keys_delete(source_keys *k)
{
	Oid			types[2] = {REGCLASSOID, REGCLASSOID};
	Datum		args[2] = {ObjectIdGetDatum(k->share), ObjectIdGetDatum(k->src)};

	if (tuplestore_tuple_count(k->keys) > 0)
	{
		EphemeralNamedRelation enr = palloc0(sizeof(EphemeralNamedRelationData));

		enr->md.name = "secant_keys";
		enr->md.reliddesc = InvalidOid;
		enr->md.tupdesc = k->desc;
		enr->md.enrtype = ENR_NAMED_TUPLESTORE;
		enr->md.enrtuples = tuplestore_tuple_count(k->keys);
		enr->reldata = k->keys;
		(void) owner_run_over(k->owner, enr,
							  "DELETE FROM secant.copies AS c USING secant_keys AS k "
							  "WHERE c.share_table OPERATOR(pg_catalog.=) $1 "
							  "AND c.source_table OPERATOR(pg_catalog.=) $2 "
							  "AND c.source_row OPERATOR(pg_catalog.=) k.source_row",
							  2, types, args, SPI_OK_DELETE);
	}
	tuplestore_end(k->keys);
	MemoryContextDelete(k->cxt);
}

/* The gathering of keys for one registration (keycol and valcol checked). */
static source_keys *
source_keys_new(TriggerData *td, Oid owner, Oid share, int keycol, int valcol)
{
	source_keys *k = palloc(sizeof(source_keys));
	Oid			outfn;
	bool		varlena;

	k->owner = owner;
	k->share = share;
	k->src = RelationGetRelid(td->tg_relation);
	k->keycol = keycol;
	k->valcol = valcol;
	getTypeOutputInfo(TupleDescAttr(RelationGetDescr(td->tg_relation), keycol - 1)->atttypid,
					  &outfn, &varlena);
	fmgr_info(outfn, &k->out);
	k->cxt = AllocSetContextCreate(CurrentMemoryContext, "secant source keys",
								   ALLOCSET_DEFAULT_SIZES);
	k->desc = CreateTemplateTupleDesc(1);
	TupleDescInitEntry(k->desc, (AttrNumber) 1, "source_row", TEXTOID, -1, 0);
	k->keys = tuplestore_begin_heap(false, false, work_mem);
	return k;
}

/* Are two values of the shared column the same (both NULL, or same bytes)? */
static bool
same_value(Datum a, bool a_null, Datum b, bool b_null)
{
	size_t		la,
				lb;
	const uint8_t *ba,
			   *bb;

	if (a_null || b_null)
		return a_null && b_null;
	ba = sp_datum_bytes(SP_KIND_CIPHERTEXT, a, &la);
	bb = sp_datum_bytes(SP_KIND_CIPHERTEXT, b, &lb);
	return la == lb && memcmp(ba, bb, la) == 0;
}

/*
 * A source row went (newer NULL) or changed (newer: its new version): its
 * key is gathered when it has one and its key (as text) or its shared
 * value (its bytes) changed.
 */
static void
source_row_changed(source_keys *k, TupleTableSlot *older, TupleTableSlot *newer)
{
	MemoryContext old = MemoryContextSwitchTo(k->cxt);
	bool		isnull;
	Datum		key = slot_getattr(older, k->keycol, &isnull);

	if (!isnull)
	{
		char	   *key_text = OutputFunctionCall(&k->out, key);
		bool		changed = true;

		if (newer != NULL)
		{
			bool		new_null,
						v_null,
						nv_null;
			Datum		new_key = slot_getattr(newer, k->keycol, &new_null);
			Datum		v = slot_getattr(older, k->valcol, &v_null);
			Datum		nv = slot_getattr(newer, k->valcol, &nv_null);

			changed = new_null ||
				strcmp(key_text, OutputFunctionCall(&k->out, new_key)) != 0 ||
				!same_value(v, v_null, nv, nv_null);
		}
		if (changed)
		{
			Datum		row = CStringGetTextDatum(key_text);

			tuplestore_putvalues(k->keys, k->desc, &row, &isnull);
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(k->cxt);
}

/*
 * Does any copy filed under this share and source table remain (one probe
 * of an index, as owner)?
 */
static bool
has_copies(Oid owner, Oid share, Oid src)
{
	Oid			types[2] = {REGCLASSOID, REGCLASSOID};
	Datum		args[2] = {ObjectIdGetDatum(share), ObjectIdGetDatum(src)};

	return owner_run(owner,
					 "SELECT FROM secant.copies AS c "
					 "WHERE c.share_table OPERATOR(pg_catalog.=) $1 "
					 "AND c.source_table OPERATOR(pg_catalog.=) $2 LIMIT 1",
					 2, types, args, SPI_OK_SELECT) > 0;
}

/* Read a transition table from its start, through a read pointer of its own. */
static void
transition_rescan(Tuplestorestate *ts)
{
	tuplestore_select_read_pointer(ts, tuplestore_alloc_read_pointer(ts, EXEC_FLAG_REWIND));
	tuplestore_rescan(ts);
}

/*
 * AFTER UPDATE (REFERENCING OLD TABLE, NEW TABLE) or AFTER DELETE
 * (REFERENCING OLD TABLE) FOR EACH STATEMENT on a source table, for one
 * registration: nothing when no copy was filed through it; else the
 * copies of every deleted row go, and of every updated row whose key or
 * shared value changed, as a row trigger decides (an UPDATE's old and new
 * transition tables hold each row's two versions at the same position),
 * read in C from the transition tables, in one deletion.
 */
static void
source_statement_changed(TriggerData *td, source_keys *k)
{
	Tuplestorestate *olds = td->tg_oldtable;
	Tuplestorestate *news = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtable : NULL;
	TupleDesc	desc = RelationGetDescr(td->tg_relation);
	TupleTableSlot *older;
	TupleTableSlot *newer = NULL;

	if (!has_copies(k->owner, k->share, k->src))
		return;
	if (news != NULL && tuplestore_tuple_count(news) != tuplestore_tuple_count(olds))
		elog(ERROR, "the transition tables of an UPDATE differ in length");
	older = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	transition_rescan(olds);
	if (news != NULL)
	{
		newer = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
		transition_rescan(news);
	}
	while (tuplestore_gettupleslot(olds, true, false, older))
	{
		if (news != NULL && !tuplestore_gettupleslot(news, true, false, newer))
			elog(ERROR, "the transition tables of an UPDATE differ in length");
		source_row_changed(k, older, newer);
	}
	ExecDropSingleTupleTableSlot(older);
	if (newer != NULL)
		ExecDropSingleTupleTableSlot(newer);
}

/*
 * secant.share_source(): AFTER UPDATE and AFTER DELETE FOR EACH STATEMENT
 * with their transition tables (or AFTER UPDATE OR DELETE FOR EACH ROW),
 * and AFTER TRUNCATE, on a shared table; one trigger for every registration on it
 * (secant_internal.source_triggers).  For each registration, a changed key
 * or shared value, or a deleted row, removes the row's copies made through
 * its share table; TRUNCATE removes every copy of the table's rows.
 */
PG_FUNCTION_INFO_V1(pre_share_source);
Datum
pre_share_source(PG_FUNCTION_ARGS)
{
	TriggerData *td = sp_share_trigger(fcinfo, 0, "secant_internal.share_source()");
	Oid			owner = sp_function_owner(fcinfo->flinfo->fn_oid);
	ext_types	t;
	sp_source_registration *regs;
	int		   *keycols;
	int		   *valcols;
	int			n;
	int			i;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		sp_raise_sharing_setup("secant_internal.share_source() must be an AFTER UPDATE OR DELETE trigger");
	n = sp_share_source_registrations(td, owner, &regs);
	ext_types_get(&t);
	keycols = palloc(n * sizeof(int));
	valcols = palloc(n * sizeof(int));
	for (i = 0; i < n; i++)
	{
		keycols[i] = sp_share_column(td, regs[i].key, InvalidOid);
		valcols[i] = sp_share_column(td, regs[i].column, t.ct);
	}
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
	{
		remove_copies_of(owner, "source_table", RelationGetRelid(td->tg_relation));
		return PointerGetDatum(NULL);
	}
	for (i = 0; i < n; i++)
	{
		source_keys *k;

		sp_share_key(InvalidOid, NULL, RelationGetRelid(td->tg_relation), regs[i].key);
		k = source_keys_new(td, owner, regs[i].share, keycols[i], valcols[i]);
		if (TRIGGER_FIRED_FOR_ROW(td->tg_event))
			source_row_changed(k, td->tg_trigslot,
							   TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newslot : NULL);
		else
			source_statement_changed(td, k);
		source_keys_delete(k);
	}
	return PointerGetDatum(NULL);
}

/* secant.log_share() before 0.4.0: the symbol stays for old versions. */
PG_FUNCTION_INFO_V1(pre_log_share);
Datum
pre_log_share(PG_FUNCTION_ARGS)
{
	sp_raise_removed("secant.log_share()", "The sharing triggers log every copy.");
}
