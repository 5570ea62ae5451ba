# shellcheck shell=bash
# test/bench/readers.sh - sourced by revload.sh and readaudit.sh: the set-up
# and tools of the 8-reader pgbench benchmarks.
#
#   readers_init DB    a fresh database DB and roles (dropped again at exit
#                      unless REVLOAD_KEEP is set), a scratch directory that
#                      becomes the current directory (pgbench writes its logs
#                      there), the set-up below, the pgbench scripts
#   q [PSQL ARGS]      psql into DB as the superuser, unaligned, stop on error
#   sampler PHASE      lock-wait sampler (10 Hz) until rl.stop has PHASE
#   bench USER SCRIPT CLIENTS JOBS SECONDS LOG   pgbench, per-transaction log
#   lsn, walbytes L0 L1
#
# Set-up: a group "ward", 8 users (members) with 2 devices each, one more
# member "churn" with a device that no reader uses, 1 000 notes encrypted to
# the group.  Readers log in as rl_reader, bound to the 16 devices
# (secant.bind), not as a superuser, so that the binding check and the path
# lookup (with the shared locks of what the read relies on) are in every
# measured statement.  rl_admin is a member of secant_admin with the admin
# capability of DB; rl_proxy has the proxy capability.  read.sql is the
# reader's transaction: five notes of the group for a random device, group
# -> user -> device (2 hops each, level 3), one statement; one.sql, bare.sql,
# byname.sql, may.sql, path.sql and plain.sql the single-note variants.
#
# Needs set -euo pipefail in the caller, a running server (PGHOST/PGPORT/
# PGUSER, a superuser; local trust authentication for the roles it creates)
# with secant_pre installed, and pgbench on PATH.  The log messages name
# $RL_NAME (the calling script).

RL_NAME=${RL_NAME:-$(basename "$0")}

# WITH (FORCE): also ends the sessions of a run that failed (its sampler)
drop_db_roles() {
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
	for r in rl_reader rl_proxy rl_admin; do
		psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true
	done
}

q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

readers_init() {
	DB=$1
	WORK=$(mktemp -d "/tmp/secant_${DB#secant_bench_}.XXXXXX")
	cd "$WORK" || exit 1
	trap '[ -n "${REVLOAD_KEEP:-}" ] || { drop_db_roles; rm -rf "$WORK"; }' EXIT
	trap 'exit 143' TERM INT
	mkdir -p "$WORK/logs"
	drop_db_roles
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB" >/dev/null
	q >/dev/null <<'SQL'
CREATE EXTENSION secant_pre;
CREATE SCHEMA rl;
-- secret keys kept server-side for the benchmark only (the admin makes
-- fresh grants from them; in production that happens on a client)
CREATE TABLE rl.keys (name text PRIMARY KEY, kind text NOT NULL, owner text,
                      sk pre_secret_key NOT NULL, pk pre_public_key NOT NULL);
INSERT INTO rl.keys (name, kind, owner, sk, pk)
SELECT name, kind, owner, sk, pre_public_key(sk)
FROM (SELECT 'ward' AS name, 'group' AS kind, NULL AS owner, pre_keygen() AS sk
      UNION ALL SELECT 'u' || u, 'user', 'ward', pre_keygen() FROM generate_series(1, 8) AS u
      UNION ALL SELECT 'churn', 'user', 'ward', pre_keygen()
      UNION ALL SELECT 'd' || d, 'device', 'u' || ((d + 1) / 2), pre_keygen() FROM generate_series(1, 16) AS d
      UNION ALL SELECT 'churn_dev', 'device', 'churn', pre_keygen()) k;
SELECT count(secant.add_principal(name, kind, pk)) FROM rl.keys;
SELECT count(secant.add_grant(pre_grant(o.sk, k.pk))) FROM rl.keys k JOIN rl.keys o ON o.name = k.owner;
CREATE TABLE notes (id int PRIMARY KEY, body pre_ciphertext NOT NULL);
INSERT INTO notes SELECT i, pre_encrypt((SELECT pk FROM rl.keys WHERE name = 'ward'), 'note ' || i || ' ' || md5(i::text))
FROM generate_series(1, 1000) AS i;
-- the readers' devices (public keys: what a client passes as $1)
CREATE TABLE devs (i int PRIMARY KEY, name text NOT NULL, pk pre_public_key NOT NULL);
INSERT INTO devs SELECT substr(name, 2)::int, name, pk FROM rl.keys WHERE kind = 'device' AND name <> 'churn_dev';
CREATE TABLE ward AS SELECT pk FROM rl.keys WHERE name = 'ward';
-- bare re-encryption keys per device (superuser only): the baseline without a lookup
CREATE TABLE rl.bare AS
SELECT d.i, pre_grant((SELECT sk FROM rl.keys WHERE name = 'ward'), uk.pk) AS g1,
       pre_grant(uk.sk, dk.pk) AS g2
FROM devs d JOIN rl.keys dk ON dk.name = d.name JOIN rl.keys uk ON uk.name = dk.owner;
ALTER TABLE rl.bare ADD PRIMARY KEY (i);
CREATE ROLE rl_reader LOGIN;
CREATE ROLE rl_proxy LOGIN;
CREATE ROLE rl_admin LOGIN IN ROLE secant_admin;
GRANT SELECT ON notes, devs, ward TO rl_reader, rl_proxy;
GRANT USAGE ON SCHEMA rl TO rl_admin;
GRANT SELECT ON rl.keys TO rl_admin;
SELECT count(secant.bind(name, 'rl_reader')) FROM devs;
SELECT secant.grant_capability('rl_proxy', 'proxy');
-- admin is a capability of each database: membership in secant_admin alone
-- gives none here
SELECT secant.grant_capability('rl_admin', 'admin');
ANALYZE;
SQL
	[ "$(q -c "SELECT count(*) FROM rl.bare")" = 16 ] || { echo "$RL_NAME: set-up made no 16 paths" >&2; exit 1; }

	cat >read.sql <<'EOF'
\set d random(1, 16)
\set n random(1, 996)
SELECT secant.reencrypt_for(n.body, d.pk) FROM notes n, devs d WHERE d.i = :d AND n.id BETWEEN :n AND :n + 4;
EOF
	# one note, by who asks
	cat >bare.sql <<'EOF'
\set d random(1, 16)
\set n random(1, 1000)
SELECT pre_reencrypt(pre_reencrypt(n.body, b.g1), b.g2) FROM notes n, rl.bare b WHERE b.i = :d AND n.id = :n;
EOF
	cat >one.sql <<'EOF'
\set d random(1, 16)
\set n random(1, 1000)
SELECT secant.reencrypt_for(n.body, d.pk) FROM notes n, devs d WHERE d.i = :d AND n.id = :n;
EOF
	cat >byname.sql <<'EOF'
\set d random(1, 16)
\set n random(1, 1000)
SELECT secant.reencrypt_for(n.body, 'd' || :d) FROM notes n WHERE n.id = :n;
EOF
	# the two lookups of a reencrypt_for statement, each as a statement of its own
	cat >may.sql <<'EOF'
\set d random(1, 16)
SELECT secant.may_obtain(d.pk) FROM devs d WHERE d.i = :d;
EOF
	cat >path.sql <<'EOF'
\set d random(1, 16)
SELECT p.grant_id FROM devs d, ward w, secant.path(w.pk, d.pk) p WHERE d.i = :d;
EOF
	cat >plain.sql <<'EOF'
\set n random(1, 1000)
SELECT n.body FROM notes n WHERE n.id = :n;
EOF
	# a single read as the bound role returns 1 row: the binding and the path work
	[ "$(psql -X -At -U rl_reader -d "$DB" -c "SELECT count(*) FROM (SELECT secant.reencrypt_for(n.body, d.pk) FROM notes n, devs d WHERE d.i = 3 AND n.id = 7) x")" = 1 ] ||
		{ echo "$RL_NAME: the bound reader cannot read" >&2; exit 1; }
	q -c "CREATE UNLOGGED TABLE rl.stop (phase text PRIMARY KEY)" >/dev/null
}

# sampler PHASE: sessions of this database waiting on a heavyweight lock, 10 Hz,
# until rl.stop has PHASE; one line "samples reader_waiting admin_waiting max_waiting"
sampler() {
	q -c "DO \$\$
DECLARE n int := 0; rw int := 0; aw int := 0; mx int := 0; r int; a int;
BEGIN
    WHILE NOT EXISTS (SELECT 1 FROM rl.stop WHERE phase = '$1') LOOP
        SELECT count(*) FILTER (WHERE usename = 'rl_reader'), count(*) FILTER (WHERE usename = 'rl_admin')
          INTO r, a FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock';
        n := n + 1;
        IF r > 0 THEN rw := rw + 1; END IF;
        IF a > 0 THEN aw := aw + 1; END IF;
        mx := greatest(mx, r + a);
        PERFORM pg_sleep(0.1);
    END LOOP;
    RAISE NOTICE 'SAMPLES % % % %', n, rw, aw, mx;
END \$\$" 2>&1 | sed -n 's/.*SAMPLES //p'
}

# bench USER SCRIPT CLIENTS JOBS SECONDS LOG: pgbench as USER with SCRIPT,
# per-transaction log logs/LOG.* (PGOPTIONS passes settings to the server);
# its output in LOG.out, LOG.err
bench() {
	local user=$1 script=$2 clients=$3 jobs=$4 secs=$5 log=$6
	pgbench -n -U "$user" -f "$script" -c "$clients" -j "$jobs" -T "$secs" \
		-l --log-prefix="logs/$log" "$DB" >"$log.out" 2>"$log.err" ||
		{ echo "$RL_NAME: pgbench $log failed: $(tail -n 3 "$log.err")" >&2; exit 1; }
	if grep -q 'aborted' "$log.err" "$log.out"; then
		echo "$RL_NAME: pgbench $log: $(grep -m 3 -h 'aborted\|ERROR' "$log.err" "$log.out")" >&2
		exit 1
	fi
}
lsn() { q -c "SELECT pg_current_wal_lsn()"; }
walbytes() { q -c "SELECT pg_wal_lsn_diff('$2', '$1')"; }
