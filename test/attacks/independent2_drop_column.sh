#!/usr/bin/env bash
# test/attacks/independent2_drop_column.sh - the sql_drop event trigger
# (secant_internal.sharing_dropped) takes every dropped object of class
# pg_class as a dropped TABLE: a dropped column is reported with its
# table's oid (and a column number in objsubid), so ALTER TABLE ... DROP
# COLUMN of any column, however unrelated, of a source or share table
# deletes the registrations of every share table on it and all their
# copies, and leaves the share tables' triggers raising "not registered"
# on every share and unshare (other roles' applications break).  Each
# check asserts the safe outcome: an unrelated column's drop changes
# nothing.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind2_dropcol
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql $DB >/dev/null <<'SQL'
ALTER TABLE notes ADD COLUMN scratch int;
INSERT INTO note_shares (note_id, recipient) VALUES (1, secant.principal_key('ada_phone'));
SQL
check "control: one copy, one registration" equals "1|1" su_sql $DB -c \
	"SELECT (SELECT count(*) FROM secant.copies), (SELECT count(*) FROM secant.sharing)"
su_sql $DB -c "ALTER TABLE notes DROP COLUMN scratch" >/dev/null
check "dropping an unrelated column of the source keeps the registration and its copies" equals "1|1" su_sql $DB -c \
	"SELECT (SELECT count(*) FROM secant.copies), (SELECT count(*) FROM secant.sharing)"
check "after it, a share still makes its copy" \
	as atk_plain $DB -c "INSERT INTO note_shares (note_id, recipient) VALUES (2, secant.principal_key('ada_phone'))"

atk_summary
