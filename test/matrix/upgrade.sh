#!/usr/bin/env bash
# test/matrix/upgrade.sh [MAJOR] - the way docs/OPERATIONS.md gives from
# PostgreSQL 15 to MAJOR (default 17): pg_dump on 15, pg_restore into a new
# cluster of MAJOR (in its Debian root, test/matrix/root.sh) with the same
# server key file, the restored database closed until an admin runs
# secant.adopt_database(new_identity => false), then a grant made on 15
# re-encrypts a value stored on 15.  The 15 side is this machine's
# PostgreSQL with secant_pre installed (make install; make test did it).
# Needs root.  Ends with "N passed, M failed".
set -uo pipefail
MAJOR=${1:-17}
. "$(dirname "$0")/../prologue.sh"
. "$ROOT/test/matrix/root.sh"
suite=$(mx_suite "$MAJOR") || exit 2
W=$(mktemp -d /tmp/secant-pre-upgrade.XXXXXX)
C15=$(pgc_dir secant_pre_upgrade15) || exit 1
trap 'pgc_stop "$C15"; rm -rf "$W"' EXIT
mkdir -p "$W/upper/upgrade"

P15=${SECANT_PRE_PORT:-55432}
pgc_start "$C15" "$P15" || exit 1
pgc_psql "$C15" "$P15" -c "CREATE DATABASE upg" &&
	pgc_psql "$C15" "$P15" -d upg <<'SQL' &&
CREATE EXTENSION secant_pre;
CREATE TABLE k AS SELECT name, kind, pre_keygen() AS sk
FROM (VALUES ('clinic', 'group'), ('ada', 'user')) AS v(name, kind);
SELECT count(secant.add_principal(name, kind, pre_public_key(sk))) FROM k;
INSERT INTO secant.grants (rekey) SELECT pre_grant(f.sk, pre_public_key(t.sk))
FROM k f, k t WHERE f.name = 'clinic' AND t.name = 'ada';
CREATE TABLE notes (id int PRIMARY KEY, body pre_ciphertext NOT NULL);
INSERT INTO notes VALUES (1, pre_encrypt(secant.principal_key('clinic'), 'HbA1c 7.9 %', 'patient:4711'));
SQL
	$RUN_AS "$PGBIN/pg_dump" -h "$C15" -p "$P15" -U postgres -Fc -d upg >"$W/upper/upgrade/upg.dump"
report "PostgreSQL 15: a database with secant_pre, a grant and a value, dumped (pg_dump -Fc)" $?
cp "$C15/server.key" "$W/upper/upgrade/server.key"
mx_copy_tree "$ROOT" "$W/upper/src"
mx_say "PostgreSQL $MAJOR on Debian $suite: restore, adopt, read"
mx_run "$W" "$MX_CACHE/layer-pg$MAJOR:$MX_CACHE/base-$suite" "
	cd /src && make -s PG_CONFIG=/usr/lib/postgresql/$MAJOR/bin/pg_config >/dev/null 2>&1 &&
	make -s install PG_CONFIG=/usr/lib/postgresql/$MAJOR/bin/pg_config >/dev/null 2>&1 &&
	PG_CONFIG=/usr/lib/postgresql/$MAJOR/bin/pg_config bash test/matrix/upgrade_restore.sh /upgrade $P15" |
	tee "$W/out"
PASSED=$((PASSED + $(grep -c '^ok ' "$W/out")))
FAILED=$((FAILED + $(grep -c '^not ok ' "$W/out")))
grep -q '^ok ' "$W/out" || not_ok "PostgreSQL $MAJOR: the extension builds and the restore test runs"
tap_finish
