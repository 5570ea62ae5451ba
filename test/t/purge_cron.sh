#!/usr/bin/env bash
# test/t/purge_cron.sh - expired grants and their copies: unreadable once
# the grant expires, gone after secant.purge_expired(), which pg_cron runs
# every minute.  Starts its own throwaway cluster with pg_cron preloaded
# (shared_preload_libraries, cron.database_name, background workers since
# it listens on a socket only); registers the job and checks that it is
# scheduled (at the end), and calls the function directly for its effect
# (no wait for the minute).  Ends with "N passed, M failed".
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
PORT=${SECANT_PRE_CRON_PORT:-$((${PGPORT:-55432} + 4))}
DB=secant_cron

if [ ! -f "$("$PG_CONFIG" --pkglibdir)/pg_cron.so" ]; then
	not_ok "pg_cron is installed (Debian package postgresql-15-cron)"
	# the job, as an admin schedules it: last, so that pg_cron's run of it
# cannot race the direct calls above (it ran the purge first once)
check "pg_cron schedules secant.purge_expired() every minute" \
	eq "$(q -c "SELECT cron.schedule('secant-purge-expired', '* * * * *', 'SELECT * FROM secant.purge_expired()') > 0" \
	        -c "SELECT schedule || ' ' || command || ' ' || database FROM cron.job WHERE jobname = 'secant-purge-expired'" | tail -n 1)" \
	"* * * * * SELECT * FROM secant.purge_expired() $DB"
tap_finish
fi
DIR=$(pgc_dir secant_pre_cron) || exit 1
trap 'pgc_stop "$DIR"' EXIT
pgc_start "$DIR" "$PORT" "shared_preload_libraries = 'pg_cron, secant_pre'" "cron.database_name = '$DB'" \
	"cron.use_background_workers = on" "max_worker_processes = 16" >/dev/null ||
	{ not_ok "cluster with pg_cron starts"; tap_finish; }
q() { pgc_psql "$DIR" "$PORT" -At -d $DB "$@"; }
pgc_psql "$DIR" "$PORT" -c "CREATE DATABASE $DB" >/dev/null

q >/dev/null <<'SQL'
CREATE EXTENSION pg_cron;
CREATE EXTENSION secant_pre;
CREATE TABLE k AS SELECT name, kind, pre_keygen() AS sk
FROM (VALUES ('ward', 'group'), ('dr_a', 'user'), ('dr_b', 'user'), ('a_phone', 'device'), ('b_phone', 'device')) AS v(name, kind);
SELECT count(secant.add_principal(name, kind, pre_public_key(sk))) FROM k;
-- dr_a's membership expires in two seconds; dr_b's does not
SELECT secant.add_grant(pre_grant((SELECT sk FROM k WHERE name = 'ward'), secant.principal_key('dr_a'), now() + interval '2 seconds'));
SELECT count(secant.add_grant(pre_grant(f.sk, pre_public_key(t.sk)))) FROM k f, k t
WHERE (f.name, t.name) IN (('ward', 'dr_b'), ('dr_a', 'a_phone'), ('dr_b', 'b_phone'));
CREATE TABLE notes (id int PRIMARY KEY, body pre_ciphertext NOT NULL);
INSERT INTO notes SELECT i, pre_encrypt(secant.principal_key('ward'), 'note ' || i) FROM generate_series(1, 4) i;
CREATE TABLE shares (note_id int REFERENCES notes, recipient pre_public_key, UNIQUE (note_id, recipient));
SELECT secant.enable_sharing('shares', 'notes', 'body', 'id', 'note_id', 'recipient');
INSERT INTO shares SELECT id, secant.principal_key(CASE WHEN id % 2 = 0 THEN 'a_phone' ELSE 'b_phone' END) FROM notes;
CREATE ROLE cron_a_phone LOGIN;
SELECT secant.bind('a_phone', 'cron_a_phone');
SQL
check "the expiring grant's copies exist and are readable before it expires" \
	eq "$(q -c "SET ROLE cron_a_phone" -c "SELECT count(*) FROM secant.copies")" 2
q -c "CREATE TABLE old_grant AS SELECT sealed FROM secant.grants WHERE to_key = secant.principal_key('dr_a')" >/dev/null
sleep 3
check "after expiry, before the purge: its copies are unreadable to the bound role" \
	eq "$(q -c "SET ROLE cron_a_phone" -c "SELECT count(*) FROM secant.copies")" 0
check "after expiry: no re-encryption through the expired grant" \
	eq "$(q -c "SELECT secant.reencrypt_for(body, 'a_phone') FROM notes WHERE id = 2" 2>&1 | grep -c 'no active grant path')" 1
check "the purge removes one grant and its two copies" \
	eq "$(q -F ' ' -c "SELECT grants_removed, copies_deleted FROM secant.purge_expired()")" "1 2"
check "the expired grant is remembered as expired" \
	eq "$(q -c "SELECT reason FROM secant.revoked_grants WHERE to_key = secant.principal_key('dr_a')")" expired
check "the purge is in the audit log, and the chain holds" \
	eq "$(q -c "SELECT count(*) FROM secant.audit_log WHERE action = 'purge expired' AND (detail->>'copies_deleted')::int = 2" \
	        -c "SELECT secant.audit_verify() IS NULL" | tr '\n' ' ')" "1 t "
check "the other copies stay" eq "$(q -c "SELECT count(*) FROM secant.copies")" 2
check "a second purge has nothing to do and logs nothing" \
	eq "$(q -F ' ' -c "SELECT grants_removed, copies_deleted FROM secant.purge_expired()" \
	        -c "SELECT count(*) FROM secant.audit_log WHERE action = 'purge expired'" | tr '\n' ' ')" "0 0 1 "
check "the expired grant's bytes cannot be stored again" \
	eq "$(q -c "INSERT INTO secant.grants (sealed) SELECT sealed FROM old_grant" 2>&1 | grep -c 'grant was revoked')" 1
check "a new grant from the delegator re-admits" \
	eq "$(q -c "SELECT secant.add_grant(pre_grant((SELECT sk FROM k WHERE name = 'ward'), secant.principal_key('dr_a'), now() + interval '1 hour')) > 0")" t
# without a server key, grants are neither stored nor used
pgc_psql "$DIR" "$PORT" -c "ALTER SYSTEM SET secant_pre.server_key_file = ''" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
check "without a server key no grant is stored (clear error with a hint)" \
	eq "$(q -c "SELECT secant.add_grant(pre_grant((SELECT sk FROM k WHERE name = 'dr_b'), secant.principal_key('a_phone')))" 2>&1 | grep -c 'no server key is configured')" 1
check "without a server key no grant is opened" \
	eq "$(q -c "SELECT secant.reencrypt_for(body, 'b_phone') FROM notes WHERE id = 1" 2>&1 | grep -c 'no server key is configured')" 1
pgc_psql "$DIR" "$PORT" -c "ALTER SYSTEM RESET secant_pre.server_key_file" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
check "the key back, grants are used again" \
	eq "$(q -c "SELECT pre_level(secant.reencrypt_for(body, 'b_phone')) FROM notes WHERE id = 1")" 3
# a grant made and sealed by the CLI, to this database's sealing key
CLI="$ROOT/secant-pre"
if [ -x "$CLI" ]; then
	W=$(mktemp -d "${TMPDIR:-/tmp}/secant_cron_cli.XXXXXX")
	q -c "SELECT sk FROM k WHERE name = 'dr_b'" >"$W/dr_b.sk"
	chmod 600 "$W/dr_b.sk"
	sealed=$("$CLI" grant "$(q -c "SELECT secant.principal_key('a_phone')")" \
		--seal-to "$(q -c "SELECT secant.server_public_key()")" --secret-key "$W/dr_b.sk" 2>/dev/null)
	rm -rf "$W"
	check "a grant sealed by the CLI (secant-pre grant --seal-to) is stored and used" \
		eq "$(q -c "SELECT secant.add_grant('$sealed') > 0" -c "SELECT count(*) FROM secant.path('dr_b', 'a_phone')" | tr '\n' ' ')" "t 1 "
fi
check "PUBLIC cannot run the purge" \
	eq "$(q -c "SET ROLE cron_a_phone" -c "SELECT * FROM secant.purge_expired()" 2>&1 | grep -c 'permission denied')" 1
# the job, as an admin schedules it: last, so that pg_cron's run of it
# cannot race the direct calls above (it ran the purge first once)
check "pg_cron schedules secant.purge_expired() every minute" \
	eq "$(q -c "SELECT cron.schedule('secant-purge-expired', '* * * * *', 'SELECT * FROM secant.purge_expired()') > 0" \
	        -c "SELECT schedule || ' ' || command || ' ' || database FROM cron.job WHERE jobname = 'secant-purge-expired'" | tail -n 1)" \
	"* * * * * SELECT * FROM secant.purge_expired() $DB"
tap_finish
