#!/usr/bin/env bash
# test/bench/threshold_nodes.sh - read cost per record through threshold grants on
# nodes (docs/THRESHOLD.md) against single-key grants, on one host: five
# throwaway clusters (test/threshold/lib.sh; the coordinator is database
# "coord" on the first); THRESHOLD_BENCH_ROWS (2000) records of each group;
# path group -> user -> device in each case:
#   1/1  secant.reencrypt_for per row (single-key grants, path looked up once)
#   2/3  secant.reencrypt_threshold in batches of THRESHOLD_BENCH_BATCH (500),
#        nodes 1-3, then the coordinator's user -> device grant; once with
#        verify => true (every proof checked), once with verify => false
#   3/5  the same, nodes 1-5
# CPU apart: the coordinator's backend (its /proc/self/stat, utime + stime)
# and the nodes' backends (their postmasters' reaped children, cutime +
# cstime, read before the coordinator's session ends).  Each measured
# THRESHOLD_BENCH_ROUNDS (3) times; the median.  Needs secant_pre, the CLI
# and the Python package installed; starts its own clusters.  Prints
# Markdown.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
THRESHOLD_PORT=${THRESHOLD_BENCH_PORT:-55490}
# shellcheck source=../threshold/lib.sh
. "$HERE/../threshold/lib.sh"
trap stop_all EXIT
trap 'exit 130' INT TERM
N=${THRESHOLD_BENCH_ROWS:-2000}
B=${THRESHOLD_BENCH_BATCH:-500}
ROUNDS=${THRESHOLD_BENCH_ROUNDS:-3}
NODES=5

start_clusters $NODES >&2 || { echo "could not start the clusters" >&2; exit 1; }
on 1 coord >/dev/null <<SQL || exit 1
CREATE TABLE keys AS
SELECT name, kind, pre_keygen() AS sk
FROM (VALUES ('g11', 'group'), ('g23', 'group'), ('g35', 'group'), ('ann', 'user'),
             ('ann_phone', 'device')) AS v(name, kind);
SELECT secant.add_principal(name, kind, pre_public_key(sk)) FROM keys ORDER BY name;
SELECT secant.add_grant(pre_grant(f.sk, pre_public_key(t.sk)))
FROM keys f, keys t WHERE (f.name, t.name) IN (('ann', 'ann_phone'), ('g11', 'ann'));
CREATE TABLE notes (grp text, id integer, body pre_ciphertext, PRIMARY KEY (grp, id));
INSERT INTO notes SELECT k.name, i, pre_encrypt(pre_public_key(k.sk), 'record ' || i)
FROM generate_series(1, $N) i, keys k WHERE k.kind = 'group';
SQL
split g23 ann 2/3 1 2 3 >/dev/null || exit 1
split g35 ann 3/5 1 2 3 4 5 >/dev/null || exit 1

PIDS=""
for i in $(seq 1 $NODES); do PIDS="$PIDS${PIDS:+,}$(head -n 1 "${DIR[$i]}/data/postmaster.pid")"; done
# ticks(pid list, own): utime+stime of this backend, or cutime+cstime of the postmasters
CPU_SQL="CREATE TEMP TABLE cpu AS SELECT 0 AS x;
CREATE FUNCTION pg_temp.own() RETURNS bigint LANGUAGE sql AS \$\$
  SELECT split_part(pg_read_file('/proc/self/stat'), ' ', 14)::bigint
       + split_part(pg_read_file('/proc/self/stat'), ' ', 15)::bigint \$\$;
CREATE FUNCTION pg_temp.nodes() RETURNS bigint LANGUAGE sql AS \$\$
  SELECT sum(split_part(pg_read_file('/proc/' || p || '/stat'), ' ', 16)::bigint
           + split_part(pg_read_file('/proc/' || p || '/stat'), ' ', 17)::bigint)::bigint
  FROM unnest('{$PIDS}'::int[]) p \$\$;"

# run SQL: "coordinator_ticks node_ticks wall_ms" for SQL in one session
measure() {
	on 1 coord -At <<SQL | tail -n 1
$CPU_SQL
SELECT pg_temp.own() AS c0, pg_temp.nodes() AS n0, clock_timestamp() AS w0 \gset
$1;
SELECT pg_temp.own() - :c0, pg_temp.nodes() - :n0,
       round(extract(epoch FROM clock_timestamp() - :'w0'::timestamptz) * 1000);
SQL
}
DEV="(SELECT pre_public_key(sk) FROM keys WHERE name = 'ann_phone')"
single="SELECT count(secant.reencrypt_for(body, $DEV)) FROM notes WHERE grp = 'g11'"
batched() {	# batched GROUP VERIFY
	echo "SELECT sum(cardinality(secant.reencrypt_threshold(
	        ARRAY(SELECT body FROM notes WHERE grp = '$1' AND id > k * $B AND id <= (k + 1) * $B ORDER BY id), $DEV,
	        verify => $2)))
	      FROM generate_series(0, ($N - 1) / $B) k"
}
# median of the rounds of each column
median_run() {
	local r
	for r in $(seq 1 "$ROUNDS"); do measure "$1" | tr '|' ' '; done |
		python3 -c 'import sys, statistics as s
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
print(" ".join(str(s.median(c)) for c in zip(*rows)))'
}
TCK=$(getconf CLK_TCK)
load=$(cut -d' ' -f1-3 /proc/loadavg)
s11=$(median_run "$single")
s23=$(median_run "$(batched g23 true)")
f23=$(median_run "$(batched g23 false)")
s35=$(median_run "$(batched g35 true)")
f35=$(median_run "$(batched g35 false)")
load="$load; after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$N" "$TCK" "$s11" "$s23" "$f23" "$s35" "$f35" "$load" "$B" "$ROUNDS" <<'PY'
import sys
n, tck = int(sys.argv[1]), int(sys.argv[2])
rows = [("1/1 (single-key grants, secant.reencrypt_for)", sys.argv[3]),
        ("2/3, verify => true (every proof checked)", sys.argv[4]),
        ("2/3, verify => false (no proof checked)", sys.argv[5]),
        ("3/5, verify => true", sys.argv[6]),
        ("3/5, verify => false", sys.argv[7])]
base = None
print("%d records per case, group -> user -> device, batches of %s, median of %s rounds; load average before: %s" %
      (n, sys.argv[9], sys.argv[10], sys.argv[8]))
print()
print("| t-of-n | coordinator CPU µs/record | nodes' CPU µs/record (all nodes) | wall µs/record | coordinator CPU vs 1/1 |")
print("| --- | ---: | ---: | ---: | ---: |")
for name, v in rows:
    c, nd, w = map(float, v.split())
    cu = c / tck * 1e6 / n
    nu = nd / tck * 1e6 / n
    wu = w * 1e3 / n
    base = base or cu
    print("| %s | %.0f | %.0f | %.0f | %.2f× |" % (name, cu, nu, wu, cu / base))
PY
