#!/usr/bin/env bash
# test/bench/run.sh - the benchmarks (`make bench` runs it through
# test/cluster.sh, with PGHOST/PGPORT/PGUSER set to a throwaway cluster that
# has secant_pre installed, and the PostgreSQL bin directory on PATH).
#
#   1. builds and runs the core microbenchmark (bench_core.c) -> core.tsv
#   2. SQL throughput in the cluster (sql_bench.py)           -> sql.tsv
#   3. peers from npm, installed into a scratch directory, and the
#      TypeScript package (js/), in one Node process            -> peers.json
#      with the core's batch decryption just before (--amortized) -> core_amort.tsv
#   4. time allowing: the access-control benchmark (access.sh)    -> access.md
#      reads under revocation (revload.sh, pgbench)              -> revload.md
#      the searchable index (search.sh), scale-out               -> search.md, scaleout.md
#      opt-in (BENCH_ONLY=readaudit): read audit off vs on (readaudit.sh) -> readaudit.md
#      opt-in (BENCH_ONLY=rotation): key rotation on 100 000 records (rotation.sh) -> rotation.md
#      opt-in (BENCH_ONLY=scale): lookups at 10 000 and 1 000 000 grants (scale.sh) -> scale.md
#      opt-in (BENCH_ONLY=bulkread): 100 000 rows over 10 000 paths in one statement (bulkread.sh) -> bulkread.md
#      opt-in (BENCH_ONLY=bulk): bulk sharing and storing (bulk.sh) -> bulk.md
#      opt-in (BENCH_ONLY=nodes): reads through threshold grants on five
#        nodes of their own, 1/1, 2/3, 3/5, both verify modes (threshold_nodes.sh) -> nodes.md
#   5. report.py: Markdown table on stdout and in results.md, PNG charts
#   6. time allowing: one multiplication per record on a path (amortized.sh:
#      core, CLI batch decryption, SQL; cost per record against the level
#      1..16 with the peers' points)                   -> amortized.md, levels.png/svg
#   7. threshold grants t-of-n 2/3 and 3/5 against a single-key grant
#      (bench_core --threshold; needs the core part)   -> threshold.tsv
#
# Everything goes to build/bench (never committed).  Peers that cannot be
# installed or loaded are reported as unavailable; the script still exits 0.
# It exits non-zero only when the core or the SQL benchmark fails.
#
# Environment:
#   BENCH_UPDATE_DOCS=1  also copy the charts to docs/bench-ops.png,
#                        docs/bench-decrypt-levels.png and docs/bench-levels.png/svg
#   BENCH_QUICK=1        a fast smoke run (short runs, 10 000 rows)
#   BENCH_SKIP="sql peers"  leave parts out (core, sql, peers, access, revload,
#                        search, scaleout, amortized, threshold)
#   BENCH_ONLY="readaudit"  run only the parts named; readaudit (about three
#                        minutes, beyond the ten-minute budget of the default
#                        parts) runs only when named here
#   BENCH_BUDGET         seconds the optional parts may take in all (570; scale
#                        needs about 600 of its own: BENCH_BUDGET=900 BENCH_ONLY=scale)
#   BENCH_SECONDS, BENCH_RUNS, BENCH_ROWS, BENCH_SQL_REPEAT, REVLOAD_SECONDS,
#   READAUDIT_SECONDS, READAUDIT_ROUNDS: see the parts
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
HERE=test/bench
OUT=build/bench
mkdir -p "$OUT"
rm -f "$OUT"/core.tsv "$OUT"/core_amort.tsv "$OUT"/sql.tsv "$OUT"/peers.json "$OUT"/notes.tsv "$OUT"/access.md "$OUT"/revload.md "$OUT"/readaudit.md "$OUT"/rotation.md "$OUT"/scale.md "$OUT"/bulkread.md "$OUT"/bulk.md "$OUT"/nodes.md "$OUT"/latency.tsv "$OUT"/latency.png "$OUT"/search.md "$OUT"/scaleout.md \
	"$OUT"/threshold.tsv "$OUT"/machine.tsv "$OUT"/results.md "$OUT"/ops.png "$OUT"/decrypt_levels.png

RECRYPT_PKG=${BENCH_RECRYPT_PKG:-@ironcorelabs/recrypt-wasm-binding@0.7.1}
UMBRAL_PKG=${BENCH_UMBRAL_PKG:-@nucypher/umbral-pre@0.10.0}
SKIP=" ${BENCH_SKIP:-} "
ONLY=" ${BENCH_ONLY:-} "
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	export BENCH_ROWS=${BENCH_ROWS:-10000} BENCH_SQL_REPEAT=${BENCH_SQL_REPEAT:-1}
	CORE_ARGS=--quick
	PEER_ENV="BENCH_SECONDS=0.1 BENCH_RUNS=1"
else
	CORE_ARGS=
	PEER_ENV=
fi
STATUS=0
START=$SECONDS

say() { printf '== %s\n' "$*" >&2; }
note() { printf 'note\t%s\n' "$*" >>"$OUT/notes.tsv"; say "note: $*"; }
skipped() {
	case "$SKIP" in *" $1 "*) return 0 ;; esac
	[ -n "${BENCH_ONLY:-}" ] || return 1
	case "$ONLY" in *" $1 "*) return 1 ;; esac
	return 0
}
# opt-in parts: run only when BENCH_ONLY names them
wanted() { ! skipped "$1" && [ -n "${BENCH_ONLY:-}" ]; }

# ---- the machine ----
{
	cpu=$(LC_ALL=C lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
	[ -n "$cpu" ] || cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	fam=$(LC_ALL=C lscpu 2>/dev/null | sed -n 's/^CPU family: *//p' | head -n 1)
	mod=$(LC_ALL=C lscpu 2>/dev/null | sed -n 's/^Model: *//p' | head -n 1)
	hyp=$(LC_ALL=C lscpu 2>/dev/null | sed -n 's/^Hypervisor vendor: *//p' | head -n 1)
	[ -n "$fam" ] && cpu="$cpu (family $fam model $mod${hyp:+, $hyp guest})"
	printf 'cpu\t%s\n' "${cpu:-unknown CPU}"
	printf 'cores\t%s\n' "$(nproc 2>/dev/null || echo '?')"
	printf 'os\t%s\n' "$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
	printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf 'load_start\t%s\n' "$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)"
	# (bench_core reports the version it runs with; this is for a run without it)
	printf 'libsodium\t%s\n' "$(pkg-config --modversion libsodium 2>/dev/null || echo '?')"
	if command -v psql >/dev/null; then
		v=$(psql -X -A -t -d postgres -c 'SHOW server_version' 2>/dev/null | head -n 1)
		[ -n "$v" ] && printf 'postgres\tPostgreSQL %s\n' "${v%% *}"
	fi
} >"$OUT/machine.tsv"

# ---- 1. core ----
if ! skipped core; then
	say "core: building $OUT/bench_core"
	if cc -O2 -g -std=gnu99 -Isrc/core -o "$OUT/bench_core" "$HERE/bench_core.c" \
		$(make -s --no-print-directory -f src/core/core.mk print-core-srcs) \
		-lsodium -lutf8proc; then
		say "core: running (about a minute)"
		# shellcheck disable=SC2086
		if ! "$OUT/bench_core" $CORE_ARGS >"$OUT/core.tsv"; then
			note "core benchmark failed"
			STATUS=1
		fi
	else
		note "core benchmark did not build"
		STATUS=1
	fi
fi

# ---- 2. SQL ----
if ! skipped sql; then
	if ! command -v psql >/dev/null || ! psql -X -A -t -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
		note "SQL benchmark skipped: no cluster reachable (run it through make bench)"
	else
		say "sql: ${BENCH_ROWS:-100000} rows (two to three minutes)"
		[ -x "$OUT/bench_core" ] && export BENCH_CORE_BIN="$OUT/bench_core"
		if ! python3 "$HERE/sql_bench.py" >"$OUT/sql.tsv"; then
			STATUS=1
		fi
	fi
fi

# ---- 3. peers ----
peer_unavailable() {
	# report.py reads these when peers.json is missing
	printf 'peer_recrypt\t%s\npeer_umbral\t%s\n' "$1" "$1" >>"$OUT/machine.tsv"
	note "peers unavailable: $1"
}
if ! skipped peers; then
	if ! command -v node >/dev/null; then
		peer_unavailable "node is not installed"
	elif ! command -v npm >/dev/null; then
		peer_unavailable "npm is not installed"
	else
		say "peers: npm install $RECRYPT_PKG $UMBRAL_PKG into $OUT/peers"
		mkdir -p "$OUT/peers"
		[ -f "$OUT/peers/package.json" ] ||
			echo '{"name": "secant-pre-bench-peers", "private": true}' >"$OUT/peers/package.json"
		# each package on its own, so that one failing leaves the other
		for pkg in "$RECRYPT_PKG" "$UMBRAL_PKG"; do
			if ! (cd "$OUT/peers" && timeout 300 npm install --no-audit --no-fund \
				--loglevel=error "$pkg" >npm.log 2>&1); then
				note "npm install $pkg failed: $(tail -n 3 "$OUT/peers/npm.log" | tr '\n\t' '  ')"
			fi
		done
		# secant_pre's TypeScript package (js/) in the same process
		TS_INDEX=
		if (cd js && { [ -d node_modules ] || timeout 300 npm ci --no-audit --no-fund \
			--loglevel=error >"$ROOT/$OUT/peers/npm-js.log" 2>&1; } &&
			npx tsc -p tsconfig.json >>"$ROOT/$OUT/peers/npm-js.log" 2>&1); then
			TS_INDEX=js/dist/index.js
		else
			note "the TypeScript package did not build: $(tail -n 3 "$OUT/peers/npm-js.log" | tr '\n\t' '  ')"
		fi
		# the C core's batch decryption (decryption context) just before, for
		# the TypeScript package's ratio: bench_core --amortized
		if [ -x "$OUT/bench_core" ]; then
			say "peers: the core's batch decryption (bench_core --amortized, about 20 s)"
			# shellcheck disable=SC2086
			env $PEER_ENV "$OUT/bench_core" $CORE_ARGS --amortized >"$OUT/core_amort.tsv" ||
				note "bench_core --amortized failed"
		else
			note "no $OUT/bench_core: the TypeScript package's batch rate has no core figure (run the core part too)"
		fi
		printf 'load_peers\t%s\n' "$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)" >>"$OUT/machine.tsv"
		say "peers: measuring (about a minute)"
		# shellcheck disable=SC2086
		if ! env $PEER_ENV timeout 400 node "$HERE/peers/bench_peers.mjs" \
			"$OUT/peers/node_modules" $TS_INDEX >"$OUT/peers.json.tmp"; then
			rm -f "$OUT/peers.json.tmp"
			peer_unavailable "the peer benchmark failed (node $(node --version))"
		else
			mv "$OUT/peers.json.tmp" "$OUT/peers.json"
		fi
		printf 'load_peers_end\t%s\n' "$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)" >>"$OUT/machine.tsv"
	fi
fi

# ---- 4. optional parts, each run only if it fits in the ten minutes ----
# optional NAME MIN_SECONDS WHAT COMMAND...: run COMMAND into $OUT/NAME.md
# when at least MIN_SECONDS of the budget are left, else leave a note.
optional() {
	local name=$1 min=$2 what=$3 left
	shift 3
	left=$((${BENCH_BUDGET:-570} - (SECONDS - START)))
	if [ "$left" -lt "$min" ]; then
		note "$name benchmark skipped for time (run: $what)"
		return
	fi
	say "$name: $what"
	if ! timeout "$left" "$@" >"$OUT/$name.md" 2>"$OUT/$name.err"; then
		note "$name benchmark failed or ran out of time: $(tail -n 2 "$OUT/$name.err" | tr '\n\t' '  ')"
		rm -f "$OUT/$name.md"
	fi
}

# access control (path lookup, revocation, reencrypt_for): about two minutes
if ! skipped access && [ -f "$OUT/sql.tsv" ]; then
	optional access 150 "bash $HERE/access.sh" \
		env ROWS="${BENCH_ROWS:-100000}" bash "$HERE/access.sh"
fi
# reads under revocation: 8 pgbench readers for REVLOAD_SECONDS (60) without
# and again with an admin revoking and re-granting an unrelated member every
# second, then the cost per read statement by who asks: about three minutes
if ! skipped revload; then
	rl_secs=${REVLOAD_SECONDS:-60}
	[ "${BENCH_QUICK:-0}" = 1 ] && rl_secs=${REVLOAD_SECONDS:-5}
	if ! command -v pgbench >/dev/null; then
		note "revload benchmark skipped: pgbench is not on PATH"
	else
		optional revload $((2 * rl_secs + 60)) "bash $HERE/revload.sh" \
			env REVLOAD_LATENCY_TSV="$ROOT/$OUT/latency.tsv" bash "$HERE/revload.sh"
	fi
fi
# read audit off vs on (opt-in, BENCH_ONLY=readaudit): revload's 8 readers for
# READAUDIT_SECONDS (60) per side and round, then the cost per statement:
# about three minutes
if wanted readaudit; then
	ra_secs=${READAUDIT_SECONDS:-60}
	[ "${BENCH_QUICK:-0}" = 1 ] && ra_secs=${READAUDIT_SECONDS:-5}
	if ! command -v pgbench >/dev/null; then
		note "readaudit benchmark skipped: pgbench is not on PATH"
	else
		optional readaudit $((2 * ${READAUDIT_ROUNDS:-1} * ra_secs + 40)) "BENCH_ONLY=readaudit make bench" \
			bash "$HERE/readaudit.sh"
	fi
fi
# key rotation on ROTATION_ROWS (100 000) stored records (opt-in,
# BENCH_ONLY=rotation): each rotation's SQL call, reads through the bridge,
# the client's rewrap; about five minutes
if wanted rotation; then
	optional rotation 400 "BENCH_ONLY=rotation make bench" bash "$HERE/rotation.sh"
fi
# lookups at 10 000 and 1 000 000 grants (opt-in, BENCH_ONLY=scale): about
# eight minutes on a quiet 2-core machine, most of it building the graphs
if wanted scale; then
	optional scale 300 "BENCH_ONLY=scale make bench" bash "$HERE/scale.sh"
fi
# one statement reading 100 000 rows over 10 000 paths (opt-in,
# BENCH_ONLY=bulkread): about four minutes, most of it the set-up
if wanted bulkread; then
	optional bulkread 200 "BENCH_ONLY=bulkread make bench" bash "$HERE/bulkread.sh"
fi
# bulk sharing and storing of 100 000 records against their bounds (opt-in,
# BENCH_ONLY=bulk): about five minutes
if wanted bulk; then
	optional bulk 200 "BENCH_ONLY=bulk make bench" bash "$HERE/bulk.sh"
fi
# reads through threshold grants on nodes (opt-in, BENCH_ONLY=nodes): five
# clusters of its own, five cases (1/1; 2/3 and 3/5 with verify => true and
# false); about five minutes at load 7
if wanted nodes; then
	optional nodes 150 "BENCH_ONLY=nodes make bench" bash "$HERE/threshold_nodes.sh"
fi
# the searchable index at scale: 1 000 000 rows take about four minutes, so
# make bench reads SEARCH_ROWS (default 200 000)
if ! skipped search; then
	optional search 120 "SEARCH_ROWS=1000000 bash $HERE/search.sh" \
		env SEARCH_ROWS="${SEARCH_ROWS:-200000}" bash "$HERE/search.sh"
fi
# scale-out over postgres_fdw, its own three clusters: 200 000 rows take about six
# minutes, so make bench reads SCALEOUT_BENCH_ROWS (default 20 000) per shard
if ! skipped scaleout; then
	optional scaleout 90 "bash test/scaleout/bench.sh" \
		env SCALEOUT_BENCH_ROWS="${SCALEOUT_BENCH_ROWS:-20000}" bash test/scaleout/bench.sh
fi

# ---- 5. report ----
say "report: $OUT/results.md"
# the charts need Debian's python3-matplotlib: use the system python3 when
# the python3 first on PATH (a pyenv or venv one) cannot import it
PY=python3
if ! python3 -c 'import matplotlib' 2>/dev/null && [ -x /usr/bin/python3 ] &&
	/usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
	PY=/usr/bin/python3
fi
"$PY" "$HERE/report.py" "$OUT" || STATUS=1
if [ -f "$OUT/search.md" ]; then
	{ printf '\n## Searchable index (test/bench/search.sh)\n\n'; cat "$OUT/search.md"; } |
		tee -a "$OUT/results.md"
fi
if [ -f "$OUT/scaleout.md" ]; then
	{ printf '\n## Scale-out through postgres_fdw (test/scaleout/bench.sh)\n\n'; cat "$OUT/scaleout.md"; } |
		tee -a "$OUT/results.md"
fi
# ---- amortised operations (src/core/sp_cache.h): about four minutes ----
if ! skipped amortized; then
	rm -f "$OUT/amortized.md" "$OUT/levels.png" "$OUT/levels.svg"
	optional amortized 240 "bash $HERE/amortized.sh" \
		env ROWS="${BENCH_ROWS:-100000}" bash "$HERE/amortized.sh"
	if [ -f "$OUT/amortized.md" ]; then
		{ printf '\n## One multiplication per record on a path (test/bench/amortized.sh)\n\n'; cat "$OUT/amortized.md"; } |
			tee -a "$OUT/results.md"
	fi
fi
# ---- threshold grants against a single-key grant (bench_core --threshold): half a minute ----
if ! skipped threshold && [ -x "$OUT/bench_core" ]; then
	say "threshold: t-of-n 2/3 and 3/5 against a single-key grant"
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	# shellcheck disable=SC2086
	if "$OUT/bench_core" $CORE_ARGS --threshold >"$OUT/threshold.tsv"; then
		{
			printf '
## Threshold grants against a single-key grant (bench_core --threshold)

'
			printf 'Load average before %s, after %s; one thread, best of the rounds, per CPU-second.

' \
				"$load0" "$(cut -d' ' -f1-3 /proc/loadavg)"
			printf '| operation | per second | µs | × single key |\n| --- | ---: | ---: | ---: |\n'
			awk -F'\t' '$1 == "thr" { printf "| %s | %.0f | %.0f | %.2f |\n", $3, $4, $5, $6 }' "$OUT/threshold.tsv"
		} | tee -a "$OUT/results.md"
	else
		note "threshold benchmark failed"
		STATUS=1
	fi
fi
if [ "${BENCH_UPDATE_DOCS:-0}" = 1 ]; then
	for pair in ops.png:bench-ops.png decrypt_levels.png:bench-decrypt-levels.png latency.png:bench-latency.png \
		levels.png:bench-levels.png levels.svg:bench-levels.svg; do
		if [ -f "$OUT/${pair%%:*}" ]; then
			cp "$OUT/${pair%%:*}" "docs/${pair#*:}" && say "updated docs/${pair#*:}"
		fi
	done
fi
say "benchmarks done in $((SECONDS - START)) s"
exit "$STATUS"
