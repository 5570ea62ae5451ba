/*
 * server_key.c - the server key, the database's identity and sealed grants
 * (see server_key.h).
 *
 * The key file (secant_pre.server_key_file, PGC_SIGHUP) holds the 32-byte
 * X25519 secret key as 64 hexadecimal characters.  It is checked like
 * ssl_key_file: owned by the server's OS user, no access for group or
 * others.  The secret key and the opened grants live in libsodium's guarded,
 * locked memory (sodium_malloc: kept out of swap where the platform allows),
 * wiped when replaced.  When preloaded, the postmaster checks both key
 * files at start and on every reload and logs a WARNING naming the problem
 * of a bad one (never the key); backends raise it when they need the key.
 * Opened grants are cached by a hash of their sealed
 * bytes, dropped when the key changes and when a grant changes in this
 * backend; they are only used after the statement's path decision.
 */
#include "postgres.h"

#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "executor/spi.h"
#include "storage/fd.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "definer.h"
#include "raise.h"
#include "server_key.h"
#include "sp_threshold.h"

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

/* A key file named by a setting, and what was last read from it. */
typedef struct key_slot
{
	char	   *setting;		/* the setting's value */
	char	   *loaded_file;	/* what key was read from */
	struct timespec loaded_mtime;
	server_key *key;			/* sodium_malloc'd */
} key_slot;

static key_slot current = {NULL, NULL, {0, 0}, NULL};
static key_slot previous = {NULL, NULL, {0, 0}, NULL};

/*
 * Read and check the key file at path into k (when not NULL) and its mtime;
 * NULL, or what is wrong with it.  Every buffer that held the key is wiped.
 */
static const char *
key_file_problem(const char *path, server_key *k, struct timespec *mtime)
{
	struct stat st;
	char		hex[2 * SP_SERVER_SECRETBYTES + 2];
	uint8_t		sk[SP_SERVER_SECRETBYTES];
	uint8_t		pk[SP_SERVER_PUBLICBYTES];
	uint8_t		keyid[SP_KEYIDBYTES];
	FILE	   *f;
	size_t		n;
	int			rc;

	if (stat(path, &st) != 0)
		return "cannot be read";
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return "is not owned by the server's user";
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		return "is accessible by group or others (chmod 600)";
	f = fopen(path, "r");
	if (f == NULL)
		return "cannot be read";
	n = fread(hex, 1, sizeof hex, f);
	fclose(f);
	while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
		n--;
	rc = (n == 2 * SP_SERVER_SECRETBYTES &&
		  sodium_hex2bin(sk, sizeof sk, hex, n, NULL, NULL, NULL) == 0)
		? sp_server_public(pk, keyid, sk) : SP_ELENGTH;
	sodium_memzero(hex, sizeof hex);
	if (rc == SP_OK && k != NULL)
	{
		memcpy(k->sk, sk, sizeof sk);
		memcpy(k->pk, pk, sizeof pk);
		memcpy(k->keyid, keyid, sizeof keyid);
		*mtime = st.st_mtim;
	}
	sodium_memzero(sk, sizeof sk);
	return rc == SP_OK ? NULL : "does not hold a key (64 hexadecimal characters)";
}

/*
 * Check a key file setting in the postmaster (at start, when preloaded, and
 * on every reload): a WARNING naming the problem of a bad file.  The value
 * is always accepted: the backends raise the same problem when they use it.
 */
static void
check_key_file(const char *setting, const char *value, GucSource source)
{
	const char *problem;

	if (IsUnderPostmaster || source == PGC_S_DEFAULT || value == NULL || value[0] == '\0')
		return;
	problem = key_file_problem(value, NULL, NULL);
	if (problem != NULL)
		ereport(WARNING,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("%s: the key file \"%s\" %s", setting, value, problem),
				 errdetail("Grants cannot be stored or opened with it until the file is fixed (the configuration is reloaded or the file re-read on use)."),
				 errhint("The file holds 64 hexadecimal characters, is owned by the server's user and has mode 0600.")));
}

static bool
check_server_key_file(char **newval, void **extra, GucSource source)
{
	check_key_file("secant_pre.server_key_file", *newval, source);
	return true;
}

static bool
check_previous_server_key_file(char **newval, void **extra, GucSource source)
{
	check_key_file("secant_pre.previous_server_key_file", *newval, source);
	return true;
}

/*
 * secant_pre.identity_claim: a database setting (ALTER DATABASE ... SET),
 * written by secant_internal.claim_identity, read by the update to 0.6.0
 * and by secant.adopt_database from pg_db_role_setting: the hash of the
 * identity this database claimed.  Only a superuser sets it; empty or 64
 * lowercase hexadecimal characters.
 */
static char *identity_claim;

static bool
check_identity_claim(char **newval, void **extra, GucSource source)
{
	size_t		n = strspn(*newval, "0123456789abcdef");

	if ((*newval)[0] == '\0' || (n == 64 && (*newval)[n] == '\0'))
		return true;
	GUC_check_errdetail("secant_pre.identity_claim is empty or 64 lowercase hexadecimal characters.");
	return false;
}

void
sp_server_key_init(void)
{
	DefineCustomStringVariable("secant_pre.server_key_file",
							   "File holding the server's X25519 key that grants are sealed to.",
							   "64 hexadecimal characters; owned by the server's OS user, mode 0600 or stricter; keep it outside the data directory.",
							   &current.setting, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY,
							   check_server_key_file, NULL, NULL);
	DefineCustomStringVariable("secant_pre.previous_server_key_file",
							   "File holding the server key being replaced, while grants are re-sealed.",
							   "Set during a server key rotation only: grants sealed to it still open, and secant.reseal_grants() re-seals them to secant_pre.server_key_file.",
							   &previous.setting, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY,
							   check_previous_server_key_file, NULL, NULL);
	DefineCustomStringVariable("secant_pre.identity_claim",
							   "The hash of the secant_pre identity this database claimed (a database setting, set by the extension).",
							   "A copy made under 0.5.0 and updated after another database of the cluster claimed its identity starts closed.",
							   &identity_claim, "", PGC_SUSET,
							   GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							   check_identity_claim, NULL, NULL);
	/* no placeholder of another name: a typo is an error, not a setting */
	MarkGUCPrefixReserved("secant_pre");
}

void
sp_opened_forget(void)
{
	if (current.key != NULL)
		sodium_memzero(current.key->cache, sizeof current.key->cache);
	if (previous.key != NULL)
		sodium_memzero(previous.key->cache, sizeof previous.key->cache);
}

/* Read and check the key file into a fresh server_key; its mtime in *mtime. */
static server_key *
read_key(const char *path, struct timespec *mtime)
{
	server_key *k = sodium_malloc(sizeof(server_key));
	const char *problem;

	if (k == NULL)
		sp_raise_out_of_memory();
	memset(k, 0, sizeof *k);
	problem = key_file_problem(path, k, mtime);
	if (problem != NULL)
	{
		sodium_free(k);
		sp_raise_server_key(path, problem);
	}
	return k;
}

/* Bumped whenever a slot's key is read again or dropped. */
static uint64 key_epoch = 0;

/*
 * The key of a slot, (re)read when the setting or the file changed; NULL
 * when the setting is empty.
 */
static server_key *
slot_key(key_slot *slot)
{
	struct stat st;
	struct timespec mtime;
	server_key *k;

	if (slot->setting == NULL || slot->setting[0] == '\0')
	{
		if (slot->key != NULL)
		{
			sodium_free(slot->key);		/* wipes */
			key_epoch++;
		}
		slot->key = NULL;
		return NULL;
	}
	if (slot->key != NULL && slot->loaded_file != NULL &&
		strcmp(slot->loaded_file, slot->setting) == 0 &&
		stat(slot->setting, &st) == 0 &&
		st.st_mtim.tv_sec == slot->loaded_mtime.tv_sec &&
		st.st_mtim.tv_nsec == slot->loaded_mtime.tv_nsec)
		return slot->key;
	k = read_key(slot->setting, &mtime);
	if (slot->key != NULL)
		sodium_free(slot->key);	/* wipes */
	slot->key = k;
	key_epoch++;
	slot->loaded_mtime = mtime;
	if (slot->loaded_file != NULL)
		pfree(slot->loaded_file);
	slot->loaded_file = MemoryContextStrdup(TopMemoryContext, slot->setting);
	return k;
}

uint64
sp_server_key_epoch(void)
{
	(void) slot_key(&current);
	(void) slot_key(&previous);
	return key_epoch;
}

/* The server key; raise when none is configured. */
static server_key *
current_key(void)
{
	server_key *k = slot_key(&current);

	if (k == NULL)
		sp_raise_no_server_key();
	return k;
}

/* What database_id_body reads: the identity, and whether the table
 * records its database (from 0.6.0 on; an update from an older version
 * runs this library over the older table). */
typedef struct id_read
{
	uint8_t    *dbid;
	bool		recorded;
	bool		strict;			/* a restore's COPY does not open a copy */
	bool		live;			/* this database's own (else a restore's) */
} id_read;

/*
 * Read the database's identity into dbid (as the owner), made on first use
 * for this database of this cluster; raise if it was recorded for another
 * (a copy: TEMPLATE, a restore into another database or cluster).
 */
static void
database_id_body(void *arg)
{
	id_read    *r = (id_read *) arg;
	Oid			argtypes[2] = {OIDOID, INT8OID};
	Datum		args[2] = {ObjectIdGetDatum(MyDatabaseId),
	Int64GetDatum((int64) GetSystemIdentifier())};
	const char *read = r->recorded
		? "SELECT i.id, i.database_oid, i.system_identifier FROM secant.database_identity AS i"
		: "SELECT i.id FROM secant.database_identity AS i";
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;

	if (sp_run_latest(read, 0, NULL, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not read the database's identity");
	/* made on first use, never by a restore (which brings its own) */
	if (SPI_processed == 0)
	{
		if (sp_run_latest("SELECT secant.restoring()", 0, NULL, NULL) == SPI_OK_SELECT &&
			SPI_processed == 1 &&
			DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
			sp_raise_restore_order("secant.database_identity");
		if ((r->recorded
			 ? sp_run_latest("INSERT INTO secant.database_identity (id, database_oid, system_identifier) "
							 "VALUES (pg_catalog.uuid_send(pg_catalog.gen_random_uuid()), $1, $2) "
							 "ON CONFLICT DO NOTHING", 2, argtypes, args)
			 : sp_run_latest("INSERT INTO secant.database_identity (id) "
							 "VALUES (pg_catalog.uuid_send(pg_catalog.gen_random_uuid())) "
							 "ON CONFLICT DO NOTHING", 0, NULL, NULL)) != SPI_OK_INSERT ||
			sp_run_latest(read, 0, NULL, NULL) != SPI_OK_SELECT)
			elog(ERROR, "could not read the database's identity");
	}
	if (SPI_processed != 1)
		elog(ERROR, "could not read the database's identity");
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	memcpy(r->dbid, VARDATA_ANY(DatumGetByteaPP(SPI_getbinval(tup, desc, 1, &isnull))),
		   SP_DBIDBYTES);
	if (r->recorded)
	{
		Oid			oid = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
		int64		sysid = DatumGetInt64(SPI_getbinval(tup, desc, 3, &isnull));

		/*
		 * A copy's grants stay closed; a restore's COPY into secant's tables
		 * still opens them to check them (nothing is re-encrypted there, and
		 * what it read is not kept as this database's identity).
		 */
		if (oid != MyDatabaseId || sysid != (int64) GetSystemIdentifier())
		{
			r->live = false;
			if (r->strict ||
				sp_run_latest("SELECT secant.restoring()", 0, NULL, NULL) != SPI_OK_SELECT ||
				SPI_processed != 1 ||
				!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
				sp_raise_copied_database(oid, (uint64) sysid, MyDatabaseId, GetSystemIdentifier());
		}
	}
}

/* The identity this backend read last, and from which table. */
static uint8_t known_id[SP_DBIDBYTES];
static Oid	known_table = InvalidOid;	/* re-read if the table is new */
static bool known_callbacks = false;

/*
 * An abort or a PREPARE TRANSACTION forgets it: the identity may have
 * been written, or changed by an adoption, in a (sub)transaction that
 * rolled back or may (independent attacks 7 and 8).
 */
static void
known_xact(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)	/* its outcome is another session's */
		known_table = InvalidOid;
}

static void
known_subxact(SubXactEvent event, SubTransactionId mySubid,
			  SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		known_table = InvalidOid;
}

static void
database_id(uint8_t dbid[SP_DBIDBYTES], Oid owner, bool strict)
{
	Oid			table = get_relname_relid("database_identity",
										  get_namespace_oid("secant", false));
	id_read		r;

	if (OidIsValid(table) && table == known_table)
	{
		memcpy(dbid, known_id, SP_DBIDBYTES);
		return;
	}
	r.dbid = dbid;
	r.strict = strict;
	r.live = true;
	r.recorded = OidIsValid(table) &&
		get_attnum(table, "database_oid") != InvalidAttrNumber;
	sp_owner_query(owner, database_id_body, &r);
	if (!r.live)
		return;
	if (!known_callbacks)
	{
		RegisterXactCallback(known_xact, NULL);
		RegisterSubXactCallback(known_subxact, NULL);
		known_callbacks = true;
	}
	memcpy(known_id, dbid, SP_DBIDBYTES);
	known_table = table;
}

void
sp_database_id(uint8_t dbid[SP_DBIDBYTES], Oid owner)
{
	database_id(dbid, owner, false);
}

void
sp_database_id_forget(void)
{
	known_table = InvalidOid;
}

/*
 * Read as the owner, writing nothing: is the recorded identity this
 * database's (or none recorded yet: nothing was ever opened here)?  Raise
 * as a re-encryption would in a copy.
 */
static void
live_body(void *arg)
{
	HeapTuple	tup;
	bool		isnull;
	Oid			oid;
	int64		sysid;

	if (sp_run_latest("SELECT i.database_oid, i.system_identifier FROM secant.database_identity AS i",
					  0, NULL, NULL) != SPI_OK_SELECT || SPI_processed > 1)
		elog(ERROR, "could not read the database's identity");
	if (SPI_processed == 0)
		return;
	tup = SPI_tuptable->vals[0];
	oid = DatumGetObjectId(SPI_getbinval(tup, SPI_tuptable->tupdesc, 1, &isnull));
	sysid = DatumGetInt64(SPI_getbinval(tup, SPI_tuptable->tupdesc, 2, &isnull));
	if (oid != MyDatabaseId || sysid != (int64) GetSystemIdentifier())
		sp_raise_copied_database(oid, (uint64) sysid, MyDatabaseId, GetSystemIdentifier());
}

/*
 * secant.require_live(): true in a database whose identity is its own (a
 * hot standby included: it only reads what is stored); in a copy no admin
 * has adopted yet, the error of a re-encryption there.  The row-level
 * security of secant.copies asks it: a copy's stored copies are as closed
 * as its grants.
 */
PG_FUNCTION_INFO_V1(pre_require_live);
Datum
pre_require_live(PG_FUNCTION_ARGS)
{
	Oid			table = get_relname_relid("database_identity",
										  get_namespace_oid("secant", false));

	if (!OidIsValid(table) || table != known_table)
		sp_owner_query(sp_function_owner(fcinfo->flinfo->fn_oid), live_body, NULL);
	PG_RETURN_BOOL(true);
}

void
sp_require_live(Oid owner)
{
	uint8_t		dbid[SP_DBIDBYTES];

	if (RecoveryInProgress())
		sp_raise_standby();
	database_id(dbid, owner, true);
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

/*
 * The key a key id names: the server key, or the previous one during a
 * rotation; else the server key (opening then fails with "sealed to
 * another server key").
 */
static server_key *
key_by_id(const uint8_t keyid[SP_KEYIDBYTES])
{
	server_key *k = current_key();
	server_key *p;

	if (memcmp(keyid, k->keyid, SP_KEYIDBYTES) == 0)
		return k;
	p = slot_key(&previous);
	if (p != NULL && memcmp(keyid, p->keyid, SP_KEYIDBYTES) == 0)
		return p;
	return k;
}

/* The key a sealed grant names (bytes 8..16). */
static server_key *
key_for(const uint8_t sealed[SP_SEALEDBYTES])
{
	return key_by_id(sealed + 8);
}

void
sp_open_here(uint8_t grant[SP_GRANTBYTES], const uint8_t sealed[SP_SEALEDBYTES],
			 Oid owner)
{
	server_key *k = key_for(sealed);
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
		sp_raise_sealed(rc, sealed + 8, current_key()->keyid);
	memcpy(slot->digest, digest, sizeof digest);
	memcpy(slot->grant, grant, SP_GRANTBYTES);
	slot->used = true;
}

void
sp_open_for(uint8_t grant[SP_GRANTBYTES], const uint8_t sealed[SP_SEALEDBYTES],
			const uint8_t dbid[SP_DBIDBYTES])
{
	server_key *k = key_for(sealed);
	int			rc = sp_open_sealed_grant(grant, sealed, k->sk, dbid);

	if (rc != SP_OK)
		sp_raise_sealed(rc, sealed + 8, current_key()->keyid);
}

void
sp_tshare_open_for(uint8_t rk_i[SP_SCALARBYTES], const uint8_t *share,
				   size_t len, const uint8_t *resealed,
				   const uint8_t dbid[SP_DBIDBYTES])
{
	const uint8_t *sealed;
	int			rc = sp_tshare_check_layout(share, len);

	if (rc != SP_OK)
		sp_raise(rc, "opening a grant share");
	sealed = resealed != NULL ? resealed : sp_tshare_sealed(share);
	rc = sp_tshare_open_sealed(rk_i, share, len, sealed,
							   key_by_id(sealed)->sk, dbid);
	if (rc != SP_OK)
		sp_raise(rc, "opening a grant share");
}

void
sp_tshare_open_here(uint8_t rk_i[SP_SCALARBYTES], const uint8_t *share,
					size_t len, const uint8_t *resealed, Oid owner)
{
	uint8_t		dbid[SP_DBIDBYTES];

	sp_database_id(dbid, owner);
	sp_tshare_open_for(rk_i, share, len, resealed, dbid);
}

void
sp_tshare_reseal_here(uint8_t *sealed,
					  const uint8_t rk_i[SP_SCALARBYTES], Oid owner)
{
	uint8_t		skey[SP_SEALKEYBYTES];
	uint8_t		seed[SP_SEALSEEDBYTES];
	int			rc;

	sp_sealing_key(skey, owner);
	randombytes_buf(seed, sizeof seed);
	rc = sp_tshare_reseal(sealed, rk_i, skey, seed);
	sodium_memzero(seed, sizeof seed);
	if (rc != SP_OK)
		sp_raise(rc, "sealing a grant share again");
}

bool
sp_sealed_to_current(const uint8_t sealed[SP_SEALEDBYTES])
{
	return memcmp(sealed + 8, current_key()->keyid, SP_KEYIDBYTES) == 0;
}

void
sp_server_key_id(uint8_t keyid[SP_KEYIDBYTES])
{
	memcpy(keyid, current_key()->keyid, SP_KEYIDBYTES);
}
