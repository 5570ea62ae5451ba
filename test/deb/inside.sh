#!/usr/bin/env bash
# test/deb/inside.sh - run by test/deb/run.sh as root inside the fresh
# Debian root: /debs holds the packages, /check the README's Getting
# started SQL, docs/CLIENTS.md and the scripts that run them.
set -uo pipefail
. /check/tap.sh
export DEBIAN_FRONTEND=noninteractive
T=$(mktemp -d)
PORT=${SECANT_PRE_PORT:-55432}

apt-get update -qq && apt-get install -y -qq /debs/*.deb python3-psycopg pkg-config >"$T/apt.log" 2>&1
report "apt-get install of the five packages (their dependencies from Debian)" $? ||
	tail -n 20 "$T/apt.log"
check "the CLI is /usr/bin/secant-pre" eq "$(command -v secant-pre)" /usr/bin/secant-pre
check "... and runs" eq "$(secant-pre --version 2>&1)" "secant-pre 0.6.0"
check "secant-pre.pc is installed" eq "$(pkg-config --modversion secant-pre 2>&1)" 0.6.0
check "... and the header" test -f /usr/include/secant_pre.h
check "... the man page" test -f /usr/share/man/man1/secant-pre.1.gz -o -f /usr/share/man/man1/secant-pre.1
check "... and the bash completion" test -f /usr/share/bash-completion/completions/secant-pre
check "no source tree in the root" eq "$(ls -d /src /work 2>/dev/null)" ""

# the README's configuration: a server key file, the library preloaded
# (this cluster listens on its socket only)
pg_createcluster 15 main -p "$PORT" >/dev/null &&
	install -m 600 -o postgres /dev/null /etc/postgresql/secant_pre.key &&
	od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >/etc/postgresql/secant_pre.key &&
	cat >>/etc/postgresql/15/main/postgresql.conf <<'CONF' &&
listen_addresses = ''
shared_preload_libraries = 'secant_pre'
secant_pre.server_key_file = '/etc/postgresql/secant_pre.key'
CONF
	pg_ctlcluster 15 main start
report "a cluster with the README's configuration starts" $?

as_pg() { runuser -u postgres -- env PGHOST=/var/run/postgresql PGPORT=$PORT PGUSER=postgres "$@"; }
chmod 755 "$T" && cd "$T" || exit 1
as_pg psql -X -q -v ON_ERROR_STOP=1 -f /check/getting_started.sql >"$T/gs.out" 2>&1
report "the README's Getting started runs as written" $? || tail -n 20 "$T/gs.out"
check "Python imports the installed secant_pre" \
	eq "$(as_pg python3 -c 'import secant_pre; print(secant_pre.__file__)')" \
	/usr/lib/python3/dist-packages/secant_pre/__init__.py
as_pg env PYTHONPATH=/check python3 /check/readme_python.py /check/CLIENTS.md >"$T/py.out" 2>&1
report "the Python section of docs/CLIENTS.md runs as written" $? || cat "$T/py.out"
pg_ctlcluster 15 main stop -m immediate >/dev/null 2>&1
tap_finish
