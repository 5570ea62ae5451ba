/*
 * pubkey.c - the pre_public_key type (64 bytes P || sigma, "prepk_"):
 * I/O, byte-order comparison for btree and hash operator classes, and
 * derivation from a secret key.
 */
#include "postgres.h"

#include "common/hashfn.h"

#include "seckey.h"
#include "typeio.h"

SP_TYPE_IO(pre_public_key, SP_KIND_PUBLIC_KEY)
SP_TYPE_OPS(pre_public_key, SP_PUBLICKEYBYTES)

/* pre_public_key(pre_secret_key): derive the public key. */
PG_FUNCTION_INFO_V1(pre_public_key);
Datum
pre_public_key(PG_FUNCTION_ARGS)
{
	const sp_secret *key = sp_secret_arg(fcinfo, 0);

	return sp_datum_make(SP_KIND_PUBLIC_KEY, key->pk, SP_PUBLICKEYBYTES);
}
