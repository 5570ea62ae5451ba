#!/usr/bin/env bash
# test/attacks/independent7_replica_truncate.sh - a TRUNCATE of a share
# table or of a source table that reaches a database through logical
# replication removes the copies made there.
#
# docs/SECURITY.md ("Replication"): "every effect of a change that is not
# itself replicated fires wherever the change is applied"; "a replicated
# unshare deletes its copy"; "a replicated change or delete of a source row
# deletes the copies made of it there".  A TRUNCATE is replicated too
# (a publication publishes insert, update, delete and truncate by default)
# and the apply worker fires TRUNCATE statement triggers that are ENABLE
# REPLICA or ENABLE ALWAYS (PostgreSQL 15, worker.c apply_handle_truncate
# -> ExecuteTruncateGuts).  But the sharing triggers on TRUNCATE
# (secant_share_truncate on the share table, secant_share_source_truncate
# on the source table, made by secant_internal.share_triggers and
# source_triggers) are left ENABLE (origin only), and the origin-only list
# of SECURITY.md names neither (surface_sweeps.sh section 5 looks at the
# extension's own tables only).
#
# Setup (one throwaway cluster of this script's own, wal_level = logical):
# database A is the original; B a copy of it, adopted, that subscribes to
# A's secant.grants (lib.sh, replica_pair) and to A's notes and note_shares
# (a regional replica where local users share).  On B, notes 1 and 2 are
# shared with ada_phone (copies made on B).
#   1. On A the owner of the records unshares everything at once
#      (TRUNCATE note_shares).  It reaches B: B's note_shares is empty.
#   2. Shared again on B; on A the records are erased (TRUNCATE note_shares,
#      notes: a retention purge, an erasure request).  It reaches B: B's
#      notes are gone.
#
# Role that profits: the device's login on B (bound to ada_phone), or
# anyone bound to a recipient of a share made on B.  Impact: after an
# unshare-all, or after the records themselves are erased, the recipient
# goes on reading on B the copies of the records, for as long as B exists
# (on A the same TRUNCATE deletes them: checked below, that holds).
#
# Safe outcome: once each TRUNCATE has reached B, the device's login on B
# reads no copy of notes 1 and 2.
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
PORT=${SECANT_PRE_ATK7_TRUNC_PORT:-55772}
pgc_logical secant_atk7_trunc "$PORT"
. "$(dirname "$0")/lib.sh"

replica_pair atk7t atk7t_phone || { echo "0 passed, 1 failed"; exit 1; }

# B also subscribes to A's notes and note_shares
su_sql $A -c "CREATE PUBLICATION atk7t_notes FOR TABLE notes, note_shares" >/dev/null
su_sql $A -c "SELECT pg_create_logical_replication_slot('atk7t_notes_slot', 'pgoutput')" >/dev/null
check "B subscribes to A's notes and note_shares" su_sql $B -c "CREATE SUBSCRIPTION atk7t_notes_sub
    CONNECTION 'host=$C port=$PORT dbname=$A user=postgres'
    PUBLICATION atk7t_notes WITH (create_slot = false, slot_name = 'atk7t_notes_slot', copy_data = false)"

# B's own share rows (ids of B's own: A's rows arrive with A's ids)
share_b() {
	su_sql $B -c "INSERT INTO note_shares (id, note_id, recipient) VALUES
	    ($1, 1, secant.principal_key('ada_phone')), ($2, 2, secant.principal_key('ada_phone'))" >/dev/null
}
COPIES="SELECT count(*) FROM secant.copies WHERE recipient = secant.principal_key('ada_phone') AND source_row IN ('1', '2')"
COPIES_A="SELECT count(*) FROM secant.copies WHERE recipient = secant.principal_key('ada_phone') AND source_row = '3'"

# wait (30 s at most) until SQL on B returns 0
wait_b_zero() {
	for _ in $(seq 300); do
		[ "$(su_sql $B -c "$1")" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# -- 1. unshare everything at once on A
# on A, note 3 shared with ada_phone (its share row reaches B, no copy there)
su_sql $A -c "INSERT INTO note_shares (note_id, recipient) VALUES (3, secant.principal_key('ada_phone'))" >/dev/null
share_b 101 102
check "the device's login reads its copy on A" equals 1 as atk7t_phone $A -c "$COPIES_A"
check "the device's login reads its two copies on B" equals 2 as atk7t_phone $B -c "$COPIES"
su_sql $A -c "TRUNCATE note_shares" >/dev/null
check "on A the TRUNCATE of the share table deleted the copies" equals 0 as atk7t_phone $A -c "$COPIES_A"
check "the TRUNCATE of note_shares reached B" wait_b_zero "SELECT count(*) FROM note_shares"
check "on B the device's login reads no copy after the unshare-all reached it" \
	equals 0 as atk7t_phone $B -c "$COPIES"

# -- 2. the records erased on A
su_sql $B -c "DELETE FROM secant.copies WHERE share_table = 'note_shares'::regclass" >/dev/null
share_b 103 104
check "shared again on B: the device reads its two copies there" equals 2 as atk7t_phone $B -c "$COPIES"
su_sql $A -c "TRUNCATE note_shares, notes" >/dev/null
check "the TRUNCATE of notes reached B" wait_b_zero "SELECT count(*) FROM notes"
check "on B the device's login reads no copy of the erased records" \
	equals 0 as atk7t_phone $B -c "$COPIES"

atk_summary
