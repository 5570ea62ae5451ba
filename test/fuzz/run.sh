#!/bin/sh
# test/fuzz/run.sh - build and run the secant_pre fuzz harnesses.
#
# Usage (from anywhere): test/fuzz/run.sh [SECONDS]
#   SECONDS     fuzzing time per harness (default 60)
#   BUILD_DIR   where to build and keep corpora (default build/fuzz, relative
#               to the repository; never inside src/ or test/)
#   FUZZ_HARNESSES  space-separated subset of the harnesses to run
#   FUZZ_MODE   libfuzzer or standalone (default: libfuzzer when clang can
#               link -fsanitize=fuzzer, else standalone)
#
# Each harness test/fuzz/fuzz_<name>.c is built with
#   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# together with the core (the list in src/core/core.mk) and the library
# layer src/lib/sp_lib.c (compiled once with the same flags; -lsodium
# -lutf8proc) into BUILD_DIR,
# all in parallel and only when a source changed, seeded by make_seeds.py into
# BUILD_DIR/corpus/<name>/, replays test/fuzz/regressions/<name>-* and then
# fuzzes for SECONDS (one job, -rss_limit_mb=2048).  Without libFuzzer it
# falls back to standalone_driver.c (gcc -fsanitize=address,undefined): a
# seeded random mutation loop, no coverage feedback.
#
# Prints one line per harness (executions, crash or not) and then
# "N passed, M failed"; a harness passes when it ran without a crash, leak,
# timeout or out-of-memory.  Exits 1 on any failure, 2 on a setup error.
# Crash inputs are in BUILD_DIR/artifacts/<name>/, logs in BUILD_DIR/logs/.

set -u

SECS=${1:-60}
case "$SECS" in
	'' | *[!0-9]*)
		echo "usage: test/fuzz/run.sh [SECONDS]" >&2
		exit 2 ;;
esac

. "$(dirname "$0")/../prologue.sh"
cd "$ROOT" || exit 2
BUILD_DIR=${BUILD_DIR:-build/fuzz}
HARNESSES=${FUZZ_HARNESSES:-"ciphertext grant public_key secret_key token text keywords inspect roundtrip envelope cache threshold"}
CORE="$(make -s --no-print-directory -f src/core/core.mk print-core-srcs) src/lib/sp_lib.c"
PUBLIC_HEADERS="$(make -s --no-print-directory -f src/lib/lib.mk print-lib-public-headers)"
LIBS="-lsodium -lutf8proc"
FUZZ_DIR=test/fuzz

case "$(mkdir -p "$BUILD_DIR" && cd "$BUILD_DIR" && pwd)" in
	"$ROOT/src" | "$ROOT/src/"* | "$ROOT/test" | "$ROOT/test/"*)
		echo "run.sh: refusing to build into src/ or test/" >&2
		exit 2 ;;
	"") echo "run.sh: cannot create $BUILD_DIR" >&2
		exit 2 ;;
esac
mkdir -p "$BUILD_DIR/logs" "$BUILD_DIR/artifacts" || exit 2

# ---- which fuzzing engine ----
CLANG=${CLANG:-clang}
probe="$BUILD_DIR/probe"
detect_mode() {
	printf '%s\n' \
		'#include <stdint.h>' '#include <stddef.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
		'{ (void) d; (void) n; return 0; }' > "$probe.c"
	if command -v "$CLANG" > /dev/null 2>&1 &&
		"$CLANG" -fsanitize=fuzzer,address,undefined -o "$probe" "$probe.c" \
			> /dev/null 2>&1; then
		echo libfuzzer
	elif command -v gcc > /dev/null 2>&1 &&
		gcc -fsanitize=address,undefined -c -o "$probe.o" "$probe.c" \
			> /dev/null 2>&1; then
		echo standalone
	else
		echo none
	fi
	rm -f "$probe" "$probe.c" "$probe.o"
}
MODE=${FUZZ_MODE:-$(detect_mode)}
case "$MODE" in
	libfuzzer)
		CC_FUZZ=$CLANG
		CFLAGS_FUZZ="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc/core -Isrc"
		EXTRA_SRC= ;;
	standalone)
		CC_FUZZ=${CC:-gcc}
		CFLAGS_FUZZ="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -Isrc/core -Isrc"
		EXTRA_SRC=$FUZZ_DIR/standalone_driver.c ;;
	*)
		echo "run.sh: no fuzzing compiler: need clang with libFuzzer, or gcc with ASan/UBSan" >&2
		exit 2 ;;
esac
echo "fuzzing engine: $MODE, $SECS s per harness"

python3 "$FUZZ_DIR/make_seeds.py" --out "$BUILD_DIR/corpus" > "$BUILD_DIR/logs/seeds.log" 2>&1 || {
	echo "run.sh: make_seeds.py failed (see $BUILD_DIR/logs/seeds.log)" >&2
	exit 2
}

# The CLI's harness (inspect) sees the library's public header only, as
# the CLI does: BUILD_DIR/pubinc holds secant_pre.h and, for each public
# core header, a shim that includes it.
PUBINC="$BUILD_DIR/pubinc"
mkdir -p "$PUBINC" || exit 2
# shellcheck disable=SC2086
sh src/lib/mkheader.sh fuzz src/lib/secant_pre.h.in $PUBLIC_HEADERS >"$PUBINC/secant_pre.h.new" || exit 2
cmp -s "$PUBINC/secant_pre.h.new" "$PUBINC/secant_pre.h" || mv "$PUBINC/secant_pre.h.new" "$PUBINC/secant_pre.h"
rm -f "$PUBINC/secant_pre.h.new"
for h in $PUBLIC_HEADERS; do
	echo '#include <secant_pre.h>' >"$PUBINC/${h##*/}"
done
# ... and cli_sources.h, an #include of every .c file of src/cli, so that a
# new CLI file is in the harness without anyone listing it.
for c in src/cli/*.c; do
	echo "#include \"cli/${c##*/}\""
done >"$PUBINC/cli_sources.h.new" || exit 2
cmp -s "$PUBINC/cli_sources.h.new" "$PUBINC/cli_sources.h" || mv "$PUBINC/cli_sources.h.new" "$PUBINC/cli_sources.h"
rm -f "$PUBINC/cli_sources.h.new"
harness_flags() {
	case "$1" in
		inspect) echo "-I$PUBINC" ;;
		*) echo "" ;;
	esac
}

# Largest input per harness: the text forms of long ciphertexts need room.
max_len() {
	case "$1" in
		ciphertext | text | inspect | roundtrip) echo 8192 ;;
		*) echo 4096 ;;
	esac
}

# Dictionary per harness (libFuzzer only).
dict() {
	case "$1" in
		text | inspect | roundtrip) echo "$FUZZ_DIR/text.dict" ;;
		ciphertext | grant | envelope) echo "$FUZZ_DIR/binary.dict" ;;
		*) echo "" ;;
	esac
}

# The core is compiled once per engine (same flags as the harnesses) into
# OBJ_DIR, then linked into each harness; both steps are skipped when the
# output is newer than every source it depends on.
OBJ_DIR="$BUILD_DIR/obj-$MODE"
mkdir -p "$OBJ_DIR" || exit 2

# stale FILE DEPS...: true if FILE is missing or older than one of DEPS
stale() {
	out=$1
	shift
	[ ! -e "$out" ] || [ -n "$(find "$@" -newer "$out" 2>/dev/null)" ]
}

OBJS=""
for c in $CORE; do
	OBJS="$OBJS $OBJ_DIR/$(basename "$c" .c).o"
done

build_obj() {
	c=$1
	o="$OBJ_DIR/$(basename "$c" .c).o"
	stale "$o" "$c" src/core/*.h src/lib/*.h || return 0
	# shellcheck disable=SC2086
	$CC_FUZZ $CFLAGS_FUZZ -Isrc/lib -c -o "$o" "$c" \
		> "$BUILD_DIR/logs/build-$(basename "$c" .c).log" 2>&1
}

build() {
	h=$1
	bin="$BUILD_DIR/fuzz_$h"
	src="$FUZZ_DIR/fuzz_$h.c"
	# shellcheck disable=SC2086
	if [ "$(cat "$bin.mode" 2>/dev/null)" = "$MODE" ] &&
		! stale "$bin" "$src" $OBJS src/core/*.h src/cli/*.[ch] "$PUBINC/secant_pre.h" "$PUBINC/cli_sources.h" \
			"$FUZZ_DIR/fuzz_common.h" $EXTRA_SRC; then
		return 0
	fi
	rm -f "$bin.mode"
	# shellcheck disable=SC2086
	$CC_FUZZ $(harness_flags "$h") $CFLAGS_FUZZ -o "$bin" "$src" $EXTRA_SRC $OBJS $LIBS \
		> "$BUILD_DIR/logs/build-$h.log" 2>&1 || return 1
	echo "$MODE" > "$bin.mode"
}

# run_parallel FN ARGS...: FN on each argument, all at once; a failure of
# FN ARG leaves BUILD_DIR/logs/build-ARG.failed behind.
run_parallel() {
	fn=$1
	shift
	pids=""
	for x in "$@"; do
		n=$(basename "$x" .c)
		rm -f "$BUILD_DIR/logs/build-$n.failed"
		( "$fn" "$x" || : > "$BUILD_DIR/logs/build-$n.failed" ) &
		pids="$pids $!"
	done
	for p in $pids; do
		wait "$p"
	done
}

# shellcheck disable=SC2086
run_parallel build_obj $CORE
for c in $CORE; do
	n=$(basename "$c" .c)
	if [ -e "$BUILD_DIR/logs/build-$n.failed" ]; then
		echo "run.sh: cannot compile $c (see $BUILD_DIR/logs/build-$n.log)" >&2
		exit 2
	fi
done
existing=""
for h in $HARNESSES; do
	[ -f "$FUZZ_DIR/fuzz_$h.c" ] && existing="$existing $h"
done
# shellcheck disable=SC2086
run_parallel build $existing

pass=0
fail=0
for h in $HARNESSES; do
	if [ ! -f "$FUZZ_DIR/fuzz_$h.c" ]; then
		printf '%-12s no such harness\n' "$h"
		fail=$((fail + 1))
		continue
	fi
	if [ -e "$BUILD_DIR/logs/build-$h.failed" ]; then
		printf '%-12s BUILD FAILED (see %s)\n' "$h" "$BUILD_DIR/logs/build-$h.log"
		fail=$((fail + 1))
		continue
	fi
	bin="$BUILD_DIR/fuzz_$h"
	art="$BUILD_DIR/artifacts/$h"
	log="$BUILD_DIR/logs/$h.log"
	rm -rf "$art"
	mkdir -p "$art" "$BUILD_DIR/corpus/$h"

	# 1. known crashers must not crash any more
	regress=""
	for r in "$FUZZ_DIR"/regressions/"$h"-*; do
		[ -f "$r" ] || continue
		if ! "$bin" -artifact_prefix="$art/" "$r" > "$log.regress" 2>&1; then
			regress="$regress $(basename "$r")"
		fi
	done

	# 2. fuzz
	d=$(dict "$h")
	set -- -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=30 \
		-max_len="$(max_len "$h")" -print_final_stats=1 \
		-artifact_prefix="$art/"
	if [ "$MODE" = libfuzzer ] && [ -n "$d" ]; then
		set -- "$@" -dict="$d"
	fi
	"$bin" "$@" "$BUILD_DIR/corpus/$h" > "$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	execs=${execs:-0}
	found=$(find "$art" -type f \( -name 'crash-*' -o -name 'leak-*' \
		-o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null | head -n 1)

	if [ -n "$regress" ]; then
		printf '%-12s %10s execs  FAILED: regression input(s) crash:%s\n' \
			"$h" "$execs" "$regress"
		fail=$((fail + 1))
	elif [ "$rc" -ne 0 ] || [ -n "$found" ]; then
		printf '%-12s %10s execs  FAILED: %s (exit %s, log %s)\n' "$h" "$execs" \
			"${found:-crash}" "$rc" "$log"
		fail=$((fail + 1))
	else
		printf '%-12s %10s execs  ok, no crash\n' "$h" "$execs"
		pass=$((pass + 1))
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
