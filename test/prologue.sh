# shellcheck shell=bash
# test/prologue.sh - sourced first by the shell tests, instead of each
# setting these up in its own copy:
#
#   ROOT       the repository's top directory
#   PG_CONFIG  as given, else Debian's PostgreSQL PG_MAJOR (default 15), else
#              pg_config on PATH
#   PGBIN      its bindir, put first on PATH (empty without a PostgreSQL)
#   test/tap.sh        ok, not_ok, report, check, eq, tap_summary, tap_finish
#   test/pgcluster.sh  pgc_dir, pgc_start, pgc_stop, ... (throwaway clusters)
#
# A test sources it by its own path: . "$(dirname "$0")/../prologue.sh"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/${PG_MAJOR:-15}/bin/pg_config}
[ -x "$PG_CONFIG" ] || PG_CONFIG=$(command -v pg_config)
PGBIN=""
if [ -n "$PG_CONFIG" ]; then
	PGBIN=$("$PG_CONFIG" --bindir)
	export PATH="$PGBIN:$PATH"
fi
# shellcheck source=tap.sh
. "$ROOT/test/tap.sh"
# shellcheck source=pgcluster.sh
. "$ROOT/test/pgcluster.sh"
