#!/usr/bin/env bash
# test/scaleout/bench.sh - re-encryption throughput through the coordinator:
# the shard-side design (notes_for: rows re-encrypted on the shards, filter
# shipped) vs. the naive form (foreign tables of raw ciphertexts,
# secant.reencrypt_for in the coordinator's select list).  Not part of
# `make test`.
#
# Starts its own coordinator and two shards (lib.sh), writes
# SCALEOUT_BENCH_ROWS rows per shard (default 100 000: 200 000 in all, two
# groups, one per shard) and reads them all for one device that is a member
# of both groups (every row: two hops, level 1 -> 3).  For each form it
# prints rows/s (wall clock) and the CPU time of the coordinator's backend
# and of the shards' backends serving it (utime+stime from /proc/self/stat,
# read by each backend itself, 10 ms ticks).  Output: a Markdown table.
# Takes about 6 minutes on 2 CPUs.  Results: docs/SCALEOUT.md.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROWS=${SCALEOUT_BENCH_ROWS:-100000}
SCALEOUT_PORT=${SCALEOUT_PORT:-55470}	# before lib.sh, whose default is 55460
# shellcheck source=lib.sh
. "$HERE/lib.sh"

trap stop_nodes EXIT
trap 'exit 130' INT TERM
die() { echo "bench: $*" >&2; exit 1; }

start_nodes || die "could not start the clusters"
setup_schemas "$HERE" || die "could not load the schemas"

# CPU seconds of the backend that evaluates it (superuser-owned, so that
# the coordinator's role on the shards may call it through a view).
CPU_FN="CREATE FUNCTION scaleout.backend_cpu() RETURNS numeric
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS \$\$
  SELECT (split_part(s, ' ', 14)::bigint + split_part(s, ' ', 15)::bigint) / 100.0
  FROM pg_read_file('/proc/self/stat') AS s \$\$;"
for s in shard1 shard2; do
	psql_on "$s" >/dev/null <<SQL || die "cpu view on $s"
$CPU_FN
CREATE VIEW scaleout.backend_cpu AS SELECT scaleout.backend_cpu() AS cpu;
GRANT SELECT ON scaleout.backend_cpu TO coordinator;
SQL
done

# Keys, the two groups' principals and grants on their shards, and (for the
# naive form only) on the coordinator too: naive re-encryption on the
# coordinator needs the grants there.
psql_on coord >/dev/null <<SQL || die "coordinator setup"
$CPU_FN
CREATE FOREIGN TABLE scaleout.cpu_shard1 (cpu numeric) SERVER shard1
    OPTIONS (schema_name 'scaleout', table_name 'backend_cpu');
CREATE FOREIGN TABLE scaleout.cpu_shard2 (cpu numeric) SERVER shard2
    OPTIONS (schema_name 'scaleout', table_name 'backend_cpu');
CREATE TABLE bench_keys AS
SELECT name, kind, pre_keygen() AS sk
FROM (VALUES ('cardiology', 'group'), ('oncology', 'group'), ('dr_ada', 'user'),
             ('ada_phone', 'device')) AS v(name, kind);
ALTER TABLE bench_keys ADD COLUMN pk pre_public_key;
UPDATE bench_keys SET pk = pre_public_key(sk);
CREATE TABLE bench_grants (node text, from_name text, to_name text);
INSERT INTO bench_grants VALUES
    ('shard1', 'cardiology', 'dr_ada'), ('shard1', 'dr_ada', 'ada_phone'),
    ('shard2', 'oncology', 'dr_ada'), ('shard2', 'dr_ada', 'ada_phone'),
    ('coord', 'cardiology', 'dr_ada'), ('coord', 'oncology', 'dr_ada'), ('coord', 'dr_ada', 'ada_phone');

-- The same shard views with body as text: the coordinator passes the
-- "prect_..." text through without parsing (and so without validating) it;
-- the device validates when it decrypts.
CREATE TABLE notes_for_pass (id bigint, group_name text, target pre_public_key, body text)
    PARTITION BY LIST (group_name);
CREATE FOREIGN TABLE notes_for_pass_shard1 PARTITION OF notes_for_pass
    FOR VALUES IN ('cardiology') SERVER shard1 OPTIONS (schema_name 'public', table_name 'notes_for');
CREATE FOREIGN TABLE notes_for_pass_shard2 PARTITION OF notes_for_pass
    FOR VALUES IN ('oncology') SERVER shard2 OPTIONS (schema_name 'public', table_name 'notes_for');

-- one measured read: rows, wall seconds, CPU seconds (coordinator, shards)
CREATE FUNCTION bench(query text)
RETURNS TABLE (n bigint, secs numeric, coord_cpu numeric, shard_cpu numeric)
LANGUAGE plpgsql AS \$\$
DECLARE
    t0 timestamptz; c0 numeric; s0 numeric;
BEGIN
    -- open both connections (and start the remote transactions) first
    s0 := (SELECT cpu FROM scaleout.cpu_shard1) + (SELECT cpu FROM scaleout.cpu_shard2);
    c0 := scaleout.backend_cpu();
    t0 := clock_timestamp();
    EXECUTE query INTO n;
    secs := extract(epoch FROM clock_timestamp() - t0);
    coord_cpu := scaleout.backend_cpu() - c0;
    shard_cpu := (SELECT cpu FROM scaleout.cpu_shard1) + (SELECT cpu FROM scaleout.cpu_shard2) - s0;
    RETURN NEXT;
END \$\$;
SQL

for node in shard1 shard2 coord; do
	psql_on coord -At -v node="$node" <<'SQL' | psql_on "$node" >/dev/null || die "principals and grants on $node"
SELECT format('SELECT secant.add_principal(%L, %L, %L);', k.name, k.kind, k.pk) FROM bench_keys k
WHERE k.name IN (SELECT from_name FROM bench_grants WHERE node = :'node'
                 UNION SELECT to_name FROM bench_grants WHERE node = :'node');
SELECT format('SELECT secant.add_grant(%L);', pre_grant(f.sk, t.pk))
FROM bench_grants g JOIN bench_keys f ON f.name = g.from_name JOIN bench_keys t ON t.name = g.to_name
WHERE g.node = :'node';
SQL
done

echo "writing $ROWS rows on each shard ..." >&2
i=0
for s in shard1 shard2; do
	group=cardiology
	[ "$s" = shard2 ] && group=oncology
	gk=$(psql_on coord -At -c "SELECT pk FROM bench_keys WHERE name = '$group'")
	psql_on "$s" >/dev/null <<SQL &
INSERT INTO notes SELECT $i * $ROWS + g, '$gk', pre_encrypt('$gk'::pre_public_key, '$group note ' || g)
FROM generate_series(1, $ROWS) AS g;
VACUUM ANALYZE notes;
SQL
	i=$((i + 1))
done
wait || die "writing rows"
TOTAL=$((2 * ROWS))

ADA=$(psql_on coord -At -c "SELECT pk FROM bench_keys WHERE name = 'ada_phone'")
SHARD_SIDE="SELECT count(*) FILTER (WHERE pre_level(body) = 3) FROM notes_for WHERE target = '$ADA'"
PASS="SELECT count(*) FILTER (WHERE body LIKE 'prect\_%') FROM notes_for_pass WHERE target = '$ADA'"
NAIVE="SELECT count(*) FILTER (WHERE pre_level(secant.reencrypt_for(body, '$ADA')) = 3) FROM notes_raw_all"

# run LABEL SQL: one measured read in a fresh coordinator session
run() {
	local label=$1 sql=$2 out
	out=$(psql_on coord -At -F ' ' -v q="$sql" <<'SQL'
SELECT n, round(secs, 2), round(n / secs), round(coord_cpu, 2), round(shard_cpu, 2) FROM bench(:'q');
SQL
	) || die "$label failed: $out"
	# shellcheck disable=SC2086 # split the row into its fields
	set -- $out
	[ "$1" = "$TOTAL" ] || die "$label returned $1 rows re-encrypted to level 3, expected $TOTAL"
	printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$1" "$2" "$3" "$4" "$5"
}

echo "reading $TOTAL rows for one device through the coordinator ..." >&2
psql_on coord -At -c "SELECT count(*) FROM (SELECT body FROM notes_for WHERE target = '$ADA' LIMIT 100) x" \
	>/dev/null || die "warm-up"
echo
echo "| form | rows | seconds | rows/s | coordinator CPU s | shards' CPU s |"
echo "|---|---:|---:|---:|---:|---:|"
run "shard-side, body pre_ciphertext (validated on the coordinator)" "$SHARD_SIDE"
run "shard-side, body text (passed through)" "$PASS"
psql_on coord -q -c "ALTER SERVER shard1 OPTIONS (SET async_capable 'false')" \
	-c "ALTER SERVER shard2 OPTIONS (SET async_capable 'false')" || die "alter server"
run "shard-side, body text, async_capable off" "$PASS"
psql_on coord -q -c "ALTER SERVER shard1 OPTIONS (SET async_capable 'true')" \
	-c "ALTER SERVER shard2 OPTIONS (SET async_capable 'true')" || die "alter server"
run "naive: raw foreign scan, reencrypt_for on the coordinator" "$NAIVE"
echo
echo "($(nproc) CPUs; coordinator and shards share them; fetch_size 1000; 2 hops per row)"
