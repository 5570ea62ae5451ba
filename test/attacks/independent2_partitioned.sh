#!/usr/bin/env bash
# test/attacks/independent2_partitioned.sh - secant.enable_sharing accepts
# partitioned tables (relkind 'p') as share and source tables, but the
# triggers it installs are cloned onto the partitions, where they fire
# with the PARTITION as their relation: the source trigger finds no
# registration for the partition and raises, so once a partitioned table
# is registered as a source (by whoever may register it: the share
# table's owner with TRIGGER on it, or an admin), every UPDATE of a
# registered column and every DELETE of the source's owner fails; on a
# partitioned share table every share (and unshare) fails.  Each check
# asserts the safe outcome: the application keeps working, or the
# registration is refused; a registered table made a partition afterwards
# is refused by the triggers at run time (no copy is made of it).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
DB=atk_ind2_part
fresh_db $DB || { echo "0 passed, 1 failed"; exit 1; }
su_sql $DB >/dev/null <<'SQL'
CREATE TABLE pnotes (id int, body pre_ciphertext) PARTITION BY RANGE (id);
CREATE TABLE pnotes_1 PARTITION OF pnotes FOR VALUES FROM (0) TO (100);
INSERT INTO pnotes SELECT i, pre_encrypt(secant.principal_key('clinic'), 'p' || i) FROM generate_series(1, 3) i;
CREATE TABLE pshares (note_id int, recipient pre_public_key) PARTITION BY HASH (note_id);
CREATE TABLE pshares_0 PARTITION OF pshares FOR VALUES WITH (MODULUS 1, REMAINDER 0);
CREATE TABLE plain_shares (note_id int, recipient pre_public_key);
SQL
reg_src=$(as atk_admin $DB -c "SELECT secant.enable_sharing('plain_shares', 'pnotes', 'body', 'id', 'note_id', 'recipient')" 2>&1)
if grep -q ERROR <<<"$reg_src"; then
	check "a partitioned source is refused at registration" true
else
	check "registered partitioned source: its owner still deletes a row" \
		su_sql $DB -c "DELETE FROM pnotes WHERE id = 1"
	check "registered partitioned source: its owner still updates a shared value" \
		su_sql $DB -c "UPDATE pnotes SET body = pre_encrypt(secant.principal_key('clinic'), 'new') WHERE id = 2"
fi
reg_share=$(as atk_admin $DB -c "SELECT secant.enable_sharing('pshares', 'pnotes', 'body', 'id', 'note_id', 'recipient')" 2>&1)
if grep -q ERROR <<<"$reg_share"; then
	check "a partitioned share table is refused at registration" true
else
	check "registered partitioned share table: a share makes its copy" \
		su_sql $DB -c "INSERT INTO pshares VALUES (3, secant.principal_key('ada_phone'))"
fi

su_sql $DB >/dev/null <<'SQL'
CREATE TABLE rnotes (id int PRIMARY KEY, body pre_ciphertext);
CREATE TABLE rshares (note_id int, recipient pre_public_key);
GRANT INSERT ON rshares TO atk_plain;
GRANT SELECT ON rnotes TO atk_plain;
SELECT secant.enable_sharing('rshares', 'rnotes', 'body', 'id', 'note_id', 'recipient');
INSERT INTO rnotes VALUES (5, pre_encrypt(secant.principal_key('clinic'), 'r5'));
CREATE TABLE rparent (id int, body pre_ciphertext) PARTITION BY RANGE (id);
ALTER TABLE rparent ATTACH PARTITION rnotes FOR VALUES FROM (0) TO (100);
SQL
check "a registered source made a partition afterwards: a share of it is refused at run time" \
	fails atk_plain $DB "INSERT INTO rshares VALUES (5, secant.principal_key('ada_phone'))" "ordinary permanent tables"

atk_summary
