#!/usr/bin/env bash
# test/bench/amortized.sh - one scalar multiplication per record over many
# records on one grant path (src/core/sp_cache.h), measured side by side in
# one run:
#   core: decrypt 10 000 level-3 values on one path and on 100 paths vs
#         decrypt L1; re-encrypt L2->L3 through the cache and L1->L3 along
#         a path vs re-encrypt L1->L2 (bench_core --amortized);
#   SQL:  secant.reencrypt_for L1->L3 over ROWS rows of one group vs one
#         bare pre_reencrypt L1->L2 (target >= 90 %); pre_reencrypt L2->L3
#         over ROWS rows that came through one grant vs the L1->L2 rate
#         (target >= 5x); pre_decrypt of level-3 rows of one path vs level 1;
#   CLI:  secant-pre decrypt --batch of 10 000 level-3 values on one path vs
#         the same batch of level-1 values (target >= 85 %), on 100 paths,
#         and every level 1..16 (cli_batch.py);
#   levels: cost per record against the level 1..16, per operation vs
#         batched (bench_core --levels), with the peers' points from
#         build/bench/peers.json when run.sh measured them: a table and
#         build/bench/levels.png, levels.svg (amortized_report.py).
# Needs a running server (PGHOST/PGPORT/PGUSER) with secant_pre installed
# for the SQL part (AMORTIZED_SQL=0 leaves it out), the core benchmark
# binary (BENCH_CORE_BIN, else built into build/bench) and the CLI
# (./secant-pre, built by make); prints Markdown.  ROWS (default 100000);
# REPEAT (default 4): each SQL query is timed REPEAT times, the queries in
# turn, best kept, with the server's Execution Time of EXPLAIN (ANALYZE,
# TIMING OFF); CLI_ROUNDS (default 3).  KEEP_DB=1 keeps the scratch
# database.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
ROWS=${ROWS:-100000}
REPEAT=${REPEAT:-4}
DEC_ROWS=$((ROWS < 10000 ? ROWS : 10000))
DB=secant_bench_amortized
OUT=build/bench
mkdir -p "$OUT"

# ---- core ----
BIN=${BENCH_CORE_BIN:-$OUT/bench_core}
if [ ! -x "$BIN" ] || [ test/bench/bench_core.c -nt "$BIN" ] || [ -n "$(find src/core -newer "$BIN" -name '*.[ch]')" ]; then
	cc -O2 -g -std=gnu99 -Isrc/core -o "$OUT/bench_core" test/bench/bench_core.c \
		$(make -s --no-print-directory -f src/core/core.mk print-core-srcs) -lsodium -lutf8proc
	BIN=$OUT/bench_core
fi
echo "amortized.sh: core (bench_core --amortized)" >&2
"$BIN" --amortized >"$OUT/amortized_core.tsv"
echo "amortized.sh: core, levels 1..16 (bench_core --levels)" >&2
"$BIN" --levels >"$OUT/levels.tsv"

# ---- CLI ----
rm -f "$OUT/cli.tsv"
if [ -x ./secant-pre ] || make -s secant-pre >/dev/null; then
	echo "amortized.sh: CLI batch decryption (cli_batch.py)" >&2
	rm -rf "$OUT/cli-input" && mkdir -p "$OUT/cli-input"
	"$BIN" --cli-input "$OUT/cli-input" 10000
	python3 test/bench/cli_batch.py ./secant-pre "$OUT/cli-input" "${CLI_ROUNDS:-3}" >"$OUT/cli.tsv"
	rm -rf "$OUT/cli-input"
fi
SQL_ARGS=()
if [ "${AMORTIZED_SQL:-1}" = 0 ]; then
	echo "amortized.sh: SQL part left out (AMORTIZED_SQL=0)" >&2
else

# ---- SQL ----
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
# best Execution Time (ms) of REPEAT runs of a query
exec_ms() {
	local best="" t i
	for ((i = 0; i < REPEAT; i++)); do
		t=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" \
			-c "SET jit = off" -c "SET max_parallel_workers_per_gather = 0" \
			-c "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) $1" |
			python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])')
		if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then
			best=$t
		fi
	done
	echo "$best"
}
echo "amortized.sh: SQL, $ROWS rows" >&2
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null 2>&1
q "CREATE EXTENSION secant_pre"
q "CREATE TABLE keys AS SELECT n, pre_keygen() AS sk FROM (VALUES ('group1'), ('user1'), ('device1')) AS v(n)"
q "SELECT count(secant.add_principal(n, CASE n WHEN 'group1' THEN 'group' WHEN 'user1' THEN 'user' ELSE 'device' END,
                                     pre_public_key(sk))) FROM keys" >/dev/null
# the bare queries' grants are the ones the database stores (sealed, so
# it never gives them back): made here, kept in g, then stored
q "CREATE TABLE g AS SELECT
     (SELECT pre_grant(a.sk, pre_public_key(b.sk)) FROM keys a, keys b WHERE a.n = 'group1' AND b.n = 'user1') AS g1,
     (SELECT pre_grant(a.sk, pre_public_key(b.sk)) FROM keys a, keys b WHERE a.n = 'user1' AND b.n = 'device1') AS g2,
     secant.principal_key('device1') AS device"
q "INSERT INTO secant.grants (rekey) SELECT g1 FROM g UNION ALL SELECT g2 FROM g" >/dev/null
q "CREATE TABLE notes AS SELECT i AS id, pre_encrypt(secant.principal_key('group1'), 'note ' || i) AS body
   FROM generate_series(1, $ROWS) AS i"
# ROWS values that came through one grant (group1 -> user1)
q "CREATE TABLE l2 AS SELECT n.id, pre_reencrypt(n.body, g.g1) AS body FROM notes n, g"
q "CREATE TABLE l3 AS SELECT l2.id, pre_reencrypt(l2.body, g.g2) AS body FROM l2, g WHERE l2.id <= $DEC_ROWS"
q "ANALYZE"
[ "$(q "SELECT count(*) FROM notes n, l3 WHERE l3.id = n.id
        AND secant.reencrypt_for(n.body, secant.principal_key('device1'))::bytea <> l3.body::bytea")" = 0 ] ||
	{ echo "amortized.sh: reencrypt_for differs from two pre_reencrypt" >&2; exit 1; }

# the runs alternate between the queries compared, so that a burst of load
# from elsewhere on a shared machine hits both alike; best of REPEAT each
Q_BARE="SELECT count(pre_reencrypt(n.body, g.g1)) FROM notes n, g"
# the target from the same one-row table as the bare query's grant: an
# argument secant.principal_key('device1') would be a lookup per row
Q_FOR="SELECT count(secant.reencrypt_for(n.body, g.device)) FROM notes n, g"
Q_L23="SELECT count(pre_reencrypt(l2.body, g.g2)) FROM l2, g"
Q_DEC1="SELECT count(pre_decrypt(n.body, k.sk)) FROM notes n, keys k WHERE k.n = 'group1' AND n.id <= $DEC_ROWS"
Q_DEC3="SELECT count(pre_decrypt(l3.body, k.sk)) FROM l3, keys k WHERE k.n = 'device1'"
min() { python3 -c "print(min(float(x) for x in '$*'.split()))"; }
bare_all="" for_all="" l23_all="" dec1_all="" dec3_all=""
N=$REPEAT
for ((r = 0; r < N; r++)); do
	REPEAT=1
	bare_all="$bare_all $(exec_ms "$Q_BARE")"
	for_all="$for_all $(exec_ms "$Q_FOR")"
	l23_all="$l23_all $(exec_ms "$Q_L23")"
	dec1_all="$dec1_all $(exec_ms "$Q_DEC1")"
	dec3_all="$dec3_all $(exec_ms "$Q_DEC3")"
done
bare_ms=$(min $bare_all) for_ms=$(min $for_all) l23_ms=$(min $l23_all)
dec1_ms=$(min $dec1_all) dec3_ms=$(min $dec3_all)
[ -n "${KEEP_DB:-}" ] || psql -X -q -d postgres -c "DROP DATABASE $DB" >/dev/null
SQL_ARGS=("$ROWS" "$DEC_ROWS" "$N" "$bare_ms" "$for_ms" "$l23_ms" "$dec1_ms" "$dec3_ms")
fi

# ---- tables and the chart (matplotlib: Debian's python3 when the first
# python3 on PATH cannot import it) ----
PY=python3
if ! python3 -c 'import matplotlib' 2>/dev/null && [ -x /usr/bin/python3 ] &&
	/usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
	PY=/usr/bin/python3
fi
"$PY" test/bench/amortized_report.py "$OUT" "${SQL_ARGS[@]}"
