#!/usr/bin/env bash
# js/test/run.sh - the TypeScript package (js/): `npm ci` if node_modules is
# missing, the build (tsc), the unit and vector tests (node --test), the
# two-way interoperability test with the CLI (test/interop.mjs, levels
# 1-16, seed printed), threshold grants across TS and the CLI
# (test/interop-threshold.mjs: splits, partials and combinations made on
# either side, seed printed), with a server (PGHOST...) the node-postgres tests
# (test/pg.mjs), and test/vectors/tokens.json checked with the C library,
# the CLI and SQL (test/vectors/gen_tokens.py --check).  Ends with "N passed, M failed".
set -u
JS=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$JS/.." && pwd)
cd "$JS" || exit 2
PASSED=0
FAILED=0
add() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); }
finish() { echo "$PASSED passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; exit $?; }

if ! command -v node >/dev/null 2>&1; then
	echo "node is not installed"; add 0 1; finish
fi
if [ ! -d node_modules ]; then
	npm ci --no-audit --no-fund --loglevel=error || { echo "npm ci failed"; add 0 1; finish; }
fi
npx tsc -p tsconfig.json || { echo "tsc failed"; add 0 1; finish; }

# unit and vector tests: the TAP summary's pass and fail counts
out=$(node --test test/*.test.mjs 2>&1)
printf '%s\n' "$out" | grep -E '^(not )?ok |^# (tests|pass|fail)'
p=$(printf '%s\n' "$out" | sed -n 's/^# pass \([0-9]*\)$/\1/p' | tail -n 1)
f=$(printf '%s\n' "$out" | sed -n 's/^# fail \([0-9]*\)$/\1/p' | tail -n 1)
[ -n "$p" ] && [ -n "$f" ] || { printf '%s\n' "$out" | tail -n 30; p=${p:-0}; f=1; }
[ "$f" -ne 0 ] && printf '%s\n' "$out" | grep -A 25 '^not ok' | head -n 80
add "$p" "$f"

# a layer's output ending with "N passed, M failed"
run_counted() {
	local out line
	out=$("$@" 2>&1)
	local rc=$?
	printf '%s\n' "$out"
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -n "$line" ]; then
		p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
	else
		p=0; f=1
	fi
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	add "$p" "$f"
}

# the CLI make install put into LIBPREFIX (as test/python/run.sh), else
# the build's (a secant-pre in PostgreSQL's bindir may be an old install)
CLI=${SECANT_PRE_CLI:-}
if [ -z "$CLI" ]; then
	if [ -n "${LIBPREFIX:-}" ] && [ -x "$LIBPREFIX/bin/secant-pre" ]; then CLI=$LIBPREFIX/bin/secant-pre; else CLI=$ROOT/secant-pre; fi
fi
run_counted node test/interop.mjs "$CLI"
run_counted node test/interop-threshold.mjs "$CLI"
if [ -n "${PGHOST:-}" ]; then
	run_counted node test/pg.mjs
fi
# test/vectors/tokens.json as the C library (Python package), the CLI and,
# with a server, SQL compute it (the TS check is tokens.test.mjs above)
PYVER=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
export PYTHONPATH="${LIBPREFIX:-/usr/local}/lib/python$PYVER/dist-packages${PYTHONPATH:+:$PYTHONPATH}"
if (cd / && python3 -c 'import secant_pre' 2>/dev/null); then
	run_counted python3 "$ROOT/test/vectors/gen_tokens.py" --check --cli "$CLI" ${PGHOST:+--sql}
else
	echo "skipped: tokens.json with the C library (the Python package is not installed)"
fi
finish
