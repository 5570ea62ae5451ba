#!/usr/bin/env bash
# test/t/hygiene.sh - the tests can run twice at once, or by two OS users
# one after the other, without colliding.
#
# Reads the test inputs (test/, examples/, sql/, expected/, specs/, the
# Makefile) and checks that:
#   - no path under /tmp is fixed: every one is a mktemp template
#     (…XXXXXX), so each run gets its own;
#   - no port is fixed: a port number appears only as the default of an
#     override (${SOME_PORT:-55432}); sockets live in private directories;
#   - only test/pgcluster.sh runs initdb and pg_ctl, so every throwaway
#     cluster is private, socket-only and removed at the end;
#   - no shell script pipes into grep -q: under pipefail a grep that stops
#     at its first match can kill the writer with SIGPIPE and fail the
#     pipeline at random (a here-string instead: grep -q P <<<"$x").
# Offending lines are printed.  Needs no server.  Ends with
# "N passed, M failed".
set -uo pipefail

. "$(dirname "$0")/../prologue.sh"
cd "$ROOT" || exit 1
SELF=test/t/hygiene.sh

# none NAME FINDINGS: ok when FINDINGS (file:line: text lines) is empty.
none() {
	if [ -z "$2" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '%s\n' "$2" | sed 's/^/#   /'
	fi
}

# The files to read: tracked ones in a checkout, else all below the dirs.
list_files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -- test examples sql expected specs Makefile
	else
		find test examples sql expected specs Makefile -type f 2>/dev/null
	fi | grep -v -e "^$SELF\$" -e '^test/vectors/' -e '\.png$'
}
mapfile -t FILES < <(list_files)

# Lines that match the extended regex $1, as file:line: text.
lines() { grep -nIHE -- "$1" "${FILES[@]}" 2>/dev/null; }

# 1. /tmp paths: every path token under /tmp must carry a mktemp template.
tmp=$(lines '/tmp/' | while IFS= read -r l; do
	text=${l#*:*:}
	grep -vq 'XXX' <<<"$(grep -oE "/tmp/[^\"' )]*" <<<"$text")" &&
		printf '%s\n' "$l"
done)
none "no fixed path under /tmp (mktemp templates only)" "$tmp"

# 2. ports: a number of 4 or 5 digits on a line that speaks of a port, other
#    than the default of an override ${NAME:-NUMBER} (NAME may hold digits).
port=$(lines '([Pp][Oo][Rr][Tt]|-p)[^0-9]{0,6}[0-9]{4,5}\b|:-[0-9]{4,5}\}' |
	while IFS= read -r l; do
		text=${l#*:*:}
		grep -qE '([Pp][Oo][Rr][Tt]|-p)[^0-9]{0,6}[0-9]{4,5}\b' \
			<<<"$(sed -E 's/\$\{[A-Za-z_][A-Za-z0-9_]*:-[0-9]+\}//g' <<<"$text")" &&
			printf '%s\n' "$l"
	done)
none "no fixed port (a port number is only an override's default)" "$port"

# 3. clusters: initdb and pg_ctl only in test/pgcluster.sh.
clusters=$(lines '\b(initdb|pg_ctl)\b' | grep -v '^test/pgcluster\.sh:' |
	grep -vE '^[^:]+:[0-9]+:\s*#')
none "only test/pgcluster.sh runs initdb and pg_ctl" "$clusters"

# 4. no pipe into an early-exiting grep (-q, in any spelling of its
#    options) in a shell script, but in a fresh `bash -c` (no pipefail).
early=$(lines '(^|[^|])\|\s*grep\s+(-[A-Za-z]+\s+)*-[A-Za-z]*q' | grep -E '^[^:]+\.sh:' |
	grep -v 'bash -c' | grep -vE '^[^:]+:[0-9]+:\s*#')
none "no shell script pipes into grep -q (SIGPIPE under pipefail: use a here-string)" "$early"

tap_summary
