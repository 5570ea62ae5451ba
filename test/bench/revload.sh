#!/usr/bin/env bash
# test/bench/revload.sh - device reads under revocation: latency of
# secant.reencrypt_for with 8 concurrent readers, without and with an admin
# revoking and re-granting an unrelated member every second.
#
# Set-up (database secant_bench_revload; test/bench/readers.sh, shared with
# readaudit.sh): a group "ward", 8 users (members) with 2 devices each, one
# more member "churn" with a device that no reader uses, 1 000 notes
# encrypted to the group.  The readers log in as
# rl_reader, bound to the 16 devices (secant.bind), not as a superuser, so
# that the binding check and the path lookup (and the shared locks of the
# path's grants and the binding, in the lock manager) are in every measured
# statement.  A read is
#     SELECT secant.reencrypt_for(n.body, d.pk) FROM notes n, devs d
#     WHERE d.i = :d AND n.id BETWEEN :n AND :n + 4
# five notes of the group for a random device, group -> user -> device
# (2 hops each, level 3), one statement per transaction.
#
# pgbench -c 8 -j 2 -T REVLOAD_SECONDS, per-transaction log (-l): p50/p99
# computed from every transaction, tx/s from pgbench;
#   (a) readers alone;
#   (b) readers while rl_admin (a member of secant_admin, not a superuser)
#       revokes ward -> churn with secant.revoke(..., wait => false) and half
#       a second later stores a fresh grant (pre_grant makes a new hop key),
#       once per second; after each revoke it stores the revoked bytes again
#       and counts the refusals.  A revoke that would have to wait fails at
#       once (55P03); it is counted and done again with waiting.
# A sampler (10 Hz, both sides) counts sessions waiting on a lock.
# Then the cost per read statement, one note, 1 client, by who asks: bare
# pre_reencrypt twice (no lookup), reencrypt_for as superuser, as the bound
# role (by key and by name) and as a proxy role (secant.grant_capability).
#
# Needs a running server (PGHOST/PGPORT/PGUSER, a superuser; local trust
# authentication for the roles it creates) with secant_pre installed, and
# pgbench on PATH.  Prints Markdown.  Environment: REVLOAD_SECONDS (60; 5
# with BENCH_QUICK=1), REVLOAD_CLIENTS (8), REVLOAD_COST_SECONDS (2 per
# round and variant, 2 rounds; 1 with BENCH_QUICK=1); REVLOAD_KEEP=1 keeps
# the database, the roles and the pgbench logs; REVLOAD_LATENCY_TSV=FILE
# also writes the per-statement latencies (name, label, p50, p99, mean ms)
# there.
set -euo pipefail
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	SECS=${REVLOAD_SECONDS:-5} COST_SECS=${REVLOAD_COST_SECONDS:-1} WARM=1
else
	SECS=${REVLOAD_SECONDS:-60} COST_SECS=${REVLOAD_COST_SECONDS:-2} WARM=3
fi
CLIENTS=${REVLOAD_CLIENTS:-8}
JOBS=2
HERE=$(cd "$(dirname "$0")" && pwd)
# the set-up, the sampler and bench (readers.sh); cd into a scratch directory
# shellcheck source=test/bench/readers.sh
. "$HERE/readers.sh"
readers_init secant_bench_revload
# the database keeps grants sealed and never gives them back: the admin
# keeps the bytes of each grant ward -> churn it makes, starting with one
# made here beside the set-up's
q >/dev/null <<'SQL'
CREATE TABLE rl.churn_grant AS SELECT pre_grant(o.sk, k.pk) AS rekey
FROM rl.keys o, rl.keys k WHERE o.name = 'ward' AND k.name = 'churn';
SELECT secant.add_grant(rekey) FROM rl.churn_grant;
GRANT SELECT ON rl.churn_grant TO rl_admin;
SQL
[ "$(q -c "SELECT count(*) FROM rl.churn_grant")" = 1 ] || { echo "revload.sh: no grant ward -> churn" >&2; exit 1; }

# the admin: every second revoke ward -> churn (wait => false), store the
# revoked bytes again (must be refused), half a second later a fresh grant
admin() {
	psql -X -q -At -v ON_ERROR_STOP=1 -U rl_admin -d "$DB" -c "DO \$\$
DECLARE
    t0 timestamptz := clock_timestamp(); c0 timestamptz; t timestamptz;
    w pre_public_key := (SELECT pk FROM rl.keys WHERE name = 'ward');
    u pre_public_key := (SELECT pk FROM rl.keys WHERE name = 'churn');
    old pre_grant := (SELECT rekey FROM rl.churn_grant); rv float8[] := '{}'; gr float8[] := '{}';
    cycles int := 0; busy int := 0; refused int := 0; stored_again int := 0; removed bigint := 0;
BEGIN
    WHILE clock_timestamp() < t0 + interval '$1 seconds' LOOP
        c0 := clock_timestamp();
        t := clock_timestamp();
        BEGIN
            removed := removed + secant.revoke(w, u, wait => false);
        EXCEPTION WHEN lock_not_available THEN
            busy := busy + 1;
            removed := removed + secant.revoke(w, u);
        END;
        COMMIT;
        rv := rv || extract(epoch FROM clock_timestamp() - t) * 1000;
        BEGIN
            INSERT INTO secant.grants (rekey) VALUES (old);
            stored_again := stored_again + 1;
        EXCEPTION WHEN OTHERS THEN
            refused := refused + 1;
        END;
        COMMIT;
        PERFORM pg_sleep(greatest(0, 0.5 - extract(epoch FROM clock_timestamp() - c0)));
        t := clock_timestamp();
        old := (SELECT pre_grant(o.sk, k.pk) FROM rl.keys o, rl.keys k WHERE o.name = 'ward' AND k.name = 'churn');
        INSERT INTO secant.grants (rekey) VALUES (old);
        COMMIT;
        gr := gr || extract(epoch FROM clock_timestamp() - t) * 1000;
        cycles := cycles + 1;
        PERFORM pg_sleep(greatest(0, 1 - extract(epoch FROM clock_timestamp() - c0)));
    END LOOP;
    RAISE NOTICE 'ADMIN % % % % % % % % %', cycles, busy, refused, stored_again,
        (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 2) FROM unnest(rv) x),
        (SELECT round(max(x)::numeric, 2) FROM unnest(rv) x),
        (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 2) FROM unnest(gr) x),
        (SELECT round(max(x)::numeric, 2) FROM unnest(gr) x), removed;
END \$\$" 2>&1 | sed -n 's/.*ADMIN //p'
}

bench rl_reader read.sql "$CLIENTS" "$JOBS" "$WARM" warm
rm -f logs/warm*

# (a) readers alone
sampler a >sample_a.txt &
SA=$!
l0=$(lsn)
bench rl_reader read.sql "$CLIENTS" "$JOBS" "$SECS" a
l1=$(lsn)
q -c "INSERT INTO rl.stop VALUES ('a')"
wait "$SA"
wal_a=$(walbytes "$l0" "$l1")

# (b) readers while the admin revokes and re-grants every second
sampler b >sample_b.txt &
SB=$!
admin "$SECS" >admin.txt &
AD=$!
bench rl_reader read.sql "$CLIENTS" "$JOBS" "$SECS" b
wait "$AD" || { echo "revload.sh: the admin loop failed" >&2; exit 1; }
q -c "INSERT INTO rl.stop VALUES ('b')"
wait "$SB"
[ -s admin.txt ] || { echo "revload.sh: the admin loop reported nothing" >&2; exit 1; }
# the readers' paths are untouched, churn's is back (the admin ends with a grant)
[ "$(q -c "SELECT count(*) FROM secant.path(secant.principal_key('ward'), secant.principal_key('churn_dev'))")" = 2 ] ||
	{ echo "revload.sh: churn has no path after the run" >&2; exit 1; }

# cost per read statement, one note, 1 client: interleaved rounds
for round in 1 2; do
	bench postgres plain.sql 1 1 "$COST_SECS" "plain_$round"
	bench postgres bare.sql 1 1 "$COST_SECS" "bare_$round"
	bench rl_reader may.sql 1 1 "$COST_SECS" "may_$round"
	bench rl_reader path.sql 1 1 "$COST_SECS" "path_$round"
	bench postgres one.sql 1 1 "$COST_SECS" "super_$round"
	bench rl_reader one.sql 1 1 "$COST_SECS" "bound_$round"
	bench rl_reader byname.sql 1 1 "$COST_SECS" "byname_$round"
	bench rl_proxy one.sql 1 1 "$COST_SECS" "proxy_$round"
	PGOPTIONS="-c synchronous_commit=off" bench rl_reader one.sql 1 1 "$COST_SECS" "async_$round"
done
l2=$(lsn)
bench rl_reader one.sql 1 1 "$COST_SECS" "wal_bound"
l3=$(lsn)
wal_one=$(walbytes "$l2" "$l3")
sync_commit=$(q -c "SHOW synchronous_commit")
fsync=$(q -c "SHOW fsync")

PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$HERE" python3 - "$SECS" "$CLIENTS" "$wal_a" "$wal_one" "$sync_commit" "$fsync" \
	"$(cat sample_a.txt)" "$(cat sample_b.txt)" "$(cat admin.txt)" <<'PY'
import os
import sys

from pgblog import failed, lat, pctl, tps

secs, clients, wal_a, wal_one, sync_commit, fsync, sa, sb, adm = sys.argv[1:]

a, b = lat("a"), lat("b")
s_a = [int(x) for x in sa.split()] if sa.split() else [0, 0, 0, 0]
s_b = [int(x) for x in sb.split()] if sb.split() else [0, 0, 0, 0]
ad = adm.split()
cycles, busy, refused, again = (int(x) for x in ad[:4])
rv50, rvmax, gr50, grmax = ad[4:8]
removed = ad[8]
ratio = pctl(b, 0.99) / pctl(a, 0.99)
w = print
w("| %d readers (rl_reader, bound), 5 notes per statement, 2 hops, %s s each | tx/s | reads (failed) | p50 ms | p99 ms | max ms | lock-wait samples (readers / admin) |" % (int(clients), secs))
w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for label, xs, name, s in (("(a) no revocation", a, "a", s_a),
                           ("(b) revoke + fresh grant of an unrelated member every second", b, "b", s_b)):
    w("| %s | %.0f | %d (%d) | %.2f | %.2f | %.1f | %d / %d of %d |" % (
        label, tps(name), len(xs), failed(name), pctl(xs, 0.5), pctl(xs, 0.99), xs[-1] if xs else 0,
        s[1], s[2], s[0]))
w("")
w("- p99(b) / p99(a) = **%.2f×** (target ≤ 3×); p50(b) / p50(a) = %.2f×; tx/s (b) / (a) = %.2f." % (
    ratio, pctl(b, 0.5) / pctl(a, 0.5), tps("b") / tps("a")))
w("- admin (rl_admin, member of secant_admin): %d revokes with `wait => false`, %d had to wait (55P03); "
  "revoke p50 %s ms, max %s ms; fresh grant p50 %s ms, max %s ms; the revoked bytes stored again: "
  "%d refused, %d accepted; %s copies deleted." % (cycles, busy, rv50, rvmax, gr50, grmax, refused, again, removed))
w("- WAL written by reads: %.0f bytes per read statement under (a) (a reader's locks are in the lock "
  "manager only, no transaction id: synchronous_commit = %s, fsync = %s)." % (
      int(wal_a) / max(1, len(a)), sync_commit, fsync))
w("")
w("| one note per statement, 1 client, who asks | tx/s | p50 ms | p99 ms | vs bare |")
w("| --- | ---: | ---: | ---: | ---: |")
rows = (("plain read of the note (no re-encryption), superuser", "plain"),
        ("2 × pre_reencrypt with the grants joined (no lookup), superuser", "bare"),
        ("secant.may_obtain(device) in SQL, bound role (reencrypt_for applies its rule in C)", "may"),
        ("the path alone: secant.path(group, device), 2 hops, bound role (no lock)", "path"),
        ("secant.reencrypt_for, superuser", "super"),
        ("secant.reencrypt_for, bound role (rl_reader), key from devs", "bound"),
        ("secant.reencrypt_for, bound role, target by name (text overload)", "byname"),
        ("secant.reencrypt_for, proxy role (rl_proxy)", "proxy"),
        ("secant.reencrypt_for, bound role, synchronous_commit = off", "async"))
bare50 = pctl(lat("bare_*"), 0.5)
tsv = os.environ.get("REVLOAD_LATENCY_TSV")
if tsv:
    # for report.py: the latency chart and the issue 36 table
    with open(tsv, "w") as f:
        for label, name in rows:
            xs = lat(name + "_*")
            f.write("%s\t%s\t%.4f\t%.4f\t%.4f\n" % (name, label, pctl(xs, 0.5), pctl(xs, 0.99),
                                                    sum(xs) / max(1, len(xs))))
for label, name in rows:
    xs = lat(name + "_*")
    t = [tps("%s_%d" % (name, r)) for r in (1, 2)]
    w("| %s | %.0f | %.3f | %.3f | %s |" % (label, sum(t) / len(t), pctl(xs, 0.5), pctl(xs, 0.99),
        "+%.3f ms" % (pctl(xs, 0.5) - bare50) if name not in ("plain", "bare", "may", "path") else ""))
w("")
w("Latency per transaction (one statement) as pgbench sees it over the Unix socket; "
  "p50/p99 from every transaction of two interleaved rounds; \"vs bare\" is the p50 "
  "difference: the binding check, the path lookup (secant.path) and the shared "
  "locks of what the read relies on (WAL of the bound single-note read: %.0f bytes "
  "per read)." % (
      int(wal_one) / max(1, len(lat("wal_bound")))))
PY
