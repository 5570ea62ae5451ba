#!/usr/bin/env bash
# test/python/run.sh MODE - the Python package as make install put it
# (under LIBPREFIX, default /usr/local), with the Debian python3:
#   unit     test_unit.py: every function and error class, no server
#   pg       test_pg.py: psycopg adapters, text and binary (a server: PGHOST...)
#   interop  test_interop.py: vectors and values across library, Python, CLI, SQL
#   clinic   examples/clinic.py --check, the worked application
#   readme   the Python section of docs/CLIENTS.md, run as written
# Each ends with "N passed, M failed".  Runs in a scratch directory: the
# repository's root holds secant_pre.so, the extension, which Python would
# take for the package.
set -u
. "$(dirname "$0")/../prologue.sh"
LIBPREFIX=${LIBPREFIX:-/usr/local}
PY=/usr/bin/python3
PYVER=$($PY -c 'import sys; print("%d.%d" % sys.version_info[:2])')
export PYTHONPATH="$LIBPREFIX/lib/python$PYVER/dist-packages${PYTHONPATH:+:$PYTHONPATH}"
export SECANT_PRE_CLI=${SECANT_PRE_CLI:-$PGBIN/secant-pre}
export SECANT_PRE_ROOT=$ROOT
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 2
case "${1:-}" in
	unit | pg | interop) exec $PY "$ROOT/test/python/runtests.py" "$ROOT/test/python/test_$1.py" ;;
	clinic) exec $PY "$ROOT/examples/clinic.py" --check ;;
	readme) PYTHONPATH="$ROOT/test/python:$PYTHONPATH" exec $PY "$ROOT/test/python/readme_python.py" "$ROOT/docs/CLIENTS.md" ;;
	*) echo "usage: $0 unit|pg|interop|clinic|readme" >&2; exit 2 ;;
esac
