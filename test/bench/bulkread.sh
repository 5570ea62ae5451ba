#!/usr/bin/env bash
# test/bench/bulkread.sh - one statement that reads BULKREAD_ROWS (100 000)
# rows over BULKREAD_PATHS (10 000) different paths through
# secant.reencrypt_for, with the default settings (issue 36; the check of
# the same read is test/t/read_path.sh).
#
# Set-up (database secant_bench_bulkread): a group "ward", PATHS / 100
# users, PATHS devices (100 a user), ward -> user -> device grants; ROWS /
# PATHS notes encrypted to ward; rb_proxy holds the proxy capability.
# Measured, one statement each, best of BULKREAD_ROUNDS (2), interleaved:
#   - reencrypt_for as rb_proxy of every note for every device, the rows in
#     an order that changes the path on every row;
#   - the same rows in path order (each path's rows together);
#   - the bound: 2 x pre_reencrypt with the grants joined (superuser, no
#     lookup), the same rows in the same changing order.
# Each query wraps its rows in count(); the locks that the read holds at
# its end (advisory lock method) are counted too.
#
# Needs a running server (PGHOST/PGPORT/PGUSER, a superuser; local trust
# authentication for the role it creates) with secant_pre installed.
# Prints Markdown.
set -euo pipefail
PATHS=${BULKREAD_PATHS:-10000}
ROWS=${BULKREAD_ROWS:-100000}
ROUNDS=${BULKREAD_ROUNDS:-2}
NOTES=$((ROWS / PATHS))
DB=secant_bench_bulkread
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
cleanup() {
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
	psql -X -q -d postgres -c "DROP ROLE IF EXISTS rb_proxy" >/dev/null 2>&1 || true
}
cleanup
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB" >/dev/null
t0=$SECONDS
q >/dev/null <<SQL
CREATE EXTENSION secant_pre;
CREATE TABLE k AS SELECT 'ward' AS name, 'group' AS kind, NULL::text AS owner, pre_keygen() AS sk
UNION ALL SELECT 'u' || i, 'user', 'ward', pre_keygen() FROM generate_series(1, $PATHS / 100) AS i
UNION ALL SELECT 'd' || i, 'device', 'u' || ((i + 99) / 100), pre_keygen() FROM generate_series(1, $PATHS) AS i;
SELECT count(secant.add_principal(name, kind, pre_public_key(sk))) FROM k;
CREATE TABLE g AS SELECT k.name, pre_grant(o.sk, pre_public_key(k.sk)) AS rekey FROM k JOIN k o ON o.name = k.owner;
SELECT count(secant.add_grant(rekey)) FROM g;
CREATE TABLE devs AS
SELECT substr(k.name, 2)::int AS i, pre_public_key(k.sk) AS pk, gu.rekey AS g1, gd.rekey AS g2
FROM k JOIN g gd ON gd.name = k.name JOIN g gu ON gu.name = k.owner WHERE k.kind = 'device';
CREATE TABLE notes AS
SELECT r AS rep, pre_encrypt(pre_public_key(k.sk), 'note ' || r) AS body
FROM k, generate_series(1, $NOTES) AS r WHERE k.name = 'ward';
CREATE ROLE rb_proxy LOGIN;
GRANT SELECT (i, pk) ON devs TO rb_proxy;
GRANT SELECT ON notes TO rb_proxy;
SELECT secant.grant_capability('rb_proxy', 'proxy');
ANALYZE;
SQL
setup=$((SECONDS - t0))

# the count of one statement, its ms (psql's \timing) and the locks held after it
timed() {
	local user=$1 sql=$2
	psql -X -q -At -v ON_ERROR_STOP=1 -U "$user" -d "$DB" <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p; /^[0-9]*|[0-9]*$/p; /^[0-9][0-9]*$/p' | tr '\n' ' '
BEGIN;
\\timing on
$sql;
\\timing off
SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory';
COMMIT;
SQL
}
CHANGING="SELECT count(secant.reencrypt_for(b.body, b.pk)), count(DISTINCT b.i) FROM (SELECT d.i, d.pk, n.body FROM devs d, notes n ORDER BY n.rep, d.i) b"
GROUPED="SELECT count(secant.reencrypt_for(b.body, b.pk)), count(DISTINCT b.i) FROM (SELECT d.i, d.pk, n.body FROM devs d, notes n ORDER BY d.i, n.rep) b"
BARE="SELECT count(pre_reencrypt(pre_reencrypt(b.body, b.g1), b.g2)), count(DISTINCT b.i) FROM (SELECT d.i, d.g1, d.g2, n.body FROM devs d, notes n ORDER BY n.rep, d.i) b"
best_c="" best_g="" best_b="" locks_c="" locks_g=""
min() { if [ -z "$1" ]; then echo "$2"; else python3 -c "print(min($1, $2))"; fi; }
for _ in $(seq "$ROUNDS"); do
	read -r n_c ms_c locks_c <<<"$(timed rb_proxy "$CHANGING")"
	read -r n_g ms_g locks_g <<<"$(timed rb_proxy "$GROUPED")"
	read -r n_b ms_b _ <<<"$(timed "$PGUSER" "$BARE")"
	[ "$n_c" = "$ROWS|$PATHS" ] && [ "$n_g" = "$ROWS|$PATHS" ] && [ "$n_b" = "$ROWS|$PATHS" ] ||
		{ echo "bulkread.sh: counts $n_c, $n_g, $n_b, expected $ROWS|$PATHS" >&2; exit 1; }
	best_c=$(min "$best_c" "$ms_c")
	best_g=$(min "$best_g" "$ms_g")
	best_b=$(min "$best_b" "$ms_b")
done
load=$(cut -d' ' -f1-3 /proc/loadavg)
mlpt=$(q -c "SHOW max_locks_per_transaction")
python3 - "$ROWS" "$PATHS" "$best_c" "$best_g" "$best_b" "$locks_c" "$locks_g" "$setup" "$load" "$ROUNDS" "$mlpt" <<'PY'
import sys
rows, paths, c, g, b, lc, lg, setup, load, rounds, mlpt = sys.argv[1:]
rows, paths, c, g, b = int(rows), int(paths), float(c), float(g), float(b)
print("| one statement, %d rows over %d paths (2 hops), best of %s | s | µs a row | vs bare | extension's locks held |" % (rows, paths, rounds))
print("| --- | ---: | ---: | ---: | ---: |")
for label, ms, locks in (("`secant.reencrypt_for`, proxy role, the path changes on every row", c, lc),
                         ("`secant.reencrypt_for`, proxy role, rows grouped by path", g, lg),
                         ("bare: 2 × `pre_reencrypt`, grants joined, rows as in the first line", b, "")):
    print("| %s | %.2f | %.1f | %.2f× | %s |" % (label, ms / 1000, ms * 1000 / rows, ms / b, locks))
print("")
print("max_locks_per_transaction = %s; set-up %s s; load average %s at the end." % (mlpt, setup, load))
PY
