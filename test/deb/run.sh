#!/usr/bin/env bash
# test/deb/run.sh [DIR] - the Debian packages of DIR (default build/deb,
# made by `make deb` first when it holds none) installed into a fresh
# Debian 12 root (debootstrap --variant=minbase, test/matrix/root.sh; the
# bare root is cached, each run starts from it): apt-get install of the
# .debs pulls PostgreSQL 15 and the rest from Debian.  Then a cluster with
# the README's configuration (server key file, shared_preload_libraries),
# the README's Getting started and the Python section of docs/CLIENTS.md
# run as written, against the installed packages only: no source tree in
# the root (only those two texts and the scripts that run them).
# Needs root.  Ends with "N passed, M failed".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/test/matrix/root.sh"
DEBS=$(cd "${1:-$ROOT/build/deb}" 2>/dev/null && pwd)
if ! ls "$DEBS"/postgresql-15-secant-pre_*.deb >/dev/null 2>&1; then
	make -s -C "$ROOT" deb >/dev/null || { echo "make deb failed"; echo "0 passed, 1 failed"; exit 1; }
	DEBS=$ROOT/build/deb
fi
mx_base bookworm || { echo "0 passed, 1 failed"; exit 1; }
W=$(mktemp -d /tmp/secant-pre-deb.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/upper/debs" "$W/upper/check"
for p in postgresql-15-secant-pre libsecant-pre0 libsecant-pre-dev secant-pre python3-secant-pre; do
	cp "$DEBS/${p}_"*.deb "$W/upper/debs/"
done
python3 "$ROOT/test/readme_sql.py" "$ROOT/README.md" | sed '/^\\c contrib_regression/,$d' >"$W/upper/check/getting_started.sql"
cp "$ROOT/docs/CLIENTS.md" "$ROOT/test/python/readme_python.py" "$ROOT/test/python/pgtest.py" \
	"$ROOT/test/tap.sh" "$W/upper/check/"

cp "$ROOT/test/deb/inside.sh" "$W/upper/check/"
mx_run "$W" "$MX_CACHE/base-bookworm" "bash /check/inside.sh"
