#!/usr/bin/env bash
# test/t/install.sh - make install and make uninstall are symmetric: into a
# DESTDIR (never the real system), install puts the extension where
# pg_config says and the library, its header, secant-pre.pc, the CLI and the
# Python package under LIBPREFIX; the files are listed; uninstall leaves
# none of them (only the empty directories).  Needs make and PG_CONFIG.
# Ends with "N passed, M failed".
set -uo pipefail
. "$(dirname "$0")/../prologue.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D=$T/dest
files() { (cd "$D" && find . ! -type d | sort); }

make -s -C "$ROOT" install PG_CONFIG="$PG_CONFIG" LIBPREFIX=/opt/sp DESTDIR="$D" >"$T/install.out" 2>&1
check "make install DESTDIR=... LIBPREFIX=/opt/sp succeeds" test $? -eq 0
files >"$T/installed"
echo "# installed:"
sed 's/^/#   /' "$T/installed"
pkglibdir=$("$PG_CONFIG" --pkglibdir)
sharedir=$("$PG_CONFIG" --sharedir)
for f in "$pkglibdir/secant_pre.so" "$sharedir/extension/secant_pre.control" \
	/opt/sp/bin/secant-pre /opt/sp/lib/libsecant-pre.so.0 /opt/sp/lib/libsecant-pre.so \
	/opt/sp/include/secant_pre.h /opt/sp/lib/pkgconfig/secant-pre.pc; do
	check "installed: $f" grep -qxF ".$f" "$T/installed"
done
check "installed: the Python package under /opt/sp" grep -q '^\./opt/sp/lib/python3[.0-9]*/dist-packages/secant_pre/__init__\.py$' "$T/installed"
check "installed: nothing into the server's bindir" \
	eq "$(grep -c "^\.$("$PG_CONFIG" --bindir)/" "$T/installed")" 0

make -s -C "$ROOT" uninstall PG_CONFIG="$PG_CONFIG" LIBPREFIX=/opt/sp DESTDIR="$D" >"$T/uninstall.out" 2>&1
check "make uninstall with the same DESTDIR and LIBPREFIX succeeds" test $? -eq 0
files >"$T/left"
sed 's/^/# left behind: /' "$T/left"
check "make uninstall leaves none of the $(wc -l <"$T/installed") files behind" eq "$(wc -l <"$T/left")" 0
tap_finish
