#!/usr/bin/env bash
# test/attacks/independent2_rowlock_wait.sh - "Who can delay a revocation"
# (REFERENCE.md) names the roles bound on the path and the roles that
# INSERT into a registered share table, and "secant.revoke(from, to,
# wait => false) fails at once (SQLSTATE 55P03) naming the sessions";
# the threat model: a plain role never makes a revoke wait but as such a
# sharer.  A role that may only DELETE from a share table (unshare) or
# UPDATE/DELETE the source table (the application's writer) has the
# sharing triggers delete copies as the extension's owner in ITS
# transaction: the copies' rows stay locked until it ends, and the
# revoke's own deletion of those copies (FOR UPDATE, no NOWAIT) waits for
# it - with wait => false as well, unnamed, for as long as that
# transaction stays open.  Each check asserts the safe outcome: the
# revoke with wait => false does not wait (it succeeds or fails at once).
# No timing: the check looks for the revoke's backend waiting on a lock.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind2_rowlock
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql $DB >/dev/null <<'SQL'
GRANT DELETE ON note_shares TO atk_plain;
GRANT UPDATE, DELETE ON notes TO atk_plain;
ALTER TABLE note_shares DROP CONSTRAINT note_shares_note_id_fkey;
INSERT INTO note_shares (note_id, recipient) VALUES (1, secant.principal_key('ada_phone')),
                                                    (2, secant.principal_key('bob_phone'));
SQL

# hold_then_revoke HOLD REVOKE: atk_plain runs HOLD in an open transaction;
# the admin runs REVOKE (wait => false) meanwhile; "waited" when the
# revoke's backend is seen waiting on a lock, "returned" when it ends first
hold_then_revoke() {
	local fifo="$ATK_TMP/hold" out="$ATK_TMP/hold.out"
	rm -f "$fifo" "$out"
	mkfifo "$fifo"
	as atk_plain $DB <"$fifo" >"$out" 2>&1 &
	local holder=$!
	exec 3>"$fifo"
	printf 'BEGIN;\n%s;\nSELECT '"'"'held'"'"';\n' "$1" >&3
	for _ in $(seq 300); do
		grep -q '^held' "$out" 2>/dev/null && break
		sleep 0.1
	done
	as atk_admin $DB -c "SET application_name = 'atk2_revoke'" -c "$2" >"$ATK_TMP/revoke.out" 2>&1 &
	local revoker=$!
	T_OUT=returned
	for _ in $(seq 300); do
		if ! kill -0 "$revoker" 2>/dev/null; then break; fi
		if [ "$(su_sql $DB -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'atk2_revoke' AND wait_event_type = 'Lock'")" = 1 ]; then
			T_OUT=waited
			break
		fi
		sleep 0.1
	done
	echo "ROLLBACK;" >&3
	exec 3>&-
	wait "$holder"
	wait "$revoker"
}

hold_then_revoke "SELECT 1" \
	"SELECT secant.revoke(secant.principal_key('clinic'), secant.principal_key('ada_phone'), wait => false)"
check "control: a revoke that touches no held row returns" eq "$T_OUT" returned

hold_then_revoke "DELETE FROM note_shares WHERE note_id = 1" \
	"SELECT secant.revoke(secant.principal_key('dr_ada'), secant.principal_key('ada_phone'), wait => false)"
check "unsharing (DELETE of a share row) in an open transaction: revoke(wait => false) does not wait" eq "$T_OUT" returned

hold_then_revoke "DELETE FROM notes WHERE id = 2" \
	"SELECT secant.revoke(secant.principal_key('dr_bob'), secant.principal_key('bob_phone'), wait => false)"
check "deleting a source row in an open transaction: revoke(wait => false) does not wait" eq "$T_OUT" returned

atk_summary
