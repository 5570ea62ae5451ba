/*
 * server_key.h - the server's X25519 key (secant_pre.server_key_file), the
 * database's identity, and grants sealed to them: sealing (the server-side
 * convenience), opening in backend memory, and the cache of opened grants.
 */
#ifndef SP_SERVER_KEY_H
#define SP_SERVER_KEY_H

#include "postgres.h"

#include "sp_seal.h"

/* Define secant_pre.server_key_file, previous_server_key_file and
 * identity_claim, and reserve the prefix secant_pre (from _PG_init). */
void		sp_server_key_init(void);

/*
 * The database's identity, made (as owner) on first use and recorded with
 * the database's OID and the cluster's system identifier; raise when they
 * are another database's (a copy, closed until secant.adopt_database();
 * a restore's COPY into secant's tables still opens grants to check them).
 */
void		sp_database_id(uint8_t dbid[SP_DBIDBYTES], Oid owner);

/* Read the identity again at next use (it was adopted in this backend). */
void		sp_database_id_forget(void);

/*
 * Raise unless this database may re-encrypt: not a standby (readers lock
 * what they use, a standby cannot), not a copy that was not adopted.
 */
void		sp_require_live(Oid owner);

/* This database's sealing key (server public key and identity). */
void		sp_sealing_key(uint8_t key[SP_SEALKEYBYTES], Oid owner);

/* Seal a grant for this database (the server sees rk: demos, upgrades). */
void		sp_seal_here(uint8_t sealed[SP_SEALEDBYTES],
						 const uint8_t grant[SP_GRANTBYTES], Oid owner);

/*
 * Open a grant sealed for this database with the server key into grant,
 * through the backend's cache of opened grants; raise if it does not open.
 */
void		sp_open_here(uint8_t grant[SP_GRANTBYTES],
						 const uint8_t sealed[SP_SEALEDBYTES], Oid owner);

/* Open a grant sealed for the identity dbid (adoption), without the cache. */
void		sp_open_for(uint8_t grant[SP_GRANTBYTES],
						const uint8_t sealed[SP_SEALEDBYTES],
						const uint8_t dbid[SP_DBIDBYTES]);

/*
 * Open a threshold grant share (sp_threshold.h) for this database into
 * rk_i, checked against its commitments; raise if it does not open.  Its
 * sealed part is resealed (SP_TSEALBYTES, this node's re-seal after a
 * server key rotation) or, when NULL, the share's own; it is opened with
 * the key it names (the server key or the previous one).  Shares are not
 * cached: a node opens one per batch.
 */
void		sp_tshare_open_here(uint8_t rk_i[SP_SCALARBYTES],
								const uint8_t *share, size_t len,
								const uint8_t *resealed, Oid owner);

/*
 * sp_tshare_open_here for a given database identity: a previous one of
 * this database, before its adoption (secant.adopt_database).
 */
void		sp_tshare_open_for(uint8_t rk_i[SP_SCALARBYTES],
							   const uint8_t *share, size_t len,
							   const uint8_t *resealed,
							   const uint8_t dbid[SP_DBIDBYTES]);

/* An opened share's rk_i sealed again to the server key (SP_TSEALBYTES). */
void		sp_tshare_reseal_here(uint8_t *sealed,
								  const uint8_t rk_i[SP_SCALARBYTES], Oid owner);

/* Is a sealed grant sealed to the server key (not a previous one)? */
bool		sp_sealed_to_current(const uint8_t sealed[SP_SEALEDBYTES]);

/* The server key's id (raise when none is configured). */
void		sp_server_key_id(uint8_t keyid[SP_KEYIDBYTES]);

/*
 * A number that changes whenever the server key or the previous one is
 * read again (another setting, a changed file) or dropped; reads both
 * slots (raises as opening would when a key file is bad).
 */
uint64		sp_server_key_epoch(void);

/* Forget every opened grant (a grant changed in this backend). */
void		sp_opened_forget(void);

#endif							/* SP_SERVER_KEY_H */
