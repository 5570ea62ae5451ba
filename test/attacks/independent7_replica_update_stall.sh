#!/usr/bin/env bash
# test/attacks/independent7_replica_update_stall.sh - a replicated change
# of a share row never stops the subscriber's apply, so the removals that
# follow it in the same subscription still take effect there.
#
# docs/SECURITY.md ("Replication"): "What fires at the origin only is a
# check or a fill of a row, which arrives checked and filled"; a
# replicated insert into a share table makes no copy there.  But
# secant_share_change is ENABLE ALWAYS (so that a replicated unshare
# deletes its copy), and on an UPDATE that changes the reference or the
# recipient it also SHARES AGAIN on the subscriber: it reads the source
# row there (read_source) as the subscription's owner and makes a copy.
# When the subscriber has no such source row (its own retention purge, a
# regional erasure: the subscriber's data need not equal the origin's),
# read_source raises, the apply worker fails on that change and retries it
# forever: nothing after it in the subscription is applied, a revocation
# included.
#
# Setup (one throwaway cluster of this script's own, wal_level = logical):
# A the original; B a copy of it, adopted, subscribed to A's secant.grants
# (lib.sh, replica_pair); the same publication also carries notes and
# note_shares.  B erased note 5 locally.  On A: a share row for note 4 is
# made, then pointed at note 5 (UPDATE: a legitimate correction by a
# share-table writer; anyone with UPDATE on the share table can do it on
# purpose); then the admin revokes ada_phone's enrolment (dr_ada ->
# ada_phone): the phone was lost.
#
# Role: a writer of the share table on A (the trigger), and the lost
# device's login on B (the profit).  Impact: the revocation never reaches
# B; the device's login goes on obtaining re-encryptions for ada_phone on
# B, with no error anywhere but the subscriber's server log.
#
# Safe outcome: the revocation made on A after the share row's change
# reaches B, and the device's login on B then obtains nothing.
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
PORT=${SECANT_PRE_ATK7_STALL_PORT:-55773}
pgc_logical secant_atk7_stall "$PORT"
. "$(dirname "$0")/lib.sh"

replica_pair atk7u atk7u_phone || { echo "0 passed, 1 failed"; exit 1; }

# the same publication carries the notes and their shares
su_sql $A -c "ALTER PUBLICATION atk7u_grants ADD TABLE notes, note_shares" >/dev/null
check "B's subscription takes notes and note_shares too" \
	su_sql $B -c "ALTER SUBSCRIPTION atk7u_sub REFRESH PUBLICATION WITH (copy_data = false)"

PHONE=$(su_sql $A -c "SELECT secant.principal_key('ada_phone')")
READ="SELECT pre_level(secant.reencrypt_for(n.body, '$PHONE'::pre_public_key)) FROM notes n WHERE n.id = 1"
check "control: the device's login obtains on B" equals 3 as atk7u_phone $B -c "$READ"

# wait (30 s at most) until SQL on B returns WANT
wait_b() {
	for _ in $(seq 300); do
		[ "$(su_sql $B -c "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# B's own retention purge
su_sql $B -c "DELETE FROM notes WHERE id = 5" >/dev/null
# on A: a share of note 4, then pointed at note 5
su_sql $A -c "INSERT INTO note_shares (note_id, recipient) VALUES (4, '$PHONE')" >/dev/null
check "the share row reached B" wait_b "SELECT count(*) FROM note_shares WHERE note_id = 4" 1
su_sql $A -c "UPDATE note_shares SET note_id = 5 WHERE note_id = 4" >/dev/null
check "on A the changed share has its copy" equals 1 su_sql $A -c "SELECT count(*) FROM secant.copies WHERE source_row = '5'"
# on A: the lost phone's enrolment revoked
su_sql $A -c "SELECT secant.revoke('dr_ada', 'ada_phone')" >/dev/null
check "on A the device's login obtains nothing" fails atk7u_phone $A "$READ" "."
HOP=$(su_sql $A -c "SELECT encode(hop_key, 'hex') FROM secant.revoked_grants WHERE to_key = '$PHONE'")
check "the revocation reached B" wait_b "SELECT count(*) FROM secant.grants WHERE hop_key = decode('$HOP', 'hex')" 0
check "on B the device's login obtains nothing after the revocation" fails atk7u_phone $B "$READ" "."
# what the subscriber's log says (the apply worker's error, retried)
grep -m 2 -E 'ERROR' "$C/server.log" >&2 || true

atk_summary
