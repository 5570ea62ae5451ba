#!/usr/bin/env bash
# test/attacks/independent_stall.sh - who can delay a revocation by an open
# transaction.  A plain login that only reads cannot.  A login the share
# table's owner let INSERT into a registered share table (here: PUBLIC,
# what an application may give) is a sharer: its share locks the path it
# used until its transaction ends, so that a revocation cannot commit
# between the copy and the sharer's commit and leave the copy behind (the
# revocation's deletion of copies would not see it).  That delay is the
# documented price (docs/SECURITY.md, docs/REFERENCE.md "Who can delay a
# revocation"): it must be visible and endable by an admin — revoke(...,
# wait => false) names the session, the admin ends it, the revocation then
# goes through and no copy of the revoked path is left.  No timing.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind_stall
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }

# hold ROLE SQL: run SQL as ROLE in an open transaction kept open until
# release is called
hold() {
	local fifo="$ATK_TMP/hold" i
	rm -f "$fifo"
	mkfifo "$fifo"
	as "$1" $DB <"$fifo" >"$ATK_TMP/hold.out" 2>&1 &
	HOLDER=$!
	exec 4>"$fifo"
	echo "BEGIN; $2; SELECT pg_catalog.pg_advisory_lock(77);" >&4
	for i in $(seq 300); do
		[ "$(su_sql $DB -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 77 AND granted")" = 1 ] && break
		sleep 0.1
	done
}
release() {
	echo "COMMIT;" >&4
	exec 4>&-
	wait "$HOLDER"
}

# control: the plain login's open transaction that only reads keeps no revoke waiting
hold atk_plain "SELECT count(*) FROM notes"
check "control: an open reading transaction does not hold a revoke" \
	as atk_admin $DB -o /dev/null -c "SELECT secant.revoke('dr_ada', 'ada_phone', wait => false)"
release
su_sql $DB -c "SELECT secant.add_grant(pre_grant(fixture_sk('dr_ada'), secant.principal_key('ada_phone')))" >/dev/null

# the plain login shares note 3 with bob's phone (allowed: it may read the
# note and the phone has an active path) and keeps its transaction open
hold atk_plain "INSERT INTO note_shares (note_id, recipient) VALUES (3, secant.principal_key('bob_phone'))"
check "control: the plain login's share was accepted (no error in its open transaction)" \
	eq "$(grep -c ERROR "$ATK_TMP/hold.out")" 0
out=$(as atk_admin $DB -o /dev/null -c "SELECT secant.revoke('dr_bob', 'bob_phone', wait => false)" 2>&1)
pid=$(su_sql $DB -c "SELECT pid FROM pg_stat_activity WHERE usename = 'atk_plain' AND datname = '$DB'")
names_sharer() { grep -q 'in use' <<<"$out" && grep -q "$pid" <<<"$out" && grep -q atk_plain <<<"$out"; }
check "sharer: revoke(wait => false) fails at once naming the sharing session (pid and role)" names_sharer
ended_then_revoked() {
	[ "$(su_sql $DB -c "SELECT pg_terminate_backend($pid)")" = t ] &&
		[ "$(as atk_admin $DB -c "SELECT secant.revoke('dr_bob', 'bob_phone') >= 0")" = t ]
}
check "sharer: an admin ends the session (pg_terminate_backend), then the revocation goes through" ended_then_revoked
exec 4>&-
wait "$HOLDER" 2>/dev/null
check "sharer: no copy for bob's phone is left after the revocation" \
	eq "$(su_sql $DB -c "SELECT count(*) FROM secant.copies WHERE recipient = secant.principal_key('bob_phone')")" 0

atk_summary
