#!/usr/bin/env bash
# test/attacks/independent4_frozen_clock.sh - a grant's expiry cuts a
# device's login off even when it never ends its statement.
#
# secant.path and the paths kept across statements (src/pg/path_kept.c)
# judge expiry at statement_timestamp(), which PostgreSQL sets once per
# client message.  A DO block (or a procedure) that COMMITs inside runs many
# transactions in one statement: its statement timestamp stays where it
# started, so a grant that expired meanwhile still counts as unexpired in
# every later transaction of the block; the block holds no transaction
# open (a purge_expired would not even wait for long).  The device's login
# starts one DO block before its enrolment expires and re-encrypts after
# the expiry, each read in a transaction of its own, on records written
# after the expiry too.
#
# Safe outcome: the read in a transaction that started after not_after is
# refused, as a new statement's would be (expiry is judged at the later of
# the statement's and the transaction's start: a transaction that started
# before the expiry is served until it ends, as a statement is) (test/attacks/kept_paths.sh, "a kept path goes when a grant on
# it expires").
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk4_clock
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql postgres >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk4_tablet') THEN CREATE ROLE atk4_tablet LOGIN; END IF;
END $$;
SQL
su_sql $DB >/dev/null <<'SQL'
INSERT INTO fixture_keys SELECT 'atk4_tablet', 'device', pre_keygen();
SELECT secant.add_principal('atk4_tablet', 'device', pre_public_key(fixture_sk('atk4_tablet')));
SELECT secant.bind('atk4_tablet', 'atk4_tablet');
GRANT SELECT ON notes TO atk4_tablet;
SQL
# the enrolment dr_ada -> atk4_tablet, valid for 5 s from now
su_sql $DB -c "SELECT secant.add_grant(pre_grant(fixture_sk('dr_ada'), secant.principal_key('atk4_tablet'),
    pg_catalog.clock_timestamp() + interval '5 s'))" >/dev/null

# one statement, a transaction per read: a read now, then one after the
# expiry (7 s later); each prints its count or its error as a NOTICE
DO_READS="
DO \$\$
DECLARE n int;
BEGIN
    FOR i IN 1..2 LOOP
        -- a new transaction after the sleep (the transaction's start is after the expiry)
        IF i = 2 THEN PERFORM pg_catalog.pg_sleep(7); COMMIT; END IF;
        BEGIN
            SELECT count(secant.reencrypt_for(body, 'atk4_tablet')) INTO n FROM notes;
            RAISE NOTICE 'read %: %', i, n;
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'read %: refused: %', i, SQLERRM;
        END;
        COMMIT;
    END LOOP;
END \$\$;"
OUT=$(as atk4_tablet $DB -c "$DO_READS" 2>&1)

printf "%s\n" "$OUT" | sed "s/^/  # /" >&2
check "the enrolment served before its expiry (setup)" fails_text "$OUT" "read 1: 5"
check "after its expiry, a transaction of a statement that started before it gets nothing" fails_text "$OUT" "read 2: refused: .*no active grant path"
check "a new statement after the expiry is refused" fails atk4_tablet $DB \
	"SELECT count(secant.reencrypt_for(body, 'atk4_tablet')) FROM notes" "no active grant path"

# -- what holds: a revocation committed between two transactions of one
# statement (the kept path is dropped at the next read, the lookup finds no
# grant); the block sleeps in a transaction of its own, holding no lock,
# and the admin revokes while it sleeps
su_sql $DB -c "SELECT secant.add_grant(pre_grant(fixture_sk('dr_ada'), secant.principal_key('atk4_tablet')))" >/dev/null
(for _ in $(seq 300); do
	[ "$(su_sql $DB -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'atk4_tablet' AND wait_event = 'PgSleep'")" = 1 ] && break
	sleep 0.1
done; as atk_admin $DB -c "SELECT secant.revoke('dr_ada', 'atk4_tablet')" >/dev/null 2>&1) &
REVOKER=$!
OUT=$(as atk4_tablet $DB -c "$DO_READS" 2>&1)
wait $REVOKER
check "a revocation between two transactions of one statement: read 1 served (setup)" fails_text "$OUT" "read 1: 5"
check "a revocation between two transactions of one statement: read 2 refused" fails_text "$OUT" "read 2: refused: .*no active grant path"

atk_summary
