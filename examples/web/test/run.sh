#!/usr/bin/env bash
# examples/web/test/run.sh - the web example in headless Chromium, against
# the server PGHOST/PGPORT/PGUSER name (a superuser: it creates a fresh
# database and the application server's login role, and drops them after).
#
# Builds the TypeScript package (js/) and the page (esbuild), sets the
# clinic up (setup.mjs), starts server.mjs on a free port as the role with
# the proxy capability, capturing its traffic and log, and runs
# test/browser.mjs.  Ends with "N passed, M failed".
#
#   SECANT_WEB_LEAK=1       the negative check: the page sends the plaintexts
#                           back, and the no-secret assertion must fail
#   SECANT_WEB_SCREENSHOT=F save a screenshot of the page after the search
#   CHROMIUM=PATH           the browser (default /usr/bin/chromium)
set -u
WEB=$(cd "$(dirname "$0")/.." && pwd)
JS=$(cd "$WEB/../../js" && pwd)
DB=secant_web_example
APP_ROLE=secant_web_app
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

fail() { echo "not ok - $*"; echo "0 passed, 1 failed"; exit 1; }
command -v node >/dev/null 2>&1 || fail "node is not installed"
[ -x "$CHROMIUM" ] || fail "no browser at $CHROMIUM (apt-get install chromium)"
[ -n "${PGHOST:-}" ] || fail "PGHOST is not set (run under test/cluster.sh)"

npm_ci() { (cd "$1" && [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error); }
npm_ci "$JS" || fail "npm ci in js/"
(cd "$JS" && npx tsc -p tsconfig.json) || fail "tsc in js/"
npm_ci "$WEB" || fail "npm ci in examples/web/"
(cd "$WEB" && node build.mjs) || fail "esbuild of the page"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/secant-web.XXXXXX") || fail "mktemp"
SERVER_PID=""
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $APP_ROLE" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

# a fresh database; the application server's role (no password: the
# throwaway cluster trusts local sockets)
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" \
	-c "DROP ROLE IF EXISTS $APP_ROLE" -c "CREATE ROLE $APP_ROLE LOGIN" -c "CREATE DATABASE $DB" ||
	fail "create the database"
node -e 'process.stdout.write(require("crypto").randomBytes(18).toString("base64url"))' >"$WORK/passphrase"
PGDATABASE=$DB node "$WEB/setup.mjs" --app-role "$APP_ROLE" --key-file "$WORK/ada_browser.key" \
	--passphrase-file "$WORK/passphrase" --secrets "$WORK/secrets.json" || fail "setup.mjs"

# the PostgreSQL server log from here on is searched too
PG_LOG=${SECANT_PRE_SERVER_LOG:-}
PG_LOG_OFFSET=0
[ -n "$PG_LOG" ] && [ -r "$PG_LOG" ] && PG_LOG_OFFSET=$(stat -c %s "$PG_LOG")

# the application server, as the proxy role, on a free port
PGDATABASE=$DB PGUSER=$APP_ROLE node "$WEB/server.mjs" --traffic-log "$WORK/traffic.jsonl" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
URL=""
for _ in $(seq 100); do
	URL=$(sed -n 's/^listening on \(http[^ ]*\)$/\1/p' "$WORK/server.log")
	[ -n "$URL" ] && break
	kill -0 "$SERVER_PID" 2>/dev/null || break
	sleep 0.1
done
[ -n "$URL" ] || { cat "$WORK/server.log"; fail "the server did not start"; }
echo "# server at $URL (as $APP_ROLE, database $DB)"

PGDATABASE=$DB node "$WEB/test/browser.mjs" --url "$URL" --key-file "$WORK/ada_browser.key" \
	--secrets "$WORK/secrets.json" --traffic "$WORK/traffic.jsonl" --server-log "$WORK/server.log" \
	${PG_LOG:+--pg-log "$PG_LOG" --pg-log-offset "$PG_LOG_OFFSET"} \
	${SECANT_WEB_LEAK:+--leak} ${SECANT_WEB_SCREENSHOT:+--screenshot "$SECANT_WEB_SCREENSHOT"}
rc=$?
echo "# server log:"
sed 's/^/#   /' "$WORK/server.log"
exit $rc
