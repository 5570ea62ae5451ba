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
#         (target >= 5x); pre_decrypt of level-3 rows of one path vs level 1.
# Needs a running server (PGHOST/PGPORT/PGUSER) with secant_pre installed
# and the core benchmark binary (BENCH_CORE_BIN, else built into
# build/bench); prints a Markdown table.  ROWS (default 100000); REPEAT
# (default 4): each SQL query is timed REPEAT times, the queries in turn,
# best kept, with the server's Execution Time of EXPLAIN (ANALYZE, TIMING
# OFF).  KEEP_DB=1 keeps the scratch database.
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
q "INSERT INTO secant.grants (rekey)
   SELECT pre_grant(a.sk, pre_public_key(b.sk)) FROM keys a, keys b
   WHERE (a.n, b.n) IN (('group1', 'user1'), ('user1', 'device1'))" >/dev/null
q "CREATE TABLE g AS SELECT
     (SELECT pre_grant(a.sk, pre_public_key(b.sk)) FROM keys a, keys b WHERE a.n = 'group1' AND b.n = 'user1') AS g1,
     (SELECT pre_grant(a.sk, pre_public_key(b.sk)) FROM keys a, keys b WHERE a.n = 'user1' AND b.n = 'device1') AS g2,
     secant.principal_key('device1') AS device"
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

# ---- table ----
python3 - "$OUT/amortized_core.tsv" "$ROWS" "$DEC_ROWS" "$N" "$bare_ms" "$for_ms" "$l23_ms" "$dec1_ms" "$dec3_ms" <<'EOF'
import sys
core, rows, dec_rows, repeat = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
bare, forp, l23, dec1, dec3 = (float(x) for x in sys.argv[5:10])
am = {}
for line in open(core, encoding="utf-8"):
    r = line.rstrip("\n").split("\t")
    if r[0] == "amort":
        am[r[1]] = dict(label=r[2], rate=float(r[3]), base=r[4], base_rate=float(r[5]),
                        ratio=float(r[6]), target=float(r[7]))

def fmt(x):
    return "{:,.0f}".format(x).replace(",", " ")

def verdict(ok):
    return "met" if ok else "**missed**"

print("| measurement | rate (values/s) | against | its rate | ratio | target |")
print("| --- | ---: | --- | ---: | ---: | --- |")
rate = lambda ms, n: n / (ms / 1000.0)
r_bare, r_for, r_l23 = rate(bare, rows), rate(forp, rows), rate(l23, rows)
r_dec1, r_dec3 = rate(dec1, dec_rows), rate(dec3, dec_rows)
print("| SQL: secant.reencrypt_for L1→L3, %s rows of one group | %s | pre_reencrypt L1→L2 | %s | %.0f %% | ≥ 90 %%: %s |"
      % (fmt(rows), fmt(r_for), fmt(r_bare), 100 * r_for / r_bare, verdict(r_for >= 0.9 * r_bare)))
print("| SQL: pre_reencrypt L2→L3, %s rows through one grant | %s | pre_reencrypt L1→L2 | %s | %.1f× | ≥ 5×: %s |"
      % (fmt(rows), fmt(r_l23), fmt(r_bare), r_l23 / r_bare, verdict(r_l23 >= 5 * r_bare)))
print("| SQL: pre_decrypt of %s level-3 rows on one path | %s | pre_decrypt level 1 | %s | %.0f %% | |"
      % (fmt(dec_rows), fmt(r_dec3), fmt(r_dec1), 100 * r_dec3 / r_dec1))
for key in ("decrypt_l3_batch_1path", "decrypt_l3_batch_100paths", "decrypt_l3",
            "reencrypt_l2_cached", "reencrypt_l2", "path_l1_l3"):
    a = am.get(key)
    if not a:
        continue
    t = a["target"]
    tcell = ("≥ %.0f %%: %s" % (100 * t, verdict(a["ratio"] >= t))) if t else ""
    ratio = ("%.0f %%" % (100 * a["ratio"])) if a["ratio"] < 3 else ("%.0f×" % a["ratio"])
    print("| core: %s | %s | %s | %s | %s | %s |"
          % (a["label"], fmt(a["rate"]), a["base"].replace("_", " "), fmt(a["base_rate"]), ratio, tcell))
print()
print("SQL rates: best of %d runs' Execution Time, the queries in turn, 0 parallel workers, `SELECT count(f(...))`. "
      "Core rates: per CPU-second, best of the rounds (bench_core.c); each batch starts with "
      "empty caches, so its misses are in its rate." % repeat)
EOF
