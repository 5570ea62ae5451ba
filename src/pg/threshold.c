/*
 * threshold.c - threshold grants in the database (docs/THRESHOLD.md): the
 * grant shares a node stores (read from their pretshare_ text, opened with
 * the server key when stored, their columns filled), the partials a node
 * makes for a batch of ciphertexts, and what a coordinator checks and
 * combines.  The policy (who may ask, revocation, expiry, the hop chain)
 * is in the SQL functions that call these (schema, "Threshold nodes").
 */
#include "postgres.h"

#include <sodium.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "definer.h"
#include "grant_path.h"
#include "server_key.h"
#include "sp_threshold.h"
#include "typeio.h"

/* grant.c */
TimestampTz sp_not_after_timestamp(int64 secs);

#define SHARE_FIELDS 7			/* from, to, hop key, not_after, t, n, i */

/* A share argument: its bytes, after the full public validity check. */
static const uint8_t *
share_arg(FunctionCallInfo fcinfo, int n, size_t *len)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(n);
	int			rc;

	*len = VARSIZE_ANY_EXHDR(b);
	rc = sp_tshare_validate((const uint8_t *) VARDATA_ANY(b), *len);
	if (rc != SP_OK)
		sp_raise(rc, "reading a grant share");
	return (const uint8_t *) VARDATA_ANY(b);
}

/*
 * A node's re-seal of a share's scalar (column resealed of
 * secant.grant_shares): its bytes, or NULL for the share's own sealed part.
 */
static const uint8_t *
resealed_bytes(Datum d, bool isnull)
{
	bytea	   *b;

	if (isnull)
		return NULL;
	b = DatumGetByteaPP(d);
	if (VARSIZE_ANY_EXHDR(b) != SP_TSEALBYTES)
		sp_raise(SP_ELENGTH, "reading a grant share's re-seal");
	return (const uint8_t *) VARDATA_ANY(b);
}

/* The elements of a one-dimensional array without NULLs (or raise). */
static int
array_elems(ArrayType *a, Datum **elems, const char *what)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	bool	   *nulls;
	int			n;

	if (ARR_NDIM(a) > 1)
		sp_raise_argument(psprintf("%s must be a one-dimensional array", what), NULL);
	get_typlenbyvalalign(ARR_ELEMTYPE(a), &typlen, &typbyval, &typalign);
	deconstruct_array(a, ARR_ELEMTYPE(a), typlen, typbyval, typalign,
					  elems, &nulls, &n);
	for (int k = 0; k < n; k++)
		if (nulls[k])
			sp_raise_argument(psprintf("%s must not contain NULL", what), NULL);
	return n;
}

/* The columns a share describes, in SHARE_FIELDS order. */
static void
share_fields(const uint8_t *share, Datum *vals, bool *nulls)
{
	int64		secs = sp_tshare_not_after(share);

	memset(nulls, 0, SHARE_FIELDS * sizeof(bool));
	vals[0] = sp_datum_make(SP_KIND_PUBLIC_KEY, sp_tshare_from(share), SP_PUBLICKEYBYTES);
	vals[1] = sp_datum_make(SP_KIND_PUBLIC_KEY, sp_tshare_to(share), SP_PUBLICKEYBYTES);
	vals[2] = PointerGetDatum(sp_bytea(sp_tshare_x(share), SP_POINTBYTES));
	nulls[3] = secs == 0;
	vals[3] = nulls[3] ? (Datum) 0 : TimestampTzGetDatum(sp_not_after_timestamp(secs));
	vals[4] = Int32GetDatum(sp_tshare_t(share));
	vals[5] = Int32GetDatum(sp_tshare_n(share));
	vals[6] = Int32GetDatum(sp_tshare_index(share));
}

/* pre_tshare(text): a grant share from its pretshare_ text, validated. */
PG_FUNCTION_INFO_V1(pre_tshare_from_text);
Datum
pre_tshare_from_text(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	size_t		tlen = VARSIZE_ANY_EXHDR(t);
	size_t		cap = sp_text_decoded_max(tlen);
	size_t		len = 0;
	uint8_t    *bin = palloc(cap > 0 ? cap : 1);
	int			rc;

	rc = sp_text_decode(bin, cap, &len, SP_KIND_TSHARE, VARDATA_ANY(t), tlen);
	if (rc == SP_OK)
		rc = sp_tshare_validate(bin, len);
	if (rc != SP_OK)
		sp_raise(rc, "reading a grant share");
	PG_RETURN_BYTEA_P(sp_bytea(bin, len));
}

/* pre_tshare_fields(share): the grant header, t, n and index of a share. */
PG_FUNCTION_INFO_V1(pre_tshare_fields);
Datum
pre_tshare_fields(PG_FUNCTION_ARGS)
{
	size_t		len;
	const uint8_t *share = share_arg(fcinfo, 0, &len);
	TupleDesc	desc;
	Datum		vals[SHARE_FIELDS];
	bool		nulls[SHARE_FIELDS];

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "pre_tshare_fields: called with a wrong declaration");
	share_fields(share, vals, nulls);
	return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), vals, nulls));
}

/* pre_tshare_same_grant(a, b): do two valid shares split one grant? */
PG_FUNCTION_INFO_V1(pre_tshare_same_grant);
Datum
pre_tshare_same_grant(PG_FUNCTION_ARGS)
{
	size_t		alen,
				blen;
	const uint8_t *a = share_arg(fcinfo, 0, &alen);
	const uint8_t *b = share_arg(fcinfo, 1, &blen);

	PG_RETURN_BOOL(sp_tshare_same_grant(a, alen, b, blen) == SP_OK);
}

/*
 * secant_internal.tshare_fill(): BEFORE INSERT OR UPDATE FOR EACH ROW on
 * secant.grant_shares.  Open the share with the server key (for this
 * database, checked against its commitments: a share that does not lie on
 * the delegator's polynomial is refused), wipe the scalar, and fill every
 * other column from the share.
 */
PG_FUNCTION_INFO_V1(pre_tshare_fill);
Datum
pre_tshare_fill(PG_FUNCTION_ARGS)
{
	static const char *const names[SHARE_FIELDS] = {
		"from_key", "to_key", "hop_key", "not_after", "t", "n", "idx"};
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	HeapTuple	tup;
	int			cols[SHARE_FIELDS];
	Datum		vals[SHARE_FIELDS];
	bool		nulls[SHARE_FIELDS];
	bool		isnull;
	Datum		d;
	bytea	   *b;
	uint8_t		rk_i[SP_SCALARBYTES];

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		RelationGetRelid(td->tg_relation) !=
		get_relname_relid("grant_shares", get_namespace_oid("secant", false)))
		sp_raise_privilege("secant_internal.tshare_fill() fills secant.grant_shares only", NULL);
	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	tup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	d = SPI_getbinval(tup, desc, SPI_fnumber(desc, "share"), &isnull);
	if (isnull)
		sp_raise_argument("a grant share needs its bytes", NULL);
	b = DatumGetByteaPP(d);
	d = SPI_getbinval(tup, desc, SPI_fnumber(desc, "resealed"), &isnull);
	sp_tshare_open_here(rk_i, (const uint8_t *) VARDATA_ANY(b),
						VARSIZE_ANY_EXHDR(b), resealed_bytes(d, isnull),
						sp_function_owner(fcinfo->flinfo->fn_oid));
	sodium_memzero(rk_i, sizeof rk_i);
	for (int k = 0; k < SHARE_FIELDS; k++)
	{
		cols[k] = SPI_fnumber(desc, names[k]);
		if (cols[k] <= 0)
			elog(ERROR, "secant.grant_shares has no column %s", names[k]);
	}
	share_fields((const uint8_t *) VARDATA_ANY(b), vals, nulls);
	return PointerGetDatum(heap_modify_tuple_by_cols(tup, desc, SHARE_FIELDS,
													 cols, vals, nulls));
}

/*
 * secant_internal.tpartials(share, resealed, ciphertexts): the partial of
 * the share (opened once with the server key, from the node's re-seal when
 * resealed is not NULL) for each ciphertext, in order.  The
 * core checks each ciphertext in full (capsule included) and that the
 * share's delegator is its recipient; the caller has checked everything
 * else (secant.threshold_partials).
 */
PG_FUNCTION_INFO_V1(pre_tpartials);
Datum
pre_tpartials(PG_FUNCTION_ARGS)
{
	size_t		slen;
	const uint8_t *share;
	Datum	   *cts;
	int			n;
	Datum	   *out;
	uint8_t		rk_i[SP_SCALARBYTES];
	uint8_t		rho[SP_TRHOBYTES];
	uint8_t		partial[SP_TPARTIALBYTES];

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	share = share_arg(fcinfo, 0, &slen);
	n = array_elems(PG_GETARG_ARRAYTYPE_P(2), &cts, "the ciphertexts");
	out = palloc(sizeof(Datum) * (n > 0 ? n : 1));
	sp_tshare_open_here(rk_i, share, slen,
						resealed_bytes(PG_GETARG_DATUM(1), PG_ARGISNULL(1)),
						sp_function_owner(fcinfo->flinfo->fn_oid));
	PG_TRY();
	{
		for (int k = 0; k < n; k++)
		{
			size_t		len;
			const uint8_t *ct = sp_datum_bytes(SP_KIND_CIPHERTEXT, cts[k], &len);
			int			rc;

			randombytes_buf(rho, sizeof rho);
			rc = sp_tpartial(partial, share, slen, rk_i, ct, len, rho);
			if (rc != SP_OK)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("no partial for ciphertext %d of the batch", k + 1),
						 errdetail("%s", sp_strerror(rc))));
			out[k] = PointerGetDatum(sp_bytea(partial, sizeof partial));
		}
	}
	PG_FINALLY();
	{
		sodium_memzero(rk_i, sizeof rk_i);
	}
	PG_END_TRY();
	PG_RETURN_ARRAYTYPE_P(construct_array(out, n, BYTEAOID, -1, false, TYPALIGN_INT));
}

/*
 * secant_internal.tshare_reseal(share, resealed, previous_identity): a
 * stored share's scalar (opened from resealed when not NULL, else from the
 * share, with the key it names: the server key or the previous one; for
 * previous_identity when not NULL, else for this database's identity)
 * sealed again to the server key and this database's identity, as a
 * share's sealed part (secant.reseal_grants, secant.adopt_database).
 * Owner only.
 */
PG_FUNCTION_INFO_V1(pre_tshare_reseal);
Datum
pre_tshare_reseal(PG_FUNCTION_ARGS)
{
	size_t		slen;
	const uint8_t *share;
	Oid			owner = sp_function_owner(fcinfo->flinfo->fn_oid);
	uint8_t		rk_i[SP_SCALARBYTES];
	uint8_t		sealed[SP_TSEALBYTES];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	share = share_arg(fcinfo, 0, &slen);
	if (PG_ARGISNULL(2))
		sp_tshare_open_here(rk_i, share, slen,
							resealed_bytes(PG_GETARG_DATUM(1), PG_ARGISNULL(1)), owner);
	else
	{
		bytea	   *previous = PG_GETARG_BYTEA_PP(2);

		if (VARSIZE_ANY_EXHDR(previous) != SP_DBIDBYTES)
			sp_raise_argument("a database identity is 16 bytes", NULL);
		sp_tshare_open_for(rk_i, share, slen,
						   resealed_bytes(PG_GETARG_DATUM(1), PG_ARGISNULL(1)),
						   (const uint8_t *) VARDATA_ANY(previous));
		sp_database_id_forget();	/* the adoption changed it */
	}
	PG_TRY();
	{
		sp_tshare_reseal_here(sealed, rk_i, owner);
	}
	PG_FINALLY();
	{
		sodium_memzero(rk_i, sizeof rk_i);
	}
	PG_END_TRY();
	PG_RETURN_BYTEA_P(sp_bytea(sealed, sizeof sealed));
}

/*
 * pre_tpartial_verify(partial, share, ciphertext): does the partial's proof
 * verify for this ciphertext against the share's commitments?  false for
 * anything wrong with the partial (layout, index, points, proof); an error
 * for a share or a ciphertext that is wrong (not the partial's fault).
 */
PG_FUNCTION_INFO_V1(pre_tpartial_verify);
Datum
pre_tpartial_verify(PG_FUNCTION_ARGS)
{
	bytea	   *p = PG_GETARG_BYTEA_PP(0);
	size_t		slen,
				len;
	const uint8_t *share = share_arg(fcinfo, 1, &slen);
	const uint8_t *ct = SP_CT_ARG(2, &len);
	const uint8_t *partial = (const uint8_t *) VARDATA_ANY(p);
	int			rc;

	if (VARSIZE_ANY_EXHDR(p) != SP_TPARTIALBYTES ||
		sp_tpartial_check(partial) != SP_OK ||
		sp_tpartial_index(partial) > sp_tshare_n(share))
		PG_RETURN_BOOL(false);
	rc = sp_tpartial_verify(partial, share, slen, ct, len);
	if (rc == SP_EPROOF)
		PG_RETURN_BOOL(false);
	if (rc != SP_OK)
		sp_raise(rc, "verifying a partial");
	PG_RETURN_BOOL(true);
}

/*
 * pre_tcombine(ciphertext, share, partials): exactly t partials of one
 * threshold grant (distinct indices, each proof verified) combined into
 * the hop of the unsplit grant: the v1 re-encryption of the ciphertext.
 */
PG_FUNCTION_INFO_V1(pre_tcombine);
Datum
pre_tcombine(PG_FUNCTION_ARGS)
{
	size_t		len,
				slen;
	const uint8_t *ct = SP_CT_ARG(0, &len);
	const uint8_t *share = share_arg(fcinfo, 1, &slen);
	Datum	   *elems;
	int			n = array_elems(PG_GETARG_ARRAYTYPE_P(2), &elems, "the partials");
	uint8_t    *partials = palloc(SP_TPARTIALBYTES * (n > 0 ? n : 1));
	Datum		result;
	uint8_t    *out;
	int			rc;

	for (int k = 0; k < n; k++)
	{
		bytea	   *p = DatumGetByteaPP(elems[k]);

		if (VARSIZE_ANY_EXHDR(p) != SP_TPARTIALBYTES)
			sp_raise(SP_ELENGTH, "combining partials");
		memcpy(partials + SP_TPARTIALBYTES * k, VARDATA_ANY(p), SP_TPARTIALBYTES);
	}
	out = sp_datum_alloc(SP_KIND_CIPHERTEXT, len + SP_HOPBYTES, &result);
	/* share_arg validated the share */
	rc = sp_tcombine_validated(out, len + SP_HOPBYTES, ct, len, share, slen, partials, n);
	if (rc != SP_OK)
		sp_raise(rc, "combining partials");
	return result;
}

/*
 * pre_tcombine_batch(ciphertexts, share, partials, t, verify): pre_tcombine
 * for a batch of m ciphertexts of one grant, the share validated once;
 * partials holds t·m partials, those of the k-th holder asked at
 * k·m .. k·m + m - 1.  verify false: no proof is checked, only the
 * structure (sp_tcombine_unverified): a wrong partial gives a value whose
 * AEAD fails at the client.  An element is NULL where its partials do not
 * combine (a proof that does not verify, a wrong index, an invalid point):
 * the caller finds the holder to blame with pre_tpartial_verify, or the
 * error with pre_tcombine.
 */
PG_FUNCTION_INFO_V1(pre_tcombine_batch);
Datum
pre_tcombine_batch(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *cts;
	int			m = array_elems(a, &cts, "the ciphertexts");
	size_t		slen;
	const uint8_t *share = share_arg(fcinfo, 1, &slen);
	Datum	   *elems;
	int			np = array_elems(PG_GETARG_ARRAYTYPE_P(2), &elems, "the partials");
	int			t = PG_GETARG_INT32(3);
	int			(*combine) (uint8_t *, size_t, const uint8_t *, size_t,
							const uint8_t *, size_t, const uint8_t *, int) =
		PG_GETARG_BOOL(4) ? sp_tcombine_validated : sp_tcombine_unverified;
	Datum	   *out = palloc(sizeof(Datum) * (m > 0 ? m : 1));
	bool	   *nulls = palloc0(sizeof(bool) * (m > 0 ? m : 1));
	uint8_t		partials[SP_TPARTIALBYTES * SP_TMAXN];
	int			dims[1] = {m};
	int			lbs[1] = {1};
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (t != sp_tshare_t(share) || np != t * m)
		sp_raise_argument("a batch needs t partials for each ciphertext", NULL);
	for (int j = 0; j < m; j++)
	{
		size_t		len;
		const uint8_t *ct = sp_datum_bytes(SP_KIND_CIPHERTEXT, cts[j], &len);
		uint8_t    *o = sp_datum_alloc(SP_KIND_CIPHERTEXT, len + SP_HOPBYTES, &out[j]);
		bool		sized = true;

		for (int k = 0; k < t; k++)
		{
			bytea	   *p = DatumGetByteaPP(elems[k * m + j]);

			sized = sized && VARSIZE_ANY_EXHDR(p) == SP_TPARTIALBYTES;
			if (sized)
				memcpy(partials + SP_TPARTIALBYTES * k, VARDATA_ANY(p), SP_TPARTIALBYTES);
		}
		nulls[j] = !sized ||
			combine(o, len + SP_HOPBYTES, ct, len, share, slen, partials, t) != SP_OK;
	}
	get_typlenbyvalalign(ARR_ELEMTYPE(a), &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_md_array(out, nulls, 1, dims, lbs, ARR_ELEMTYPE(a),
											 typlen, typbyval, typalign));
}

/*
 * secant_internal.reencrypt_after_threshold(cts, target): the coordinator's
 * own grants applied after a threshold hop (secant.reencrypt_threshold),
 * along the active path from each ciphertext's recipient (the threshold
 * grant's grantee) to target.  The caller checked the outer role's right
 * and made the last hop from verified partials; the hops before it are
 * none (the inputs of secant.reencrypt_threshold are at level 1), so
 * there is no chain to check here (secant.reencrypt_for's would refuse the
 * threshold hop: it is no row of secant.grants).
 */
PG_FUNCTION_INFO_V1(pre_reencrypt_after_threshold);
Datum
pre_reencrypt_after_threshold(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	const uint8_t *target = (const uint8_t *) PG_GETARG_POINTER(1);
	Oid			pk_type = sp_path_key_type(ARR_ELEMTYPE(a));
	sp_path    *path = sp_path_cache(fcinfo->flinfo);
	Datum	   *cts;
	int			n = array_elems(a, &cts, "the ciphertexts");
	Datum	   *out = palloc(sizeof(Datum) * (n > 0 ? n : 1));
	int16		typlen;
	bool		typbyval;
	char		typalign;

	for (int k = 0; k < n; k++)
	{
		size_t		len;
		const uint8_t *ct = sp_datum_bytes(SP_KIND_CIPHERTEXT, cts[k], &len);

		if (sp_ciphertext_level(ct) != 2)
			sp_raise_argument("a threshold hop is the first hop", NULL);
		sp_path_find(path, pk_type, sp_ciphertext_recipient(ct), target, false);
		out[k] = sp_path_apply(path, ct, len, cts[k], "secant.reencrypt_threshold");
	}
	get_typlenbyvalalign(ARR_ELEMTYPE(a), &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, n, ARR_ELEMTYPE(a), typlen,
										  typbyval, typalign));
}
