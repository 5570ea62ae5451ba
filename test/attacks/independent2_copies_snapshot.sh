#!/usr/bin/env bash
# test/attacks/independent2_copies_snapshot.sh - finality of the copies
# (secant.copies, read through its row-level security policy), found by
# the independent attacker: a read of secant.copies locks nothing, so a
# REPEATABLE READ snapshot, or a statement already running, taken before a
# revoke/unbind/revoke_capability committed still reads the copies that
# existed, and that it could read, when it was taken (PostgreSQL's MVCC,
# as for any table after REVOKE SELECT).  docs/SECURITY.md, "Copies are
# data at rest", states exactly that; what is checked here is what it
# promises: such a reader gets no copy beyond those of its snapshot, and
# the next snapshot (a new statement or transaction) reads nothing.
#
# No timing: the reader's transaction takes its snapshot, then waits on a
# FIFO until the admin's removal has committed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind2_copies
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
wait_at_function $DB

# reshare DEVICE: two copies for DEVICE (through its user's grant to it)
reshare() {
	su_sql $DB >/dev/null <<-SQL
		SET client_min_messages = warning;
		SELECT secant.delete_copies(NULL);
		DELETE FROM note_shares;
		INSERT INTO note_shares (note_id, recipient)
		VALUES (1, secant.principal_key('$1')), (2, secant.principal_key('$1'));
	SQL
}

# snapshot_then ROLE REMOVAL: ROLE opens a REPEATABLE READ transaction and
# takes its snapshot; the superuser commits REMOVAL; then ROLE reads its
# copies (their count, the output in $T_OUT).
snapshot_then() {
	local role=$1 removal=$2 fifo="$ATK_TMP/rr"
	rm -f "$fifo"
	mkfifo "$fifo"
	as "$role" $DB <"$fifo" >"$ATK_TMP/rr.out" 2>&1 &
	local reader=$!
	exec 3>"$fifo"
	echo "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 'snap', count(*) FROM secant.copies;" >&3
	for _ in $(seq 300); do
		grep -q '^snap' "$ATK_TMP/rr.out" 2>/dev/null && break
		sleep 0.1
	done
	su_sql $DB -c "$removal" >/dev/null
	echo "SELECT 'after', count(*) FROM secant.copies WHERE pre_level(copy) = 3; COMMIT;" >&3
	exec 3>&-
	wait "$reader"
	T_SNAP=$(grep '^snap' "$ATK_TMP/rr.out" | cut -d'|' -f2)
	T_OUT=$(grep '^after' "$ATK_TMP/rr.out" | cut -d'|' -f2)
	[ -n "$T_OUT" ] || T_OUT=0	# an error: nothing read
	T_NEW=$(as "$role" $DB -c "SELECT count(*) FROM secant.copies" 2>&1)
}
# the snapshot's reader got no copy beyond its snapshot's, the next none
nothing_after() {
	if [ "$T_OUT" -le "${T_SNAP:-0}" ] && [ "$T_NEW" = 0 ]; then
		return 0
	fi
	echo "  snapshot $T_SNAP, read after the removal $T_OUT, next transaction $T_NEW" >&2
	return 1
}

# -- a device's own login
su_sql $DB -c "SELECT secant.bind('ada_phone', 'atk_plain')" >/dev/null
reshare ada_phone
snapshot_then atk_plain "SELECT 1"
check "control: the device's login reads its 2 copies" eq "$T_OUT" 2
snapshot_then atk_plain "SELECT secant.unbind('ada_phone', 'atk_plain')"
check "device login, REPEATABLE READ: its snapshot's copies only, and none in the next transaction after its binding was removed" nothing_after

# -- a proxy
su_sql $DB -c "SELECT secant.grant_capability('atk_plain', 'proxy')" >/dev/null
snapshot_then atk_plain "SELECT secant.revoke_capability('atk_plain', 'proxy')"
check "proxy, REPEATABLE READ: its snapshot's copies only, and none in the next transaction after its capability was revoked" nothing_after

# -- a revoked device (its grant revoked: the revocation deletes its copies)
su_sql $DB -c "SELECT secant.bind('ada_phone', 'atk_plain')" >/dev/null
snapshot_then atk_plain "SELECT secant.revoke(secant.principal_key('dr_ada'), secant.principal_key('ada_phone'))"
check "device login, REPEATABLE READ: its snapshot's copies only, and none in the next transaction after its grant was revoked" nothing_after

# -- READ COMMITTED, one statement: it stops at its second row on an
#    advisory lock held by the admin's session, which revokes and commits
su_sql $DB -c "SELECT secant.bind('bob_phone', 'atk_plain')" >/dev/null
reshare bob_phone
fifo="$ATK_TMP/ctl"
mkfifo "$fifo"
su_sql $DB <"$fifo" >/dev/null 2>&1 &
ctl=$!
exec 3>"$fifo"
echo "BEGIN; SELECT pg_advisory_xact_lock(4242);" >&3
for _ in $(seq 300); do
	[ "$(su_sql $DB -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND granted")" = 1 ] && break
	sleep 0.1
done
as atk_plain $DB -c "SELECT pre_level(c.copy) FROM secant.copies c, LATERAL (SELECT wait_at(c.id::int - (SELECT min(id) FROM secant.copies)::int + 1)) w" >"$ATK_TMP/rc.out" 2>&1 &
reader=$!
for _ in $(seq 300); do
	[ "$(su_sql $DB -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND NOT granted")" = 1 ] && break
	sleep 0.1
done
echo "SELECT secant.revoke(secant.principal_key('dr_bob'), secant.principal_key('bob_phone')); COMMIT;" >&3
exec 3>&-
wait "$ctl"
wait "$reader"
check "device login, one statement: no more copies than its snapshot's (2)" \
	test "$(grep -c '^3$' "$ATK_TMP/rc.out")" -le 2
check "device login: the next statement reads no copy after its grant was revoked" \
	eq "$(as atk_plain $DB -c "SELECT count(*) FROM secant.copies" 2>&1)" 0

atk_summary
