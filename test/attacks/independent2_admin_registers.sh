#!/usr/bin/env bash
# test/attacks/independent2_admin_registers.sh - an admin of one database
# (not superuser) registers the EXTENSION'S OWN table secant.copies as a
# share table (secant.enable_sharing skips every ownership and privilege
# check for admins, and accepts any permanent table), with as source a
# table it has no privilege on.  Every copy the sharing triggers then
# store (as the extension's owner, src/pg/share.c owner_run) fires the
# admin's registration on secant.copies as the extension's owner: the
# source row is read "with the caller's rights" - the owner's, a
# superuser's - and a copy of it is stored for the copy's recipient,
# whom the admin binds itself to.  So an admin reads any pre_ciphertext
# column of any table of the database, and has triggers installed on the
# extension's tables.  SECURITY.md: owner-run code "runs no dynamic SQL on
# names a caller chose, and touches only the extension's own tables";
# ARCHITECTURE.md: "No code running with the owner's rights ever touches
# a table a caller created".  Each check asserts the safe outcome.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind2_adminreg
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql $DB >/dev/null <<'SQL'
CREATE TABLE private_notes (id int PRIMARY KEY, body pre_ciphertext);
REVOKE ALL ON private_notes FROM PUBLIC;
INSERT INTO private_notes VALUES (1, pre_encrypt(secant.principal_key('clinic'), 'top secret'));
SQL

check "control: the admin cannot read private_notes" fails atk_admin $DB \
	"SELECT body FROM private_notes" "permission denied"
check "an admin cannot register the extension's table secant.copies for sharing" fails atk_admin $DB \
	"SELECT secant.enable_sharing('secant.copies', 'private_notes', 'body', 'id', 'source_row', 'recipient')" \
	"permission denied|not allowed|may not|cannot|refuse|extension"
# whatever the registration did: the admin binds itself and shares a
# note it may read to the principal it is bound to
as atk_admin $DB -c "SELECT secant.bind('ada_phone', 'atk_admin')" >/dev/null 2>&1
as atk_admin $DB -c "INSERT INTO note_shares (note_id, recipient) VALUES (1, secant.principal_key('ada_phone'))" >/dev/null 2>&1
check "no copy of a row of private_notes (read as the extension's owner) exists" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM secant.copies WHERE source_table = 'private_notes'::regclass"
check "the admin reads no copy of private_notes" reads_nothing atk_admin $DB \
	"SELECT count(*) FROM secant.copies WHERE source_table = 'private_notes'::regclass"
check "no trigger of an admin's registration on an extension table" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	               JOIN pg_namespace n ON n.oid = c.relnamespace
	               WHERE n.nspname IN ('secant', 'secant_internal') AND t.tgname LIKE 'secant_share%'"
# the decryption, as the test's superuser, shows what the admin's device reads
check "no copy of private_notes decrypts for the admin's device" equals "" \
	su_sql $DB -c "SELECT pre_decrypt_text(c.copy, fixture_sk('ada_phone')) FROM secant.copies c
	               WHERE c.source_table = 'private_notes'::regclass"

atk_summary
