#!/usr/bin/env bash
# test/attacks/independent4_replica_apply.sh - a revocation that reaches a
# database through logical replication is final there too.
#
# docs/SECURITY.md ("Finality") says that every change of secant.grants
# makes its statement trigger send the invalidation that drops the paths
# backends keep across statements, "under session_replication_role =
# replica too (ENABLE ALWAYS, as a logical replication apply would run)".
# But PostgreSQL's logical replication apply worker fires row triggers
# only, never statement triggers (PostgreSQL 15 manual, 31.9 "Triggers":
# "The logical replication apply process currently only fires row
# triggers, not statement triggers"), and the row trigger that locks a
# removed grant (grants_lock_removed) is not ENABLE ALWAYS either.
#
# Setup (one throwaway cluster of this script's own, wal_level = logical):
# database A is the original; B a copy of it (CREATE DATABASE ... TEMPLATE,
# adopted by an admin: live, its own identity) that subscribes to A's
# secant.grants (a publication of A, as a read replica of the policy).
# A device's login on B reads the clinic's notes twice in one session (the
# path is kept); an admin revokes the device's enrolment on A; the DELETE
# arrives in B (a fresh session of B is refused: no path).  The device's
# next statement in its old session must be refused as well.
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
PORT=${SECANT_PRE_ATK4_PORT:-55497}
pgc_logical secant_atk4_repl "$PORT"
. "$(dirname "$0")/lib.sh"

replica_pair atk4 atk4_phone || { echo "0 passed, 1 failed"; exit 1; }

read_sql="SELECT count(secant.reencrypt_for(body, 'ada_phone')) AS reads FROM notes;"
# phone_grants DB: the grants into ada_phone's key in DB
phone_grants() {
	su_sql "$1" -c "SELECT count(*) FROM secant.grants WHERE to_key = secant.principal_key('ada_phone')"
}
# wait_replicated: B has no grant into ada_phone any more (at most 30 s)
wait_replicated() {
	for _ in $(seq 300); do
		[ "$(phone_grants $B)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

check "the device's login reads on B" equals 5 as atk4_phone $B -c "$read_sql"

# the device's session on B: two reads (the path is kept), then the admin
# revokes the enrolment on A and the DELETE is applied on B, then a read
OUT=$({
	echo "$read_sql"
	echo "$read_sql"
	echo "\\! psql -X -q -U atk_admin -d $A -c \"SELECT secant.revoke('dr_ada', 'ada_phone')\" >/dev/null"
	echo "\\! for i in \$(seq 300); do [ \"\$(psql -X -At -U postgres -d $B -c \"SELECT count(*) FROM secant.grants WHERE to_key = secant.principal_key('ada_phone')\")\" = 0 ] && break; sleep 0.1; done"
	echo "$read_sql"
} | psql -X -q -At -U atk4_phone -d $B 2>&1 | grep -Ev '^ *$' | sed 's/^psql:<stdin>:[0-9]*: //')

check "the revocation reached B (the grant row is gone there)" wait_replicated
check "a fresh session of the device's login on B is refused" fails atk4_phone $B "$read_sql" "no active grant path"
check "the device's two reads before the revocation" equals "$(printf '5\n5')" printf '%s' "$(printf '%s\n' "$OUT" | head -n 2)"
# the safe outcome: the old session is refused too
refused() {
	sed -n '3,$p' <<<"$OUT" | grep -E '^ERROR: .*(no active grant path|not bound|may not obtain)' >/dev/null ||
		{ echo "  after the revocation the kept path still served: $(printf '%s' "$OUT" | tr '\n' ' ')" >&2; return 1; }
}
check "the device's old session on B gets nothing after the revocation" refused

atk_summary
