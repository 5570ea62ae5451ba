#!/usr/bin/env bash
# test/attacks/who_may_ask.sh - a role obtains a re-encryption, an index key
# or a copy addressed to a principal only if it is bound to it or holds the
# proxy capability; ciphertexts with a hop chain that no active grant made
# are refused for every role.
#
# Roles: atk_phone is Ada's phone's own login (bound to ada_phone), atk_app
# an application login that is not bound, atk_plain a plain login, atk_proxy
# an application server with the proxy capability.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_who_may_ask
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql postgres >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk_phone') THEN CREATE ROLE atk_phone LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk_app') THEN CREATE ROLE atk_app LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'atk_proxy') THEN CREATE ROLE atk_proxy LOGIN; END IF;
END $$;
SQL
su_sql $DB >/dev/null <<'SQL'
SELECT secant.bind('ada_phone', 'atk_phone');
SELECT secant.grant_capability('atk_proxy', 'proxy');
CREATE TABLE index_plain (k bytea);
INSERT INTO index_plain VALUES (decode(repeat('ab', 32), 'hex'));
SELECT secant.rotate_index_key('clinic', pre_encrypt(secant.principal_key('clinic'), (SELECT k FROM index_plain)));
-- a crafted level-2 value: a genuine copy for dr_bob whose hop key is
-- replaced by another grant's (the DH-oracle attack)
CREATE TABLE crafted AS
SELECT 'wrong hop key' AS what,
       pre_ciphertext(overlay(pre_reencrypt(n.body, g1.g)::bytea PLACING pre_grant_hop_key(g2.g) FROM 196 + 64 + 1 FOR 32)) AS ct
FROM notes n, fixture_grants g1, fixture_grants g2
WHERE n.id = 1 AND g1.to_name = 'dr_bob' AND g2.to_name = 'bob_phone';
-- and one whose origin is not a principal
INSERT INTO crafted
SELECT 'unknown origin', pre_reencrypt(pre_encrypt(pre_public_key(sk), 'x'), pre_grant(sk, secant.principal_key('dr_bob')))
FROM (SELECT pre_keygen() AS sk) AS s;
GRANT SELECT ON crafted TO PUBLIC;
SQL

read_as() { # read_as ROLE TARGET: one re-encryption of note 1 for TARGET
	as "$1" $DB -c "SELECT pre_level(secant.reencrypt_for(body, '$2')) FROM notes WHERE id = 1"
}

# -- the legitimate flows
check "device login: reads its own copies (name form)" equals 3 read_as atk_phone ada_phone
pk=$(su_sql $DB -c "SELECT secant.principal_key('ada_phone')")
check "device login: key text form works too" equals 3 read_as atk_phone "$pk"
check "device login: a driver parameter (\$1, untyped) works" equals 3 \
	as atk_phone $DB -c "PREPARE q AS SELECT pre_level(secant.reencrypt_for(body, \$1)) FROM notes WHERE id = 1" -c "EXECUTE q('ada_phone')"
check "device login: secant.path takes names" equals 2 as atk_phone $DB -c "SELECT count(*) FROM secant.path('clinic', 'ada_phone')"
check "proxy: reads for any principal" equals 2 read_as atk_proxy dr_bob
check "proxy: index keys for a user" equals 1 as atk_proxy $DB -c "SELECT count(*) FROM secant.index_keys_for('clinic', 'dr_ada')"

# -- nobody else obtains anything addressed to a principal it is not bound to
check "device login: no re-encryption for its user" fails atk_phone $DB \
	"SELECT secant.reencrypt_for(body, 'dr_ada') FROM notes WHERE id = 1" "may not obtain"
check "device login: no index key for its user" fails atk_phone $DB \
	"SELECT * FROM secant.index_keys_for('clinic', 'dr_ada')" "may not obtain"
check "unbound app login: no re-encryption for the phone" fails atk_app $DB \
	"SELECT secant.reencrypt_for(body, 'ada_phone') FROM notes WHERE id = 1" "may not obtain"
check "plain login: no re-encryption for anyone" fails atk_plain $DB \
	"SELECT secant.reencrypt_for(body, secant.principal_key('bob_phone')) FROM notes WHERE id = 1" "may not obtain"
check "plain login: no index key" fails atk_plain $DB \
	"SELECT * FROM secant.index_keys_for('clinic', 'bob_phone')" "may not obtain"

# -- copies: readable by the recipient's roles and proxies only, not by the
#    sharer, the share table's owner or the database owner
su_sql $DB -c "GRANT SELECT ON notes TO atk_owner" >/dev/null
as atk_owner $DB >/dev/null <<'SQL'
CREATE TABLE owner_notes AS SELECT * FROM notes;
ALTER TABLE owner_notes ADD PRIMARY KEY (id);
CREATE TABLE owner_shares (note_id int, recipient pre_public_key);
SELECT secant.enable_sharing('owner_shares', 'owner_notes', 'body', 'id', 'note_id', 'recipient');
INSERT INTO owner_shares VALUES (1, secant.principal_key('ada_phone')), (2, secant.principal_key('dr_ada'));
SQL
as atk_plain $DB -c "INSERT INTO note_shares (note_id, recipient) VALUES (3, secant.principal_key('ada_phone'))" >/dev/null
check "share table owner: a share stored its copies" equals 3 su_sql $DB -c "SELECT count(*) FROM secant.copies"
check "share table owner: sees none of the copies" equals 0 as atk_owner $DB -c "SELECT count(*) FROM secant.copies"
check "sharer: does not see the copy it asked for" equals 0 as atk_plain $DB -c "SELECT count(*) FROM secant.copies"
check "device login: sees exactly the copies addressed to it" equals "2 t" \
	as atk_phone $DB -F ' ' -c "SELECT count(*), bool_and(recipient = secant.principal_key('ada_phone')) FROM secant.copies"
check "device login: no copy addressed to its user" equals 0 \
	as atk_phone $DB -c "SELECT count(*) FROM secant.copies WHERE recipient = secant.principal_key('dr_ada')"
check "proxy: sees every copy" equals 3 as atk_proxy $DB -c "SELECT count(*) FROM secant.copies"
check "share table owner: cannot turn row-level security off" fails atk_owner $DB \
	"ALTER TABLE secant.copies DISABLE ROW LEVEL SECURITY" "must be owner|permission denied"

# -- a revoked device with its own login gets nothing new, by any way
su_sql $DB -c "SELECT secant.revoke('dr_ada', 'ada_phone')" >/dev/null
su_sql $DB -c "INSERT INTO notes VALUES (9, pre_encrypt(secant.principal_key('clinic'), 'after the revocation'))" \
	-c "SELECT secant.rotate_index_key('clinic', pre_encrypt(secant.principal_key('clinic'), decode(repeat('cd', 32), 'hex')))" >/dev/null
as atk_plain $DB -c "INSERT INTO note_shares (note_id, recipient) VALUES (9, secant.principal_key('dr_ada'))" >/dev/null 2>&1
check "revoked device: no re-encryption of a new note for itself" fails atk_phone $DB \
	"SELECT secant.reencrypt_for(body, 'ada_phone') FROM notes WHERE id = 9" "no active grant path"
check "revoked device: no re-encryption of a new note for its user" fails atk_phone $DB \
	"SELECT secant.reencrypt_for(body, 'dr_ada') FROM notes WHERE id = 9" "may not obtain"
check "revoked device: no new index key version for its user" fails atk_phone $DB \
	"SELECT * FROM secant.index_keys_for('clinic', 'dr_ada')" "may not obtain"
check "revoked device: no copy of the new note" equals 0 \
	as atk_phone $DB -c "SELECT count(*) FROM secant.copies WHERE source_row = '9'"
check "revoked device: its old copies are gone" equals 0 as atk_phone $DB -c "SELECT count(*) FROM secant.copies"

# -- crafted hop chains are refused for every role, the superuser included
for who in atk_proxy "${PGUSER:-postgres}"; do
	check "$who: a hop key that no active grant from the previous recipient has is refused" fails "$who" $DB \
		"SELECT secant.reencrypt_for(ct, 'bob_phone') FROM crafted WHERE what = 'wrong hop key'" "hop chain does not match"
	check "$who: a level-2 value whose origin is not a principal is refused" fails "$who" $DB \
		"SELECT secant.reencrypt_for(ct, 'bob_phone') FROM crafted WHERE what = 'unknown origin'" "origin is not a known principal"
done
su_sql $DB -c "CREATE TABLE crafted_shares (i int, recipient pre_public_key)" \
	-c "CREATE TABLE crafted_src (id int PRIMARY KEY, ct pre_ciphertext)" \
	-c "INSERT INTO crafted_src SELECT 1, ct FROM crafted WHERE what = 'wrong hop key'" \
	-c "SELECT secant.enable_sharing('crafted_shares', 'crafted_src', 'ct', 'id', 'i', 'recipient')" >/dev/null
check "superuser: sharing a crafted value is refused" fails "${PGUSER:-postgres}" $DB \
	"INSERT INTO crafted_shares VALUES (1, secant.principal_key('bob_phone'))" "hop chain does not match"
su_sql $DB -c "INSERT INTO crafted SELECT 'genuine', pre_reencrypt(n.body, g.g) FROM notes n, fixture_grants g
	  WHERE n.id = 1 AND g.to_name = 'dr_bob'" >/dev/null
check "a genuine level-2 value is served" equals 3 \
	as atk_proxy $DB -c "SELECT pre_level(secant.reencrypt_for(ct, 'bob_phone')) FROM crafted WHERE what = 'genuine'"

atk_summary
