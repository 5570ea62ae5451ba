#!/usr/bin/env bash
# test/libsecant/run.sh - libsecant-pre as installed by make install (under
# LIBPREFIX, default /usr/local): its soname and exported symbols (exactly
# the functions its header declares, none of the core's internals), the
# header alone (C99 pedantic, C++), every function in it documented, a
# program built with pkg-config, the compromise test of threshold grants
# (compromise.c), the CLI linked to it, and the core's unit tests
# (known-answer vectors included, threshold.json's too) built against the
# header and the shared library instead of the core's sources.  Ends "N passed, M failed".
set -u
. "$(dirname "$0")/../prologue.sh"
cd "$ROOT" || exit 2
LIBPREFIX=${LIBPREFIX:-/usr/local}
LIBDIR=$LIBPREFIX/lib
HEADER=$LIBPREFIX/include/secant_pre.h
export PKG_CONFIG_PATH="$LIBDIR/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
VERSION=$(sed -n 's/^EXTVERSION = //p' Makefile)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
expect() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected '$3', got '$2'"; fi; }

expect "pkg-config knows secant-pre $VERSION" "$(pkg-config --modversion secant-pre 2>&1)" "$VERSION"
expect "soname" "$(objdump -p "$LIBDIR/libsecant-pre.so.0" | awk '$1 == "SONAME" {print $2}')" "libsecant-pre.so.0"
expect "libsecant-pre.so is the development link" "$(readlink -f "$LIBDIR/libsecant-pre.so")" \
	"$(readlink -f "$LIBDIR/libsecant-pre.so.0")"

# the functions the header declares, as the compiler reads them
echo '#include <secant_pre.h>' >"$W/decl.c"
gcc -I"$LIBPREFIX/include" -fsyntax-only -aux-info "$W/aux" "$W/decl.c"
grep -F "$HEADER:" "$W/aux" | sed -n 's|.*[ *]\(sp_[a-z0-9_]*\) (.*|\1|p' | sort -u >"$W/declared"
nm -D --defined-only "$LIBDIR/libsecant-pre.so.0" | awk '$2 ~ /^[TtWiDdBbRr]$/ {sub(/@.*/, "", $3); print $3}' |
	sort -u >"$W/exported"
if diff "$W/declared" "$W/exported" >"$W/d"; then
	ok "exported symbols are exactly the header's $(wc -l <"$W/declared") functions"
else
	not_ok "exported symbols differ from the header's functions:"; sed 's/^/#   /' "$W/d"
fi
leaked=$(grep -cE '^(sp_recover_S|sp_recover_d1|sp_decrypt_with|sp_hash_start|sp_point_validate|sp_hop_base_for|sp_hop_append|sp_seal_box)$' "$W/exported")
expect "the core's internals (sp_internal.h) are not exported" "$leaked" "0"
expect "no data symbols exported" \
	"$(nm -D --defined-only "$LIBDIR/libsecant-pre.so.0" | awk '$2 ~ /^[DdBbRr]$/' | wc -l)" "0"

# the header on its own
if gcc -std=c99 -pedantic -Wall -Wextra -Werror -I"$LIBPREFIX/include" -fsyntax-only "$W/decl.c" 2>"$W/e"; then
	ok "the header compiles alone (C99, pedantic, -Werror)"
else not_ok "the header alone: $(head -3 "$W/e")"; fi
cp "$W/decl.c" "$W/decl.cc"
if g++ -std=c++11 -Wall -Wextra -Werror -I"$LIBPREFIX/include" -fsyntax-only "$W/decl.cc" 2>"$W/e"; then
	ok "the header compiles as C++11"
else not_ok "the header as C++: $(head -3 "$W/e")"; fi
undoc=$(/usr/bin/python3 - "$HEADER" "$W/aux" <<'PY'
import re, sys
header, aux = sys.argv[1], sys.argv[2]
lines = open(header).read().split("\n")
decl = {}
for l in open(aux):
    m = re.match(r"/\* (\S+):(\d+):\w+ \*/ .*[ *](sp_\w+) \(", l)
    if m and m.group(1) == header:
        decl[m.group(3)] = int(m.group(2))
bad = []
for name, n in decl.items():
    i = n - 2           # the line before the declaration's first line
    while i >= 0:
        s = lines[i].strip()
        if s.endswith("*/"):
            break
        # a declaration of the same documented group, or its continuation
        if s.startswith("#define "):  # a constant between comment and function
            i -= 1
            continue
        if s == "" or not (s.endswith(";") or s.endswith(",") or s.endswith("(") or "sp_" in s):
            bad.append(name)
            break
        i -= 1
    else:
        bad.append(name)
print(" ".join(sorted(bad)))
PY
)
expect "every function in the header follows a comment" "$undoc" ""

# a program built as the README says
if cc -o "$W/hello" test/libsecant/hello.c $(pkg-config --cflags --libs secant-pre) 2>"$W/e"; then
	ok "cc hello.c \$(pkg-config --cflags --libs secant-pre)"
	out=$("$W/hello" 2>&1)
	printf '%s\n' "$out" | grep -E '^not ok' | sed 's/^/# hello: /'
	line=$(printf '%s\n' "$out" | tail -n 1)
	p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
	expect "hello runs against the installed library, all checks" "$line" "${p} passed, 0 failed"
	expect "hello loads the library from $LIBDIR" \
		"$(ldd "$W/hello" | awk '/libsecant-pre/ {print $3}')" "$LIBDIR/libsecant-pre.so.0"
else
	not_ok "hello.c does not build: $(head -3 "$W/e")"
fi

# the compromise test of threshold grants (docs/SCHEME.md, "Threshold
# grants"): one holder's dump and every device key recover nothing, two
# holders' recover the group's secret (its positive control)
if cc -std=c99 -Wall -Wextra -Werror -o "$W/compromise" test/libsecant/compromise.c \
	$(pkg-config --cflags --libs secant-pre) -lsodium 2>"$W/e"; then
	out=$("$W/compromise" 2>&1)
	printf '%s\n' "$out" | grep -E '^(not ok|# SP_COMPROMISE_SEED)' | sed 's/^/# compromise: /'
	line=$(printf '%s\n' "$out" | tail -n 1)
	p=${line%% passed*}
	expect "compromise.c: 2-of-3 holders, one holder's dump and every device key, and its positive control: $line" \
		"$line" "${p} passed, 0 failed"
else
	not_ok "test/libsecant/compromise.c does not build: $(head -3 "$W/e")"
fi

# the installed CLI links the installed library (by its rpath)
cli="$LIBPREFIX/bin/secant-pre"
expect "the installed CLI loads $LIBDIR/libsecant-pre.so.0" \
	"$(ldd "$cli" | awk '/libsecant-pre/ {print $3}')" "$LIBDIR/libsecant-pre.so.0"
expect "the CLI does not carry the core itself" "$(nm "$cli" 2>/dev/null | grep -c ' T sp_')" "0"

# the core's unit tests through the public header and the shared library:
# every core header is replaced by the installed one
mkdir -p "$W/inc"
for h in sp_core sp_codec sp_seal sp_envelope sp_keyfile sp_random sp_text sp_cache sp_threshold; do
	echo '#include <secant_pre.h>' >"$W/inc/$h.h"
done
python3 test/unit/gen_vectors.py >"$W/inc/vectors.h"
python3 test/vectors/gen_threshold.py --header >"$W/inc/threshold_vectors.h"
for t in test_core test_cache test_threshold; do
	if gcc -std=c99 -g -Wall -Wextra -Werror -I"$W/inc" -o "$W/$t" "test/unit/$t.c" \
		$(pkg-config --cflags --libs secant-pre) -lsodium -lutf8proc 2>"$W/e"; then
		out=$("$W/$t" 2>&1)
		printf '%s\n' "$out" | grep -E '^not ok' | sed "s/^/# $t: /"
		line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
		expect "test/unit/$t.c against the shared library: $line" "${line#* passed, }" "0 failed"
	else
		not_ok "test/unit/$t.c does not build against the header: $(head -5 "$W/e")"
	fi
done

tap_summary
