#!/usr/bin/env bash
# test/t/read_path.sh - what a read through secant.reencrypt_for leaves
# behind, and a bulk read over many paths (issue 36):
#
#   - after a warm-up, a read statement (bound role, proxy role; read audit
#     off) assigns no transaction id (pg_current_xact_id_if_assigned() is
#     NULL in its transaction) and writes no WAL (the insert position is
#     unchanged across the transaction);
#   - 100 000 rows over 10 000 different paths read in one statement with
#     the default max_locks_per_transaction (ward -> user -> device for
#     10 000 devices), rows in an order that changes the path on every
#     row: every row decrypts to its note, and the transaction holds a
#     bounded number of the extension's locks.
#
# Starts its own throwaway cluster: no autovacuum, wal_level minimal (no
# standby snapshots), no timed checkpoint, so that nothing else writes WAL
# while a read runs.  Ends with "N passed, M failed".
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
PORT=${SECANT_PRE_READ_PATH_PORT:-$((${PGPORT:-55432} + 13))}
DB=secant_read_path
PATHS=10000
REPS=10

DIR=$(pgc_dir secant_pre_read_path) || exit 1
trap 'pgc_stop "$DIR"' EXIT
pgc_start "$DIR" "$PORT" "autovacuum = off" "wal_level = minimal" "max_wal_senders = 0" \
	"checkpoint_timeout = '1h'" >/dev/null || { not_ok "cluster starts"; tap_finish; }
q() { pgc_psql "$DIR" "$PORT" -At -d $DB "$@"; }
as() {
	local role=$1
	shift
	pgc_psql "$DIR" "$PORT" -At -d $DB -U "$role" "$@"
}
pgc_psql "$DIR" "$PORT" -c "CREATE DATABASE $DB" >/dev/null

# ward -> u1..u100 -> d1..d10000 (100 devices a user): the paths from ward
# to the devices are 10 000 different paths of two hops (the benchmark's
# ward -> user -> device); rd_reader is bound to d1 (table dev), rd_proxy
# holds the proxy capability
q >/dev/null <<SQL || { not_ok "set-up"; tap_finish; }
CREATE EXTENSION secant_pre;
CREATE TABLE k AS SELECT 'ward' AS name, 'group' AS kind, NULL::text AS owner, pre_keygen() AS sk
UNION ALL SELECT 'u' || i, 'user', 'ward', pre_keygen() FROM generate_series(1, $PATHS / 100) AS i
UNION ALL SELECT 'd' || i, 'device', 'u' || ((i + 99) / 100), pre_keygen() FROM generate_series(1, $PATHS) AS i;
SELECT count(secant.add_principal(name, kind, pre_public_key(sk))) FROM k;
SELECT count(secant.add_grant(pre_grant(o.sk, pre_public_key(k.sk)))) FROM k JOIN k o ON o.name = k.owner;
CREATE TABLE devs AS SELECT substr(name, 2)::int AS i, pre_public_key(sk) AS pk, sk FROM k WHERE kind = 'device';
CREATE TABLE dev AS SELECT pk, sk FROM devs WHERE i = 1;
CREATE TABLE note AS SELECT pre_encrypt(pre_public_key(sk), 'the note') AS body FROM k WHERE name = 'ward';
CREATE TABLE notes AS
SELECT r AS rep, pre_encrypt(pre_public_key(k.sk), 'note ' || r) AS body
FROM k, generate_series(1, $REPS) AS r WHERE k.name = 'ward';
CREATE ROLE rd_reader LOGIN;
CREATE ROLE rd_proxy LOGIN;
GRANT SELECT ON dev, note TO rd_reader, rd_proxy;
GRANT SELECT ON devs, notes TO rd_proxy;
SELECT secant.bind('d1', 'rd_reader');
SELECT secant.grant_capability('rd_proxy', 'proxy');
ANALYZE;
SQL

check "max_locks_per_transaction is at its default" \
	eq "$(q -c "SHOW max_locks_per_transaction")" 64
check "read audit is off" eq "$(q -c "SELECT secant.read_audit_on()")" f

# one note, group -> user -> dev, two warm-up statements, then a read
# statement in a transaction of its own: row count, no xid, no WAL
one_read() {
	as "$1" >/dev/null <<'SQL'
SELECT secant.reencrypt_for(n.body, d.pk) FROM note n, dev d;
SELECT secant.reencrypt_for(n.body, d.pk) FROM note n, dev d;
SQL
	as "$1" <<'SQL'
SELECT pg_current_wal_insert_lsn() AS l0 \gset
BEGIN;
SELECT count(secant.reencrypt_for(n.body, d.pk)) FROM note n, dev d;
SELECT pg_current_xact_id_if_assigned() IS NULL;
SELECT count(secant.reencrypt_for(n.body, 'd1')) FROM note n;
SELECT pg_current_xact_id_if_assigned() IS NULL;
COMMIT;
SELECT pg_current_wal_insert_lsn() = :'l0';
SQL
}
for role in rd_reader rd_proxy; do
	got=$(one_read $role 2>&1 | tr '\n' ' ')
	check "$role: a read statement after a warm-up returns its row, takes no transaction id (twice in a transaction) and writes no WAL" \
		eq "$got" "1 t 1 t t "
done
check "the reader's note decrypts with the device's key" \
	eq "$(q -c "SET ROLE rd_reader" -c "SELECT convert_from(pre_decrypt(secant.reencrypt_for(n.body, d.pk), d.sk), 'UTF8') FROM note n, dev d")" "the note"

# 100 000 rows (10 notes for each of 10 000 devices, the proxy asks), 10 000
# paths, the path changes on every row; then, in the same transaction, the
# extension's locks it holds (advisory lock method)
bulk=$(as rd_proxy 2>&1 <<'SQL'
BEGIN;
SELECT count(*), count(*) FILTER (WHERE convert_from(pre_decrypt(x.ct, x.sk), 'UTF8') = 'note ' || x.rep),
       count(DISTINCT x.i)
FROM (SELECT b.i, b.rep, b.sk, secant.reencrypt_for(b.body, b.pk) AS ct
      FROM (SELECT d.i, n.rep, d.sk, d.pk, n.body FROM devs d, notes n ORDER BY n.rep, d.i) b) x;
SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory';
SELECT pg_current_xact_id_if_assigned() IS NULL;
COMMIT;
SQL
)
check "100 000 rows over 10 000 paths in one statement (default lock table): every row decrypts to its note" \
	eq "$(printf '%s\n' "$bulk" | sed -n 1p)" "$((PATHS * REPS))|$((PATHS * REPS))|$PATHS"
locks=$(printf '%s\n' "$bulk" | sed -n 2p)
# the lock helper's budget (policy_lock.c): 256 distinct grants one by one
# (each lock, and its bucket's, at most 256 buckets), then the class's 512
# buckets in a reader's coarse mode, and the proxy capability's lock and
# its bucket's: 256 + 256 + 512 + 2
check "the bulk read holds at most 256 + 256 + 512 + 2 of the extension's locks (held $locks)" \
	test "${locks:-99999}" -le 1026
check "the bulk read takes no transaction id" eq "$(printf '%s\n' "$bulk" | sed -n 3p)" t
tap_finish
