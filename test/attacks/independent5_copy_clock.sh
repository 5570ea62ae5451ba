#!/usr/bin/env bash
# test/attacks/independent5_copy_clock.sh - a copy made through a grant
# that has expired is unreadable in a transaction that started after the
# expiry, even when its statement started before it.
#
# The fix of test/attacks/independent4_frozen_clock.sh judges expiry at the
# later of the statement's and the transaction's start in secant.path, the
# hop chain check, the threshold functions and the kept paths.  But the
# row-level security policy of secant.copies (copies_for_bound_roles:
# "a copy made through a grant that has expired is unreadable") still
# compares not_after with statement_timestamp() alone.  A DO block (or a
# procedure) that COMMITs inside keeps statement_timestamp() where the
# block started: a device's login starts one before its enrolment expires
# and, in a transaction that starts after the expiry, still reads the
# copies made for it through that enrolment (until someone runs
# secant.purge_expired).
#
# Safe outcome: the read in the transaction that started after not_after
# reads no copy, as a new statement does (checked below: that holds).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk5_copyclock
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql postgres >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk5_tablet') THEN CREATE ROLE atk5_tablet LOGIN; END IF;
END $$;
SQL
su_sql $DB >/dev/null <<'SQL'
INSERT INTO fixture_keys SELECT 'atk5_tablet', 'device', pre_keygen();
SELECT secant.add_principal('atk5_tablet', 'device', pre_public_key(fixture_sk('atk5_tablet')));
SELECT secant.bind('atk5_tablet', 'atk5_tablet');
SQL
# the enrolment dr_ada -> atk5_tablet, valid for 5 s from now, and the
# copies of two notes made for the tablet through it
su_sql $DB -c "SELECT secant.add_grant(pre_grant(fixture_sk('dr_ada'), secant.principal_key('atk5_tablet'),
    pg_catalog.clock_timestamp() + interval '5 s'))" >/dev/null
su_sql $DB -c "INSERT INTO note_shares (note_id, recipient) VALUES (1, secant.principal_key('atk5_tablet')), (2, secant.principal_key('atk5_tablet'))" >/dev/null
COPIES="SELECT count(*) FROM secant.copies WHERE recipient = secant.principal_key('atk5_tablet')"
check "the tablet's login reads its two copies" equals 2 as atk5_tablet $DB -c "$COPIES"

# one statement, a transaction per read: a read now, then one after the
# expiry (7 s later), each in a transaction of its own
DO_READS="
DO \$\$
DECLARE n int;
BEGIN
    FOR i IN 1..2 LOOP
        IF i = 2 THEN PERFORM pg_catalog.pg_sleep(7); COMMIT; END IF;
        $COPIES INTO n;
        RAISE NOTICE 'read %: %', i, n;
        COMMIT;
    END LOOP;
END \$\$;"
OUT=$(as atk5_tablet $DB -c "$DO_READS" 2>&1)
check "before the expiry the tablet reads its copies" fails_text "$OUT" 'read 1: 2'
check "a transaction that started after the expiry reads no copy" fails_text "$OUT" 'read 2: 0'
check "a statement after the expiry reads no copy" equals 0 as atk5_tablet $DB -c "$COPIES"
check "the copies are still there (not purged)" equals 2 su_sql $DB -c "$COPIES"

atk_summary
