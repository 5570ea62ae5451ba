#!/usr/bin/env bash
# test/attacks/finality.sh - a removed binding or proxy capability is as
# final as a revocation: a statement that was already running when
# secant.unbind / secant.revoke_capability committed gets no re-encryption
# on its strength after that (not even of a record written after); the
# removal waits for it, or with wait => false fails at once naming it.
#
# Roles: atk_phone (Ada's phone's login, bound to ada_phone), atk_proxy (an
# application server with the proxy capability).  The attacker's statement
# is one SELECT that re-encrypts the newest note every 0.3 s for 4 s (one
# call site: a decision cached per statement would serve it throughout).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_finality
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql postgres >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk_phone') THEN CREATE ROLE atk_phone LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk_proxy') THEN CREATE ROLE atk_proxy LOGIN; END IF;
END $$;
SQL
su_sql $DB -c "SELECT secant.bind('ada_phone', 'atk_phone')" \
	-c "SELECT secant.grant_capability('atk_proxy', 'proxy')" >/dev/null

# long_read ROLE: the attacker's statement; prints the id of the newest
# note (read afresh by a volatile function, every 0.3 s for 4 s) each time
# it got a re-encryption of it
long_read() {
	as "$1" $DB -c "CREATE FUNCTION pg_temp.newest(int) RETURNS TABLE (id int, body pre_ciphertext)
VOLATILE LANGUAGE sql AS 'SELECT n.id, n.body FROM notes n, pg_sleep(0.3) ORDER BY n.id DESC LIMIT 1'" \
		-c "SELECT n.id FROM generate_series(1, 13) AS g, LATERAL pg_temp.newest(g) AS n
WHERE secant.reencrypt_for(n.body, secant.principal_key('ada_phone')) IS NOT NULL" 2>&1
}

# removal ROLE SQL NOTE: the attacker's statement runs while an admin runs
# SQL; then note NOTE is written; prints how many re-encryptions of it the
# attacker got
removal() {
	long_read "$1" >"$ATK_TMP/read" &
	sleep 1
	as atk_admin $DB -c "$2" >/dev/null 2>&1
	su_sql $DB -c "INSERT INTO notes VALUES ($3, pre_encrypt(secant.principal_key('clinic'), 'written after'))"
	wait
	grep -c "^$3\$" "$ATK_TMP/read"
}

check "device login: a running statement gets no re-encryption after unbind committed" \
	equals 0 removal atk_phone "SELECT secant.unbind('ada_phone', 'atk_phone')" 101
check "device login: a new statement after unbind is refused" \
	fails atk_phone $DB "SELECT secant.reencrypt_for(body, secant.principal_key('ada_phone')) FROM notes" "not bound|may not obtain"
check "proxy: a running statement gets no re-encryption after revoke_capability committed" \
	equals 0 removal atk_proxy "SELECT secant.revoke_capability('atk_proxy', 'proxy')" 102
check "proxy: a new statement after revoke_capability is refused" \
	fails atk_proxy $DB "SELECT secant.reencrypt_for(body, secant.principal_key('ada_phone')) FROM notes" "not bound|may not obtain"

# -- fail fast: with wait => false the removal names the sessions using it
su_sql $DB -c "SELECT secant.bind('ada_phone', 'atk_phone')" \
	-c "SELECT secant.grant_capability('atk_proxy', 'proxy')" >/dev/null
for who in "atk_phone|SELECT secant.unbind('ada_phone', 'atk_phone', wait => false)" \
	"atk_proxy|SELECT secant.revoke_capability('atk_proxy', 'proxy', wait => false)"; do
	role=${who%%|*}
	sql=${who#*|}
	long_read "$role" >/dev/null &
	sleep 1
	out=$(as atk_admin $DB -c "$sql" 2>&1)
	check "admin: $sql fails at once while a statement uses it" fails_text "$out" "in use by other sessions"
	check "admin: the error names $role's session" fails_text "$out" "$role"
	wait
	check "admin: $sql works once the reader is gone" equals t as atk_admin $DB -c "$sql"
done

atk_summary
