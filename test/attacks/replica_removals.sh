#!/usr/bin/env bash
# test/attacks/replica_removals.sh - a removal that reaches a database
# through logical replication has there every effect it has at its origin.
#
# A logical replication apply runs under session_replication_role =
# replica: triggers left ENABLE (origin) do not fire for what it applies.
# docs/SECURITY.md ("Replication") sorts every trigger of the extension's
# tables: those whose effect is not itself replicated (locks, invalidations,
# privileges, the revocation's deletions, the audit) fire there too, checks
# and fills of the origin do not; surface_sweeps.sh checks the catalog
# against that list.  This script is the attack that found a trigger on
# the wrong side: an admin capability revoked at the origin left its role
# SELECT on secant.grants and secant.database_identity on the subscriber
# (the capability's privileges, given and taken by the trigger
# capabilities_privileges, which the apply did not fire).
#
# Setup (a throwaway cluster of this script's own, wal_level = logical):
# database A, and B, a copy of it adopted by an admin, subscribing to A's
# secant.grants, secant.bindings, secant.capabilities and its share table.
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
PORT=${SECANT_PRE_REPLICA_REMOVALS_PORT:-55499}
pgc_logical secant_replica_removals "$PORT"
. "$(dirname "$0")/lib.sh"

# a second login, made admin of A and of B (as if B were copied after it)
# before the capabilities are published
su_sql postgres >/dev/null <<-SQL
	SET client_min_messages = warning;
	DO \$\$ BEGIN
	  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rr_admin') THEN CREATE ROLE rr_admin LOGIN; END IF;
	END \$\$;
SQL
replica_pair rr rr_phone || { echo "0 passed, 1 failed"; exit 1; }
as atk_admin "$A" -c "SELECT secant.grant_capability('rr_admin', 'admin')" >/dev/null 2>&1
as atk_admin "$B" -c "SELECT secant.grant_capability('rr_admin', 'admin')" >/dev/null 2>&1
# note 3 shared with ada_phone in A and in B alike (the same row: both
# databases draw the same id), each making its own copy, before the share
# table is published
SHARE_SQL="INSERT INTO note_shares (note_id, recipient) VALUES (3, secant.principal_key('ada_phone')) RETURNING id"
SHARE_A=$(su_sql "$A" -c "$SHARE_SQL")
SHARE_B=$(su_sql "$B" -c "$SHARE_SQL")
su_sql "$A" -c "ALTER PUBLICATION rr_grants ADD TABLE secant.bindings, secant.capabilities, note_shares" >/dev/null
su_sql "$B" -c "ALTER SUBSCRIPTION rr_sub REFRESH PUBLICATION WITH (copy_data = false)" >/dev/null

# privileges ROLE DB: the role's SELECT on the sealed grants and the identity
privileges() {
	su_sql "$2" -c "SELECT has_table_privilege('$1', 'secant.grants', 'SELECT')::text
	    || ' ' || has_table_privilege('$1', 'secant.database_identity', 'SELECT')::text"
}
# replicated DB SQL: wait until SQL gives 0 in DB (at most 30 s)
replicated() {
	for _ in $(seq 300); do
		[ "$(su_sql "$1" -c "$2")" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

check "the second admin reads the sealed grants and the identity on B" equals "true true" privileges rr_admin "$B"

as atk_admin "$A" -c "SELECT secant.revoke_capability('rr_admin', 'admin')" >/dev/null
check "the revocation of the capability reached B" replicated "$B" \
	"SELECT count(*) FROM secant.capabilities WHERE role = 'rr_admin'::regrole"
check "on A the revoked admin no longer reads them" equals "false false" privileges rr_admin "$A"
check "on B neither (the capability's privileges go with it)" equals "false false" privileges rr_admin "$B"

# an unbinding applied on B: the device's login is refused there
check "the device's login reads on B" equals 5 as rr_phone "$B" \
	-c "SELECT count(secant.reencrypt_for(body, 'ada_phone')) FROM notes"
as atk_admin "$A" -c "SELECT secant.unbind('ada_phone', 'rr_phone')" >/dev/null
check "the unbinding reached B" replicated "$B" \
	"SELECT count(*) FROM secant.bindings WHERE role = 'rr_phone'::regrole"
check "on B the unbound login gets nothing" fails rr_phone "$B" \
	"SELECT count(secant.reencrypt_for(body, 'ada_phone')) FROM notes" "not bound|may not obtain|no active grant path"

# an unshare applied on B deletes B's copy (the share table's row trigger
# fires under the apply: ENABLE ALWAYS)
COPY3="SELECT count(*) FROM secant.copies WHERE source_row = '3' AND recipient = secant.principal_key('ada_phone')"
check "note 3 shared alike in A and B ($SHARE_A, $SHARE_B), a copy in each" equals "1 1" \
	printf '%s %s' "$(su_sql "$A" -c "$COPY3")" "$(su_sql "$B" -c "$COPY3")"
su_sql "$A" -c "DELETE FROM note_shares WHERE id = $SHARE_A" >/dev/null
check "the unshare reached B" replicated "$B" "SELECT count(*) FROM note_shares WHERE id = $SHARE_B"
check "on B the unshared note's copy is gone too" equals 0 su_sql "$B" -c "$COPY3"

# the subscriber's audit log is its own: the replicated removals are in it
check "B's audit log holds the replicated removals (audit_check agrees)" equals 0 \
	su_sql "$B" -c "SELECT count(*) FROM secant.audit_check()"
check "B's audit chain is intact" equals t su_sql "$B" -c "SELECT secant.audit_verify() IS NULL"

atk_summary
