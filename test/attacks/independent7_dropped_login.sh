#!/usr/bin/env bash
# test/attacks/independent7_dropped_login.sh - a login bound directly to a
# device, dropped (DROP ROLE) while it is connected, obtains nothing more.
#
# docs/SECURITY.md ("Finality"): "Membership is as final: PostgreSQL takes
# no lock of ours for REVOKE role FROM login, DROP ROLE or ALTER ROLE ...
# NOSUPERUSER, so a reader takes in committed role changes before every
# re-encryption ... and the next row of a running statement is refused";
# secant.bindings: "a dropped role's binding stays inert".  The reader's
# decision in C (src/pg/caller_basis.c, binding_items) asks
# is_member_of_role(current_user, bound role), which answers true at once
# when the two OIDs are equal, without looking the role up: the binding of
# a role that no longer exists still serves a session that role opened
# before it was dropped (PostgreSQL lets a connected role be dropped; its
# sessions go on under its OID).  The SQL surface (secant.copies'
# row-level security, which joins pg_roles) treats the same binding as
# inert; independent2_membership.sh drops a bound *group* role, never the
# login itself.
#
# Role: a device's own login (atk7_phone, LOGIN, bound to ada_phone with
# secant.bind), lost or stolen; the admin cuts it off by dropping the
# login, as OPERATIONS.md/SECURITY.md present DROP ROLE as a removal.
# Impact: every session the login had open keeps obtaining re-encryptions
# for ada_phone (so also dr_ada's and the clinic's records) for as long as
# it stays connected, in the running statement and in new transactions.
#
# Safe outcome: after the DROP ROLE committed, the login's open session
# obtains no re-encryption: not for the next row of the running statement,
# not in a later transaction.  Deterministic: the reader waits at its
# second row (wait_at, advisory lock 4242) and, in the second scenario,
# between its transactions (advisory lock 4243), both held by the
# superuser's session until the DROP ROLE has committed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind7_dropped
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
wait_at_function $DB
mk_login() {
	su_sql postgres >/dev/null 2>&1 <<-'SQL'
		DROP ROLE IF EXISTS atk7_phone;
		CREATE ROLE atk7_phone LOGIN;
	SQL
	su_sql $DB -c "SELECT secant.bind('ada_phone', 'atk7_phone')" >/dev/null
}
trap 'atk_cleanup; su_sql postgres -c "DROP ROLE IF EXISTS atk7_phone" -c "DROP ROLE IF EXISTS atk7_app" >/dev/null 2>&1; rm -rf "$ATK_TMP"' EXIT
PHONE=$(su_sql $DB -c "SELECT secant.principal_key('ada_phone')")
READ="SELECT pre_level(secant.reencrypt_for(n.body, '$PHONE'::pre_public_key)) FROM notes n WHERE n.id <= 2 AND wait_at(n.id) > 0"

# -- 1. dropped while its statement runs
mk_login
take_away_during atk7_phone "$READ" "SELECT 1"
check "control: the device's login obtains both rows" eq "$(printf '%s\n' "$T_OUT" | grep -c '^3$')" 2
take_away_during atk7_phone "$READ" "DROP ROLE atk7_phone"
check "the DROP ROLE committed" eq "$(su_sql postgres -c "SELECT count(*) FROM pg_roles WHERE rolname = 'atk7_phone'")" 0
check "a dropped login: no re-encryption for the next row of its running statement" no_second_row

# dropped_between ROLE TARGET: ROLE's open session re-encrypts note 1 for
# TARGET, waits (advisory lock 4243) while the superuser drops ROLE and
# commits, then re-encrypts note 1 again in a new transaction; its output
# in $S2.
dropped_between() {
	local role=$1 target=$2 fifo="$ATK_TMP/ctl_$1" ctl reader one
	mkfifo "$fifo"
	su_sql $DB <"$fifo" >/dev/null 2>&1 &
	ctl=$!
	exec 3>"$fifo"
	echo "BEGIN; SELECT pg_advisory_xact_lock(4243);" >&3
	for _ in $(seq 300); do
		[ "$(su_sql $DB -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4243 AND granted")" = 1 ] && break
		sleep 0.1
	done
	one="SELECT pre_level(secant.reencrypt_for(n.body, '$target'::pre_public_key)) FROM notes n WHERE n.id = 1"
	as "$role" $DB -c "$one" -c "SELECT pg_advisory_lock(4243), pg_advisory_unlock(4243)" \
		-c "$one" >"$ATK_TMP/s2.out" 2>&1 &
	reader=$!
	for _ in $(seq 300); do
		[ "$(su_sql $DB -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4243 AND NOT granted")" = 1 ] && break
		sleep 0.1
	done
	# the lock goes with the DROP ROLE's commit
	echo "DROP ROLE $role; COMMIT;" >&3
	exec 3>&-
	wait "$ctl"
	wait "$reader"
	S2=$(cat "$ATK_TMP/s2.out")
}

# -- 2. dropped between two transactions of an open session
mk_login
dropped_between atk7_phone "$PHONE"
check "control: the login's first transaction obtained its re-encryption" eq "$(head -n 1 <<<"$S2")" 3
n=$(grep -c '^3$' <<<"$S2")
[ "$n" -le 1 ] || echo "  (the dropped login's next transaction obtained a re-encryption; its output: $(tr '\n' ' ' <<<"$S2"))" >&2
check "a dropped login: no re-encryption in a later transaction of its open session" test "$n" -le 1

# -- 3. an application server's login with the proxy capability, dropped
# (a compromised application server cut off): its pooled session goes on
# obtaining for any principal
su_sql postgres >/dev/null 2>&1 <<-'SQL'
	DROP ROLE IF EXISTS atk7_app;
	CREATE ROLE atk7_app LOGIN;
SQL
su_sql $DB -c "SELECT secant.grant_capability('atk7_app', 'proxy')" >/dev/null
BOB=$(su_sql $DB -c "SELECT secant.principal_key('dr_bob')")
dropped_between atk7_app "$BOB"
check "control: the proxy's first transaction obtained for dr_bob" eq "$(head -n 1 <<<"$S2")" 2
n=$(grep -c '^2$' <<<"$S2")
[ "$n" -le 1 ] || echo "  (the dropped proxy's next transaction obtained a re-encryption; its output: $(tr '\n' ' ' <<<"$S2"))" >&2
check "a dropped proxy login: no re-encryption in a later transaction of its open session" test "$n" -le 1

atk_summary
