#!/usr/bin/env bash
# test/attacks/admin_scope.sh - admin is a capability of one database:
# atk_admin, a member of the cluster-wide role secant_admin and an admin of
# database A, manages A and gets nothing in database B, through every admin
# function and every table; a plain login and the database owner of B
# cannot make themselves admins.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
A=atk_scope_a
B=atk_scope_b
fresh_db $A || { echo "0 passed, 1 failed"; exit 1; }
fresh_db $B || { echo "0 passed, 1 failed"; exit 1; }
su_sql $B -c "SELECT secant.revoke_capability('atk_admin', 'admin')" >/dev/null
# atk_owner owns B only
su_sql postgres -c "ALTER DATABASE $A OWNER TO ${PGUSER:-postgres}" >/dev/null
# B serves a phone through atk_owner, and A a phone through atk_plain
su_sql $B -c "SELECT secant.bind('bob_phone', 'atk_owner'), secant.grant_capability('atk_owner', 'proxy')" >/dev/null
su_sql $A -c "SELECT secant.bind('bob_phone', 'atk_plain')" >/dev/null

k=$(su_sql $B -c "SELECT pre_public_key(pre_keygen())")
g=$(su_sql $B -c "SELECT pre_grant(fixture_sk('clinic'), secant.principal_key('dr_bob'))")
grant_in() { su_sql "$1" -c "SELECT secant.seal_grant_on_server(pre_grant(fixture_sk('dr_ada'), secant.principal_key('bob_phone')))"; }
index_key_in() { su_sql "$1" -c "SELECT pre_encrypt(secant.principal_key('clinic'), decode(repeat('ab', 32), 'hex'))"; }
denied="not a secant_pre admin|permission denied"

# every admin way in, as atk_admin: must work in A, fail in B
while IFS='|' read -r what sql; do
	[ -n "$what" ] || continue
	check "admin of A, in A: $what" as atk_admin $A -o /dev/null -c "$sql"
	check "admin of A, in B: $what is refused" fails atk_admin $B "$sql" "$denied"
done <<EOF2
add_principal|SELECT secant.add_principal('x_' || md5(random()::text), 'user', pre_public_key(pre_keygen()))
INSERT INTO principals|INSERT INTO secant.principals (name, kind, public_key) VALUES ('y_' || md5(random()::text), 'user', pre_public_key(pre_keygen()))
UPDATE of a principal's name|UPDATE secant.principals SET name = name WHERE name = 'dr_ada'
bind|SELECT secant.bind('ada_phone', 'atk_plain')
unbind|SELECT secant.unbind('ada_phone', 'atk_plain')
grant_capability (proxy)|SELECT secant.grant_capability('atk_plain', 'proxy')
revoke_capability (proxy)|SELECT secant.revoke_capability('atk_plain', 'proxy')
audit|SELECT secant.audit('note', '{}')
audit_verify|SELECT secant.audit_verify()
audit_head|SELECT secant.audit_head()
purge_expired|SELECT * FROM secant.purge_expired()
EOF2
check "admin of A, in A: add_grant" as atk_admin $A -o /dev/null -c "SELECT secant.add_grant('$(grant_in $A)')"
check "admin of A, in B: add_grant is refused" fails atk_admin $B "SELECT secant.add_grant('$(grant_in $B)')" "$denied"
check "admin of A, in A: rotate_index_key" as atk_admin $A -o /dev/null -c "SELECT secant.rotate_index_key('clinic', '$(index_key_in $A)')"
check "admin of A, in B: rotate_index_key is refused" fails atk_admin $B \
	"SELECT secant.rotate_index_key('clinic', '$(index_key_in $B)')" "$denied"
out=$(printf 'z_copy\tuser\t%s\n\\.\n' "$k" | as atk_admin $B -c "COPY secant.principals (name, kind, public_key) FROM STDIN" 2>&1)
check "admin of A, in B: COPY into principals is refused (message)" fails_text "$out" "$denied"
check "admin of A, in B: INSERT of a grant is refused" fails atk_admin $B "INSERT INTO secant.grants (rekey) VALUES ('$g')" "$denied"
check "admin of A, in B: DELETE of a grant is refused" fails atk_admin $B "DELETE FROM secant.grants" "$denied"
check "admin of A, in B: revoke is refused" fails atk_admin $B "SELECT secant.revoke('dr_bob', 'bob_phone')" "$denied"
check "admin of A, in B: INSERT into capabilities is refused" fails atk_admin $B \
	"INSERT INTO secant.capabilities (role, capability) VALUES ('atk_admin', 'admin')" "$denied"
check "admin of A, in B: making itself admin is refused" fails atk_admin $B \
	"SELECT secant.grant_capability('atk_admin', 'admin')" "$denied"
check "admin of A, in B: reads no audit entry" equals 0 as atk_admin $B -c "SELECT count(*) FROM secant.audit_log"
check "admin of A, in B: reads no named audit entry" equals 0 as atk_admin $B -c "SELECT count(*) FROM secant.audit_entries"
check "admin of A, in B: reads no access log entry" equals 0 as atk_admin $B -c "SELECT count(*) FROM secant.access_log"
check "admin of A, in B: reads no revoked hop key" equals 0 as atk_admin $B -c "SELECT count(*) FROM secant.revoked_grants"
# every table and sequence of secant: what an admin of A reads in B is no
# more than what a plain login of B reads (issue 30: sealed grants and the
# identity are most of what a copy of B needs; bindings and capabilities
# say who serves whom)
check "admin of A, in B: reads no sealed grant" reads_nothing atk_admin $B "SELECT count(sealed) FROM secant.grants"
check "admin of A, in B: reads no database identity" reads_nothing atk_admin $B "SELECT count(*) FROM secant.database_identity"
for seq in $(su_sql $B -c "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'secant'::regnamespace AND c.relkind = 'S' ORDER BY 1"); do
	check "admin of A, in B: reads no sequence secant.$seq" reads_nothing atk_admin $B "SELECT last_value FROM secant.$seq"
done
check "admin of A, in B: reads no binding (B has some)" reads_nothing atk_admin $B "SELECT count(*) FROM secant.bindings"
check "admin of A, in B: reads no capability of another role (B has some)" reads_nothing atk_admin $B \
	"SELECT count(*) FROM secant.capabilities WHERE role <> 'atk_admin'::regrole"
check "plain login, in B: reads no binding of another role" reads_nothing atk_plain $B "SELECT count(*) FROM secant.bindings"
# the catalog: no table or sequence of secant is readable by secant_admin
# (the cluster-wide role) beyond what PUBLIC reads, unless row security
# filters it by this database's capability
check "catalog: secant_admin's table privileges are PUBLIC's, or row-security filtered" equals "" su_sql $B -c "
	SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c
	WHERE c.relnamespace = 'secant'::regnamespace AND c.relkind IN ('r', 'S', 'v', 'p')
	  AND NOT (c.relrowsecurity AND c.relkind = 'r')
	  AND NOT (c.relkind = 'v' AND 'security_invoker=true' = ANY (coalesce(c.reloptions, '{}')))
	  AND (has_table_privilege('secant_admin', c.oid, 'SELECT') AND NOT has_table_privilege('public', c.oid, 'SELECT')
	       OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	                  AND has_column_privilege('secant_admin', c.oid, a.attnum, 'SELECT')
	                  AND NOT has_column_privilege('public', c.oid, a.attnum, 'SELECT')))"
check "admin of A, in A: reads the sealed grants" as atk_admin $A -o /dev/null -c "SELECT sealed FROM secant.grants LIMIT 1"
check "admin of A, in A: reads the identity and the sequences" as atk_admin $A -o /dev/null \
	-c "SELECT id FROM secant.database_identity; SELECT last_value FROM secant.grants_id_seq"
check "admin of A, in A: reads the bindings" equals t as atk_admin $A -c "SELECT count(*) > 0 FROM secant.bindings"
check "admin of A, in A: reads the audit log" as atk_admin $A -o /dev/null -c "SELECT 1 FROM secant.audit_log LIMIT 1"
check "admin of A, in A: revoke works" as atk_admin $A -o /dev/null -c "SELECT secant.revoke('dr_bob', 'bob_phone')"
check "admin of A: reads grants only sealed, even in A (no rk stored)" equals 0 as atk_admin $A -c "SELECT count(rekey) FROM secant.grants"

# nobody else makes itself an admin
check "plain login: cannot make itself admin" fails atk_plain $B \
	"SELECT secant.grant_capability('atk_plain', 'admin')" "$denied"
check "plain login: cannot make itself a proxy" fails atk_plain $B \
	"SELECT secant.grant_capability('atk_plain', 'proxy')" "$denied"
check "database owner: may give capabilities in its database (bootstrap)" \
	as atk_owner $B -o /dev/null -c "SELECT secant.grant_capability('atk_plain', 'proxy')"
check "database owner: cannot give capabilities in another database" fails atk_owner $A \
	"SELECT secant.grant_capability('atk_owner', 'admin')" "$denied"
check "the capabilities are in the audit log" equals 1 \
	su_sql $B -c "SELECT count(*) FROM secant.audit_log WHERE action = 'insert capability' AND detail->>'role' = 'atk_plain'"
su_sql $B -c "SELECT secant.revoke_capability('atk_plain', 'proxy')" >/dev/null

# server key rotation: re-sealing is an admin's, per database; the key
# files are named by the configuration only (no role but a superuser
# points the server at a key file of its choosing)
check "admin of A, in A: reseal_grants works (nothing to do)" equals 0 as atk_admin $A -c "SELECT secant.reseal_grants()"
check "admin of A, in B: reseal_grants is refused" fails atk_admin $B "SELECT secant.reseal_grants()" "$denied"
check "plain login: reseal_grants is refused" fails atk_plain $B "SELECT secant.reseal_grants()" "$denied"
check "plain login: the owner's re-sealing function is refused" fails atk_plain $B \
	"SELECT secant.reseal(sealed, hop_key) FROM secant.grants" "permission denied"
for who in atk_plain atk_admin atk_owner; do
	for setting in server_key_file previous_server_key_file; do
		check "$who: cannot SET secant_pre.$setting" fails $who $B \
			"SET secant_pre.$setting = 'atk.key'" "cannot be changed now|permission denied"
	done
done
check "database owner: cannot ALTER DATABASE ... SET the previous server key file" fails atk_owner $B \
	"ALTER DATABASE $B SET secant_pre.previous_server_key_file = 'atk.key'" "permission denied|cannot be changed"
check "database owner: cannot ALTER ROLE ... SET the server key file" fails atk_owner $B \
	"ALTER ROLE atk_owner SET secant_pre.server_key_file = 'atk.key'" "permission denied|cannot be changed"

atk_summary
