#!/usr/bin/env bash
# test/t/server_key_check.sh - a bad secant_pre.server_key_file (or
# previous_server_key_file) is reported at start and on every reload: one
# WARNING in the server log naming the setting, the file and the problem,
# never the key; a good file, nothing.  Starts its own throwaway cluster
# (secant_pre preloaded).  Ends with "N passed, M failed".
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
PORT=${SECANT_PRE_KEYCHECK_PORT:-$((${PGPORT:-55432} + 7))}

DIR=$(pgc_dir secant_pre_keycheck) || exit 1
trap 'pgc_stop "$DIR"' EXIT
trap 'exit 130' INT TERM
LOG="$DIR/server.log"
KEY="$DIR/k.key"
pgc_server_key "$KEY" || exit 1
chmod 644 "$KEY"
SECRET=$(cat "$KEY")
pgc_start "$DIR" "$PORT" "secant_pre.server_key_file = '$KEY'" || { not_ok "cluster starts"; tap_finish; }
q() { pgc_psql "$DIR" "$PORT" -At "$@"; }
q -c "CREATE EXTENSION secant_pre" || { not_ok "the extension installs"; tap_finish; }

# warnings WHAT: the log's WARNING lines about WHAT, after line $FROM
warnings() { tail -n +"$((FROM + 1))" "$LOG" | grep "WARNING: .*$1" ; }
# reload: the postmaster re-reads the configuration; waits until a new
# session sees the new load time (the postmaster has then checked the files)
reload() {
	local before
	FROM=$(wc -l <"$LOG")
	before=$(q -c "SELECT pg_conf_load_time()")
	q -c "SELECT pg_reload_conf()" >/dev/null
	for _ in $(seq 600); do
		[ "$(q -c "SELECT pg_conf_load_time()")" != "$before" ] && return 0
		sleep 0.1
	done
	return 1
}

FROM=0
check "at start: a key file readable by others is reported, naming the setting, file and problem" \
	grep -q "WARNING: .*secant_pre.server_key_file: the key file \"$KEY\" is accessible by group or others (chmod 600)" "$LOG"

chmod 600 "$KEY"
reload
check "reload with the file fixed: no warning" test -z "$(warnings server_key_file)"
check "... and the key works" test "$(q -c "SELECT secant.server_public_key() LIKE 'presealkey_%'" 2>&1)" = t

echo "not a key" >"$KEY"
reload
check "reload with a file that holds no key: reported" \
	test -n "$(warnings "secant_pre.server_key_file: the key file \"$KEY\" does not hold a key (64 hexadecimal characters)")"

q -c "ALTER SYSTEM SET secant_pre.previous_server_key_file = '$DIR/missing.key'" >/dev/null
reload
check "reload with a previous key file that is missing: reported" \
	test -n "$(warnings "secant_pre.previous_server_key_file: the key file \"$DIR/missing.key\" cannot be read")"
check "... and the server key file still is" test -n "$(warnings "secant_pre.server_key_file: .*does not hold a key")"

check "the log never holds the key or the file's contents" \
	test "$(grep -c -e "$SECRET" -e "not a key" "$LOG")" = 0
tap_finish
