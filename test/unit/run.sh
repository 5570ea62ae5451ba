#!/bin/sh
# test/unit/run.sh - build and run the core unit tests (test_core.c, and
# test_cache.c for sp_cache.h) three ways: plain, under AddressSanitizer +
# UndefinedBehaviorSanitizer, and the plain binary under valgrind (skipped
# if valgrind is not installed).
#
# test_threshold.c (sp_threshold.h) runs the same three ways against
# test/vectors/threshold.json, after gen_threshold.py --check.
#
# Usage (from anywhere): test/unit/run.sh
#   BUILD_DIR  where to build (default build/unit, relative to the repository)
#   CC         compiler for the plain and valgrind builds (default gcc)
#
# Prints each variant's summary and then one combined line
# "N passed, M failed"; exits non-zero on any failure or build error.
# Nothing is written outside BUILD_DIR (vectors.h is generated there too).

set -u

. "$(dirname "$0")/../prologue.sh"
cd "$ROOT" || exit 2
BUILD_DIR=${BUILD_DIR:-build/unit}
CC=${CC:-gcc}

case "$(cd "$(dirname "$BUILD_DIR")" 2>/dev/null && pwd)/$(basename "$BUILD_DIR")" in
	"$ROOT/src" | "$ROOT/src/"*)
		echo "run.sh: refusing to build into src/" >&2
		exit 2 ;;
esac
mkdir -p "$BUILD_DIR" || exit 2

CORE_SRCS="$(make -s --no-print-directory -f src/core/core.mk print-core-srcs)"
SRCS="$CORE_SRCS test/unit/test_core.c"
# BUILD_DIR first, so that a freshly generated vectors.h wins over any
# stale test/unit/vectors.h
INC="-I$BUILD_DIR -Isrc/core -Itest/unit"
CFLAGS_COMMON="-std=c99 -g -Wall -Wextra -Werror"

python3 test/unit/gen_vectors.py > "$BUILD_DIR/vectors.h.tmp" &&
	mv "$BUILD_DIR/vectors.h.tmp" "$BUILD_DIR/vectors.h" || {
	echo "run.sh: could not generate vectors.h" >&2
	exit 2
}

total_pass=0
total_fail=0
status=0

# run_variant NAME COMMAND...: run a test binary, keep its output in
# BUILD_DIR/NAME.log, print its failures and summary, add up the counts.
run_variant() {
	name=$1
	shift
	log="$BUILD_DIR/$name.log"
	"$@" > "$log" 2>&1
	rc=$?
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	grep -E '^(not ok|# seed |# SP_[A-Z_]*SEED=)' "$log"
	if [ -z "$summary" ]; then
		# crashed or aborted by a sanitizer before the summary line
		echo "$name: no summary (exit $rc); last lines of $log:"
		tail -n 20 "$log"
		total_fail=$((total_fail + 1))
		status=1
		return
	fi
	p=${summary%% passed*}
	f=${summary#*passed, }
	f=${f%% failed*}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# e.g. valgrind errors or leaks with every check passing
		echo "$name: exit $rc with every check passing; see $log"
		grep -E '^==[0-9]+==' "$log" | head -n 30
		f=1
	fi
	echo "$name: $summary"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ "$rc" -ne 0 ] && status=1
}

# build OUT FLAGS...: compile and link; report a build failure as a failure.
build() {
	out=$1
	shift
	# shellcheck disable=SC2086
	if ! "$@" $CFLAGS_COMMON $INC $SRCS -o "$out" -lsodium -lutf8proc; then
		echo "run.sh: build of $out failed" >&2
		total_fail=$((total_fail + 1))
		status=1
		return 1
	fi
}

if build "$BUILD_DIR/test_core" "$CC" -O2; then
	run_variant plain "$BUILD_DIR/test_core"
fi

if build "$BUILD_DIR/test_core_asan" gcc -O1 \
	-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all; then
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
	export ASAN_OPTIONS UBSAN_OPTIONS
	run_variant asan+ubsan "$BUILD_DIR/test_core_asan"
fi

if command -v valgrind > /dev/null 2>&1; then
	if [ -x "$BUILD_DIR/test_core" ]; then
		run_variant valgrind valgrind --error-exitcode=1 --leak-check=full -q \
			"$BUILD_DIR/test_core"
	fi
else
	echo "valgrind: skipped (valgrind is not installed)"
fi

# ---- test_cache.c (sp_cache.h): the same three ways, fewer random paths
# under valgrind (SP_CACHE_TRIALS) ----
SRCS="$CORE_SRCS test/unit/test_cache.c"
if build "$BUILD_DIR/test_cache" "$CC" -O2; then
	run_variant cache-plain "$BUILD_DIR/test_cache"
fi
if build "$BUILD_DIR/test_cache_asan" gcc -O1 \
	-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all; then
	run_variant cache-asan+ubsan "$BUILD_DIR/test_cache_asan"
fi
if command -v valgrind > /dev/null 2>&1 && [ -x "$BUILD_DIR/test_cache" ]; then
	SP_CACHE_TRIALS=${SP_CACHE_TRIALS:-40} run_variant cache-valgrind \
		valgrind --error-exitcode=1 --leak-check=full -q "$BUILD_DIR/test_cache"
fi

# ---- test_threshold.c (sp_threshold.h): threshold.json is what its
# independent generator computes, then its header, then the three ways ----
if python3 test/vectors/gen_threshold.py --check &&
	python3 test/vectors/gen_threshold.py --header > "$BUILD_DIR/threshold_vectors.h"; then
	total_pass=$((total_pass + 1))
	SRCS="$CORE_SRCS test/unit/test_threshold.c"
	if build "$BUILD_DIR/test_threshold" "$CC" -O2; then
		run_variant threshold-plain "$BUILD_DIR/test_threshold"
	fi
	if build "$BUILD_DIR/test_threshold_asan" gcc -O1 \
		-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all; then
		run_variant threshold-asan+ubsan "$BUILD_DIR/test_threshold_asan"
	fi
	if command -v valgrind > /dev/null 2>&1 && [ -x "$BUILD_DIR/test_threshold" ]; then
		run_variant threshold-valgrind \
			valgrind --error-exitcode=1 --leak-check=full -q "$BUILD_DIR/test_threshold"
	fi
else
	echo "threshold: test/vectors/threshold.json is not what gen_threshold.py computes"
	total_fail=$((total_fail + 1))
	status=1
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] || status=1
exit $status
