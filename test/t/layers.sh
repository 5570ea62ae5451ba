#!/usr/bin/env bash
# test/t/layers.sh - the layers of the tree hold (core <- pg glue, library
# <- CLI): reads the `#include "..."` lines of src/ and checks that
#   - no include circle: no two modules (a .c and its .h) need each other,
#     directly or around a longer circle;
#   - src/core includes nothing outside src/core (no postgres.h either);
#   - src/pg includes, of src/, only src/pg and src/core (PostgreSQL's
#     own headers are its business);
#   - src/lib includes only src/lib and src/core;
#   - src/cli includes only src/cli and the library's public header
#     secant_pre.h (built from src/lib);
#   - no source file under src/ or python/ is over 1,000 lines.
# An include is looked for beside the including file, then in src/core,
# src/pg, src/lib and src/cli (the build's -I folders); one found nowhere
# there is outside the tree.  Offending includes are printed.  Needs no
# server.  Ends with "N passed, M failed".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1

# ok, not_ok, tap_summary
. "$ROOT/test/tap.sh"

MAX_LINES=1000

# none NAME FINDINGS: ok when FINDINGS (one line each) is empty.
none() {
	if [ -z "$2" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '%s\n' "$2" | sed 's/^/#   /'
	fi
}

FILES=$(find src -name '*.[ch]' | sort)

# One line per include: FILE NAME TARGET (TARGET "-": outside the tree).
INCLUDES=$(printf '%s\n' "$FILES" | awk '
	# a path with its "." and ".." steps taken
	function norm(p,   n, i, part, out, k) {
		n = split(p, part, "/")
		k = 0
		for (i = 1; i <= n; i++) {
			if (part[i] == "." || part[i] == "") continue
			if (part[i] == ".." && k > 0) { k--; continue }
			out[++k] = part[i]
		}
		p = out[1]
		for (i = 2; i <= k; i++) p = p "/" out[i]
		return p
	}
	NR == FNR { exists[$0] = 1; next }
	/^[ \t]*#[ \t]*include[ \t]*"/ {
		name = $0
		sub(/^[^"]*"/, "", name); sub(/".*/, "", name)
		dir = FILENAME; sub(/\/[^\/]*$/, "", dir)
		split(dir " src/core src/pg src/lib src/cli", dirs, " ")
		target = "-"
		for (i = 1; i <= 5; i++)
			if (norm(dirs[i] "/" name) in exists) { target = norm(dirs[i] "/" name); break }
		if (target == "-" && name == "secant_pre.h") target = "src/lib/secant_pre.h.in"
		print FILENAME, name, target
	}' - $FILES)

# includes_outside LAYER ALLOWED_REGEX [EXTERNAL_OK]: the includes of
# src/LAYER whose target does not match ALLOWED_REGEX ("-", outside the
# tree, is allowed only with EXTERNAL_OK).
includes_outside() {
	printf '%s\n' "$INCLUDES" | awk -v layer="src/$1/" -v allowed="$2" -v ext="${3:-}" '
		index($1, layer) == 1 && !($3 == "-" ? ext != "" : $3 ~ allowed) {
			printf "%s includes \"%s\"%s\n", $1, $2, ($3 == "-" ? "" : " (" $3 ")")
		}'
}

# The modules (a .c and its .h) and what each includes.  A header
# without a .c of its own is no module: it passes on what it includes.
MODULE_PAIRS=$(printf '%s\n' "$INCLUDES" | awk -v files="$(printf '%s ' $FILES)" '
	function module(f) { sub(/\.h\.in$|\.[ch]$/, "", f); return f }
	function transparent(f,   c) { c = f; sub(/\.h$/, ".c", c); return f ~ /\.h$/ && !(c in exists) }
	# print "from module(t)" for each target t of f, through transparent headers
	function deps(f, from, seen,   i, t) {
		for (i = 1; i <= count[f]; i++) {
			t = target[f, i]
			if (transparent(t)) {
				if (!((from, t) in seen)) { seen[from, t] = 1; deps(t, from, seen) }
			} else if (module(t) != from)
				print from, module(t)
		}
	}
	BEGIN { n = split(files, all, " "); for (i = 1; i <= n; i++) exists[all[i]] = 1 }
	$3 != "-" { target[$1, ++count[$1]] = $3 }
	END {
		for (i = 1; i <= n; i++)
			if (!transparent(all[i])) { split("", seen); deps(all[i], module(all[i]), seen) }
	}' | sort -u)
LOOP=$(printf '%s\n' "$MODULE_PAIRS" | tsort 2>&1 >/dev/null | sed "s/^tsort: //; s/^-: //")
none "no include circle among the modules of src/ ($(printf '%s\n' "$MODULE_PAIRS" | wc -l) module dependencies)" "$LOOP"

none "src/core includes only src/core" \
	"$(includes_outside core '^src/core/')"
none "src/pg includes, of src/, only src/pg and src/core" \
	"$(includes_outside pg '^src/(pg|core)/' external)"
none "src/lib includes only src/lib and src/core" \
	"$(includes_outside lib '^src/(lib|core)/')"
none "src/cli includes only src/cli and the library's public header secant_pre.h" \
	"$(includes_outside cli '^src/cli/|^src/lib/secant_pre\.h\.in$')"

# The source files under src/ and python/ with their line counts.
LINES=$(find src python -type f \( -name '*.[ch]' -o -name '*.py' -o -name '*.sh' \
	-o -name '*.in' -o -name '*.mk' \) -not -path '*/__pycache__/*' | sort |
	while read -r f; do echo "$(wc -l <"$f") $f"; done)
over() {
	printf '%s\n' "$LINES" | awk -v max=$MAX_LINES -v only="${1:-}" -v skip="${2:-}" '
		$1 > max && (only == "" || $2 == only) && $2 != skip { print $2 ": " $1 " lines" }'
}
none "no file under src/ or python/ over $MAX_LINES lines ($(printf '%s\n' "$LINES" | wc -l) files)" \
	"$(over)"

tap_finish
