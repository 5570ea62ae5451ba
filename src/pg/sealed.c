/*
 * sealed.c - the pre_sealed_grant type (360 bytes, "presealed_"), the
 * server's sealing key (secant.server_public_key), the server-side sealing
 * convenience, and the trigger that opens each grant stored in
 * secant.grants and fills its columns (from, to, not_after, hop key) from
 * the opened grant, so that a restore (which loads those columns) needs no
 * key.  A grant given unsealed (rekey) is sealed here and not stored.
 */
#include "postgres.h"

#include <sodium.h>

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "catalog/namespace.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "definer.h"
#include "server_key.h"
#include "typeio.h"

SP_TYPE_IO(pre_sealed_grant, SP_KIND_SEALED_GRANT)

/* grant.c */
Datum		pre_grant_not_after(PG_FUNCTION_ARGS);

/* secant.server_public_key(): the presealkey_ text clients seal grants to. */
PG_FUNCTION_INFO_V1(pre_server_public_key);
Datum
pre_server_public_key(PG_FUNCTION_ARGS)
{
	uint8_t		key[SP_SEALKEYBYTES];
	size_t		cap = sp_text_bytes(SP_KIND_SEAL_KEY, sizeof key);
	char	   *out = palloc(cap);

	sp_sealing_key(key, sp_function_owner(fcinfo->flinfo->fn_oid));
	if (sp_text_encode(out, cap, SP_KIND_SEAL_KEY, key, sizeof key) != SP_OK)
		elog(ERROR, "could not encode the sealing key");
	PG_RETURN_TEXT_P(cstring_to_text(out));
}

/* secant.seal_grant_on_server(grant): sealed here (the server sees rk). */
PG_FUNCTION_INFO_V1(pre_seal_grant_on_server);
Datum
pre_seal_grant_on_server(PG_FUNCTION_ARGS)
{
	uint8_t    *sealed = palloc(SP_SEALEDBYTES);

	sp_seal_here(sealed, (const uint8_t *) PG_GETARG_POINTER(0),
				 sp_function_owner(fcinfo->flinfo->fn_oid));
	PG_RETURN_POINTER(sealed);
}

/*
 * secant.reseal(sealed, hop_key): the grant sealed again, to the server key
 * (opened with the key it names: the server key or the previous one); the
 * opened grant must have that hop key.  Owner only (secant.reseal_grants).
 */
PG_FUNCTION_INFO_V1(pre_reseal);
Datum
pre_reseal(PG_FUNCTION_ARGS)
{
	const uint8_t *sealed = (const uint8_t *) PG_GETARG_POINTER(0);
	bytea	   *hop_key = PG_GETARG_BYTEA_PP(1);
	Oid			owner = sp_function_owner(fcinfo->flinfo->fn_oid);
	uint8_t    *out = palloc(SP_SEALEDBYTES);
	uint8_t		grant[SP_GRANTBYTES];

	sp_open_here(grant, sealed, owner);
	if (VARSIZE_ANY_EXHDR(hop_key) != SP_POINTBYTES ||
		memcmp(VARDATA_ANY(hop_key), grant + SP_GR_X, SP_POINTBYTES) != 0)
	{
		sodium_memzero(grant, sizeof grant);
		sp_raise_grant_columns();
	}
	if (sp_sealed_to_current(sealed))
		memcpy(out, sealed, SP_SEALEDBYTES);
	else
		sp_seal_here(out, grant, owner);
	sodium_memzero(grant, sizeof grant);
	PG_RETURN_POINTER(out);
}

/*
 * secant.reseal_adopted(sealed, hop_key, previous_identity): a stored grant
 * sealed for the identity a database had before its adoption, sealed again
 * for the identity it has now (secant.adopt_database); the opened grant must
 * have the given hop key.
 */
PG_FUNCTION_INFO_V1(pre_reseal_adopted);
Datum
pre_reseal_adopted(PG_FUNCTION_ARGS)
{
	const uint8_t *sealed = (const uint8_t *) PG_GETARG_POINTER(0);
	bytea	   *hop_key = PG_GETARG_BYTEA_PP(1);
	bytea	   *previous = PG_GETARG_BYTEA_PP(2);
	Oid			owner = sp_function_owner(fcinfo->flinfo->fn_oid);
	uint8_t    *out = palloc(SP_SEALEDBYTES);
	uint8_t		grant[SP_GRANTBYTES];

	if (VARSIZE_ANY_EXHDR(previous) != SP_DBIDBYTES)
		sp_raise_argument("a database identity is 16 bytes", NULL);
	sp_open_for(grant, sealed, (const uint8_t *) VARDATA_ANY(previous));
	if (VARSIZE_ANY_EXHDR(hop_key) != SP_POINTBYTES ||
		memcmp(VARDATA_ANY(hop_key), grant + SP_GR_X, SP_POINTBYTES) != 0)
	{
		sodium_memzero(grant, sizeof grant);
		sp_raise_grant_columns();
	}
	sp_database_id_forget();	/* the adoption changed it */
	sp_seal_here(out, grant, owner);
	sodium_memzero(grant, sizeof grant);
	PG_RETURN_POINTER(out);
}

/* pre_sealed_grant_key_id(sealed): the id of the server key it is sealed to. */
PG_FUNCTION_INFO_V1(pre_sealed_grant_key_id);
Datum
pre_sealed_grant_key_id(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(sp_bytea((const uint8_t *) PG_GETARG_POINTER(0) + 8, SP_KEYIDBYTES));
}

/* secant.server_key_id(): the id of the server key (secant_pre.server_key_file). */
PG_FUNCTION_INFO_V1(pre_server_key_id);
Datum
pre_server_key_id(PG_FUNCTION_ARGS)
{
	uint8_t		keyid[SP_KEYIDBYTES];

	sp_server_key_id(keyid);
	PG_RETURN_BYTEA_P(sp_bytea(keyid, sizeof keyid));
}

/* The column number of name in rel, or raise. */
static int
attnum(Relation rel, const char *name)
{
	int			n = SPI_fnumber(RelationGetDescr(rel), name);

	if (n <= 0)
		elog(ERROR, "secant.grants has no column %s", name);
	return n;
}

/*
 * The columns filled from the grant may be given only if they say the
 * same: a from_key, to_key or hop_key of its own would misdescribe it.
 */
static void
refuse_given(HeapTuple tup, TupleDesc desc, const int *cols, const uint8_t *grant)
{
	static const char *const names[3] = {"from_key", "to_key", "hop_key"};
	const uint8_t *want[3] = {grant + SP_GR_FROM, grant + SP_GR_TO, grant + SP_GR_X};

	for (int i = 0; i < 3; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(tup, desc, cols[2 + (i == 2 ? 3 : i)], &isnull);
		const uint8_t *got;
		size_t		len;

		if (isnull)
			continue;
		if (i == 2)
		{
			bytea	   *b = DatumGetByteaPP(d);

			got = (const uint8_t *) VARDATA_ANY(b);
			len = VARSIZE_ANY_EXHDR(b);
		}
		else
		{
			got = (const uint8_t *) DatumGetPointer(d);
			len = SP_PUBLICKEYBYTES;
		}
		if (len != (i == 2 ? SP_POINTBYTES : SP_PUBLICKEYBYTES) ||
			memcmp(got, want[i], len) != 0)
			sp_raise_filled_column(names[i]);
	}
}

/*
 * secant.grant_fill(): BEFORE INSERT FOR EACH ROW on secant.grants.  Seal
 * an unsealed grant given as rekey (and drop it), open the sealed grant and
 * fill from_key, to_key, not_after and hop_key from it.
 */
PG_FUNCTION_INFO_V1(pre_grant_fill);
Datum
pre_grant_fill(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Oid			owner = sp_function_owner(fcinfo->flinfo->fn_oid);
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	tup;
	int			cols[6];
	Datum		vals[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	bool		isnull;
	Datum		d;
	uint8_t    *sealed = palloc(SP_SEALEDBYTES);
	uint8_t		grant[SP_GRANTBYTES];

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(td->tg_event) ||
		RelationGetRelid(td->tg_relation) != get_relname_relid("grants", get_namespace_oid("secant", false)))
		sp_raise_privilege("secant.grant_fill() fills secant.grants only", NULL);
	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	tup = td->tg_trigtuple;
	cols[0] = attnum(rel, "rekey");
	cols[1] = attnum(rel, "sealed");
	cols[2] = attnum(rel, "from_key");
	cols[3] = attnum(rel, "to_key");
	cols[4] = attnum(rel, "not_after");
	cols[5] = attnum(rel, "hop_key");
	d = SPI_getbinval(tup, desc, cols[0], &isnull);
	if (!isnull)
		sp_seal_here(sealed, (const uint8_t *) DatumGetPointer(d), owner);
	else
	{
		d = SPI_getbinval(tup, desc, cols[1], &isnull);
		if (isnull)
			sp_raise_argument("a grant needs its sealed bytes",
							  "Insert sealed (a presealed_ value made with secant-pre grant --seal-to).");
		memcpy(sealed, DatumGetPointer(d), SP_SEALEDBYTES);
	}
	sp_open_here(grant, sealed, owner);
	if (!sp_sealed_to_current(sealed))
		sp_seal_here(sealed, grant, owner);	/* sealed to the previous key */
	refuse_given(tup, desc, cols, grant);
	vals[0] = (Datum) 0;
	nulls[0] = true;
	vals[1] = PointerGetDatum(sealed);
	vals[2] = sp_datum_make(SP_KIND_PUBLIC_KEY, grant + SP_GR_FROM, SP_PUBLICKEYBYTES);
	vals[3] = sp_datum_make(SP_KIND_PUBLIC_KEY, grant + SP_GR_TO, SP_PUBLICKEYBYTES);
	nulls[4] = sp_grant_not_after(grant) == 0;
	vals[4] = nulls[4] ? (Datum) 0
		: DirectFunctionCall1(pre_grant_not_after, PointerGetDatum(grant));
	vals[5] = PointerGetDatum(sp_bytea(grant + SP_GR_X, SP_POINTBYTES));
	sodium_memzero(grant, sizeof grant);
	return PointerGetDatum(heap_modify_tuple_by_cols(tup, desc, 6, cols, vals, nulls));
}
