/*
 * ciphertext.c - the pre_ciphertext type (varlena, "prect_", validated on
 * entry), encryption, decryption and accessors.
 */
#include "postgres.h"

#include <sodium.h>

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "ciphertext.h"
#include "seckey.h"
#include "sp_random.h"
#include "typeio.h"

SP_TYPE_IO(pre_ciphertext, SP_KIND_CIPHERTEXT)

/* pre_encrypt(public key, message bytea|text [, aad bytea]): level 1. */
PG_FUNCTION_INFO_V1(pre_encrypt);
Datum
pre_encrypt(PG_FUNCTION_ARGS)
{
	const uint8_t *pk = (const uint8_t *) PG_GETARG_POINTER(0);
	struct varlena *m = PG_GETARG_VARLENA_PP(1);
	bytea	   *aad = PG_NARGS() > 2 ? PG_GETARG_BYTEA_PP(2) : NULL;
	size_t		mlen = VARSIZE_ANY_EXHDR(m);
	size_t		aadlen = aad ? VARSIZE_ANY_EXHDR(aad) : 0;
	size_t		ctlen = sp_ciphertext_bytes(1, aadlen, mlen);
	uint8_t		r[SP_SCALARBYTES],
				u[SP_SCALARBYTES],
				nonce[SP_NONCEBYTES];
	Datum		result;
	uint8_t    *ct;
	int			rc;

	if (ctlen == 0)
		sp_raise(SP_ETOOLONG, "pre_encrypt");
	ct = sp_datum_alloc(SP_KIND_CIPHERTEXT, ctlen, &result);
	sp_random_scalar(r);
	sp_random_scalar(u);
	sp_random_bytes(nonce, sizeof nonce);
	rc = sp_encrypt_cached(ct, ctlen, pk, (const uint8_t *) VARDATA_ANY(m),
						   mlen, aad ? (const uint8_t *) VARDATA_ANY(aad) : NULL,
						   aadlen, r, u, nonce, sp_valid_keys());
	sodium_memzero(r, sizeof r);
	sodium_memzero(u, sizeof u);
	if (rc != SP_OK)
		sp_raise(rc, "pre_encrypt");
	return result;
}

/* Decrypt ciphertext argument 0 with secret key argument 1 into a bytea. */
static bytea *
decrypt_arg(FunctionCallInfo fcinfo)
{
	size_t		ctlen,
				mlen;
	const uint8_t *ct = SP_CT_ARG(0, &ctlen);
	const sp_secret *key = sp_secret_arg(fcinfo, 1);
	size_t		cap = sp_plaintext_bytes(ct, ctlen);
	bytea	   *out = (bytea *) palloc(VARHDRSZ + cap);
	/* one multiplication per value on a path seen in this statement */
	int			rc = sp_decrypt_cached((uint8_t *) VARDATA(out), cap, &mlen,
									   ct, ctlen, key, sp_secret_dctx(fcinfo));

	if (rc != SP_OK)
		sp_raise(rc, "pre_decrypt");
	SET_VARSIZE(out, VARHDRSZ + mlen);
	return out;
}

/* pre_decrypt(ciphertext, secret key) -> bytea */
PG_FUNCTION_INFO_V1(pre_decrypt);
Datum
pre_decrypt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(decrypt_arg(fcinfo));
}

/* pre_decrypt_text(ciphertext, secret key) -> text in the database encoding */
PG_FUNCTION_INFO_V1(pre_decrypt_text);
Datum
pre_decrypt_text(PG_FUNCTION_ARGS)
{
	bytea	   *m = decrypt_arg(fcinfo);
	int			len = VARSIZE(m) - VARHDRSZ;

	if (!pg_verify_mbstr(GetDatabaseEncoding(), VARDATA(m), len, true))
	{
		sodium_memzero(VARDATA(m), len);
		sp_raise_encoding();
	}
	PG_RETURN_TEXT_P((text *) m);
}

/* pre_level(ciphertext): 1 + number of hops. */
PG_FUNCTION_INFO_V1(pre_level);
Datum
pre_level(PG_FUNCTION_ARGS)
{
	size_t		len;

	PG_RETURN_INT32(sp_ciphertext_level(SP_CT_ARG(0, &len)));
}

/* pre_recipient(ciphertext): who can decrypt it now. */
PG_FUNCTION_INFO_V1(pre_recipient);
Datum
pre_recipient(PG_FUNCTION_ARGS)
{
	size_t		len;

	return sp_datum_make(SP_KIND_PUBLIC_KEY,
						 sp_ciphertext_recipient(SP_CT_ARG(0, &len)),
						 SP_PUBLICKEYBYTES);
}

/* pre_origin(ciphertext): the level-1 recipient P0. */
PG_FUNCTION_INFO_V1(pre_origin);
Datum
pre_origin(PG_FUNCTION_ARGS)
{
	size_t		len;

	return sp_datum_make(SP_KIND_PUBLIC_KEY, SP_CT_ARG(0, &len) + SP_CT_P0,
						 SP_PUBLICKEYBYTES);
}

/* pre_aad(ciphertext): the caller's associated data. */
PG_FUNCTION_INFO_V1(pre_aad);
Datum
pre_aad(PG_FUNCTION_ARGS)
{
	size_t		len;
	const uint8_t *ct = SP_CT_ARG(0, &len);

	PG_RETURN_BYTEA_P(sp_bytea(ct + SP_CT_AAD, sp_ciphertext_aadlen(ct)));
}

/* The X of every hop of a ciphertext, in order (bytea[]). */
ArrayType *
sp_hop_keys(const uint8_t *ct)
{
	int			hops = sp_ciphertext_level(ct) - 1;
	Datum	   *elems = palloc(sizeof(Datum) * (hops > 0 ? hops : 1));

	for (int k = 1; k <= hops; k++)
		elems[k - 1] = PointerGetDatum(sp_bytea(sp_ciphertext_hop(ct, k) +
												SP_PUBLICKEYBYTES,
												SP_POINTBYTES));
	return construct_array(elems, hops, BYTEAOID, -1, false, TYPALIGN_INT);
}

/* pre_hop_keys(ciphertext): the X of every hop, in order (bytea[]). */
PG_FUNCTION_INFO_V1(pre_hop_keys);
Datum
pre_hop_keys(PG_FUNCTION_ARGS)
{
	size_t		len;

	PG_RETURN_ARRAYTYPE_P(sp_hop_keys(SP_CT_ARG(0, &len)));
}
