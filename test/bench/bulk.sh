#!/usr/bin/env bash
# test/bench/bulk.sh - bulk work against its bound, on BULK_ROWS (100 000)
# records of a group "ward" (member ann, her device ann_phone), in a share
# table registered with secant.enable_sharing:
#   sharing every record to the device in one INSERT … SELECT into the share
#   table (the sharing trigger: a copy in secant.copies and an access-log
#   entry per row), against its bound: the re-encryptions of the copies
#   (two pre_reencrypt per row, bare grants) stored in a plain table;
#   registering the share table again (secant.enable_sharing over its
#   existing rows: the same copies), against the same bound;
#   storing the records a rotation rewrapped: \copy of the new values into a
#   temporary table and an UPDATE of the registered source table (its
#   trigger removes the row's copies), against its bound: the same \copy
#   (the input validation, one pass) and a plain UPDATE of an unregistered
#   table with the same rows.
# Each measured BULK_ROUNDS (2) times, the median; \timing of psql; each
# step after a VACUUM ANALYZE and a CHECKPOINT (not measured).
# Needs a running server (PGHOST/PGPORT/PGUSER, a superuser) with
# secant_pre installed.  Prints Markdown.
set -euo pipefail
N=${BULK_ROWS:-100000}
ROUNDS=${BULK_ROUNDS:-2}
DB=secant_bench_bulk
T=$(mktemp -d)
trap 'rm -rf "$T"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $DB "$@"; }
# ms SQL...: psql's \timing of each statement, in ms, separated by spaces
ms() {
	local a=() s
	for s in "$@"; do a+=(-c "$s"); done
	q -c '\timing on' "${a[@]}" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | paste -sd' '
}
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
q >/dev/null <<'SQL'
CREATE EXTENSION secant_pre;
CREATE TABLE k (name text PRIMARY KEY, kind text, sk pre_secret_key);
INSERT INTO k SELECT n, kd, pre_keygen() FROM (VALUES ('ward', 'group'), ('ann', 'user'), ('ann_phone', 'device'),
    ('ward_v2', 'group')) AS v(n, kd);
SELECT count(secant.add_principal(name, kind, pre_public_key(sk))) FROM k WHERE name <> 'ward_v2';
CREATE TABLE bare AS
SELECT pre_grant(a.sk, pre_public_key(b.sk)) AS g1, pre_grant(b.sk, pre_public_key(c.sk)) AS g2
FROM k a, k b, k c WHERE a.name = 'ward' AND b.name = 'ann' AND c.name = 'ann_phone';
SELECT secant.add_grant(g1), secant.add_grant(g2) FROM bare;
CREATE TABLE notes (id int PRIMARY KEY, body pre_ciphertext NOT NULL);
CREATE TABLE note_shares (id serial PRIMARY KEY, note_id int NOT NULL, recipient pre_public_key NOT NULL);
SELECT secant.enable_sharing('note_shares', 'notes', 'body', 'id', 'note_id', 'recipient');
SQL
q -c "INSERT INTO notes SELECT i, pre_encrypt(secant.principal_key('ward'), repeat('x', 200)) FROM generate_series(1, $N) i"
q -c "CREATE TABLE orig AS SELECT * FROM notes" -c "CREATE TABLE plain_notes AS SELECT * FROM notes" \
	-c "ALTER TABLE plain_notes ADD PRIMARY KEY (id)"
# the records as a rotation's rewrap gives them: each encrypted to the new key
q -c "\\copy (SELECT id, pre_encrypt(pre_public_key((SELECT sk FROM k WHERE name = 'ward_v2')), repeat('y', 200)) FROM notes) TO '$T/new.tsv'"
q -c "VACUUM ANALYZE"
# before each measurement: the previous step's dead rows vacuumed (else an
# autovacuum of them runs during the next step, and the step measured
# after a bulk insert or delete pays for it) and its pages written
settle() { q -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null; }
for r in $(seq 1 "$ROUNDS"); do
	q -c "TRUNCATE note_shares" -c "DROP TABLE IF EXISTS bound_copies" >/dev/null
	settle
	printf 'share\t%s\n' "$(ms "INSERT INTO note_shares (note_id, recipient) SELECT id, secant.principal_key('ann_phone') FROM notes")" >>"$T/m"
	[ "$(q -c "SELECT count(*) FROM secant.copies")" = "$N" ] || { echo "bulk.sh: not $N copies" >&2; exit 1; }
	settle
	printf 'share_bound\t%s\n' "$(ms "CREATE TABLE bound_copies AS SELECT n.id, pre_reencrypt(pre_reencrypt(n.body, b.g1), b.g2) AS copy FROM notes n, bare b")" >>"$T/m"
	# the same records shared again by registering the share table that holds them
	q -c "SELECT secant.disable_sharing('note_shares')" >/dev/null
	settle
	printf 'enable\t%s\n' "$(ms "SELECT secant.enable_sharing('note_shares', 'notes', 'body', 'id', 'note_id', 'recipient')")" >>"$T/m"
	[ "$(q -c "SELECT count(*) FROM secant.copies")" = "$N" ] || { echo "bulk.sh: not $N copies after enable_sharing" >&2; exit 1; }
	settle
	printf 'store\t%s\n' "$(ms "CREATE TEMP TABLE moved (id int, body pre_ciphertext)" "\\copy moved FROM '$T/new.tsv'" \
		"UPDATE notes n SET body = m.body FROM moved m WHERE m.id = n.id")" >>"$T/m"
	[ "$(q -c "SELECT count(*) FROM secant.copies")" = 0 ] || { echo "bulk.sh: copies left after the store" >&2; exit 1; }
	settle
	printf 'store_bound\t%s\n' "$(ms "CREATE TEMP TABLE moved (id int, body pre_ciphertext)" "\\copy moved FROM '$T/new.tsv'" \
		"UPDATE plain_notes n SET body = m.body FROM moved m WHERE m.id = n.id")" >>"$T/m"
	# back to the old values for the next round (not measured)
	q -c "UPDATE notes n SET body = o.body FROM orig o WHERE o.id = n.id" >/dev/null
done
python3 - "$T/m" "$N" "$ROUNDS" <<'PY'
import statistics, sys
m = {}
for l in open(sys.argv[1]):
    k, v = l.split("\t")
    t = [float(x) / 1000 for x in v.split()]
    m.setdefault(k, []).append(sum(t))
    # the UPDATE alone: the last statement of a store
    if k.startswith("store"):
        m.setdefault(k + "_update", []).append(t[-1])
n, rounds = "{:,}".format(int(sys.argv[2])), sys.argv[3]
med = {k: statistics.median(v) for k, v in m.items()}
print("| work (%s records, median of %s rounds) | measured | its bound | bound | ratio | target |" % (n, rounds))
print("| --- | ---: | --- | ---: | ---: | --- |")
rows = [("share", "share_bound", "share every record to a device: `INSERT … SELECT` into the share table",
         "two `pre_reencrypt` per row into a plain table", 1.5),
        ("enable", "share_bound", "share the records a share table already holds: `secant.enable_sharing`",
         "two `pre_reencrypt` per row into a plain table", 1.5),
        ("store", "store_bound", "store the rewrapped records: `\\copy` + `UPDATE` of the registered table",
         "the same `\\copy` (validation) + a plain `UPDATE`", 1.3),
        ("store_update", "store_bound_update", "of which the `UPDATE` (its trigger deleting the copies)",
         "a plain `UPDATE`", None)]
for k, b, label, blabel, target in rows:
    ratio = med[k] / med[b]
    verdict = "—" if target is None else "≤ %.1f×: %s" % (target, "met" if ratio <= target else "**not met**")
    print("| %s | %.2f s | %s | %.2f s | %.2f× | %s |" % (label, med[k], blabel, med[b], ratio, verdict))
PY
