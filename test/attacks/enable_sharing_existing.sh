#!/usr/bin/env bash
# test/attacks/enable_sharing_existing.sh - secant.enable_sharing shares
# the rows a share table already holds (issue 36).  Its body runs as the
# extension's owner; the existing rows must be shared with the registering
# role's rights, as an INSERT of them by that role would: a source row the
# role may not read (row-level security) is not read as the owner and
# refuses the registration; the copies are by the registering role; a
# recipient without a path gets nothing.  Each check asserts the safe
# outcome.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_enable_existing
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
# a source table of the superuser's: atk_owner may read (and trigger on)
# every row but the second
su_sql $DB >/dev/null <<'SQL'
CREATE TABLE guarded (id int PRIMARY KEY, body pre_ciphertext NOT NULL);
INSERT INTO guarded SELECT i, pre_encrypt(secant.principal_key('clinic'), 'guarded ' || i) FROM generate_series(1, 3) i;
ALTER TABLE guarded ENABLE ROW LEVEL SECURITY;
CREATE POLICY not_two ON guarded FOR SELECT USING (id <> 2);
GRANT SELECT, TRIGGER ON guarded TO atk_owner;
SQL
as atk_owner $DB >/dev/null <<'SQL'
CREATE TABLE my_shares (note_id int, recipient pre_public_key);
INSERT INTO my_shares VALUES (1, secant.principal_key('ada_phone')), (2, secant.principal_key('ada_phone'));
SQL
check "control: atk_owner does not see row 2 of guarded" equals 0 \
	as atk_owner $DB -c "SELECT count(*) FROM guarded WHERE id = 2"
check "registering over a share row whose source row the registering role may not read is refused" \
	fails atk_owner $DB "SELECT secant.enable_sharing('my_shares', 'guarded', 'body', 'id', 'note_id', 'recipient')" \
	"shared row not found"
check "no copy of guarded was made (not read as the extension's owner)" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM secant.copies WHERE source_table = 'guarded'::regclass"
check "the refused registration left nothing registered" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM secant.sharing WHERE share_table = 'my_shares'::regclass"
as atk_owner $DB -c "DELETE FROM my_shares WHERE note_id = 2" >/dev/null
check "control: without that row the registration succeeds" equals "" \
	as atk_owner $DB -c "SELECT secant.enable_sharing('my_shares', 'guarded', 'body', 'id', 'note_id', 'recipient')"
check "the existing row's copy is made, by the registering role" equals "1|atk_owner|guarded 1" \
	su_sql $DB -c "SELECT c.source_row, c.created_by, pre_decrypt_text(c.copy, fixture_sk('ada_phone'))
	               FROM secant.copies c WHERE c.share_table = 'my_shares'::regclass"
check "and logged as a share by the registering role" equals "1" \
	su_sql $DB -c "SELECT count(*) FROM secant.access_log
	               WHERE action = 'share' AND role = 'atk_owner' AND (detail ->> 'share_table')::regclass = 'my_shares'::regclass"
# a share row for a principal without a path
check "control: an outsider principal exists" equals 1 \
	su_sql $DB -c "SELECT count(secant.add_principal('outsider', 'device', pre_public_key(pre_keygen())))"
# (unregistered first: the INSERT trigger would refuse that row)
as atk_owner $DB -c "SELECT secant.disable_sharing('my_shares')" \
	-c "INSERT INTO my_shares VALUES (3, secant.principal_key('outsider'))" >/dev/null
check "registering again over a share row whose recipient has no path is refused" \
	fails atk_owner $DB "SELECT secant.enable_sharing('my_shares', 'guarded', 'body', 'id', 'note_id', 'recipient')" \
	"no active grant path"
check "no copy for the outsider" equals 0 \
	su_sql $DB -c "SELECT count(*) FROM secant.copies WHERE recipient = secant.principal_key('outsider')"
atk_summary
