#!/usr/bin/env bash
# test/bench/scale.sh - lookups against the size of the graph: the same
# measurements at SCALE_SMALL (10 000) and SCALE_LARGE (1 000 000) grants,
# side by side, with their ratio (target ≤ 1.5×).
#
# Each size is its own database.  N grants: N/10 users, each with 1 to 3
# devices (user u has 1 + u % 3: N/5 enrolments), the other 0.8 N grants are
# memberships in groups of 50 to 5 000 members (capped at the number of
# users); N copies in secant.copies, each made through one membership and one
# enrolment.  1 000 000 grants: 100 000 users, 200 000 devices, ~320 groups,
# ~300 000 principals.  The bulk rows are generated in SQL with the
# triggers off (session_replication_role = replica): real keys (pre_keygen),
# but one sealed grant and one ciphertext repeated and hop keys made up
# (sha256 of the row number), since nothing opens them.  The measured part
# is real and the same at both sizes: a group "bench" of 200 members (users
# 0..199) whose grants to users 0..5 are real (sealed on the server), the
# devices of users 0..5 enrolled with real grants, 1 000 copies made through
# each of bench -> u1..u5, one note encrypted to the group.
#
# Measured (pgbench, 1 client, one statement per transaction; latency
# average of SCALE_SECONDS per round, median of SCALE_ROUNDS rounds, the
# two sizes alternating so that other load on the machine hits both):
#   secant.path(bench, device of u0)
#   secant.reencrypt_for(note, device of u0)  (two hops, level 3)
#   SELECT * FROM secant.readers WHERE group_name = 'bench' (every row and column)
#   secant.revoke('bench', 'uK') with its 1 000 copies (K = 1..5: one per
#   round; \timing)
# Needs a running server (PGHOST/PGPORT/PGUSER, a superuser) with
# secant_pre installed and pgbench on PATH.  Prints Markdown.
# Environment: SCALE_SMALL (10000), SCALE_LARGE (1000000), SCALE_SECONDS (3),
# SCALE_ROUNDS (3, at most 5), SCALE_KEEP=1 keeps the databases.
set -euo pipefail
SMALL=${SCALE_SMALL:-10000}
LARGE=${SCALE_LARGE:-1000000}
SECS=${SCALE_SECONDS:-3}
ROUNDS=${SCALE_ROUNDS:-3}
[ "$ROUNDS" -le 5 ] || ROUNDS=5
T=$(mktemp -d)
cleanup() {
	rm -rf "$T"
	[ "${SCALE_KEEP:-0}" = 1 ] ||
		psql -X -q -d postgres -c "DROP DATABASE IF EXISTS secant_bench_scale_$SMALL" \
			-c "DROP DATABASE IF EXISTS secant_bench_scale_$LARGE" >/dev/null 2>&1
}
trap cleanup EXIT
now() { date +%s.%N; }

# build N: the database secant_bench_scale_N
build() {
	local n=$1 db=secant_bench_scale_$1 t0
	t0=$(now)
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
	psql -X -q -At -v ON_ERROR_STOP=1 -v n="$n" -d "$db" >/dev/null <<'SQL'
CREATE EXTENSION secant_pre;
SET maintenance_work_mem = '256MB';
CREATE SCHEMA sb;
-- users 0 .. U-1, devices numbered per user, groups; keys for all
CREATE TABLE sb.k (name text PRIMARY KEY, kind text NOT NULL, sk pre_secret_key NOT NULL);
INSERT INTO sb.k SELECT 'u' || u, 'user', pre_keygen() FROM generate_series(0, :n / 10 - 1) u;
INSERT INTO sb.k SELECT 'd' || u || '_' || j, 'device', pre_keygen()
FROM generate_series(0, :n / 10 - 1) u, generate_series(0, u % 3) j;
CREATE TABLE sb.groups AS
SELECT k, size, sum(size) OVER (ORDER BY k) - size AS first
FROM (SELECT k, least(:n / 10, 50 + (k * 997) % 4951) AS size FROM generate_series(1, 100000) k) s;
DELETE FROM sb.groups WHERE first >= :n - 2 * (:n / 10) - 200;
INSERT INTO sb.k SELECT 'g' || k, 'group', pre_keygen() FROM sb.groups;
INSERT INTO sb.k VALUES ('bench', 'group', pre_keygen());
-- the bulk, triggers off; the secondary indexes of grants and copies
-- made again after the bulk rows (a build is faster than N inserts)
CREATE TABLE sb.ix AS SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def
FROM pg_index WHERE indrelid IN ('secant.grants'::regclass, 'secant.copies'::regclass)
  AND NOT indisunique AND NOT indisprimary;
SELECT format('DROP INDEX %s', name) FROM sb.ix \gexec
SET session_replication_role = replica;
INSERT INTO secant.principals (name, kind, public_key) SELECT name, kind, pre_public_key(sk) FROM sb.k;
INSERT INTO secant.principal_keys (public_key, principal_id) SELECT public_key, id FROM secant.principals;
-- one real sealed grant, repeated in the bulk rows (never opened)
CREATE TABLE sb.one AS SELECT secant.seal_grant_on_server(pre_grant(a.sk, pre_public_key(b.sk))) AS sealed
FROM sb.k a, sb.k b WHERE a.name = 'g1' AND b.name = 'u0';
CREATE TABLE sb.edges AS
SELECT 'g' || g.k AS f, 'u' || ((g.k * 7919 + j) % (:n / 10)) AS t
FROM sb.groups g, generate_series(0, g.size - 1) j
UNION ALL
SELECT 'u' || u, 'd' || u || '_' || j FROM generate_series(0, :n / 10 - 1) u, generate_series(0, u % 3) j
UNION ALL
SELECT 'bench', 'u' || u FROM generate_series(6, 199) u;
-- the bulk edges minus the real ones made below
DELETE FROM sb.edges WHERE f IN ('u0', 'u1', 'u2', 'u3', 'u4', 'u5');
INSERT INTO secant.grants (from_key, to_key, hop_key, sealed)
SELECT pf.public_key, pt.public_key, sha256(int8send(row_number() OVER ())), o.sealed
FROM sb.edges e JOIN secant.principals pf ON pf.name = e.f JOIN secant.principals pt ON pt.name = e.t, sb.one o;
-- N copies, each through a membership and an enrolment (made-up hop keys
-- of bulk grants), one ciphertext repeated
CREATE TABLE sb.notes (id bigint PRIMARY KEY, body pre_ciphertext NOT NULL);
INSERT INTO sb.notes VALUES (1, pre_encrypt((SELECT public_key FROM secant.principals WHERE name = 'bench'), 'the note'));
INSERT INTO secant.copies (share_table, source_table, source_row, recipient, copy, hop_keys, created_by)
SELECT 'sb.notes', 'sb.notes', i::text, p.public_key, (SELECT body FROM sb.notes),
       ARRAY[sha256(int8send(1 + (i * 31) % (:n - :n / 5))), sha256(int8send(:n - :n / 5 + (i % (:n / 5))))],
       current_user
FROM generate_series(1, :n) i JOIN secant.principals p ON p.id = 1 + i % (:n / 10);
RESET session_replication_role;
SELECT def FROM sb.ix \gexec
-- the measured part, with the triggers: real grants bench -> u0..u5 and
-- u0..u5 -> their devices
INSERT INTO secant.grants (rekey)
SELECT pre_grant(a.sk, pre_public_key(b.sk)) FROM sb.k a, sb.k b
WHERE a.name = 'bench' AND b.name IN ('u0', 'u1', 'u2', 'u3', 'u4', 'u5');
INSERT INTO secant.grants (rekey)
SELECT pre_grant(a.sk, pre_public_key(b.sk)) FROM sb.k a, sb.k b
WHERE a.name IN ('u0', 'u1', 'u2', 'u3', 'u4', 'u5') AND b.name LIKE 'd' || substr(a.name, 2) || '\_%';
-- 1 000 copies through each of bench -> u1..u5
SET session_replication_role = replica;
INSERT INTO secant.copies (share_table, source_table, source_row, recipient, copy, hop_keys, created_by)
SELECT 'sb.notes', 'sb.notes', 'm' || u || '_' || i, d.public_key, (SELECT body FROM sb.notes),
       ARRAY[gm.hop_key, ge.hop_key], current_user
FROM generate_series(1, 5) u CROSS JOIN generate_series(1, 1000) i
JOIN secant.principals d ON d.name = 'd' || u || '_0'
JOIN secant.grants ge ON ge.to_key = d.public_key
JOIN secant.principals pu ON pu.name = 'u' || u
JOIN secant.grants gm ON gm.to_key = pu.public_key
    AND gm.from_key = (SELECT public_key FROM secant.principals WHERE name = 'bench');
RESET session_replication_role;
ANALYZE;
SQL
	printf '%s\t%s\t%s\t%s\t%.0f\n' "$n" \
		"$(psql -X -At -d "$db" -c "SELECT count(*) FROM secant.principals")" \
		"$(psql -X -At -d "$db" -c "SELECT count(*) FROM secant.grants")" \
		"$(psql -X -At -d "$db" -c "SELECT count(*) FROM secant.copies")" \
		"$(echo "$(now) - $t0" | bc)" >>"$T/sizes"
}

# pgbench_ms DB SCRIPT: latency average (ms) of SECS seconds
pgbench_ms() {
	printf '%s\n' "$2" >"$T/script.sql"
	pgbench -n -c 1 -T "$SECS" -f "$T/script.sql" "$1" 2>&1 |
		sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p'
}
# revoke_ms DB K: \timing of secant.revoke('bench', 'uK') (1 000 copies)
revoke_ms() {
	local out
	out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c '\timing on' -c "SELECT secant.revoke('bench', 'u$2')")
	[ "$(echo "$out" | head -n 1)" = 1000 ] || { echo "scale.sh: revoke of u$2 deleted $(echo "$out" | head -n 1) copies, not 1000" >&2; exit 1; }
	echo "$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
}

build "$SMALL"
build "$LARGE"
for n in "$SMALL" "$LARGE"; do
	db=secant_bench_scale_$n
	got=$(psql -X -At -d "$db" -c "SELECT count(*) FROM secant.path('bench', 'd0_0')")
	[ "$got" = 2 ] || { echo "scale.sh: no two-hop path bench -> d0_0 at $n grants ($got)" >&2; exit 1; }
	got=$(psql -X -At -d "$db" -c "SELECT count(*) FROM secant.readers WHERE group_name = 'bench'")
	[ "$got" -ge 590 ] || { echo "scale.sh: $got readers of bench at $n grants" >&2; exit 1; }
done
PATHQ="SELECT count(*) FROM secant.path(secant.principal_key('bench'), secant.principal_key('d0_0'));"
READQ="SELECT length(secant.reencrypt_for(body, secant.principal_key('d0_0'))::text) FROM sb.notes WHERE id = 1;"
READERSQ="SELECT * FROM secant.readers WHERE group_name = 'bench';"
for r in $(seq 1 "$ROUNDS"); do
	for n in "$SMALL" "$LARGE"; do
		db=secant_bench_scale_$n
		printf 'path\t%s\t%s\n' "$n" "$(pgbench_ms "$db" "$PATHQ")" >>"$T/m"
		printf 'read\t%s\t%s\n' "$n" "$(pgbench_ms "$db" "$READQ")" >>"$T/m"
		printf 'readers\t%s\t%s\n' "$n" "$(pgbench_ms "$db" "$READERSQ")" >>"$T/m"
		printf 'revoke\t%s\t%s\n' "$n" "$(revoke_ms "$db" "$r")" >>"$T/m"
	done
done
python3 - "$T/sizes" "$T/m" "$SMALL" "$LARGE" "$SECS" "$ROUNDS" <<'PY'
import statistics, sys
sizes = {int(r[0]): r[1:] for r in (l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l)}
m = {}
for l in open(sys.argv[2]):
    k, n, v = l.split("\t")
    m.setdefault((k, int(n)), []).append(float(v))
small, large, secs, rounds = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
print("| graph | principals | grants | copies | built in |")
print("| --- | ---: | ---: | ---: | ---: |")
for n in (small, large):
    p, g, c, s = sizes[n]
    print("| %s grants | %s | %s | %s | %s s |" % ("{:,}".format(n), "{:,}".format(int(p)),
          "{:,}".format(int(g)), "{:,}".format(int(c)), s))
print()
print("| lookup (ms per statement, median of %s rounds) | %s grants | %s grants | ratio | target |" % (
    rounds, "{:,}".format(small), "{:,}".format(large)))
print("| --- | ---: | ---: | ---: | --- |")
labels = [("path", "`secant.path`, group → user → device"),
          ("read", "`secant.reencrypt_for` of one note (two hops)"),
          ("revoke", "`secant.revoke` of one member with 1 000 copies"),
          ("readers", "`secant.readers` of one group (200 members, ~400 devices)")]
for k, label in labels:
    a, b = statistics.median(m[(k, small)]), statistics.median(m[(k, large)])
    print("| %s | %.3f | %.3f | %.2f× | ≤ 1.5×: %s |" % (label, a, b, b / a,
          "met" if b / a <= 1.5 else "**not met**"))
print()
print("pgbench, 1 client, %s s per round and size, the sizes alternating; revoke: one "
      "`\\timing` per round (a different member each round)." % secs)
PY
