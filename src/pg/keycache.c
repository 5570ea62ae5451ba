/*
 * keycache.c - the backend's cache of public keys found valid.  Validating
 * a public key costs two point decodings, one of them with a subgroup
 * check (a scalar multiplication); input, encryption and grants see the
 * same few keys over and over, so each backend remembers the ones it has
 * accepted (public data: nothing to wipe).  The cache itself is the core's
 * sp_keycache (sp_core.h).
 */
#include "postgres.h"

#include "typeio.h"

/* Public keys this backend has found valid. */
static sp_keycache valid_keys;

/* The backend's cache of valid public keys. */
sp_keycache *
sp_valid_keys(void)
{
	return &valid_keys;
}
