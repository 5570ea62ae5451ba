/*
 * reencrypt.c - pre_reencrypt(ciphertext, grant): one proxy hop.  Pure and
 * deterministic (no clock, no tables), so it runs in parallel workers and
 * can be pushed to remote shards.  Both values were validated on entry, so
 * the cost is one scalar multiplication (plus a point addition at level 1).
 */
#include "postgres.h"

#include "typeio.h"

/* pre_reencrypt(ciphertext, grant) -> ciphertext one level higher */
PG_FUNCTION_INFO_V1(pre_reencrypt);
Datum
pre_reencrypt(PG_FUNCTION_ARGS)
{
	size_t		ctlen;
	const uint8_t *ct = SP_CT_ARG(0, &ctlen);
	const uint8_t *grant = (const uint8_t *) PG_GETARG_POINTER(1);
	Datum		result;
	uint8_t    *out = sp_datum_alloc(SP_KIND_CIPHERTEXT, ctlen + SP_HOPBYTES,
									 &result);
	int			rc = sp_reencrypt(out, ctlen + SP_HOPBYTES, ct, ctlen, grant);

	if (rc != SP_OK)
		sp_raise(rc, "pre_reencrypt");
	return result;
}
