#!/usr/bin/env bash
# test/attacks/independent6_replica_source.sh - a change or delete of a
# shared source row that reaches a database through logical replication
# removes the copies made there of the old value.
#
# docs/ARCHITECTURE.md and docs/SECURITY.md ("Sharing"): "An update or
# delete of the source row removes its copies."  The source table's
# triggers that do it (secant_share_source, secant_share_source_delete,
# installed by secant.enable_sharing) are STATEMENT triggers over
# transition tables, enabled ORIGIN.  PostgreSQL's logical replication
# apply worker runs under session_replication_role = replica and fires row
# triggers only (PostgreSQL 15 manual, 31.9 "Triggers"): neither ENABLE
# ALWAYS nor ENABLE REPLICA would make it fire them.  The fix of
# test/attacks/independent5_replica_copies.sh made the revocation's row
# trigger fire there; the source side of sharing was left out.
#
# Setup (one throwaway cluster of this script's own, wal_level = logical):
# database A is the original; B a copy of it, adopted, that subscribes to
# A's secant.grants (lib.sh, replica_pair) and also to A's notes (the
# shared records; a regional replica where local users share).  On B,
# notes 1 and 2 are shared with ada_phone (copies made on B).  On A the
# owner of the records replaces note 1's body (a corrected or redacted
# record, a record re-encrypted after a leak) and deletes note 2 (an
# erasure); both changes arrive in B.
#
# Role that profits: the device's login on B (bound to ada_phone), or
# anyone bound to a recipient of a share made on B.  Impact: it goes on
# reading, on B, copies of a record's old value and of a deleted record,
# for as long as B exists; on A the same changes delete the copies
# (checked below: that holds).
#
# Safe outcome: after the changes reach B, the device's login on B reads
# no copy of note 1's old body and none of note 2.
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
PORT=${SECANT_PRE_ATK6_PORT:-55496}
pgc_logical secant_atk6_repl "$PORT"
. "$(dirname "$0")/lib.sh"

replica_pair atk6 atk6r_phone || { echo "0 passed, 1 failed"; exit 1; }

# B also subscribes to A's notes (the records it shares locally)
su_sql $A -c "CREATE PUBLICATION atk6_notes FOR TABLE notes" >/dev/null
su_sql $A -c "SELECT pg_create_logical_replication_slot('atk6_notes_slot', 'pgoutput')" >/dev/null
check "B subscribes to A's notes" su_sql $B -c "CREATE SUBSCRIPTION atk6_notes_sub
    CONNECTION 'host=$C port=$PORT dbname=$A user=postgres'
    PUBLICATION atk6_notes WITH (create_slot = false, slot_name = 'atk6_notes_slot', copy_data = false)"

# notes 1 and 2 shared with ada_phone, in each database
SHARE="INSERT INTO note_shares (note_id, recipient) VALUES (1, secant.principal_key('ada_phone')), (2, secant.principal_key('ada_phone'))"
su_sql $A -c "$SHARE" >/dev/null
su_sql $B -c "$SHARE" >/dev/null
COPIES="SELECT count(*) FROM secant.copies WHERE recipient = secant.principal_key('ada_phone') AND source_row IN ('1', '2')"
check "the device's login reads its two copies on A" equals 2 as atk6r_phone $A -c "$COPIES"
check "the device's login reads its two copies on B" equals 2 as atk6r_phone $B -c "$COPIES"

# on A: note 1's body replaced, note 2 deleted (its share row first: A's
# foreign key)
su_sql $A >/dev/null <<-'SQL'
	UPDATE notes SET body = pre_encrypt(secant.principal_key('clinic'), 'note 1, redacted') WHERE id = 1;
	DELETE FROM note_shares WHERE note_id = 2;
	DELETE FROM notes WHERE id = 2;
SQL
check "on A the copies of the changed and the deleted note are gone" equals 0 as atk6r_phone $A -c "$COPIES"

# wait (30 s at most) until both changes are applied in B
applied() {
	[ "$(su_sql $B -c "SELECT count(*) FROM notes WHERE id = 2")" = 0 ] &&
		[ "$(su_sql $B -c "SELECT pre_decrypt_text(body, fixture_sk('clinic')) FROM notes WHERE id = 1")" = "note 1, redacted" ]
}
wait_applied() {
	for _ in $(seq 300); do
		applied && return 0
		sleep 0.1
	done
	return 1
}
check "the change and the delete reached B" wait_applied
check "on B the device's login reads no copy of the old or the deleted note" \
	equals 0 as atk6r_phone $B -c "$COPIES"
# what it reads there: the old body of note 1
OLD=$(as atk6r_phone $B -c "SELECT count(*) FROM secant.copies WHERE recipient = secant.principal_key('ada_phone') AND source_row = '1'")
[ "$OLD" = 0 ] || echo "  (B still holds $OLD copy of note 1's replaced body for the device)" >&2

atk_summary
