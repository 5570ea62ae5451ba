#!/usr/bin/env bash
# test/attacks/independent5_update_expiry.sh - a grant whose expiry was
# moved into the past (an UPDATE of its not_after, which the removal lock
# treats as a removal: grants_lock_removed fires BEFORE DELETE OR UPDATE)
# serves no statement that starts after that change.
#
# A reader's lookup (src/pg/grant_path.c, path_lookup_body) finds the ids
# of a path with secant.path (active: unexpired), then locks the grants and
# reads them again under the lock with the latest snapshot: but it checks
# there only that each row still exists, not that it is still active.  A
# superuser sets the device's enrolment to have expired (not_after in 2000)
# and holds the change uncommitted: the device's login starts its read
# then, its secant.path sees the old row (no expiry), it waits at the
# grant's lock; the change commits; the read goes on and re-encrypts every
# note through a grant that, in the committed state it read under its
# lock, expired long before its statement started.  A fresh statement is
# refused (checked below): only the statement that waited is served.
#
# The hop chain check of a level-2 record (lock_chain) has the same gap:
# a record whose hop clinic -> dr_ada expires that way while the check
# waits at the hop's lock is re-encrypted after the change commits.
#
# Safe outcome: the read that waited is refused (no active grant path;
# the chain check: hop chain does not match the active grants),
# as it is when the grant is DELETEd instead (the row is gone under the
# lock: the lookup starts again; checked below as what holds).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk5_upd
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql postgres >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk5_phone') THEN CREATE ROLE atk5_phone LOGIN; END IF;
END $$;
SQL
su_sql $DB >/dev/null <<'SQL'
SELECT secant.bind('ada_phone', 'atk5_phone');
GRANT SELECT ON notes TO atk5_phone;
-- the notes once re-encrypted to dr_ada (level 2: their hop clinic ->
-- dr_ada is checked against the active grants, src/pg/grant_path.c
-- chain_verify and lock_chain)
CREATE TABLE notes2 AS SELECT n.id, pre_reencrypt(n.body, g.g) AS body
FROM notes n, fixture_grants g WHERE g.from_name = 'clinic' AND g.to_name = 'dr_ada';
GRANT SELECT ON notes2 TO atk5_phone;
SQL

READ="SELECT count(secant.reencrypt_for(body, 'ada_phone')) FROM notes"
ENROLMENT="to_key = secant.principal_key('ada_phone')"

# during CHANGE [READ]: the superuser runs CHANGE in an open transaction; the
# device's login starts READ (default $READ), which waits for a lock; then the change
# commits; the read's output (or error) in $T_OUT
during() {
	local fifo="$ATK_TMP/ctl" i
	rm -f "$fifo"
	mkfifo "$fifo"
	su_sql "$DB" <"$fifo" >/dev/null 2>&1 &
	local ctl=$!
	exec 3>"$fifo"
	echo "BEGIN; $1; SELECT pg_advisory_xact_lock(5151);" >&3
	for i in $(seq 300); do
		[ "$(su_sql "$DB" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 5151 AND granted")" = 1 ] && break
		sleep 0.1
	done
	as atk5_phone "$DB" -c "${2:-$READ}" >"$ATK_TMP/read.out" 2>&1 &
	local reader=$!
	for i in $(seq 300); do
		[ "$(su_sql "$DB" -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'atk5_phone' AND wait_event_type = 'Lock'")" = 1 ] && break
		sleep 0.1
	done
	echo "COMMIT;" >&3
	exec 3>&-
	wait "$ctl"
	wait "$reader"
	T_OUT=$(cat "$ATK_TMP/read.out")
}

refused() {
	grep -Eq 'ERROR: .*no active grant path' <<<"$1" || { echo "  served: $(printf '%s' "$1" | tr '\n' ' ')" >&2; return 1; }
}

# the legitimate flow: the device reads every note
check "the device's login reads the notes" equals 5 as atk5_phone $DB -c "$READ"

# -- the hole: the enrolment's expiry moved to 2000 while the read waits
during "UPDATE secant.grants SET not_after = '2000-01-01 00:00:00+00' WHERE $ENROLMENT"
check "a read that waited for an expiry change that committed is refused" refused "$T_OUT"
check "the next statement is refused" fails atk5_phone $DB "$READ" 'no active grant path'

# -- what holds: the same with a DELETE of the enrolment (a new one first)
su_sql $DB -c "DELETE FROM secant.grants WHERE $ENROLMENT" >/dev/null
su_sql $DB -c "SELECT secant.add_grant(pre_grant(fixture_sk('dr_ada'), secant.principal_key('ada_phone')))" >/dev/null
check "the device reads again with a new enrolment" equals 5 as atk5_phone $DB -c "$READ"
during "DELETE FROM secant.grants WHERE $ENROLMENT"
check "a read that waited for a DELETE that committed is refused" refused "$T_OUT"

# -- the same class through the hop chain check (lock_chain: it too checks
# only that the rows exist): the hop clinic -> dr_ada of a level-2 record
# expires (UPDATE) while the read waits at its lock
su_sql $DB -c "SELECT secant.add_grant(pre_grant(fixture_sk('dr_ada'), secant.principal_key('ada_phone')))" >/dev/null
# (one record: the row after the first takes in the change's invalidation
# and checks the chain again; the first is served)
READ2="SELECT count(secant.reencrypt_for(body, 'ada_phone')) FROM notes2 WHERE id = 1"
check "the device's login reads a level-2 note" equals 1 as atk5_phone $DB -c "$READ2"
during "UPDATE secant.grants SET not_after = '2000-01-01 00:00:00+00' WHERE from_key = secant.principal_key('clinic') AND to_key = secant.principal_key('dr_ada')" "$READ2"
chain_refused() {
	grep -Eq "ERROR: .*hop chain does not match" <<<"$1" || { echo "  served: $(printf '%s' "$1" | tr '\n' ' ')" >&2; return 1; }
}
check "a chain check that waited for an expiry change that committed refuses" chain_refused "$T_OUT"
check "the next statement's chain check refuses" fails atk5_phone $DB "$READ2" 'hop chain does not match'

atk_summary
