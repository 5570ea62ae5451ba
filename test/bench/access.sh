#!/usr/bin/env bash
# test/bench/access.sh - benchmarks of the access-control layer (schema secant):
#   path resolution with 1 000 principals and 10 000 grants (target < 1 ms),
#   revocation of a member with 100 000 derived copies (target < 2 s),
#   secant.reencrypt_for over many rows vs. two bare pre_reencrypt per row.
# Needs a running server (PGHOST/PGPORT/PGUSER) with secant_pre installed;
# prints a Markdown table.  ROWS (default 100000) scales the row counts.
set -euo pipefail
ROWS=${ROWS:-100000}
DB=secant_bench_access
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null 2>&1
q "CREATE EXTENSION secant_pre"

# ---- a graph of 1 000 principals and 10 000 grants ----
q "CREATE TABLE keys AS
   SELECT i, CASE WHEN i <= 20 THEN 'group' WHEN i <= 500 THEN 'user' ELSE 'device' END AS kind,
          pre_keygen() AS sk FROM generate_series(1, 1000) AS i"
q "SELECT count(secant.add_principal(kind || i, kind, pre_public_key(sk))) FROM keys" >/dev/null
# every user in 19 of the 20 groups (9 120 memberships), every device enrolled
# by the user i - 500 and by one more user (880 enrolments): 10 000 grants
q "INSERT INTO secant.grants (rekey)
   SELECT pre_grant(g.sk, pre_public_key(u.sk)) FROM keys g, keys u
   WHERE g.kind = 'group' AND u.kind = 'user' AND (u.i % 20) + 1 <> g.i" >/dev/null
q "INSERT INTO secant.grants (rekey)
   SELECT pre_grant(u.sk, pre_public_key(d.sk)) FROM keys u, keys d
   WHERE d.kind = 'device' AND (u.i = d.i - 480 OR (u.i = d.i - 300 AND d.i <= 880))" >/dev/null
q "ANALYZE"
principals=$(q "SELECT count(*) FROM secant.principals")
grants=$(q "SELECT count(*) FROM secant.grants")
path_ms=$(q "DO \$\$
DECLARE t0 timestamptz; n int := 0; r record;
BEGIN
    t0 := clock_timestamp();
    FOR r IN SELECT (SELECT public_key FROM secant.principals WHERE name = 'group' || (1 + i % 20)) AS a,
                    (SELECT public_key FROM secant.principals WHERE name = 'device' || (501 + (i * 7) % 500)) AS b
             FROM generate_series(1, 1000) AS i LOOP
        PERFORM count(*) FROM secant.path(r.a, r.b);
        n := n + 1;
    END LOOP;
    RAISE NOTICE '%', round(extract(epoch FROM clock_timestamp() - t0) * 1000 / n, 3);
END \$\$" 2>&1 | sed -n 's/.*NOTICE:  //p')

# ---- secant.reencrypt_for vs. two bare pre_reencrypt per row ----
q "CREATE TABLE notes AS SELECT i AS id, pre_encrypt((SELECT public_key FROM secant.principals WHERE name = 'group1'), 'note ' || i) AS body
   FROM generate_series(1, $ROWS) AS i"
q "ALTER TABLE notes ADD PRIMARY KEY (id)"
target=device501   # enrolled by user21, a member of group1
time_ms() { psql -X -q -At -d "$DB" -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1; }
bare_ms=$(time_ms "SELECT count(pre_reencrypt(pre_reencrypt(n.body, g1.rekey), g2.rekey))
                   FROM notes n,
                        (SELECT pre_grant(a.sk, pre_public_key(b.sk)) AS rekey FROM keys a, keys b WHERE a.kind || a.i = 'group1' AND b.kind || b.i = 'user21') g1,
                        (SELECT pre_grant(a.sk, pre_public_key(b.sk)) AS rekey FROM keys a, keys b WHERE a.kind || a.i = 'user21' AND b.kind || b.i = '$target') g2")
for_ms=$(time_ms "SELECT count(secant.reencrypt_for(body, secant.principal_key('$target'))) FROM notes")

# ---- revocation of a member with ROWS derived copies ----
# one share through the sharing triggers; the other copies are made in bulk
# (the same re-encryption, without a trigger call and an access-log entry
# per row) straight into secant.copies, as the trigger files them
q "CREATE TABLE shares (id serial PRIMARY KEY, note_id int NOT NULL, recipient pre_public_key NOT NULL)"
q "SELECT secant.enable_sharing(share_table => 'shares', source_table => 'notes', source_column => 'body',
                                source_key => 'id', reference_column => 'note_id', recipient_column => 'recipient')" >/dev/null
q "INSERT INTO shares (note_id, recipient) VALUES (1, secant.principal_key('$target'))"
[ "$(q "SELECT count(*) FROM secant.copies WHERE share_table = 'shares'::regclass AND source_row = '1'")" = 1 ] ||
	{ echo "access.sh: the sharing trigger made no copy" >&2; exit 1; }
q "ALTER TABLE shares DISABLE TRIGGER secant_share"
q "INSERT INTO shares (note_id, recipient) SELECT id, secant.principal_key('$target') FROM notes WHERE id > 1"
q "ALTER TABLE shares ENABLE TRIGGER secant_share"
q "INSERT INTO secant.copies (share_table, source_table, source_row, recipient, copy, hop_keys, created_by)
   SELECT 'shares'::regclass, 'notes'::regclass, x.id::text, x.k, x.c, pre_hop_keys(x.c), current_user
   FROM (SELECT n.id, t.k, secant.reencrypt_for(n.body, t.k) AS c
         FROM notes n, (SELECT secant.principal_key('$target') AS k) t WHERE n.id > 1) x"
q "ANALYZE secant.copies"
copies=$(q "SELECT count(*) FROM secant.copies")
member=$(q "SELECT p.name FROM secant.path(secant.principal_key('group1'), secant.principal_key('$target')) x
            JOIN secant.principals p ON p.public_key = x.hop_to WHERE x.hop = 1")
revoke_ms=$(time_ms "SELECT secant.revoke('group1', '$member')")
left=$(q "SELECT count(*) FROM secant.copies")

psql -X -q -d postgres -c "DROP DATABASE $DB" >/dev/null
ratio=$(python3 -c "print(f'{100 * $bare_ms / $for_ms:.0f} %')")
cat <<EOF2
| access-control benchmark | measured | target |
| --- | --- | --- |
| secant.path, $principals principals, $grants grants (mean of 1 000 lookups) | $path_ms ms | < 1 ms |
| revoke a member with $copies derived copies in secant.copies (GIN on hop_keys) | $revoke_ms ms ($((copies - left)) deleted) | < 2000 ms |
| secant.reencrypt_for, $ROWS rows, 2 hops | $for_ms ms | |
| 2 × pre_reencrypt per row, $ROWS rows | $bare_ms ms | |
| reencrypt_for rate / bare rate | $ratio | ≥ 80 % |
EOF2
