#!/usr/bin/env bash
# test/attacks/independent5_replica_copies.sh - a revocation that reaches a
# database through logical replication deletes the copies made there
# through the revoked grant (or makes them unreadable).
#
# A revocation is final for sharing too (docs/SECURITY.md, "Finality": no
# session gets anything on the strength of a removed grant, "nor a copy made
# after it"; a removed grant's copies are deleted by the row trigger
# grants_removed, secant_internal.grant_removed).  The fix of
# test/attacks/independent4_replica_apply.sh made the removal locks and the
# invalidation fire in a logical replication apply (ENABLE ALWAYS /
# ENABLE REPLICA), but grants_removed is an ordinary (ORIGIN) row trigger:
# PostgreSQL's apply worker runs under session_replication_role = replica
# and skips it.  So on a subscriber the grant goes but the copies made
# there through it stay, and the copies' row-level security policy hides
# only copies through an expired grant, not through a deleted one: the
# revoked device's login goes on reading them.  (Nor is the revoked hop
# key remembered there, secant.revoked_grants.)
#
# Setup as in independent4_replica_apply.sh (one throwaway cluster of this
# script's own, wal_level = logical): database A is the original; B a copy
# of it, adopted, that subscribes to A's secant.grants.  On B, notes are
# shared with ada_phone (copies made on B through dr_ada -> ada_phone); an
# admin revokes ada_phone's enrolment on A; the DELETE arrives in B.
#
# Safe outcome: on B the device's login reads no copy made through the
# revoked grant (as on A, checked below: there the copies are deleted).
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
PORT=${SECANT_PRE_ATK5_PORT:-55498}
pgc_logical secant_atk5_repl "$PORT"
. "$(dirname "$0")/lib.sh"

replica_pair atk5 atk5r_phone || { echo "0 passed, 1 failed"; exit 1; }

# notes 1 and 2 shared with ada_phone, in each database
SHARE="INSERT INTO note_shares (note_id, recipient) VALUES (1, secant.principal_key('ada_phone')), (2, secant.principal_key('ada_phone'))"
su_sql $A -c "$SHARE" >/dev/null
su_sql $B -c "$SHARE" >/dev/null
COPIES="SELECT count(*) FROM secant.copies WHERE recipient = secant.principal_key('ada_phone')"
check "the device's login reads its two copies on A" equals 2 as atk5r_phone $A -c "$COPIES"
check "the device's login reads its two copies on B" equals 2 as atk5r_phone $B -c "$COPIES"

# the admin revokes the enrolment on A; wait for the DELETE on B (30 s)
su_sql $A -c "SELECT secant.revoke('dr_ada', 'ada_phone')" >/dev/null
phone_grants() {
	su_sql "$1" -c "SELECT count(*) FROM secant.grants WHERE to_key = secant.principal_key('ada_phone')"
}
wait_replicated() {
	for _ in $(seq 300); do
		[ "$(phone_grants $B)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
check "the revocation reached B (the grant row is gone there)" wait_replicated
check "a re-encryption on B is refused" fails atk5r_phone $B \
	"SELECT count(secant.reencrypt_for(body, 'ada_phone')) FROM notes" "no active grant path"
check "on A the revoked device's login reads no copy" equals 0 as atk5r_phone $A -c "$COPIES"
check "on B the revoked device's login reads no copy" equals 0 as atk5r_phone $B -c "$COPIES"

atk_summary
