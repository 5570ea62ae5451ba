#!/usr/bin/env bash
# test/attacks/kept_paths.sh - a path a backend keeps across statements
# (src/pg/path_kept.c) never serves a read that a fresh lookup would
# refuse.  A device's login reads the clinic's notes twice in one session
# (the path is kept and used again); then, between two of its statements,
# another session takes something away and commits; the device's next
# statement in the same session must be refused:
#   - the grant on its path expires (not_after passes: nobody commits);
#   - an admin unbinds its login (the right is checked every statement);
#   - a superuser rotates its user's key (a key retired, grants dropped);
#   - a superuser deletes the grant with a plain DELETE.
# Each scenario is one psql session of the device's login; the other
# session's SQL runs through psql's \! between its statements.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_kept
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql postgres >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk_kept_phone') THEN CREATE ROLE atk_kept_phone LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk_kept_tablet') THEN CREATE ROLE atk_kept_tablet LOGIN; END IF;
END $$;
SQL
su_sql $DB >/dev/null <<'SQL'
INSERT INTO fixture_keys SELECT n, k, pre_keygen()
FROM (VALUES ('ada_tablet', 'device'), ('dr_ada_v2', 'user')) AS v(n, k);
SELECT secant.add_principal('ada_tablet', 'device', pre_public_key(fixture_sk('ada_tablet')));
SELECT secant.bind('ada_phone', 'atk_kept_phone');
SELECT secant.bind('ada_tablet', 'atk_kept_tablet');
SQL

# READ TARGET: the statement a device's login runs (every note of the clinic)
read_sql() {
	echo "SELECT count(secant.reencrypt_for(body, '$1')) AS reads FROM notes;"
}

# session ROLE TARGET BETWEEN: ROLE reads twice, BETWEEN runs (a psql
# meta-command line, e.g. \! ... or SELECT pg_sleep(n)), ROLE reads again;
# prints each read's count or error, one per line
session() {
	{
		read_sql "$2"
		read_sql "$2"
		printf '%s\n' "$3"
		read_sql "$2"
	} | psql -X -q -At -U "$1" -d $DB 2>&1 | grep -Ev '^$|^ *$' | sed 's/^psql:<stdin>:[0-9]*: //'
}

# refused_third OUTPUT: two reads of 5 notes, then a refusal
refused_third() {
	local want
	want=$(printf '5\n5\n')
	[ "$(printf '%s\n' "$1" | head -n 2)" = "$want" ] || { echo "  first reads: $1" >&2; return 1; }
	sed -n '3,$p' <<<"$1" | grep -E '^ERROR: .*(no active grant path|not bound|may not obtain)' >/dev/null ||
		{ echo "  third read not refused: $(printf '%s' "$1" | tr '\n' ' ')" >&2; return 1; }
}

# -- expiry: a grant dr_ada -> ada_tablet that expires 6 s after it is made
su_sql $DB -c "SELECT secant.add_grant(pre_grant(fixture_sk('dr_ada'), secant.principal_key('ada_tablet'),
    pg_catalog.clock_timestamp() + interval '6 s'))" >/dev/null
OUT=$(session atk_kept_tablet ada_tablet "SELECT pg_sleep(7);")
check "a kept path goes when a grant on it expires" refused_third "$OUT"

# -- unbind: the right is checked in every statement, never kept
OUT=$(session atk_kept_phone ada_phone "\\! psql -X -q -U atk_admin -d $DB -c \"SELECT secant.unbind('ada_phone', 'atk_kept_phone')\" >/dev/null")
check "a kept path does not keep the login's binding" refused_third "$OUT"
su_sql $DB -c "SELECT secant.bind('ada_phone', 'atk_kept_phone')" >/dev/null

# -- a plain DELETE of the grant by a superuser, committed by another session
OUT=$(session atk_kept_phone ada_phone "\\! psql -X -q -U ${PGUSER:-postgres} -d $DB -c \"DELETE FROM secant.grants WHERE to_key = secant.principal_key('ada_phone')\" >/dev/null")
check "a kept path goes when another session deletes a grant on it" refused_third "$OUT"
# (a new grant: the deleted one's hop key is remembered as revoked)
su_sql $DB -c "SELECT secant.add_grant(pre_grant(fixture_sk('dr_ada'), secant.principal_key('ada_phone')))" >/dev/null

# -- rotation of the user's key: the old key retired, its grants dropped
OUT=$(session atk_kept_phone ada_phone "\\! psql -X -q -U ${PGUSER:-postgres} -d $DB -c \"SELECT count(*) FROM secant.rotate_user('dr_ada', pre_public_key(fixture_sk('dr_ada_v2')), ARRAY[]::pre_sealed_grant[])\" >/dev/null")
check "a kept path goes when its user's key is rotated" refused_third "$OUT"

# -- the legitimate flow: a device with an unchanged path reads on
OUT=$(su_sql $DB -c "SELECT secant.bind('bob_phone', 'atk_kept_tablet')" >/dev/null;
	session atk_kept_tablet bob_phone "SELECT 1 AS nothing_changed;" | grep -v '^1$')
check "an unchanged kept path serves every statement" equals "$(printf '5\n5\n5')" printf '%s' "$OUT"

atk_summary
