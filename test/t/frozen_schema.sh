#!/usr/bin/env bash
# test/t/frozen_schema.sh - released SQL scripts are frozen: the base of the
# upgrade chain and every released upgrade script in schema/ still hash to
# what schema/released.sha256 recorded when they were released, and every
# such script is listed there once its target version is released (i.e.
# is not the current default_version's script, which may still change).
# Needs no server.  Ends with "N passed, M failed".
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
cd "$ROOT/schema" || exit 1

current=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" ../secant_pre.control)
while read -r sum file; do
	got=$(sha256sum "$file" 2>/dev/null | cut -d' ' -f1)
	check "released $file is unchanged" eq "$got" "$sum"
done <released.sha256
for f in secant_pre--*--*.sql; do
	case "$f" in *"--$current.sql") continue ;; esac
	if grep -q " $f\$" released.sha256; then ok "$f is recorded as released"; else not_ok "$f is recorded as released (add its sha256 to schema/released.sha256)"; fi
done
tap_finish
