#!/usr/bin/env bash
# test/attacks/independent2_copy_identity.sh - a copy is filed under the
# TEXT of the share row's reference (secant.copies.source_row, made with
# the output function of the reference column's type, in the session of
# whoever inserted the share row), and removed by the text of the source
# key (in the session of whoever changes the source row) or of the share
# row (in the session of whoever deletes it).  When the two texts differ
# for the same row, the copy outlives what is promised to remove it
# (REFERENCE.md: updating the shared value or deleting the source row
# removes all its copies; deleting the share row removes its copy):
#   - a key whose text depends on the session (timestamptz and TimeZone,
#     also DateStyle, bytea_output, extra_float_digits ...);
#   - a reference of another type than the key, or a key type with several
#     texts for one value ('01' = 1 through the cast, numeric 1.0 = 1.00,
#     citext).
# The sharer chooses its session's settings and the reference's text: it
# makes a copy that no unshare, redaction or deletion removes (only a
# revocation on its path does).  Each check asserts the safe outcome.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind2_copyid
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }

su_sql $DB >/dev/null <<'SQL'
-- an application keyed by a timestamp, its sharer in another time zone
CREATE TABLE docs (k timestamptz PRIMARY KEY, body pre_ciphertext);
CREATE TABLE doc_shares (k timestamptz, recipient pre_public_key);
SELECT secant.enable_sharing('doc_shares', 'docs', 'body', 'k', 'k', 'recipient');
GRANT SELECT ON docs TO atk_plain;
GRANT INSERT ON doc_shares TO atk_plain;
-- an application whose share table refers to an integer key as text
CREATE TABLE rec (id int PRIMARY KEY, body pre_ciphertext);
CREATE TABLE rec_shares (ref text, recipient pre_public_key);
SELECT secant.enable_sharing('rec_shares', 'rec', 'body', 'id', 'ref', 'recipient');
GRANT SELECT ON rec TO atk_plain;
GRANT INSERT ON rec_shares TO atk_plain;
SQL

copies() {
	su_sql $DB -c "SELECT count(*) FROM secant.copies WHERE share_table = '$1'::regclass"
}
doc_fresh() {
	su_sql $DB >/dev/null <<-'SQL'
		DELETE FROM doc_shares; DELETE FROM docs;
		SELECT secant.delete_copies('doc_shares');
		INSERT INTO docs VALUES ('2026-01-01 00:00:00+00', pre_encrypt(secant.principal_key('clinic'), 'doc'));
	SQL
}
share_doc() {
	as atk_plain $DB -c "SET TimeZone = 'Asia/Tokyo'" \
		-c "INSERT INTO doc_shares VALUES ('2026-01-01 00:00:00+00', secant.principal_key('ada_phone'))"
}

doc_fresh
share_doc
check "control: the sharer's share made a copy" equals 1 copies doc_shares
su_sql $DB -c "DELETE FROM docs" >/dev/null
check "timestamptz key: deleting the source row removes the copy shared from another time zone" \
	equals 0 copies doc_shares

doc_fresh
share_doc
su_sql $DB -c "UPDATE docs SET body = pre_encrypt(secant.principal_key('clinic'), 'redacted')" >/dev/null
check "timestamptz key: updating the shared value removes the copy shared from another time zone" \
	equals 0 copies doc_shares

doc_fresh
su_sql $DB -c "INSERT INTO doc_shares VALUES ('2026-01-01 00:00:00+00', secant.principal_key('ada_phone'))" >/dev/null
su_sql $DB -c "SET TimeZone = 'America/New_York'" -c "DELETE FROM doc_shares" >/dev/null
check "timestamptz reference: deleting the share row (unsharing) in another time zone removes its copy" \
	equals 0 copies doc_shares

su_sql $DB >/dev/null <<'SQL'
INSERT INTO rec VALUES (1, pre_encrypt(secant.principal_key('clinic'), 'r1')),
                       (2, pre_encrypt(secant.principal_key('clinic'), 'r2'));
SQL
as atk_plain $DB -c "INSERT INTO rec_shares VALUES ('1', secant.principal_key('ada_phone'))" >/dev/null
as atk_plain $DB -c "INSERT INTO rec_shares VALUES ('02', secant.principal_key('ada_phone'))" >/dev/null
check "control: both shares of rec made copies" equals 2 copies rec_shares
su_sql $DB -c "UPDATE rec SET body = pre_encrypt(secant.principal_key('clinic'), 'redacted')" >/dev/null
check "text reference '02' to integer key 2: redacting the source removes every copy" equals 0 copies rec_shares

atk_summary
