#!/usr/bin/env bash
# test/attacks/revocation.sh - revocation that no one can race, block or
# stall: a rolled-back subtransaction keeps no path, and nothing a role
# without secant privileges does makes a revoke fail or wait.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_revocation
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
# atk_plain is the phones' app login here: bound to both (a binding gives
# no privilege on any table; it only lets it ask for what is addressed to them)
su_sql $DB -c "SELECT secant.bind('ada_phone', 'atk_plain'), secant.bind('bob_phone', 'atk_plain')" >/dev/null

# revoke_within SECONDS FROM TO: an admin's revoke finishes in time.
revoke_within() {
	as atk_admin $DB -c "SET lock_timeout = '${1}s'" -c "SELECT secant.revoke('$2', '$3')" >/dev/null
}
# eq_grep TEXT PATTERN: TEXT matches PATTERN (grep -E)
eq_grep() {
	grep -Eq "$2" <<<"$1" || { echo "  no match for '$2' in: $1" >&2; return 1; }
}
regrant() {
	su_sql $DB -c "SELECT secant.add_grant(pre_grant(fixture_sk('$1'), secant.principal_key('$2')))" >/dev/null
}
# waits_for_lock: true once some session of the database waits on a lock
wait_for_waiter() {
	local i
	for i in $(seq 1 50); do
		[ "$(su_sql $DB -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$DB' AND wait_event_type = 'Lock'")" != 0 ] && return 0
		sleep 0.1
	done
	return 1
}
# a read of an unrelated path answers within SECONDS
reads_within() {
	as atk_plain $DB -c "SET statement_timeout = '${1}s'" \
		-c "SELECT pre_level(secant.reencrypt_for(body, secant.principal_key('$2'))) FROM notes WHERE id = 1" >/dev/null
}

# -- the savepoint race: fill the path cache in a subtransaction, roll it
#    back, let an admin revoke, call again from the same call site
as atk_plain $DB >/dev/null 2>&1 <<'SQL'
CREATE TABLE IF NOT EXISTS pg_temp.loot (c pre_ciphertext);
SQL
race_sql=$(cat <<'SQL'
CREATE FUNCTION pg_temp.race(ct pre_ciphertext, target pre_public_key) RETURNS pre_ciphertext
LANGUAGE plpgsql AS $$
DECLARE
    c pre_ciphertext;
BEGIN
    FOR i IN 1..2 LOOP
        IF i = 2 THEN PERFORM pg_sleep(3); END IF;
        BEGIN
            c := secant.reencrypt_for(ct, target);
            IF i = 1 THEN RAISE EXCEPTION 'roll back'; END IF;
        EXCEPTION WHEN raise_exception THEN
            NULL;
        END;
    END LOOP;
    RETURN c;
END $$;
SELECT pre_level(pg_temp.race(body, secant.principal_key('ada_phone'))) FROM notes WHERE id = 2;
SQL
)
as atk_plain $DB -c "$race_sql" >"$ATK_TMP/race.out" 2>&1 &
sleep 1
revoke_within 10 clinic dr_ada
wait
check "plain login: a rolled-back subtransaction's path is not reused after a revoke (reencrypt_for)" \
	grep -q "no active grant path" "$ATK_TMP/race.out"
regrant clinic dr_ada

share_race_sql=$(cat <<'SQL'
CREATE FUNCTION pg_temp.share_race(n int, target pre_public_key) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..2 LOOP
        IF i = 2 THEN PERFORM pg_sleep(3); END IF;
        BEGIN
            INSERT INTO note_shares (note_id, recipient) VALUES (n, target);
            IF i = 1 THEN RAISE EXCEPTION 'roll back'; END IF;
        EXCEPTION WHEN raise_exception THEN
            NULL;
        END;
    END LOOP;
END $$;
SELECT pg_temp.share_race(3, secant.principal_key('ada_phone'));
SQL
)
x=$(su_sql $DB -c "SELECT hop_key FROM secant.grants WHERE from_key = secant.principal_key('clinic') AND to_key = secant.principal_key('dr_ada')")
as atk_plain $DB -c "$share_race_sql" >"$ATK_TMP/share_race.out" 2>&1 &
sleep 1
revoke_within 10 clinic dr_ada
wait
check "plain login: a share after a revoke finds no path (share trigger)" \
	grep -q "no active grant path" "$ATK_TMP/share_race.out"
check "plain login: no copy through the revoked grant survives" equals 0 su_sql $DB -c "SELECT fixture_copies_with('$x')"
regrant clinic dr_ada

# -- blocking: (c) the audit chain's advisory key, held by a session
as atk_plain $DB -c "SELECT pg_advisory_lock(hashtext('secant.audit_log'))" -c "SELECT pg_sleep(6)" >/dev/null 2>&1 &
sleep 1
check "plain login: a session-level advisory lock does not stall a revoke" revoke_within 3 dr_bob bob_phone
wait
regrant dr_bob bob_phone

# -- blocking: (d) an idle transaction that read grant metadata
as atk_plain $DB -c "BEGIN" -c "SELECT id FROM secant.grants" -c "SELECT pg_sleep(6)" >/dev/null 2>&1 &
sleep 1
check "plain login: an open transaction that read secant.grants does not stall a revoke" revoke_within 3 dr_bob bob_phone
wait
regrant dr_bob bob_phone

# -- blocking: every table a plain role can read, read in an open transaction
as atk_plain $DB -c "BEGIN" -c "SELECT count(*) FROM secant.principals" -c "SELECT count(*) FROM secant.index_keys" \
	-c "SELECT count(*) FROM secant.grants" -c "SELECT pg_sleep(6)" >/dev/null 2>&1 &
sleep 1
check "plain login: open reads of every readable secant table do not stall a revoke" revoke_within 3 dr_bob bob_phone
wait
regrant dr_bob bob_phone

# -- row locks on grants: a plain role cannot take them
check "plain login: cannot lock grant rows" fails atk_plain $DB \
	"SELECT id FROM secant.grants FOR KEY SHARE" "permission denied"
check "plain login: cannot lock principal rows" fails atk_plain $DB \
	"SELECT id FROM secant.principals FOR KEY SHARE" "permission denied"

# -- a revoke waiting for a reader of that grant does not stall unrelated reads
as atk_plain $DB -c "BEGIN" \
	-c "SELECT pre_level(secant.reencrypt_for(body, secant.principal_key('bob_phone'))) FROM notes WHERE id = 1" \
	-c "SELECT pg_sleep(5)" >/dev/null 2>&1 &
sleep 1
as atk_admin $DB -c "SELECT secant.revoke('dr_bob', 'bob_phone')" >/dev/null 2>&1 &
wait_for_waiter
check "reads of other paths do not wait while a revoke waits" reads_within 2 ada_phone
wait
check "the waiting revoke finished once the reader ended" \
	equals 0 su_sql $DB -c "SELECT count(*) FROM secant.path(secant.principal_key('dr_bob'), secant.principal_key('bob_phone'))"
regrant dr_bob bob_phone

# -- (a) and (b): TEMP tables and altered columns cannot block a revoke
as atk_plain $DB -c "CREATE TEMP TABLE t (id int, body pre_ciphertext, note_id int, recipient pre_public_key)" \
	-c "SELECT secant.register_share_table('t', 'body')" -c "INSERT INTO t VALUES (1, NULL, 1, NULL)" \
	-c "SELECT pg_sleep(6)" >/dev/null 2>&1 &
sleep 1
check "plain login: a registered TEMP table does not make a revoke fail" revoke_within 3 dr_bob bob_phone
wait
regrant dr_bob bob_phone

# -- revocation is final: the bytes of a revoked grant never come back,
#    whichever way they are inserted; a plain DELETE does what revoke does
g=$(su_sql $DB -c "SELECT sealed FROM secant.grants WHERE to_key = secant.principal_key('bob_phone')")
gu=$(su_sql $DB -c "SELECT g FROM fixture_grants WHERE to_name = 'bob_phone'")
x=$(su_sql $DB -c "SELECT hop_key FROM secant.grants WHERE to_key = secant.principal_key('bob_phone')")
as atk_plain $DB -c "INSERT INTO note_shares (note_id, recipient) VALUES (5, secant.principal_key('bob_phone'))" >/dev/null
as atk_admin $DB -c "DELETE FROM secant.grants WHERE to_key = secant.principal_key('bob_phone')" >/dev/null
check "admin: a plain DELETE of a grant leaves no copy through it" equals 0 su_sql $DB -c "SELECT fixture_copies_with('$x')"
check "admin: a plain DELETE remembers the hop key" equals 1 su_sql $DB -c "SELECT count(*) FROM secant.revoked_grants WHERE hop_key = '$x'"
check "admin: replaying a revoked grant with INSERT fails" fails atk_admin $DB \
	"INSERT INTO secant.grants (sealed) VALUES ('$g')" "grant was revoked"
check "admin: replaying a revoked grant unsealed (rekey) fails" fails atk_admin $DB \
	"INSERT INTO secant.grants (rekey) VALUES ('$gu')" "grant was revoked"
check "admin: replaying a revoked grant with add_grant fails" fails atk_admin $DB \
	"SELECT secant.add_grant('$g')" "grant was revoked"
out=$(printf '%s\n\\.\n' "$g" | as atk_admin $DB -c "COPY secant.grants (sealed) FROM STDIN" 2>&1)
check "admin: replaying a revoked grant with COPY FROM STDIN fails" eq_grep "$out" "grant was revoked"
check "admin: TRUNCATE of the grants is refused" fails atk_admin $DB "TRUNCATE secant.grants" "permission denied|TRUNCATE is refused"
check "superuser: TRUNCATE of the grants is refused" fails "${PGUSER:-postgres}" $DB "TRUNCATE secant.grants CASCADE" "TRUNCATE is refused"
# (the delegator's client makes the new grant; the admin stores it)
newg=$(su_sql $DB -c "SELECT pre_grant(fixture_sk('dr_bob'), secant.principal_key('bob_phone'))")
check "admin: a new grant from the delegator re-admits" as atk_admin $DB -c "SELECT secant.add_grant('$newg') > 0" -o /dev/null

# -- fail fast: with wait => false a revoke names the sessions instead of waiting
as atk_plain $DB -c "BEGIN" \
	-c "SELECT pre_level(secant.reencrypt_for(body, secant.principal_key('bob_phone'))) FROM notes WHERE id = 1" \
	-c "SELECT pg_sleep(4)" >/dev/null 2>&1 &
sleep 1
out=$(as atk_admin $DB -c "SELECT secant.revoke('dr_bob', 'bob_phone', wait => false)" 2>&1)
check "admin: revoke with wait => false fails at once while a reader holds the grant" eq_grep "$out" "grant is in use by other sessions"
check "admin: the error names the reader's session" eq_grep "$out" "atk_plain"
wait
check "admin: revoke with wait => false works once the reader is gone" \
	as atk_admin $DB -o /dev/null -c "SELECT secant.revoke('dr_bob', 'bob_phone', wait => false)"
regrant dr_bob bob_phone

atk_summary
