#!/usr/bin/env bash
# test/attacks/run.sh - the attacks written in SQL: each NAME.sql here is
# one attack that must fail against secant_pre.  (The attacks that need
# several roles or sessions are scripts, NAME.sh, sourcing lib.sh; each
# runs as a layer of its own in make test and prints its own checks.)
#
# Convention (add a file, nothing else to change):
#   NAME.sql  runs through psql -X -q -v ON_ERROR_STOP=1 in a fresh database
#             (attack_NAME, CREATE EXTENSION secant_pre done, dropped after)
#             on the cluster of PGHOST/PGPORT/PGUSER; it passes when psql
#             exits 0.  So an attack file asserts in SQL: a DO block that
#             RAISEs when the attack works (or catches the error it expects).
# The output of a failed attack is printed.  Ends with "N passed, M failed"
# and exits non-zero on any failure.  Needs psql on PATH and a superuser
# PGUSER (`make test` provides both; test/cluster.sh runs this as a layer).
set -uo pipefail

ATTACK_DIR=$(cd "$(dirname "$0")" && pwd)
export ATTACK_DIR
PASSED=0
FAILED=0

# fresh_db NAME: (re)create database NAME with the extension
fresh_db() {
	psql -X -q -d postgres -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<SQL &&
SET client_min_messages = warning;
DROP DATABASE IF EXISTS "$1";
CREATE DATABASE "$1";
SQL
		psql -X -q -d "$1" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION secant_pre" >/dev/null 2>&1
}

for f in "$ATTACK_DIR"/*.sql; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	db="attack_${name%.*}"
	if ! fresh_db "$db"; then
		echo "not ok - $name (could not create database $db)"
		FAILED=$((FAILED + 1))
		continue
	fi
	out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$f" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok - $name"
		PASSED=$((PASSED + 1))
	else
		echo "not ok - $name (exit $rc)"
		printf '%s\n' "$out" | sed 's/^/    /' | tail -n 30
		FAILED=$((FAILED + 1))
	fi
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1
done

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
