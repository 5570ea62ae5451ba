#!/usr/bin/env bash
# test/attacks/independent_stall.sh - a plain login (bound to nothing, no
# secant privilege; only what an application gives PUBLIC: SELECT on the
# notes, INSERT on the share table) must not be able to delay a revocation
# (threat model: "a way to block or delay revocation"; SECURITY.md: "make
# a revoke fail or wait (... open transactions ...)").  Sharing is allowed
# to it, and a share locks the grant rows of its path FOR KEY SHARE until
# its transaction ends: an open transaction that shared once holds the
# revocation of a lost phone for as long as it stays open.  Each check
# asserts the safe outcome; no timing (wait => false fails at once).
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
check "plain login (bound to nothing): an open transaction that shared once does not hold the revocation of bob's phone" \
	as atk_admin $DB -o /dev/null -c "SELECT secant.revoke('dr_bob', 'bob_phone', wait => false)"
release

atk_summary
