#!/usr/bin/env bash
# test/t/at_rest.sh - no grant's rk at rest: not in pg_dump (plain, custom),
# pg_dumpall, a copy of the data directory (base/, pg_wal/), pg_basebackup
# (plain and tar), the WAL archive or the server log, and no group or user
# key recoverable from all of that plus every device's and user's secret.
#
# On a private cluster (as test/t/secrets.sh: pgc_start, socket only, port
# SECANT_PRE_ATREST_PORT or PGPORT + 2) with secant_pre preloaded, a server
# key (outside the data directory, as pgc_init makes it), wal_level =
# replica, WAL archiving, log_statement = all and log_min_messages /
# log_min_error_statement = debug5, a clinic is built with the secant-pre CLI:
# a group, three users, five devices; grants made on the client and sealed
# to secant.server_public_key() (secant-pre grant --seal-to), others stored
# through the server-side conveniences (secant.add_grant(pre_grant), INSERT
# ... (rekey), secant.seal_grant_on_server, \copy of rekey), and mistakes
# (grant inserts that fail on a foreign key, in text and \x hex forms, on
# NOT NULL, on a duplicate, a rolled-back insert, a grant pasted as another
# type); records are encrypted on the client, re-encrypted for every device
# through secant.reencrypt_for and decrypted on the devices; a device and a
# user are revoked.  After a CHECKPOINT everything above is collected and
# test/t/at_rest.py (libsodium through ctypes) checks it:
#   - every rk of every grant made (the sealed ones opened with the server
#     key) is searched for as raw bytes, hex (both cases), base64 of both
#     alphabets at every alignment, and the whole grant in every form; the
#     group's seed and scalar too;
#   - every grant-like value (magic SPGR 01 00 00 00 at any offset, in hex,
#     in base64 of either alphabet, in pregrant_ text, as a printed Datum)
#     is decoded and the recovery arithmetic run on it: rk*d for every d the
#     devices (and their users) can compute, including what the devices learn
#     from the ciphertexts they received, cascading device -> user -> group;
#     no user or group key may come out;
#   - the server key (raw, hex, base64) is in none of the collected files;
#   - controls, so that the test can fail: a bare grant planted in scratch
#     files in each form is found, and the same arithmetic on bare grants
#     recovers the group key (from a user's secret, and from a device's secret
#     with a level-3 ciphertext it received).
#
# Ends with "N passed, M failed"; exits non-zero on any failure.
# SECANT_PRE_KEEP=1 keeps the work directory (printed).
set -uo pipefail

# ROOT, PGBIN; ok, not_ok, check NAME COMMAND..., eq, tap_summary, tap_finish;
# pgc_*
. "$(dirname "$0")/../prologue.sh"
CLI="$ROOT/secant-pre"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
PORT=${SECANT_PRE_ATREST_PORT:-$((${PGPORT:-55432} + 2))}
DB=secant_at_rest

# the work directory (keys, grants, everything collected): private, removed
# on exit with the cluster (SECANT_PRE_KEEP=1 keeps it)
umask 077
WORK=$(mktemp -d "${TMPDIR:-/tmp}/secant_pre_atrest.XXXXXX") || exit 1
DIR=""
trap 'pgc_stop "$DIR"; [ -n "${SECANT_PRE_KEEP:-}" ] && echo "# kept $WORK" || rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK"/{keys,grants,received,scratch,plain,artifacts}
A="$WORK/artifacts"

[ -x "$CLI" ] || { not_ok "the CLI is built ($CLI)"; tap_finish; }

# ---- the cluster ----
DIR=$(pgc_dir secant_pre_atrest_pg) || exit 1
if ! pgc_init "$DIR" "$PORT" "wal_level = replica" "max_wal_senders = 4" \
	"archive_mode = on" "archive_command = 'test ! -f $DIR/archive/%f && cp %p $DIR/archive/%f'" \
	"log_statement = all" "log_min_messages = debug1" "log_min_error_statement = debug5" \
	"log_error_verbosity = verbose" \
	>"$WORK/init.log" 2>&1; then
	cat "$WORK/init.log"
	not_ok "initialise a private cluster"
	tap_finish
fi
$RUN_AS mkdir "$DIR/archive"
pgc_up "$DIR" >"$WORK/start.log" 2>&1 || { cat "$WORK/start.log"; not_ok "start the private cluster"; tap_finish; }
export PGHOST=$DIR PGPORT=$PORT PGUSER=postgres
unset PGDATABASE PGOPTIONS
LOG="$DIR/server.log"

psql -X -q -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL || { not_ok "create the database"; tap_finish; }
CREATE DATABASE $DB;
ALTER DATABASE $DB SET log_statement = 'all';
ALTER DATABASE $DB SET log_min_messages = 'debug5';
ALTER DATABASE $DB SET log_min_error_statement = 'debug5';
SQL
export PGDATABASE=$DB
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
# a statement that must fail: its error is kept, its status inverted
# (its SQLSTATE shown: VERBOSITY verbose)
fails() { ! psql -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "$@" >>"$WORK/mistakes.out" 2>&1; }
sql -c "CREATE EXTENSION secant_pre" >/dev/null
check "private cluster: wal_level replica, archiving, secant_pre preloaded, server key outside the data directory, every statement logged at debug5" \
	eq "$(sql -c "SELECT concat_ws(' ', current_setting('wal_level'), current_setting('archive_mode'),
	    current_setting('shared_preload_libraries'), current_setting('secant_pre.server_key_file') NOT LIKE current_setting('data_directory') || '%',
	    current_setting('log_statement'), current_setting('log_min_messages'), current_setting('log_min_error_statement'))")" \
	"replica on secant_pre t all debug5 debug5"

# ---- 1. the clinic ----
# keys/NAME.KIND.sk: KIND outsider for the two that are no principals (the
# mistakes' grants name them); the attacker holds every key but the group's
for who in clinic.group ada.user bob.user carol.user ada_phone.device ada_laptop.device \
	bob_phone.device carol_phone.device carol_tablet.device stranger.outsider dave.outsider; do
	"$CLI" keygen >"$WORK/keys/$who.sk" && "$CLI" pubkey <"$WORK/keys/$who.sk" >"$WORK/keys/$who.pk"
done
pk() { cat "$WORK/keys/$1".*.pk; }
skf() { echo "$WORK/keys/$1".*.sk; }
for f in "$WORK"/keys/*.pk; do
	n=$(basename "$f" .pk)
	[ "${n##*.}" = outsider ] ||
		sql -c "SELECT secant.add_principal('${n%.*}', '${n##*.}', '$(cat "$f")')" >/dev/null
done
check "nine principals" eq "$(sql -c "SELECT count(*) FROM secant.principals")" 9
SEAL=$(sql -c "SELECT secant.server_public_key()")
check "secant.server_public_key() gives a presealkey_" eq "${SEAL:0:11}" presealkey_

# grant NAME FROM TO [--seal-to KEY]: a grant made by the CLI, kept in grants/NAME
grant() {
	local name=$1 from=$2 to=$3
	shift 3
	"$CLI" grant "$(pk "$to")" --secret-key "$(skf "$from")" "$@" >"$WORK/grants/$name"
}
g() { cat "$WORK/grants/$1"; }

# made on the client and sealed there
grant clinic_ada clinic ada --seal-to "$SEAL"
grant clinic_bob clinic bob --seal-to "$SEAL"
grant ada_phone ada ada_phone --seal-to "$SEAL"
grant bob_phone bob bob_phone --seal-to "$SEAL"
sql -c "SELECT secant.add_grant('$(g clinic_ada)')" >/dev/null
sql -c "INSERT INTO secant.grants (sealed) VALUES ('$(g clinic_bob)')" >/dev/null
sql -c "SELECT secant.add_grant('$(g ada_phone)'::pre_sealed_grant)" >/dev/null
sql -c "SELECT secant.add_grant('$(g bob_phone)')" >/dev/null
check "four grants sealed by the CLI stored" eq "$(sql -c "SELECT count(*) FROM secant.grants")" 4
# the server-side conveniences: bare grants, sealed by the server
grant ada_laptop ada ada_laptop
grant clinic_carol clinic carol
grant carol_phone carol carol_phone
grant carol_tablet carol carol_tablet
sql -c "SELECT secant.add_grant('$(g ada_laptop)'::pre_grant)" >/dev/null
sql -c "INSERT INTO secant.grants (rekey) VALUES ('$(g clinic_carol)')" >/dev/null
sql -c "SELECT secant.add_grant(secant.seal_grant_on_server('$(g carol_phone)'))" >/dev/null
g carol_tablet >"$WORK/copy.txt"
sql -c "\\copy secant.grants (rekey) FROM '$WORK/copy.txt'" >/dev/null
check "four grants sealed on the server stored (add_grant(pre_grant), INSERT rekey, seal_grant_on_server, \\copy rekey)" \
	eq "$(sql -c "SELECT count(*) FROM secant.grants")" 8
check "secant.grants.rekey is empty" eq "$(sql -c "SELECT count(rekey) FROM secant.grants")" 0

# mistakes, each must fail
grant m_stranger_ada stranger ada
grant m_stranger_ada_sealed stranger ada --seal-to "$SEAL"
grant m_clinic_dave clinic dave
grant m_clinic_carol_null clinic carol
grant m_clinic_ada_rollback clinic ada
hex=$("$PY" -c "import base64,sys; b=sys.argv[1][9:]; print(base64.urlsafe_b64decode(b + '=' * (-len(b) % 4)).hex())" "$(g m_stranger_ada)")
: >"$WORK/mistakes.out"
n=0
fails -c "INSERT INTO secant.grants (rekey) VALUES ('$(g m_stranger_ada)')" && n=$((n + 1))
fails -c "INSERT INTO secant.grants (rekey) VALUES ('\\x$hex'::bytea::pre_grant)" && n=$((n + 1))
fails -c "SELECT secant.add_grant('$(g m_stranger_ada)')" && n=$((n + 1))
fails -c "SELECT secant.add_grant('$(g m_stranger_ada_sealed)')" && n=$((n + 1))
fails -c "INSERT INTO secant.grants (rekey) VALUES ('$(g m_clinic_dave)')" && n=$((n + 1))
fails -c "INSERT INTO secant.grants (rekey, created_at) VALUES ('$(g m_clinic_carol_null)', NULL)" && n=$((n + 1))
fails -c "INSERT INTO secant.grants (rekey) VALUES ('$(g clinic_carol)')" && n=$((n + 1))
fails -c "SELECT '$(g m_clinic_dave)'::pre_ciphertext" && n=$((n + 1))
fails -c "SELECT pre_grant_to('$(g m_clinic_dave)'::pre_ciphertext)" && n=$((n + 1))
check "nine mistakes failed (foreign keys, text and hex; NOT NULL; duplicate; wrong type)" eq "$n" 9
check "... with the errors expected (SQLSTATE foreign key 23503 5, not null 23502 1, unique 23505 1, invalid text 22P02 2)" \
	eq "$(for e in 23503 23502 23505 22P02; do grep -c "^ERROR:  $e:" "$WORK/mistakes.out"; done | paste -sd' ')" "5 1 1 2"
sql -c "BEGIN" -c "INSERT INTO secant.grants (rekey) VALUES ('$(g m_clinic_ada_rollback)')" -c "ROLLBACK" >/dev/null
check "the grants stored: eight (the mistakes and the rolled-back insert left none)" \
	eq "$(sql -c "SELECT count(*) FROM secant.grants")" 8
sql -c "SELECT sealed FROM secant.grants ORDER BY id" >"$WORK/stored.txt"

# records, on the client; re-encrypted on the server, decrypted on the devices
sql -c "CREATE TABLE notes (id int PRIMARY KEY, body pre_ciphertext NOT NULL)" >/dev/null
SEED=${SECANT_PRE_SEED:-$(od -An -tu2 -N2 /dev/urandom | tr -d ' ')}
RANDOM=$SEED
echo "# seed $SEED (SECANT_PRE_SEED=$SEED replays this run's notes)"
for i in 1 2 3; do
	printf 'note %s: HbA1c %s.%s' "$i" "$i" "$RANDOM" >"$WORK/plain/$i"
	"$CLI" encrypt "$(pk clinic)" --aad "note:$i" <"$WORK/plain/$i" >"$WORK/plain/$i.ct"
	sql -c "INSERT INTO notes VALUES ($i, '$(cat "$WORK/plain/$i.ct")')" >/dev/null
done
n=0
for dev in ada_phone ada_laptop bob_phone carol_phone carol_tablet; do
	sql -c "SELECT secant.reencrypt_for(body, '$dev') FROM notes WHERE id = 1" >"$WORK/received/$dev.ct"
	"$CLI" decrypt --secret-key "$(skf "$dev")" <"$WORK/received/$dev.ct" 2>/dev/null | cmp -s - "$WORK/plain/1" && n=$((n + 1))
done
check "secant.reencrypt_for for the five devices: each decrypts its copy (level 3)" eq "$n" 5
sql -c "SELECT secant.reencrypt_for(body, 'ada') FROM notes WHERE id = 2" >"$WORK/received/ada.ct"
check "... and for a user (level 2)" \
	cmp -s <("$CLI" decrypt --secret-key "$(skf ada)" <"$WORK/received/ada.ct" 2>/dev/null) "$WORK/plain/2"
# revocation: a device, then a user
sql -c "SELECT secant.revoke('bob', 'bob_phone')" -c "SELECT secant.revoke('clinic', 'bob')" >/dev/null
check "after revoking bob_phone and bob: six grants, no path to bob's phone" \
	eq "$(sql -c "SELECT count(*) FROM secant.grants")|$(psql -X -At -c "SELECT secant.reencrypt_for(body, 'bob_phone') FROM notes WHERE id = 1" 2>&1 | grep -c 'no active grant path')" "6|1"

# ---- 2. what is at rest ----
sql -c "CHECKPOINT" >/dev/null
mkdir -p "$A/pg_dump" "$A/pg_dumpall" "$A/basebackup_plain" "$A/basebackup_tar" "$A/wal_archive" "$A/server_log"
pg_dump -Fp -f "$A/pg_dump/plain.sql" "$DB" &&
	pg_dump -Fc -f "$A/pg_dump/custom.dump" "$DB" &&
	pg_dump -Fc -Z0 -f "$A/pg_dump/custom_uncompressed.dump" "$DB" &&
	pg_restore -f "$A/pg_dump/custom_restored.sql" "$A/pg_dump/custom.dump"
check "pg_dump plain and custom (compressed, uncompressed, restored to SQL)" [ $? -eq 0 ]
check "the dump holds the six sealed grants" eq "$(grep -o 'presealed_' "$A/pg_dump/plain.sql" | wc -l)" 6
pg_dumpall -f "$A/pg_dumpall/all.sql"
check "pg_dumpall" [ $? -eq 0 ]
cp -a "$DIR/data" "$A/datadir"
check "a copy of the data directory (after CHECKPOINT) with base/ and pg_wal/" \
	eq "$(find "$A/datadir/base" -mindepth 1 -maxdepth 1 | wc -l | sed 's/^[1-9][0-9]*$/yes/')|$(find "$A/datadir/pg_wal" -maxdepth 1 -regextype egrep -regex '.*/[0-9A-F]{24}' | wc -l | sed 's/^[1-9][0-9]*$/yes/')" "yes|yes"
check "the data directory holds sealed grants (magic SPSG)" grep -rqaF SPSG "$A/datadir/base"
pg_basebackup -D "$A/basebackup_plain" -Fp -X stream -c fast >"$WORK/bb.log" 2>&1 &&
	pg_basebackup -D "$A/basebackup_tar" -Ft -X stream -c fast >>"$WORK/bb.log" 2>&1
check "pg_basebackup, plain and tar" [ $? -eq 0 ] || cat "$WORK/bb.log"
sql -c "SELECT pg_switch_wal()" >/dev/null
for _ in $(seq 1 120); do
	[ -n "$(ls "$DIR/archive" 2>/dev/null)" ] && break
	sleep 0.5
done
cp -a "$DIR/archive/." "$A/wal_archive/"
check "the WAL archive holds segments" [ -n "$(ls "$A/wal_archive")" ]
cp "$LOG" "$A/server_log/server.log"
check "the server log holds the grant statements, redacted, and the mistakes' errors" \
	eq "$(grep -c "statement: INSERT INTO secant.grants (rekey) VALUES ('pregrant_\[redacted\]')" "$A/server_log/server.log" | sed 's/^[1-9][0-9]*$/yes/')|$(grep -c 'ERROR:  23503: ' "$A/server_log/server.log" | sed 's/^[1-9][0-9]*$/yes/')" "yes|yes"

# ---- controls: bare grants outside the database ----
"$CLI" grant "$(pk ada)" --secret-key "$(skf clinic)" >"$WORK/scratch/control_group_user.grant"
"$CLI" grant "$(pk ada_phone)" --secret-key "$(skf ada)" >"$WORK/scratch/control_user_device.grant"
"$CLI" reencrypt "@$WORK/scratch/control_group_user.grant" <"$WORK/plain/1.ct" |
	"$CLI" reencrypt "@$WORK/scratch/control_user_device.grant" >"$WORK/scratch/control.ct"
check "control: a level-3 ciphertext through the bare control grants decrypts on the phone" \
	cmp -s <("$CLI" decrypt --secret-key "$(skf ada_phone)" <"$WORK/scratch/control.ct" 2>/dev/null) "$WORK/plain/1"
cat "$DIR/server.key" >"$WORK/scratch/server.key"

# ---- 3, 4, 5: the search and the arithmetic ----
# py ARGS...: run test/t/at_rest.py; its "ok"/"not ok" lines are counted here
py() {
	local out rc line bad=0
	out=$("$PY" "$ROOT/test/t/at_rest.py" "$@" 2>&1)
	rc=$?
	while IFS= read -r line; do
		case "$line" in
			"ok - "*) ok "${line#ok - }" ;;
			"not ok - "*) not_ok "${line#not ok - }"; bad=1 ;;
			*) printf '%s\n' "$line" ;;
		esac
	done <<<"$out"
	# a crash is a failure too
	[ "$rc" -eq 0 ] || [ "$bad" -eq 1 ] || not_ok "test/t/at_rest.py $1 exited with status $rc"
}
py check "$WORK" "$DIR/server.key"

# ---- a developer's setting: the parse and plan trees in the log ----
# debug_print_parse / _rewritten / _plan print a statement's constants as
# their bytes (":constvalue 276 [ 16 4 0 0 83 80 71 82 ...]"), past the log
# hook's text forms; in such a session, rolled back, a grant inserted through
# rekey and one given to secant.add_grant as text
grant m_debug_print clinic ada
grant m_debug_print_text clinic carol
start=$(stat -c %s "$LOG")
PGOPTIONS="-c debug_print_parse=on -c debug_print_rewritten=on -c debug_print_plan=on" \
	sql -c "BEGIN" -c "INSERT INTO secant.grants (rekey) VALUES ('$(g m_debug_print)')" \
	-c "SELECT secant.add_grant('$(g m_debug_print_text)')" -c "ROLLBACK" >/dev/null
tail -c +"$((start + 1))" "$LOG" >"$WORK/debug_print.log"
check "debug_print_plan: the plan tree was logged" grep -q '{PLANNEDSTMT' "$WORK/debug_print.log"
check "debug_print_parse/_rewritten/_plan are settable by any role (context user)" \
	eq "$(sql -c "SELECT string_agg(context, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('debug_print_parse', 'debug_print_rewritten', 'debug_print_plan')")" "user user user"
# the log hook blanks every constant's bytes in printed node trees
check "debug_print_*: the constants' bytes are blanked in the logged trees" \
	grep -q ':constvalue [0-9]* \[ redacted' "$WORK/debug_print.log"
py scan "$WORK" "$WORK/debug_print.log" m_debug_print m_debug_print_text

tap_finish
