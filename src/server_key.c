/*
 * server_key.c - the server key, the database's identity and sealed grants
 * (see server_key.h).
 *
 * The key file (secant_pre.server_key_file, PGC_SIGHUP) holds the 32-byte
 * X25519 secret key as 64 hexadecimal characters.  It is checked like
 * ssl_key_file: owned by the server's OS user, no access for group or
 * others.  The secret key and the opened grants live in libsodium's guarded,
 * locked memory (sodium_malloc: kept out of swap where the platform allows),
 * wiped when replaced.  Opened grants are cached by a hash of their sealed
 * bytes, dropped when the key changes and when a grant changes in this
 * backend; they are only used after the statement's path decision.
 */
#include "postgres.h"

#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "executor/spi.h"
#include "storage/fd.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "definer.h"
#include "grant_path.h"
#include "raise.h"
#include "server_key.h"

#define OPENED_SLOTS 256

typedef struct opened
{
	uint8_t		digest[32];		/* BLAKE2b-256 of the sealed bytes */
	bool		used;
	uint8_t		grant[SP_GRANTBYTES];
} opened;

typedef struct server_key
{
	uint8_t		sk[SP_SERVER_SECRETBYTES];
	uint8_t		pk[SP_SERVER_PUBLICBYTES];
	uint8_t		keyid[SP_KEYIDBYTES];
	opened		cache[OPENED_SLOTS];
} server_key;

static char *key_file = NULL;			/* the setting */
static char *loaded_file = NULL;		/* what `key` was read from */
static struct timespec loaded_mtime;
static server_key *key = NULL;			/* sodium_malloc'd */

void
sp_server_key_init(void)
{
	DefineCustomStringVariable("secant_pre.server_key_file",
							   "File holding the server's X25519 key that grants are sealed to.",
							   "64 hexadecimal characters; owned by the server's OS user, mode 0600 or stricter; keep it outside the data directory.",
							   &key_file, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);
}

void
sp_opened_forget(void)
{
	if (key != NULL)
		sodium_memzero(key->cache, sizeof key->cache);
}

/* Read and check the key file into a fresh server_key. */
static server_key *
read_key(const char *path)
{
	struct stat st;
	char		hex[2 * SP_SERVER_SECRETBYTES + 2];
	FILE	   *f;
	size_t		n;
	server_key *k;
	int			rc;

	if (stat(path, &st) != 0)
		sp_raise_server_key(path, "cannot be read");
	if (st.st_uid != geteuid() && st.st_uid != 0)
		sp_raise_server_key(path, "is not owned by the server's user");
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		sp_raise_server_key(path, "is accessible by group or others (chmod 600)");
	f = AllocateFile(path, "r");
	if (f == NULL)
		sp_raise_server_key(path, "cannot be read");
	n = fread(hex, 1, sizeof hex, f);
	FreeFile(f);
	while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
		n--;
	k = sodium_malloc(sizeof *k);
	if (k == NULL)
		sp_raise_out_of_memory();
	memset(k, 0, sizeof *k);
	rc = (n == 2 * SP_SERVER_SECRETBYTES &&
		  sodium_hex2bin(k->sk, sizeof k->sk, hex, n, NULL, NULL, NULL) == 0)
		? sp_server_public(k->pk, k->keyid, k->sk) : SP_ELENGTH;
	sodium_memzero(hex, sizeof hex);
	if (rc != SP_OK)
	{
		sodium_free(k);
		sp_raise_server_key(path, "does not hold a key (64 hexadecimal characters)");
	}
	loaded_mtime = st.st_mtim;
	return k;
}

/* The server key, (re)read when the setting or the file changed. */
static server_key *
current_key(void)
{
	struct stat st;

	if (key_file == NULL || key_file[0] == '\0')
		sp_raise_no_server_key();
	if (key != NULL && loaded_file != NULL && strcmp(loaded_file, key_file) == 0 &&
		stat(key_file, &st) == 0 && st.st_mtim.tv_sec == loaded_mtime.tv_sec &&
		st.st_mtim.tv_nsec == loaded_mtime.tv_nsec)
		return key;
	{
		server_key *k = read_key(key_file);

		if (key != NULL)
			sodium_free(key);	/* wipes */
		key = k;
		if (loaded_file != NULL)
			pfree(loaded_file);
		loaded_file = MemoryContextStrdup(TopMemoryContext, key_file);
	}
	return key;
}

void
sp_database_id(uint8_t dbid[SP_DBIDBYTES], Oid owner)
{
	static uint8_t known[SP_DBIDBYTES];
	static Oid	known_table = InvalidOid;	/* re-read if the table is new */
	Oid			table = get_relname_relid("database_identity",
										  get_namespace_oid("secant", false));
	sp_definer	d;
	bool		isnull;

	if (OidIsValid(table) && table == known_table)
	{
		memcpy(dbid, known, SP_DBIDBYTES);
		return;
	}

	sp_definer_enter(&d, owner);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (sp_run_latest("INSERT INTO secant.database_identity (id) "
					  "VALUES (pg_catalog.uuid_send(pg_catalog.gen_random_uuid())) "
					  "ON CONFLICT DO NOTHING", 0, NULL, NULL) != SPI_OK_INSERT ||
		sp_run_latest("SELECT i.id FROM secant.database_identity AS i", 0, NULL, NULL)
		!= SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the database's identity");
	memcpy(dbid, VARDATA_ANY(DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0],
														  SPI_tuptable->tupdesc,
														  1, &isnull))),
		   SP_DBIDBYTES);
	SPI_finish();
	sp_definer_leave(&d);
	memcpy(known, dbid, SP_DBIDBYTES);
	known_table = table;
}

void
sp_sealing_key(uint8_t out[SP_SEALKEYBYTES], Oid owner)
{
	uint8_t		dbid[SP_DBIDBYTES];
	server_key *k = current_key();

	sp_database_id(dbid, owner);
	sp_seal_key(out, k->pk, dbid);
}

void
sp_seal_here(uint8_t sealed[SP_SEALEDBYTES], const uint8_t grant[SP_GRANTBYTES],
			 Oid owner)
{
	uint8_t		skey[SP_SEALKEYBYTES];
	uint8_t		seed[SP_SEALSEEDBYTES];
	int			rc;

	sp_sealing_key(skey, owner);
	randombytes_buf(seed, sizeof seed);
	rc = sp_seal_grant(sealed, grant, skey, seed);
	sodium_memzero(seed, sizeof seed);
	if (rc != SP_OK)
		sp_raise(rc, "sealing a grant");
}

void
sp_open_here(uint8_t grant[SP_GRANTBYTES], const uint8_t sealed[SP_SEALEDBYTES],
			 Oid owner)
{
	server_key *k = current_key();
	uint8_t		digest[32];
	uint8_t		dbid[SP_DBIDBYTES];
	opened	   *slot;
	int			rc;

	crypto_generichash(digest, sizeof digest, sealed, SP_SEALEDBYTES, NULL, 0);
	slot = &k->cache[(digest[0] | (digest[1] << 8)) % OPENED_SLOTS];
	if (slot->used && sodium_memcmp(slot->digest, digest, sizeof digest) == 0)
	{
		memcpy(grant, slot->grant, SP_GRANTBYTES);
		return;
	}
	sp_database_id(dbid, owner);
	rc = sp_open_sealed_grant(grant, sealed, k->sk, dbid);
	if (rc != SP_OK)
		sp_raise_sealed(rc);
	memcpy(slot->digest, digest, sizeof digest);
	memcpy(slot->grant, grant, SP_GRANTBYTES);
	slot->used = true;
}
