#!/usr/bin/env bash
# test/python/run.sh MODE - the Python package installed the normal way:
# pip install --no-index --no-build-isolation ./python into a venv made
# with --system-site-packages (cffi, psycopg and setuptools from Debian),
# kept in build/venv and made again when python/ changes; the library is
# make install's (LIBPREFIX, default /usr/local).
#   install  the venv install: secant_pre imported from the venv, its
#            version the extension's, no file of python/ on the path
#   unit     test_unit.py: every function and error class, no server
#   cdef     cdef_check.py: the cffi declarations against secant_pre.h
#   pg       test_pg.py: psycopg adapters, text and binary, sync and async
#            (a server: PGHOST...)
#   interop  test_interop.py: vectors and values across library, Python, CLI, SQL
#   clinic   examples/clinic.py --check, the worked application
#   readme   the Python section of docs/CLIENTS.md, run as written
# Each ends with "N passed, M failed".  Runs in a scratch directory: the
# repository's root holds secant_pre.so, the extension, which Python would
# take for the package.
set -u
. "$(dirname "$0")/../prologue.sh"
LIBPREFIX=${LIBPREFIX:-/usr/local}
VENV=${SECANT_PRE_VENV:-$ROOT/build/venv}
PY=$VENV/bin/python
export SECANT_PRE_LIBRARY=${SECANT_PRE_LIBRARY:-$LIBPREFIX/lib/libsecant-pre.so.0}
export SECANT_PRE_CLI=${SECANT_PRE_CLI:-$LIBPREFIX/bin/secant-pre}
export SECANT_PRE_ROOT=$ROOT
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# (Re)make the venv when python/ is not what it was installed from.
SRC_SUM=$(cd "$ROOT" && find python -type f -not -path 'python/build/*' -not -path '*.egg-info/*' \
	-not -name '*.pyc' | sort | xargs cat | sha256sum | cut -c1-64)
if [ "$(cat "$VENV/.secant-pre-src" 2>/dev/null)" != "$SRC_SUM" ]; then
	rm -rf "$VENV" && mkdir -p "$(dirname "$VENV")" &&
		/usr/bin/python3 -m venv --system-site-packages "$VENV" &&
		cp -r "$ROOT/python" "$W/python" &&
		"$VENV/bin/pip" install -q --no-index --no-build-isolation "$W/python" >"$W/pip.log" 2>&1 &&
		echo "$SRC_SUM" >"$VENV/.secant-pre-src" ||
		{ cat "$W/pip.log" 2>/dev/null; echo "0 passed, 1 failed"; exit 1; }
fi
cd "$W" || exit 2

case "${1:-}" in
	install)
		exec "$PY" - "$VENV" "$ROOT" <<'PY'
import os, re, sys
venv, root = sys.argv[1:]
import secant_pre, secant_pre.psycopg
checks = [
    ("secant_pre is imported from the venv (%s)" % secant_pre.__file__,
     secant_pre.__file__.startswith(os.path.join(venv, "lib"))),
    ("secant_pre.psycopg too", secant_pre.psycopg.__file__.startswith(os.path.join(venv, "lib"))),
    ("no directory of the source tree is on sys.path",
     not any(p and os.path.abspath(p).startswith(os.path.join(root, "python")) for p in sys.path)),
]
from importlib.metadata import version
ext = re.search(r"^EXTVERSION = (\S+)", open(os.path.join(root, "Makefile")).read(), re.M).group(1)
checks.append(("the installed version %s is the extension's %s" % (version("secant-pre"), ext),
               version("secant-pre") == ext))
checks.append(("the library it loaded is %s" % secant_pre.LIBRARY_PATH,
               secant_pre.library_version() == ext))
bad = 0
for i, (title, ok) in enumerate(checks, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", i, title))
    bad += not ok
print("%d passed, %d failed" % (len(checks) - bad, bad))
sys.exit(1 if bad else 0)
PY
		;;
	unit | pg | interop) exec "$PY" "$ROOT/test/python/runtests.py" "$ROOT/test/python/test_$1.py" ;;
	cdef) exec "$PY" "$ROOT/test/python/cdef_check.py" "$ROOT/build/lib/secant_pre.h" ;;
	clinic) exec "$PY" "$ROOT/examples/clinic.py" --check ;;
	readme) PYTHONPATH="$ROOT/test/python" exec "$PY" "$ROOT/test/python/readme_python.py" "$ROOT/docs/CLIENTS.md" ;;
	*) echo "usage: $0 install|unit|cdef|pg|interop|clinic|readme" >&2; exit 2 ;;
esac
