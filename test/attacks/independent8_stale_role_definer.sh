#!/usr/bin/env bash
# test/attacks/independent8_stale_role_definer.sh - a login whose
# membership in a bound role was revoked, but whose session had switched to
# that role (SET ROLE) before, obtains nothing more: not through an object
# it creates afterwards as that role either.
#
# docs/SECURITY.md ("Who may ask", "Finality"): "a role chosen by SET ROLE
# that the session's user is no longer a member of, relies on nothing, in
# re-encryption and in the row-level security of secant.copies
# (secant.caller_stands())".  sp_caller_stands (src/pg/caller_basis.c)
# checks the session's membership only when current_user is the SET ROLE
# role itself (who == GetOuterUserId()).  PostgreSQL keeps the stale SET
# ROLE's rights for DDL: the revoked session creates, after the REVOKE,
# a SECURITY DEFINER function owned by the bound role (in pg_temp: TEMP is
# PUBLIC's by default, no schema grant needed), then RESET ROLE and calls
# it.  Inside it current_user is the bound role, the outer role is the
# login: caller_stands says true, and the bound role's bindings serve.
#
# Role: a device's login (atk_plain), member of atk8_phones (bound to
# ada_phone), which ran SET ROLE atk8_phones before the admin revoked the
# membership.  Impact: the revoked login keeps obtaining re-encryptions for
# ada_phone and reading its stored copies for as long as the session
# stays connected, the revocation notwithstanding.
#
# Variant: the login itself is dropped (DROP ROLE) after its SET ROLE.
#
# Safe outcome: after REVOKE atk8_phones FROM atk_plain committed, neither
# the function created afterwards (run after RESET ROLE) re-encrypts for
# ada_phone nor shows a stored copy addressed to it.
# Deterministic: each step waits for the previous one's marker in the
# session's output (no timing).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind8_stale
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql postgres >/dev/null 2>&1 <<'SQL'
DROP ROLE IF EXISTS atk8_dev;
DROP ROLE IF EXISTS atk8_phones;
CREATE ROLE atk8_phones NOLOGIN;
GRANT atk8_phones TO atk_plain;
CREATE ROLE atk8_dev LOGIN IN ROLE atk8_phones;
SQL
trap 'atk_cleanup; su_sql postgres -c "DROP ROLE IF EXISTS atk8_dev" -c "DROP ROLE IF EXISTS atk8_phones" >/dev/null 2>&1; rm -rf "$ATK_TMP"' EXIT
su_sql $DB -c "SELECT secant.bind('ada_phone', 'atk8_phones')" >/dev/null
PHONE=$(su_sql $DB -c "SELECT secant.principal_key('ada_phone')")
su_sql $DB -c "INSERT INTO note_shares (note_id, recipient) VALUES (1, '$PHONE')" >/dev/null

# wait_for FILE MARKER: the session's output FILE has reached MARKER
wait_for() {
	for _ in $(seq 600); do
		grep -q "^$2\$" "$1" && return 0
		sleep 0.1
	done
	return 1
}

# -- 1. membership revoked after SET ROLE
fifo="$ATK_TMP/session"
mkfifo "$fifo"
as atk_plain $DB -v ON_ERROR_STOP=0 <"$fifo" >"$ATK_TMP/s.out" 2>&1 &
sess=$!
exec 3>"$fifo"
echo "SET ROLE atk8_phones;" >&3
echo "SELECT 'before:' || pre_level(secant.reencrypt_for(n.body, '$PHONE'::pre_public_key)) FROM notes n WHERE n.id = 1;" >&3
echo "SELECT 'ready';" >&3
wait_for "$ATK_TMP/s.out" ready
su_sql postgres -c "REVOKE atk8_phones FROM atk_plain" >/dev/null
check "the REVOKE committed" eq "$(su_sql postgres -c "SELECT pg_has_role('atk_plain', 'atk8_phones', 'MEMBER')")" f
cat >&3 <<SQL
SELECT 'direct:' || pre_level(secant.reencrypt_for(n.body, '$PHONE'::pre_public_key)) FROM notes n WHERE n.id = 1;
CREATE FUNCTION pg_temp.peek(c pre_ciphertext) RETURNS int SECURITY DEFINER LANGUAGE sql
    AS \$\$ SELECT pre_level(secant.reencrypt_for(c, '$PHONE'::pre_public_key)) \$\$;
CREATE FUNCTION pg_temp.copies() RETURNS bigint SECURITY DEFINER LANGUAGE sql
    AS \$\$ SELECT count(*) FROM secant.copies WHERE recipient = '$PHONE'::pre_public_key \$\$;
RESET ROLE;
SELECT 'who:' || current_user;
SELECT 'definer:' || pg_temp.peek(n.body) FROM notes n WHERE n.id = 1;
SELECT 'copies:' || pg_temp.copies();
SELECT 'done';
SQL
exec 3>&-
wait "$sess"
OUT=$(cat "$ATK_TMP/s.out")
check "control: before the REVOKE, SET ROLE obtains a re-encryption" eq "$(grep '^before:' <<<"$OUT")" "before:3"
check "control: after the REVOKE, the stale SET ROLE itself obtains nothing" eq "$(grep -c '^direct:' <<<"$OUT")" 0
check "control: the session is back to its login" eq "$(grep '^who:' <<<"$OUT")" "who:atk_plain"
d=$(grep -c '^definer:3$' <<<"$OUT")
[ "$d" = 0 ] || echo "  (the revoked login obtained through a SECURITY DEFINER function it created as the stale role; its output: $(tr '\n' ' ' <<<"$OUT"))" >&2
check "stale SET ROLE, then a SECURITY DEFINER function owned by it made after the REVOKE: no re-encryption" eq "$d" 0
c=$(grep '^copies:' <<<"$OUT")
check "stale SET ROLE, then a SECURITY DEFINER function owned by it made after the REVOKE: no stored copy" \
	test "$c" = "copies:0" -o -z "$c"

# -- 2. the login dropped after SET ROLE (its open session goes on)
fifo="$ATK_TMP/session2"
mkfifo "$fifo"
as atk8_dev $DB -v ON_ERROR_STOP=0 <"$fifo" >"$ATK_TMP/d.out" 2>&1 &
sess=$!
exec 3>"$fifo"
echo "SET ROLE atk8_phones;" >&3
echo "SELECT 'ready';" >&3
wait_for "$ATK_TMP/d.out" ready
su_sql postgres -c "DROP ROLE atk8_dev" >/dev/null
check "the login was dropped" eq "$(su_sql postgres -c "SELECT count(*) FROM pg_roles WHERE rolname = 'atk8_dev'")" 0
cat >&3 <<SQL
CREATE FUNCTION pg_temp.peek(c pre_ciphertext) RETURNS int SECURITY DEFINER LANGUAGE sql
    AS \$\$ SELECT pre_level(secant.reencrypt_for(c, '$PHONE'::pre_public_key)) \$\$;
RESET ROLE;
SELECT 'definer:' || pg_temp.peek(n.body) FROM notes n WHERE n.id = 1;
SELECT 'done';
SQL
exec 3>&-
wait "$sess"
OUT=$(cat "$ATK_TMP/d.out")
d=$(grep -c '^definer:3$' <<<"$OUT")
[ "$d" = 0 ] || echo "  (the dropped login obtained through a SECURITY DEFINER function it created as the stale role; its output: $(tr '\n' ' ' <<<"$OUT"))" >&2
check "a dropped login's stale SET ROLE, then a SECURITY DEFINER function owned by it: no re-encryption" eq "$d" 0

atk_summary
