#!/usr/bin/env bash
# test/cluster.sh MODE - what `make test`, `make demo` and `make bench` run.
#
# Sets up a fresh Debian machine (apt packages, build, install), starts a
# throwaway PostgreSQL cluster (major PG_MAJOR, default 15) as an unprivileged OS user in a private
# temporary directory (socket only, private port), runs MODE against it and
# stops it at the end, even on failure.  MODE is one of:
#   test   every test layer; ends with "N passed, M failed"
#   demo   the end-to-end demo (examples/demo.sh)
#   bench  the benchmarks (test/bench/run.sh)
#   scaleout  the postgres_fdw scale-out test alone (test/scaleout/run.sh)
#   threshold  threshold grants on three nodes alone (test/threshold/run.sh)
#   soak   the pgbench soak (test/soak/run.sh)
set -uo pipefail

MODE=${1:-test}

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
say() { printf '\n== %s\n' "$*"; }
# say_sudo WHAT: tell before sudo asks for a password
say_sudo() { [ -z "$SUDO" ] || say "calling sudo: $*"; }

# The PostgreSQL major: PG_MAJOR, else the one of PG_CONFIG, else 15.
if [ -z "${PG_MAJOR:-}" ] && [ -n "${PG_CONFIG:-}" ]; then
	PG_MAJOR=$("$PG_CONFIG" --version | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p')
fi
PG_MAJOR=${PG_MAJOR:-15}
export PG_MAJOR

PACKAGES="postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR libsodium-dev libutf8proc-dev
          build-essential python3"
case "$MODE" in
	test) PACKAGES="$PACKAGES valgrind clang libclang-rt-14-dev postgresql-$PG_MAJOR-cron
		python3-cffi python3-psycopg python3-setuptools python3-venv pkg-config"
		# node and npm for the TypeScript package (as for bench below)
		command -v node >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs"
		command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"
		# a browser for the web example (driven by playwright-core)
		command -v chromium >/dev/null 2>&1 || PACKAGES="$PACKAGES chromium"
		;;
	bench)
		# node and npm for the peers, unless a node is there already (a
		# nodesource nodejs conflicts with Debian's npm)
		PACKAGES="$PACKAGES python3-matplotlib"
		command -v node >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs"
		command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"
		;;
esac

# Install the Debian packages that are missing (apt-get update once first);
# nothing with SECANT_PRE_NO_APT=1 (a machine managed otherwise).
ensure_packages() {
	local missing="" p
	[ "${SECANT_PRE_NO_APT:-0}" = 1 ] && return 0
	for p in $PACKAGES; do
		grep -q "ok installed" <<<"$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	say "installing:$missing"
	say_sudo "apt-get install (SECANT_PRE_NO_APT=1 skips the packages)"
	$SUDO apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
}

# Build the extension, the library and the CLI, then install them (the
# library, its header, secant-pre.pc and the Python package under
# LIBPREFIX, default /usr/local).
export LIBPREFIX=${LIBPREFIX:-/usr/local}
build_install() {
	say "building and installing secant_pre"
	make -s PG_CONFIG="$PG_CONFIG" >/dev/null || return 1
	say_sudo "make install (into $("$PG_CONFIG" --pkglibdir) and $LIBPREFIX)"
	$SUDO make -s install PG_CONFIG="$PG_CONFIG" LIBPREFIX="$LIBPREFIX" >/dev/null
}

ensure_packages || { echo "could not install packages" >&2; exit 1; }
# ROOT, PG_CONFIG (exported: every layer uses the same), PGBIN, pgc_*
. "$(dirname "$0")/prologue.sh"
export PG_CONFIG
cd "$ROOT" || exit 1
build_install || { echo "build failed" >&2; exit 1; }

# modes with clusters of their own
case "$MODE" in
	soak) exec bash test/soak/run.sh ;;
	scaleout) exec bash test/scaleout/run.sh ;;
	threshold) exec bash test/threshold/run.sh ;;
esac

CLUSTER=$(pgc_dir secant_pre_cluster) || exit 1
export PGHOST="$CLUSTER" PGPORT="${SECANT_PRE_PORT:-55432}" PGUSER=postgres PGDATABASE=postgres
trap 'pgc_stop "$CLUSTER"' EXIT
trap 'exit 130' INT TERM

say "starting a throwaway cluster in $CLUSTER (port $PGPORT, socket only)"
pgc_start "$CLUSTER" "$PGPORT" || exit 1
export SECANT_PRE_SERVER_LOG="$CLUSTER/server.log"

PASSED=0
FAILED=0

# Run one test layer; its closing "N passed, M failed" line is added up.
# SECANT_PRE_ONLY=REGEX runs only the layers whose title matches it (an
# extended regular expression), e.g. SECANT_PRE_ONLY='attack|regression'.
layer() {
	local name=$1 out line p f
	shift
	if [ -n "${SECANT_PRE_ONLY:-}" ] && ! grep -qE -- "$SECANT_PRE_ONLY" <<<"$name"; then
		return 0
	fi
	say "$name"
	out=$("$@" 2>&1)
	local rc=$?
	printf '%s\n' "$out"
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -n "$line" ]; then
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
	else
		p=0
		f=1
	fi
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
}

# pg_regress through PGXS; its per-test lines are counted.
regress() {
	local out rc ok bad
	out=$(make -s installcheck PG_CONFIG="$PG_CONFIG" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	[ "$rc" -ne 0 ] && [ -f regression.diffs ] && cat regression.diffs
	ok=$(printf '%s\n' "$out" | grep -cE '\.\.\. +ok|^ok ')
	bad=$(printf '%s\n' "$out" | grep -cE '\.\.\. +FAILED|\.\.\. +failed|^not ok ')
	[ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
	echo "$ok passed, $bad failed"
	return "$rc"
}

case "$MODE" in
	test)
		layer "C unit tests, plain, ASan/UBSan, valgrind: test/unit/run.sh" make -s unitcheck
		layer "constant-time check, valgrind: test/ct/run.sh" bash test/ct/run.sh
		layer "fuzzing, ${SECANT_PRE_FUZZ_SECONDS:-10} s per harness: test/fuzz/run.sh" \
			bash test/fuzz/run.sh "${SECANT_PRE_FUZZ_SECONDS:-10}"
		layer "CLI tests: test/cli/run.sh" bash test/cli/run.sh ./secant-pre
		layer "libsecant-pre: exported symbols, header, a pkg-config program, vectors: test/libsecant/run.sh" \
			bash test/libsecant/run.sh
		layer "Python package, pip install into a venv: test/python/run.sh install" bash test/python/run.sh install
		layer "Python package, unit tests: test/python/run.sh unit" bash test/python/run.sh unit
		layer "Python package, cffi declarations against secant_pre.h: test/python/run.sh cdef" \
			bash test/python/run.sh cdef
		layer "SQL regression (sql/, expected/) and isolation (specs/) tests: make installcheck" regress
		layer "demo, checked: examples/demo.sh --check" bash examples/demo.sh --check
		layer "README examples mirrored by sql/07_readme.sql: test/readme_sync.sh" bash test/readme_sync.sh
		layer "Python psycopg adapters, text and binary, sync and async: test/python/run.sh pg" bash test/python/run.sh pg
		layer "interoperability of library, Python, CLI and SQL: test/python/run.sh interop" \
			bash test/python/run.sh interop
		layer "TypeScript package js/: vectors, interop with the CLI (levels 1-16), node-postgres: js/test/run.sh" \
			bash js/test/run.sh
		layer "web example in headless Chromium, no secret on the server: examples/web/test/run.sh" \
			bash examples/web/test/run.sh
		layer "worked application, checked: examples/clinic.py --check" bash test/python/run.sh clinic
		layer "docs/CLIENTS.md Python section, run as written: test/python/run.sh readme" bash test/python/run.sh readme
		layer "scale-out, coordinator and two shards (postgres_fdw): test/scaleout/run.sh" \
			bash test/scaleout/run.sh
		layer "threshold grants, 2-of-3 on three nodes, a dblink coordinator: test/threshold/run.sh" \
			bash test/threshold/run.sh
		layer "attacker suite, SQL attacks: test/attacks/run.sh" bash test/attacks/run.sh
		for t in test/attacks/*.sh; do
			case "$(basename "$t")" in lib.sh | run.sh) continue ;; esac
			layer "attacker suite: $t" bash "$t"
		done
		for t in test/t/*.sh; do
			[ -f "$t" ] && layer "$t" bash "$t"
		done
		say "make test: all layers"
		echo "$PASSED passed, $FAILED failed"
		[ "$FAILED" -eq 0 ]
		;;
	demo)
		bash examples/demo.sh
		;;
	bench)
		bash test/bench/run.sh
		;;
	*)
		echo "usage: $0 test|demo|bench|scaleout|threshold|soak" >&2
		exit 2
		;;
esac
