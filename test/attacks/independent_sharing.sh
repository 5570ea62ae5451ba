#!/usr/bin/env bash
# test/attacks/independent_sharing.sh - sharing registrations: a second
# registration on the same source table must not undo the first one's
# guarantees ("updating the shared value or deleting the source row
# removes all its copies", REFERENCE.md).  secant.enable_sharing installs
# one trigger per source table (secant_share_source) with the key and
# column of the latest registration, so the copies made through an earlier
# registration outlive a change or a deletion of their source row.  Each
# check asserts the safe outcome.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind_sharing
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }

# a second shared column of notes, keyed by a code, shared through a share
# table of its own (by the notes' owner, as an application would)
su_sql $DB >/dev/null <<'SQL'
ALTER TABLE notes ADD COLUMN code text UNIQUE, ADD COLUMN summary pre_ciphertext;
UPDATE notes SET code = 'n' || id, summary = body;
-- the fixture's foreign key would keep source rows from being deleted
ALTER TABLE note_shares DROP CONSTRAINT note_shares_note_id_fkey;
INSERT INTO note_shares (note_id, recipient) VALUES (1, secant.principal_key('ada_phone')),
                                                    (2, secant.principal_key('ada_phone'));
SQL
check "control: the first registration made its copies" equals 2 su_sql $DB -c \
	"SELECT count(*) FROM secant.copies WHERE share_table = 'note_shares'::regclass AND source_row IN ('1', '2')"

su_sql $DB >/dev/null <<'SQL'
CREATE TABLE summary_shares (code text, recipient pre_public_key);
SELECT secant.enable_sharing(share_table => 'summary_shares', source_table => 'notes',
                             source_column => 'summary', source_key => 'code',
                             reference_column => 'code', recipient_column => 'recipient');
UPDATE notes SET body = pre_encrypt(secant.principal_key('clinic'), 'redacted') WHERE id = 1;
DELETE FROM notes WHERE id = 2;
SQL
check "a second registration on the source: updating a shared value still removes its copies" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM secant.copies WHERE share_table = 'note_shares'::regclass AND source_row = '1'"
check "a second registration on the source: deleting a source row still removes its copies" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM secant.copies WHERE share_table = 'note_shares'::regclass AND source_row = '2'"

# the source trigger is rebuilt from the registrations that remain: never
# left with a removed registration's columns (the application's UPDATE
# and TRUNCATE keep working, and the remaining registration keeps its
# guarantee), and gone with the last one
su_sql $DB >/dev/null <<'SQL'
INSERT INTO note_shares (note_id, recipient) VALUES (4, secant.principal_key('ada_phone')),
                                                    (5, secant.principal_key('ada_phone'));
SELECT secant.disable_sharing('summary_shares');
SQL
check "after disable_sharing of the latest registration: the application still updates the source" \
	su_sql $DB -c "UPDATE notes SET body = body, summary = summary WHERE id = 4"
su_sql $DB -c "UPDATE notes SET body = pre_encrypt(secant.principal_key('clinic'), 'changed') WHERE id = 4" >/dev/null
check "after disable_sharing of the latest registration: updating the other's value still removes its copies" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM secant.copies WHERE share_table = 'note_shares'::regclass AND source_row = '4'"
su_sql $DB >/dev/null <<'SQL'
SELECT secant.enable_sharing('summary_shares', 'notes', 'summary', 'code', 'code', 'recipient');
INSERT INTO summary_shares VALUES ('n3', secant.principal_key('ada_phone'));
DROP TABLE summary_shares;
SQL
check "after dropping the latest share table: the application still updates and truncates the source" \
	su_sql $DB -c "BEGIN; UPDATE notes SET body = body, summary = summary WHERE id = 5; TRUNCATE notes; ROLLBACK"
su_sql $DB -c "DELETE FROM notes WHERE id = 5" >/dev/null
check "after dropping the latest share table: deleting a row still removes the other's copies" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM secant.copies WHERE share_table = 'note_shares'::regclass AND source_row = '5'"
su_sql $DB -c "DROP TABLE note_shares" >/dev/null
check "the last registration gone: no sharing trigger left on the source" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'notes'::regclass AND tgname LIKE 'secant_share%'"

atk_summary
