/*
 * keycache.c - the backend's cache of public keys found valid.  Validating
 * a public key costs a point decoding and a signature check; input,
 * encryption and grants see the same few keys over and over, so each
 * backend remembers the ones it has accepted (public data: nothing to
 * wipe).  The cache itself is the codec's sp_keycache.
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
