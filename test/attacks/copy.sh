#!/usr/bin/env bash
# test/attacks/copy.sh - a copy of a database is not a second live one
# (issue 30): CREATE DATABASE ... TEMPLATE copies the identity, the sealed
# grants, the bindings, and PUBLIC has CONNECT on the copy.  A device login
# revoked in the original must get nothing in a copy made before the
# revocation: the copy starts closed (no grant opens, re-encryption is
# refused naming the remedy) until an admin adopts it, audited, which gives
# it an identity of its own and re-seals its grants for it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
A=atk_copy_orig
C=atk_copy_copy
fresh_db $A || { echo "0 passed, 1 failed"; exit 1; }
su_sql $A -c "SELECT secant.bind('ada_phone', 'atk_plain')" >/dev/null
read_note() { # read_note DB ROLE: note 1 re-encrypted for ada_phone, decrypted
	as "$2" "$1" -c "SELECT pre_level(secant.reencrypt_for(body, secant.principal_key('ada_phone'))) FROM notes WHERE id = 1"
}
check "original: the phone's login reads (level 3)" equals 3 read_note $A atk_plain

# the copy, made while the phone is still enrolled
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $C" >/dev/null 2>&1
check "a copy of the original (CREATE DATABASE ... TEMPLATE)" su_sql postgres -c "CREATE DATABASE $C TEMPLATE $A OWNER atk_owner"
ATK_DBS="$ATK_DBS $C"
# the phone is revoked in the original; a note is written after that
su_sql $A -c "SELECT secant.revoke('dr_ada', 'ada_phone')" >/dev/null
check "original: the revoked phone reads nothing" fails atk_plain $A \
	"SELECT secant.reencrypt_for(body, secant.principal_key('ada_phone')) FROM notes WHERE id = 1" "no active grant path|no path"

closed="copy of a secant_pre database|adopt_database"
check "copy: the revoked phone's login reads nothing (closed)" fails atk_plain $C \
	"SELECT secant.reencrypt_for(body, secant.principal_key('ada_phone')) FROM notes WHERE id = 1" "$closed"
check "copy: a note written after the revocation, for the phone: nothing" fails atk_plain $C \
	"SELECT secant.reencrypt_for(pre_encrypt(secant.principal_key('clinic'), 'after'), secant.principal_key('ada_phone'))" "$closed"
check "copy: a superuser's read is refused too (closed for everyone)" fails postgres $C \
	"SELECT secant.reencrypt_for(body, secant.principal_key('dr_bob')) FROM notes WHERE id = 1" "$closed"
check "copy: the error names the remedy" fails postgres $C \
	"SELECT secant.reencrypt_for(body, secant.principal_key('dr_bob')) FROM notes WHERE id = 1" "secant.adopt_database\(\)"
check "copy: sharing makes no copy (closed)" fails atk_plain $C \
	"INSERT INTO note_shares (note_id, recipient) VALUES (2, secant.principal_key('ada_phone'))" "$closed"
check "copy: no grant is sealed for the original's identity" fails postgres $C \
	"SELECT secant.seal_grant_on_server(pre_grant(fixture_sk('dr_bob'), secant.principal_key('bob_phone')))" "$closed"
check "copy: a plain login cannot adopt it" fails atk_plain $C "SELECT secant.adopt_database()" "permission denied|not a secant_pre admin"

# adoption by an admin of the copy: audited, a new identity, grants re-sealed
id_of() { su_sql "$1" -c "SELECT encode(id, 'hex') FROM secant.database_identity"; }
old_id=$(id_of $C)
check "copy: an admin adopts it" equals 4 as atk_admin $C -c "SELECT secant.adopt_database()"
check "copy: a new identity" [ "$(id_of $C)" != "$old_id" ] 
check "original: its identity unchanged" equals "$old_id" id_of $A
check "copy: the adoption is in the audit log" equals 1 su_sql $C -c \
	"SELECT count(*) FROM secant.audit_log WHERE action = 'adopt database' AND detail->>'previous_identity' = '$old_id' AND detail->>'grants' = '4'"
check "copy: audit chain intact" equals t su_sql $C -c "SELECT secant.audit_verify() IS NULL"
check "copy, adopted: reads work" equals 3 read_note $C atk_plain
check "copy, adopted: its sealed grants are not the original's" equals 0 su_sql $C -c \
	"SELECT count(*) FROM secant.grants g WHERE g.sealed::text IN ($(su_sql $A -c "SELECT string_agg(quote_literal(sealed::text), ',') FROM secant.grants"))"
check "copy, adopted: a grant sealed in the original does not open in it" fails postgres $C \
	"SELECT secant.add_grant('$(su_sql $A -c "SELECT secant.seal_grant_on_server(pre_grant(fixture_sk('dr_bob'), secant.principal_key('ada_phone')))")'::pre_sealed_grant)" \
	"another database|does not open|identity"
check "copy, adopted: adopting again is refused (it is live)" fails atk_admin $C "SELECT secant.adopt_database()" "already|is live"
check "original: still works" equals 2 su_sql $A -c \
	"SELECT pre_level(secant.reencrypt_for(body, secant.principal_key('dr_bob'))) FROM notes WHERE id = 1"
atk_summary
