/*
 * sp_seal.c - grants sealed to a server key (see sp_seal.h).  The sealed
 * box is libsodium's (crypto_box_seal's bytes: epk | box with the nonce
 * BLAKE2b-192(epk | pk)), made here from a caller-supplied ephemeral seed so
 * that vectors are fixed; crypto_box_seal_open opens it.
 */
#include <string.h>

#include <sodium.h>

#include "sp_internal.h"
#include "sp_seal.h"

static const uint8_t key_magic[4] = {'S', 'P', 'S', 'K'};
static const uint8_t sealed_magic[4] = {'S', 'P', 'S', 'G'};

static void
key_id(uint8_t keyid[SP_KEYIDBYTES], const uint8_t pk[SP_SERVER_PUBLICBYTES])
{
	uint8_t		h[32];

	crypto_generichash(h, sizeof h, pk, SP_SERVER_PUBLICBYTES, NULL, 0);
	memcpy(keyid, h, SP_KEYIDBYTES);
}

int
sp_server_public(uint8_t pk[SP_SERVER_PUBLICBYTES], uint8_t keyid[SP_KEYIDBYTES],
				 const uint8_t sk[SP_SERVER_SECRETBYTES])
{
	if (crypto_scalarmult_base(pk, sk) != 0)
		return SP_ESCALAR;
	key_id(keyid, pk);
	return SP_OK;
}

void
sp_seal_key(uint8_t out[SP_SEALKEYBYTES], const uint8_t pk[SP_SERVER_PUBLICBYTES],
			const uint8_t dbid[SP_DBIDBYTES])
{
	sp_header_put(out, key_magic, SP_VERSION);
	key_id(out + 8, pk);
	memcpy(out + 8 + SP_KEYIDBYTES, pk, SP_SERVER_PUBLICBYTES);
	memcpy(out + 8 + SP_KEYIDBYTES + SP_SERVER_PUBLICBYTES, dbid, SP_DBIDBYTES);
}

int
sp_seal_key_validate(const uint8_t key[SP_SEALKEYBYTES])
{
	uint8_t		id[SP_KEYIDBYTES];
	int			rc = sp_header_check(key, key_magic, SP_VERSION);

	if (rc != SP_OK)
		return rc;
	key_id(id, key + 8 + SP_KEYIDBYTES);
	if (memcmp(id, key + 8, SP_KEYIDBYTES) != 0)
		return SP_EPOINT;
	return SP_OK;
}

int
sp_sealed_validate(const uint8_t sealed[SP_SEALEDBYTES])
{
	return sp_header_check(sealed, sealed_magic, SP_VERSION);
}

/* A sealed box with the ephemeral key made from seed (sp_internal.h). */
int
sp_seal_box(uint8_t *out, const uint8_t *plain, size_t plainlen,
			const uint8_t pk[32], const uint8_t seed[32])
{
	uint8_t		esk[crypto_box_SECRETKEYBYTES];
	uint8_t		nonce[crypto_box_NONCEBYTES];
	crypto_generichash_state st;
	int			rc;

	rc = crypto_box_seed_keypair(out, esk, seed) == 0 ? SP_OK : SP_EINTERNAL;
	if (rc == SP_OK)
	{
		crypto_generichash_init(&st, NULL, 0, sizeof nonce);
		crypto_generichash_update(&st, out, crypto_box_PUBLICKEYBYTES);
		crypto_generichash_update(&st, pk, SP_SERVER_PUBLICBYTES);
		crypto_generichash_final(&st, nonce, sizeof nonce);
		if (crypto_box_easy(out + crypto_box_PUBLICKEYBYTES, plain, plainlen,
							nonce, pk, esk) != 0)
			rc = SP_EPOINT;
	}
	sodium_memzero(esk, sizeof esk);
	return rc;
}

int
sp_seal_grant(uint8_t out[SP_SEALEDBYTES], const uint8_t grant[SP_GRANTBYTES],
			  const uint8_t key[SP_SEALKEYBYTES], const uint8_t seed[SP_SEALSEEDBYTES])
{
	uint8_t		plain[SP_SEALPLAINBYTES];
	int			rc = sp_seal_key_validate(key);

	if (rc != SP_OK)
		return rc;
	sp_header_put(out, sealed_magic, SP_VERSION);
	memcpy(out + 8, key + 8, SP_KEYIDBYTES);
	memcpy(plain, key + 8, SP_KEYIDBYTES);
	memcpy(plain + SP_KEYIDBYTES, key + 8 + SP_KEYIDBYTES + SP_SERVER_PUBLICBYTES,
		   SP_DBIDBYTES);
	memcpy(plain + SP_KEYIDBYTES + SP_DBIDBYTES, grant, SP_GRANTBYTES);
	rc = sp_seal_box(out + 8 + SP_KEYIDBYTES, plain, sizeof plain,
					 key + 8 + SP_KEYIDBYTES, seed);
	sodium_memzero(plain, sizeof plain);
	if (rc != SP_OK)
		sodium_memzero(out, SP_SEALEDBYTES);
	return rc;
}

int
sp_open_sealed_grant(uint8_t grant[SP_GRANTBYTES], const uint8_t sealed[SP_SEALEDBYTES],
					 const uint8_t sk[SP_SERVER_SECRETBYTES], const uint8_t dbid[SP_DBIDBYTES])
{
	uint8_t		pk[SP_SERVER_PUBLICBYTES];
	uint8_t		keyid[SP_KEYIDBYTES];
	uint8_t		plain[SP_SEALPLAINBYTES];
	int			rc = sp_sealed_validate(sealed);

	if (rc == SP_OK)
		rc = sp_server_public(pk, keyid, sk);
	if (rc == SP_OK && sodium_memcmp(keyid, sealed + 8, SP_KEYIDBYTES) != 0)
		rc = SP_EWRONGKEY;
	if (rc == SP_OK &&
		crypto_box_seal_open(plain, sealed + 8 + SP_KEYIDBYTES,
							 SP_SEALEDBYTES - 8 - SP_KEYIDBYTES, pk, sk) != 0)
		rc = SP_EDECRYPT;
	if (rc == SP_OK && sodium_memcmp(plain, keyid, SP_KEYIDBYTES) != 0)
		rc = SP_EWRONGKEY;
	if (rc == SP_OK && sodium_memcmp(plain + SP_KEYIDBYTES, dbid, SP_DBIDBYTES) != 0)
		rc = SP_EDATABASE;
	if (rc == SP_OK)
		rc = sp_grant_validate_cached(plain + SP_KEYIDBYTES + SP_DBIDBYTES, NULL);
	if (rc == SP_OK)
		memcpy(grant, plain + SP_KEYIDBYTES + SP_DBIDBYTES, SP_GRANTBYTES);
	else
		sodium_memzero(grant, SP_GRANTBYTES);
	sodium_memzero(plain, sizeof plain);
	return rc;
}
