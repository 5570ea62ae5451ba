/*
 * audit.c - the hash of the tamper-evident audit log:
 * pre_audit_hash(prev, entry) = BLAKE2b-256(prev || entry).
 */
#include "postgres.h"

#include <sodium.h>

#include "typeio.h"

#define AUDIT_HASHBYTES 32

/* pre_audit_hash(previous hash, canonical bytes of the entry) */
PG_FUNCTION_INFO_V1(pre_audit_hash);
Datum
pre_audit_hash(PG_FUNCTION_ARGS)
{
	bytea	   *prev = PG_GETARG_BYTEA_PP(0);
	bytea	   *entry = PG_GETARG_BYTEA_PP(1);
	crypto_generichash_state st;
	uint8_t		out[AUDIT_HASHBYTES];

	crypto_generichash_init(&st, NULL, 0, sizeof out);
	crypto_generichash_update(&st, (const uint8_t *) VARDATA_ANY(prev),
							  VARSIZE_ANY_EXHDR(prev));
	crypto_generichash_update(&st, (const uint8_t *) VARDATA_ANY(entry),
							  VARSIZE_ANY_EXHDR(entry));
	crypto_generichash_final(&st, out, sizeof out);
	PG_RETURN_BYTEA_P(sp_bytea(out, sizeof out));
}
