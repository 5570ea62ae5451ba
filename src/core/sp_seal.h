/*
 * sp_seal.h - grants sealed to a server key (docs/SCHEME.md, "Sealed
 * grants"): a client seals a grant with a libsodium sealed box to the
 * database server's X25519 key, binding the server key id and the
 * database's identity inside; only the server opens it, in memory.
 * Randomness (the sealed box's ephemeral key) is passed in.
 */
#ifndef SP_SEAL_H
#define SP_SEAL_H

#include "sp_core.h"

#define SP_SERVER_SECRETBYTES	32	/* X25519 secret key of the server */
#define SP_SERVER_PUBLICBYTES	32	/* X25519 public key of the server */
#define SP_KEYIDBYTES			8	/* BLAKE2b-256(server public key)[0..8] */
#define SP_DBIDBYTES			16	/* a database's random identity */
#define SP_SEALSEEDBYTES		32	/* seed of the sealed box's ephemeral key */
/* sealing key: "SPSK" 01 00 00 00 | key id | server public key | db id */
#define SP_SEALKEYBYTES		(8 + SP_KEYIDBYTES + SP_SERVER_PUBLICBYTES + SP_DBIDBYTES)
/* sealed plaintext: key id | db id | grant */
#define SP_SEALPLAINBYTES	(SP_KEYIDBYTES + SP_DBIDBYTES + SP_GRANTBYTES)
/* sealed grant: "SPSG" 01 00 00 00 | key id | sealed box (epk 32, mac 16, plaintext) */
#define SP_SEALEDBYTES		(8 + SP_KEYIDBYTES + 32 + 16 + SP_SEALPLAINBYTES)

/* The public key and key id of a server secret key. */
int			sp_server_public(uint8_t pk[SP_SERVER_PUBLICBYTES],
							 uint8_t keyid[SP_KEYIDBYTES],
							 const uint8_t sk[SP_SERVER_SECRETBYTES]) SP_WUR;

/* The sealing key clients seal to: the server key and the database. */
void		sp_seal_key(uint8_t out[SP_SEALKEYBYTES],
						const uint8_t pk[SP_SERVER_PUBLICBYTES],
						const uint8_t dbid[SP_DBIDBYTES]);

/* Layout check of a sealing key (magic, version, reserved, key id). */
int			sp_seal_key_validate(const uint8_t key[SP_SEALKEYBYTES]) SP_WUR;

/* Layout check of a sealed grant (magic, version, reserved). */
int			sp_sealed_validate(const uint8_t sealed[SP_SEALEDBYTES]) SP_WUR;

/* Seal a (valid) grant to a sealing key, with the ephemeral key's seed. */
int			sp_seal_grant(uint8_t out[SP_SEALEDBYTES],
						  const uint8_t grant[SP_GRANTBYTES],
						  const uint8_t key[SP_SEALKEYBYTES],
						  const uint8_t seed[SP_SEALSEEDBYTES]) SP_WUR;

/*
 * Open a sealed grant with the server's secret key, for the database dbid:
 * SP_EWRONGKEY if it is sealed to another server key, SP_EDECRYPT if it
 * does not open, SP_EDATABASE if it was sealed for another database; the
 * grant is then validated (signature).  Nothing is left in grant on error.
 */
int			sp_open_sealed_grant(uint8_t grant[SP_GRANTBYTES],
								 const uint8_t sealed[SP_SEALEDBYTES],
								 const uint8_t sk[SP_SERVER_SECRETBYTES],
								 const uint8_t dbid[SP_DBIDBYTES]) SP_WUR;

#endif							/* SP_SEAL_H */
