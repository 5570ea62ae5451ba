#!/usr/bin/env bash
# test/t/server_key_rotation.sh - the server key's life cycle: rotation
# (re-seal every grant, reading the old and the new key files that the
# configuration names), a restore onto a server with another key, and a
# lost key.  Starts its own throwaway cluster (its configuration is changed
# here) with the clinic of test/fixtures/clinic.sql; a client-sealed grant
# comes from the CLI.  Ends with "N passed, M failed".
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
CLI="$ROOT/secant-pre"
PORT=${SECANT_PRE_ROTATION_PORT:-$((${PGPORT:-55432} + 3))}
DB=secant_rotation

DIR=$(pgc_dir secant_pre_rotation) || exit 1
trap 'pgc_stop "$DIR"' EXIT
trap 'exit 130' INT TERM
pgc_start "$DIR" "$PORT" >/dev/null || { not_ok "cluster starts"; tap_finish; }
W="$DIR/work"
mkdir -p "$W" && chmod 777 "$W"
q() { pgc_psql "$DIR" "$PORT" -At -d "${QDB:-$DB}" "$@"; }
# the error message of a statement that must fail, or "no error"
err() { pgc_psql "$DIR" "$PORT" -At -d "${QDB:-$DB}" -c "$1" 2>&1 >/dev/null | sed -n 's/^.*ERROR: *//p' | head -1; }
set_keys() { # set_keys CURRENT PREVIOUS: ALTER SYSTEM and reload
	pgc_psql "$DIR" "$PORT" -c "ALTER SYSTEM SET secant_pre.server_key_file = '$1'" \
		-c "ALTER SYSTEM SET secant_pre.previous_server_key_file = '$2'" -c "SELECT pg_reload_conf()" >/dev/null
	sleep 0.5
}

pgc_psql "$DIR" "$PORT" -c "CREATE DATABASE $DB" >/dev/null
q -f "$ROOT/test/fixtures/clinic.sql" >/dev/null 2>&1 || { not_ok "the clinic fixture loads"; tap_finish; }
q -c "CREATE ROLE rot_admin LOGIN; CREATE ROLE rot_plain LOGIN;
      GRANT secant_admin TO rot_admin; SELECT secant.grant_capability('rot_admin', 'admin');" >/dev/null 2>&1
# what ada's phone reads through the grants: the five notes, decrypted
reads() {
	q -c "SELECT string_agg(pre_decrypt_text(secant.reencrypt_for(body, 'ada_phone'), fixture_sk('ada_phone')), ',' ORDER BY id) FROM notes" 2>&1
}
WANT="note 1,note 2,note 3,note 4,note 5"
grant_rows() { q -c "SELECT string_agg(concat_ws(' ', id, from_key, to_key, not_after, encode(hop_key, 'hex'), created_at), ',' ORDER BY id) FROM secant.grants WHERE to_key <> secant.principal_key('bob_tablet')"; }
q -c "SELECT secant.add_principal('bob_tablet', 'device', pre_public_key(pre_keygen()))" >/dev/null
ROWS=$(grant_rows)
K1=$(q -c "SELECT encode(secant.server_key_id(), 'hex')")
check "before: every grant is sealed to the server key" \
	[ "$(q -c "SELECT count(*) FILTER (WHERE encode(pre_sealed_grant_key_id(sealed), 'hex') = '$K1') || '/' || count(*) FROM secant.grants")" = "4/4" ]
check "before: the phone reads the notes" [ "$(reads)" = "$WANT" ]
# a dump taken under the old key, and a grant a client sealed to it
pg_dump -h "$DIR" -p "$PORT" -U postgres -Fc -d "$DB" -f "$W/before.dump"
OLDSEAL=$(q -c "SELECT secant.server_public_key()")
q -c "SELECT fixture_sk('dr_bob')" >"$W/bob.sk"
q -c "SELECT secant.principal_key('bob_tablet')" >"$W/tablet.pub"
"$CLI" grant @"$W/tablet.pub" --secret-key "$W/bob.sk" --seal-to "$OLDSEAL" >"$W/tablet.sealed" 2>"$W/cli.err"
check "the CLI seals a grant to the old key" grep -q '^presealed_' "$W/tablet.sealed"

# ---- rotation: the new key in server_key_file, the old one as previous ----
pgc_server_key "$DIR/new.key"
set_keys "$DIR/new.key" "$DIR/server.key"
K2=$(q -c "SELECT encode(secant.server_key_id(), 'hex')")
check "the server key id changed after the reload" [ -n "$K2" ] && [ "$K2" != "$K1" ]
check "the sealing key clients get is the new one" [ "$(q -c "SELECT secant.server_public_key()")" != "$OLDSEAL" ]
check "during the rotation grants sealed to the old key still open" [ "$(reads)" = "$WANT" ]
q -c "SELECT secant.add_grant('$(cat "$W/tablet.sealed")'::pre_sealed_grant)" >/dev/null 2>"$W/add.err"
check "a grant sealed to the old key is stored sealed to the new one" \
	[ "$(q -c "SELECT encode(pre_sealed_grant_key_id(g.sealed), 'hex') FROM secant.grants g WHERE to_key = secant.principal_key('bob_tablet')")" = "$K2" ]
check "a plain login may not re-seal" \
	bash -c "psql -X -h '$DIR' -p $PORT -U rot_plain -d $DB -c 'SELECT secant.reseal_grants()' 2>&1 | grep -q 'permission denied for function reseal_grants'"
check "a plain login may not call the owner's re-sealing function" \
	bash -c "psql -X -h '$DIR' -p $PORT -U rot_plain -d $DB -c \"SELECT secant.reseal(sealed, hop_key) FROM secant.grants\" 2>&1 | grep -q 'permission denied'"
check "an admin re-seals the four grants sealed to the old key" \
	[ "$(psql -X -At -h "$DIR" -p "$PORT" -U rot_admin -d "$DB" -c "SELECT secant.reseal_grants()")" = 4 ]
check "a second re-seal has nothing to do" [ "$(q -c "SELECT secant.reseal_grants()")" = 0 ]
check "every grant is now sealed to the new key" \
	[ "$(q -c "SELECT count(*) FROM secant.grants WHERE encode(pre_sealed_grant_key_id(sealed), 'hex') <> '$K2'")" = 0 ]
check "the grants themselves did not change (ids, keys, expiry, hop keys)" [ "$(grant_rows)" = "$ROWS" ]
check "the re-seal is in the audit log, and the chain verifies" \
	[ "$(q -c "SELECT count(*) FROM secant.audit_log WHERE action = 'reseal grants' AND detail->>'grants' = '4' AND detail->>'server_key_id' = '$K2'")" = 1 ] && \
	[ "$(q -c "SELECT coalesce(secant.audit_verify()::text, 'intact')")" = intact ] && \
	[ "$(q -c "SELECT count(*) FROM secant.audit_check()")" = 0 ]

# ---- the old key forgotten ----
set_keys "$DIR/new.key" ""
check "after the rotation the phone reads with the new key alone" [ "$(reads)" = "$WANT" ]
pgc_halt "$DIR" && pgc_up "$DIR"
check "and after a restart" [ "$(reads)" = "$WANT" ]
set_keys "$DIR/server.key" ""
out=$(reads)
check "the old key alone opens no grant any more" grep -q "sealed grant is sealed to another server key" <<<"$out"
check "the error says how to finish a rotation" \
	bash -c "psql -X -h '$DIR' -p $PORT -U postgres -d $DB -c \"SELECT pre_level(secant.reencrypt_for(body, 'ada_phone')) FROM notes\" 2>&1 | grep -q 'previous_server_key_file'"
set_keys "$DIR/new.key" ""

# ---- a dump made under the old key, restored on this server ----
restore() { # restore DB [PGOPTIONS]: a new database from before.dump
	pgc_psql "$DIR" "$PORT" -c "CREATE DATABASE $1" >/dev/null
	PGOPTIONS=${2:-} pg_restore -h "$DIR" -p "$PORT" -U postgres -d "$1" "$W/before.dump" 2>"$W/$1.err"
}
restore ${DB}_r1
check "restored without the old key: loud (pg_restore fails on the grants, says what to do)" \
	grep -q "sealed grant is sealed to another server key" "$W/${DB}_r1.err" && \
	grep -q "previous_server_key_file" "$W/${DB}_r1.err" && \
	[ "$(QDB=${DB}_r1 q -c "SELECT count(*) FROM secant.grants")" = 0 ] && \
	[ "$(QDB=${DB}_r1 q -c "SELECT count(*) FROM secant.audit_check()")" -gt 0 ]
set_keys "$DIR/new.key" "$DIR/server.key"
restore ${DB}_r2
check "restored with the old key as previous: the grants are re-sealed as they load" \
	[ "$(QDB=${DB}_r2 q -c "SELECT count(*) FILTER (WHERE encode(pre_sealed_grant_key_id(sealed), 'hex') = '$K2') || '/' || count(*) FROM secant.grants")" = 4/4 ]
set_keys "$DIR/new.key" ""
# a restore beside the live original is a copy: an admin adopts it (an
# identity of its own, every grant re-sealed for it; docs/OPERATIONS.md)
check "restored with the old key as previous: adopted as a copy, every grant re-sealed" \
	[ "$(QDB=${DB}_r2 q -c "SELECT secant.adopt_database()")" = 4 ]
check "restored with the old key as previous: the phone reads with the new key alone" \
	[ "$(QDB=${DB}_r2 reads)" = "$WANT" ]
restore ${DB}_r3 "-c session_replication_role=replica"
QDB=${DB}_r3
check "restored with triggers off (replica role, as the README restores): grants load sealed to the old key and do not open" \
	[ "$(q -c "SELECT count(*) FILTER (WHERE encode(pre_sealed_grant_key_id(sealed), 'hex') = '$K1') FROM secant.grants")" = 4 ] && \
	grep -q "sealed to another server key" <<<"$(reads)"
check "adopting (re-sealing) without the old key: a clear error, nothing changed" \
	grep -q "sealed grant is sealed to another server key" <<<"$(err "SELECT secant.adopt_database()")" && \
	[ "$(q -c "SELECT count(*) FROM secant.grants WHERE encode(pre_sealed_grant_key_id(sealed), 'hex') = '$K1'")" = 4 ]
set_keys "$DIR/new.key" "$DIR/server.key"
check "with the old key as previous, the admin adopts the copy and re-seals them" [ "$(q -c "SELECT secant.adopt_database()")" = 4 ]
set_keys "$DIR/new.key" ""
check "then the phone reads with the new key alone" [ "$(reads)" = "$WANT" ]
unset QDB

# ---- a lost key: grants do not open; the delegators issue them again ----
pgc_server_key "$DIR/third.key"
set_keys "$DIR/third.key" ""
check "with the key lost, no grant opens (no data is lost: the notes are intact)" \
	grep -q "sealed to another server key" <<<"$(reads)" && [ "$(q -c "SELECT count(*) FROM notes")" = 5 ]
q -c "DELETE FROM secant.grants" >/dev/null 2>"$W/del.err"
q -c "CREATE TEMP TABLE again AS SELECT a, b FROM (VALUES ('clinic', 'dr_ada'), ('dr_ada', 'ada_phone')) v(a, b);
      SELECT count(secant.add_grant(pre_grant(fixture_sk(a), secant.principal_key(b)))) FROM again" >/dev/null 2>"$W/again.err"
check "after the delegators issue new grants the phone reads again" [ "$(reads)" = "$WANT" ]

tap_finish
