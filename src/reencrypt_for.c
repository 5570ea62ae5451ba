/*
 * reencrypt_for.c - secant.reencrypt_for(ciphertext, target): re-encrypt
 * along the active grant path from the ciphertext's current recipient to
 * target.  The path is looked up, locked and cached by grant_path.c.
 */
#include "postgres.h"

#include "grant_path.h"
#include "typeio.h"

/* secant.reencrypt_for(ciphertext, target public key) */
PG_FUNCTION_INFO_V1(pre_reencrypt_for);
Datum
pre_reencrypt_for(PG_FUNCTION_ARGS)
{
	size_t		len;
	const uint8_t *ct = SP_CT_ARG(0, &len);
	const uint8_t *target = (const uint8_t *) PG_GETARG_POINTER(1);
	sp_path    *path = sp_path_cache(fcinfo->flinfo);

	sp_path_find(path, get_fn_expr_argtype(fcinfo->flinfo, 1),
				 sp_ciphertext_recipient(ct), target);
	return sp_path_apply(path, ct, len, PG_GETARG_DATUM(0),
						 "secant.reencrypt_for");
}
