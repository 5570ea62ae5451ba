#!/usr/bin/env bash
# test/attacks/independent7_set_role.sh - a login whose membership in the
# role bound to a device is revoked obtains nothing more, also when its
# session had switched to that role (SET ROLE) before the revocation.
#
# docs/SECURITY.md ("Finality"): "Membership is as final: PostgreSQL takes
# no lock of ours for REVOKE role FROM login ... so a reader takes in
# committed role changes before every re-encryption ... and the next row
# of a running statement is refused (independent2_membership.sh)".  The
# decision asks whether current_user is a member of a bound role
# (src/pg/caller_basis.c, is_member_of_role(current_user, role)).  A
# session that ran SET ROLE phones while it was a member keeps
# current_user = phones after REVOKE phones FROM login (PostgreSQL does
# not undo a SET ROLE), and is_member_of_role(phones, phones) is true: the
# revoked login goes on obtaining, in the running statement and in every
# later transaction of that session; the row-level security of
# secant.copies (pg_has_role(bound role, 'MEMBER') of current_user) keeps
# its stored copies open to it too.  independent2_membership.sh reads as
# the login itself, never after a SET ROLE.
#
# Role: a device's login (atk_plain), member of atk7_phones, the role
# bound to ada_phone (applications and poolers commonly SET ROLE to the
# group at connect; an attacker expecting to be cut off does it on
# purpose).  The admin revokes the membership.  Impact: the login's open
# sessions keep obtaining re-encryptions for ada_phone (dr_ada's and the
# clinic's records) after the revocation committed, for as long as they
# stay connected.
#
# Safe outcome: after REVOKE atk7_phones FROM atk_plain committed, the
# session that switched to atk7_phones obtains nothing more: neither the
# next row of its running statement nor, in a later transaction, a
# re-encryption or a stored copy.
# Deterministic: the reader waits (advisory locks 4242 and 4243) held by
# the superuser's session until the REVOKE has committed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind7_setrole
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
wait_at_function $DB
su_sql postgres >/dev/null 2>&1 <<'SQL'
DROP ROLE IF EXISTS atk7_phones;
CREATE ROLE atk7_phones NOLOGIN;
SQL
trap 'atk_cleanup; su_sql postgres -c "DROP ROLE IF EXISTS atk7_phones" >/dev/null 2>&1; rm -rf "$ATK_TMP"' EXIT
su_sql $DB -c "SELECT secant.bind('ada_phone', 'atk7_phones')" >/dev/null
PHONE=$(su_sql $DB -c "SELECT secant.principal_key('ada_phone')")
READ="SET ROLE atk7_phones; SELECT pre_level(secant.reencrypt_for(n.body, '$PHONE'::pre_public_key)) FROM notes n WHERE n.id <= 2 AND wait_at(n.id) > 0"

# -- 1. revoked while its statement runs
su_sql postgres -c "GRANT atk7_phones TO atk_plain" >/dev/null
take_away_during atk_plain "$READ" "SELECT 1"
check "control: the member, after SET ROLE, obtains both rows" eq "$(grep -c '^3$' <<<"$T_OUT")" 2
take_away_during atk_plain "$READ" "REVOKE atk7_phones FROM atk_plain"
check "the REVOKE committed" eq "$(su_sql postgres -c "SELECT pg_has_role('atk_plain', 'atk7_phones', 'MEMBER')")" f
check "SET ROLE to the bound role, then its membership revoked: no re-encryption for the next row" no_second_row

# -- 2. revoked between two transactions of an open session (a stored
# copy for ada_phone too)
su_sql postgres -c "GRANT atk7_phones TO atk_plain" >/dev/null
su_sql $DB -c "INSERT INTO note_shares (note_id, recipient) VALUES (1, '$PHONE')" >/dev/null
fifo="$ATK_TMP/ctl2"
mkfifo "$fifo"
su_sql $DB <"$fifo" >/dev/null 2>&1 &
ctl=$!
exec 3>"$fifo"
echo "BEGIN; SELECT pg_advisory_xact_lock(4243);" >&3
for _ in $(seq 300); do
	[ "$(su_sql $DB -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4243 AND granted")" = 1 ] && break
	sleep 0.1
done
ONE="SELECT pre_level(secant.reencrypt_for(n.body, '$PHONE'::pre_public_key)) FROM notes n WHERE n.id = 1"
# (ON_ERROR_STOP off: the copies are read after a refused re-encryption too)
as atk_plain $DB -v ON_ERROR_STOP=0 -c "SET ROLE atk7_phones" -c "$ONE" -c "SELECT pg_advisory_lock(4243), pg_advisory_unlock(4243)" \
	-c "$ONE" -c "SELECT 'copies:' || count(*) FROM secant.copies WHERE recipient = '$PHONE'" >"$ATK_TMP/s2.out" 2>&1 &
reader=$!
for _ in $(seq 300); do
	[ "$(su_sql $DB -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4243 AND NOT granted")" = 1 ] && break
	sleep 0.1
done
# the lock goes with the REVOKE's commit
echo "REVOKE atk7_phones FROM atk_plain; COMMIT;" >&3
exec 3>&-
wait "$ctl"
wait "$reader"
S2=$(cat "$ATK_TMP/s2.out")
check "control: the session's first transaction obtained its re-encryption" eq "$(head -n 1 <<<"$S2")" 3
n=$(grep -c '^3$' <<<"$S2")
[ "$n" -le 1 ] || echo "  (the revoked login's next transaction obtained a re-encryption; its output: $(tr '\n' ' ' <<<"$S2"))" >&2
check "SET ROLE to the bound role, then its membership revoked: no re-encryption in a later transaction" test "$n" -le 1
check "SET ROLE to the bound role, then its membership revoked: no stored copy in a later transaction" \
	eq "$(grep '^copies:' <<<"$S2")" "copies:0"

atk_summary
