# shellcheck shell=bash
# test/attacks/lib.sh - sourced by the attack scripts of test/attacks/.
#
# Each attack script (test/attacks/*.sh but this file and run.sh; make test
# runs each as a layer) tries one class of attack with the least-privileged
# role that could try it, asserts that it fails, and runs the legitimate
# flow beside it, asserting that it works.  Needs a running cluster
# (PGHOST, PGPORT, a superuser PGUSER) as `make test` provides.  Every
# script ends with "N passed, M failed".
#
# Roles (cluster-wide, made once): atk_plain (LOGIN, nothing else),
# atk_admin (LOGIN, member of secant_admin, admin of each attack database), atk_owner (LOGIN, owns the
# attack databases, not superuser).  Databases: one fresh database per
# scenario, made with fresh_db NAME and dropped at exit.

. "$(dirname "${BASH_SOURCE[0]}")/../prologue.sh"
ATK_DBS=""

# as ROLE DB [psql args]: psql as ROLE (quiet, unaligned, stop on error).
as() {
	local role=$1 db=$2
	shift 2
	psql -X -q -At -v ON_ERROR_STOP=1 -U "$role" -d "$db" "$@"
}

# su DB [psql args]: psql as the cluster's superuser.
su_sql() {
	local db=$1
	shift
	psql -X -q -At -v ON_ERROR_STOP=1 -U "${PGUSER:-postgres}" -d "$db" "$@"
}

# fails ROLE DB SQL PATTERN: SQL as ROLE must fail with an error matching
# PATTERN (grep -E).
fails() {
	local out
	out=$(as "$1" "$2" -c "$3" 2>&1) && { echo "  unexpectedly succeeded: $3" >&2; return 1; }
	# (a here-string, not a pipe: grep -q exiting early must not fail the
	# pipe's writer under pipefail)
	grep -Eq "$4" <<<"$out" || { echo "  wrong error: $out" >&2; return 1; }
}

# reads_nothing ROLE DB SQL: SQL as ROLE is refused (permission denied)
# or reads nothing (no row, or 0, or NULL).
reads_nothing() {
	local out
	if out=$(as "$1" "$2" -c "$3" 2>&1); then
		[ -z "$out" ] || [ "$out" = 0 ] || { echo "  read: $out" >&2; return 1; }
	else
		grep -q "permission denied" <<<"$out" || { echo "  wrong error: $out" >&2; return 1; }
	fi
}

# fails_text TEXT PATTERN: TEXT (an error already captured) matches PATTERN
fails_text() {
	grep -Eq "$2" <<<"$1" || { echo "  no match for '$2' in: $1" >&2; return 1; }
}

# equals EXPECTED COMMAND...: the command's output is EXPECTED.
equals() {
	local want=$1 got
	shift
	got=$("$@" 2>&1)
	[ "$got" = "$want" ] || { echo "  expected '$want', got '$got'" >&2; return 1; }
}

atk_roles() {
	su_sql postgres <<-'SQL' >/dev/null
		SET client_min_messages = warning;
		DO $$ BEGIN
		  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk_plain') THEN CREATE ROLE atk_plain LOGIN; END IF;
		  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk_owner') THEN CREATE ROLE atk_owner LOGIN; END IF;
		  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk_admin') THEN CREATE ROLE atk_admin LOGIN; END IF;
		END $$;
		ALTER ROLE atk_plain NOSUPERUSER;
		ALTER ROLE atk_owner NOSUPERUSER;
		ALTER ROLE atk_admin NOSUPERUSER;
	SQL
}

# fresh_db NAME: a new database owned by atk_owner with the extension
# installed by the superuser (in public) and the clinic fixture loaded.
fresh_db() {
	local db=$1
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	su_sql postgres -c "CREATE DATABASE $db OWNER atk_owner" >/dev/null || return 1
	ATK_DBS="$ATK_DBS $db"
	su_sql "$db" -f "$ROOT/test/fixtures/clinic.sql" >/dev/null || return 1
	su_sql "$db" -c "GRANT secant_admin TO atk_admin" >/dev/null 2>&1
	# admin is a capability of each database
	su_sql "$db" -c "SELECT secant.grant_capability('atk_admin', 'admin')" >/dev/null
}

atk_cleanup() {
	local d
	for d in $ATK_DBS; do
		psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1
	done
}

# is_super ROLE: true when ROLE has become a superuser.
is_super() {
	[ "$(su_sql postgres -c "SELECT rolsuper FROM pg_roles WHERE rolname = '$1'")" = t ]
}

# not_super ROLE: the opposite, and put it back if an attack succeeded.
not_super() {
	if is_super "$1"; then
		su_sql postgres -c "ALTER ROLE $1 NOSUPERUSER" >/dev/null
		return 1
	fi
}

# Crash detection: a backend crash is "terminated by signal" in the server
# log ($SECANT_PRE_SERVER_LOG, set by test/cluster.sh) or a lost connection.
crash_count() {
	if [ -n "${SECANT_PRE_SERVER_LOG:-}" ] && [ -r "$SECANT_PRE_SERVER_LOG" ]; then
		grep -c 'terminated by signal' "$SECANT_PRE_SERVER_LOG"
	else
		echo 0
	fi
}
wait_up() {
	local i
	for i in $(seq 300); do
		psql -X -q -d postgres -c "SELECT 1" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
}
# no_crash OUTPUT BEFORE: true unless the server crashed since BEFORE
no_crash() {
	if grep -q 'server closed the connection' <<<"$1" || [ "$(crash_count)" != "$2" ]; then
		DIAG="crash: $(printf '%s\n' "$1" | grep -E 'NOTICE|closed' | tail -n 3)"
		wait_up
		return 1
	fi
}

# crash_free COMMAND...: COMMAND succeeds and the server did not crash
crash_free() {
	local b out rc
	b=$(crash_count)
	out=$("$@" 2>&1)
	rc=$?
	no_crash "$out" "$b" || { echo "  $DIAG" >&2; return 1; }
	[ "$rc" -eq 0 ] || { printf '  %s\n' "$out" >&2; return 1; }
}

# A statement held at its second row while a removal commits (finality).
# wait_at_function DB: public.wait_at(i) for every role; row i = 2 waits
# for advisory lock 4242, which take_away_during's superuser session holds.
wait_at_function() {
	su_sql "$1" >/dev/null <<-'SQL'
		CREATE FUNCTION public.wait_at(i int) RETURNS int LANGUAGE plpgsql AS $$
		BEGIN
		    IF i = 2 THEN PERFORM pg_catalog.pg_advisory_lock(4242); PERFORM pg_catalog.pg_advisory_unlock(4242); END IF;
		    RETURN i;
		END $$;
		GRANT EXECUTE ON FUNCTION public.wait_at(int) TO PUBLIC;
	SQL
}

# take_away_during ROLE SQL_READ SQL_REVOKE: run SQL_READ as ROLE in $DB;
# while it waits at its second row, the superuser runs SQL_REVOKE and
# commits; the reader's output (and errors) in $T_OUT.
take_away_during() {
	local role=$1 read=$2 revoke=$3 fifo="$ATK_TMP/ctl"
	rm -f "$fifo"
	mkfifo "$fifo"
	su_sql "$DB" <"$fifo" >/dev/null 2>&1 &
	local ctl=$!
	exec 3>"$fifo"
	echo "BEGIN; SELECT pg_advisory_xact_lock(4242);" >&3
	for _ in $(seq 300); do
		[ "$(su_sql "$DB" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND granted")" = 1 ] && break
		sleep 0.1
	done
	as "$role" "$DB" -c "$read" >"$ATK_TMP/read.out" 2>&1 &
	local reader=$!
	for _ in $(seq 300); do
		[ "$(su_sql "$DB" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND NOT granted")" = 1 ] && break
		sleep 0.1
	done
	echo "$revoke; COMMIT;" >&3
	exec 3>&-
	wait "$ctl"
	wait "$reader"
	T_OUT=$(cat "$ATK_TMP/read.out")
}

# no_second_row: the reader obtained a re-encryption for row 1 only
no_second_row() {
	local n
	n=$(printf '%s\n' "$T_OUT" | grep -c '^3$')
	[ "$n" -le 1 ] || { DIAG="re-encryptions obtained: $n (output: $(printf '%s' "$T_OUT" | tr '\n' ' '))"; return 1; }
}

# replica_pair NAME ROLE: in the script's own cluster ($C, $PORT, started
# with wal_level = logical), database A (NAME_pub, the clinic fixture) and
# B (NAME_sub), a copy of A adopted by an admin that subscribes to A's
# secant.grants; ROLE, a login bound to ada_phone in both.  Sets A and B.
replica_pair() {
	A=$1_pub
	B=$1_sub
	fresh_db "$A" || return 1
	su_sql postgres >/dev/null <<-SQL
		SET client_min_messages = warning;
		DO \$\$ BEGIN
		  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$2') THEN CREATE ROLE $2 LOGIN; END IF;
		END \$\$;
	SQL
	su_sql "$A" -c "SELECT secant.bind('ada_phone', '$2')" >/dev/null
	su_sql postgres -c "CREATE DATABASE $B TEMPLATE $A OWNER atk_owner" >/dev/null
	ATK_DBS="$ATK_DBS $B"
	check "B, a copy of A, adopted by an admin" equals 4 as atk_admin "$B" -c "SELECT secant.adopt_database()"
	# A publishes its grants; B subscribes (the slot made on A first: both
	# databases are in one cluster)
	su_sql "$A" -c "CREATE PUBLICATION $1_grants FOR TABLE secant.grants" >/dev/null
	su_sql "$A" -c "SELECT pg_create_logical_replication_slot('$1_slot', 'pgoutput')" >/dev/null
	check "B subscribes to A's secant.grants" su_sql "$B" -c "CREATE SUBSCRIPTION $1_sub
    CONNECTION 'host=$C port=$PORT dbname=$A user=postgres'
    PUBLICATION $1_grants WITH (create_slot = false, slot_name = '$1_slot', copy_data = false)"
}

atk_summary() {
	tap_summary
}

ATK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/secant_attacks.XXXXXX")
chmod 700 "$ATK_TMP"
# a cluster of the script's own (pgc_logical): stopped too
atk_exit() {
	atk_cleanup
	if [ -n "${ATK_OWN_CLUSTER:-}" ]; then
		psql -X -q -d postgres -c "SELECT 1" >/dev/null 2>&1
		pgc_stop "$ATK_OWN_CLUSTER"
	fi
	rm -rf "$ATK_TMP"
}
trap atk_exit EXIT
trap 'exit 130' INT TERM
atk_roles
