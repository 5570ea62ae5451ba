#!/usr/bin/env bash
# test/bench/readaudit.sh - the cost of read audit (secant.set_read_audit)
# with 8 concurrent readers: revload's readers (side (a) of revload.sh, the
# set-up of test/bench/readers.sh) with read audit off, then on.
#
# A read is one statement per transaction, as the bound role rl_reader:
#     SELECT secant.reencrypt_for(n.body, d.pk) FROM notes n, devs d
#     WHERE d.i = :d AND n.id BETWEEN :n AND :n + 4
# five notes of the group for a random device (2 hops, level 3).  With read
# audit on, each such statement adds one entry to secant.access_log at
# commit (action 'read', rows 5) and one line to the server log.
#
# rl_admin (a member of secant_admin with the admin capability of the
# database, not a superuser) turns read audit on and off.  pgbench -c 8 -j 2
# -T READAUDIT_SECONDS per side, per-transaction log (-l): p50/p99 from every
# transaction, tx/s from pgbench; READAUDIT_ROUNDS rounds (1), off then on,
# the next round on then off.  Checked after each side: the 'read' entries
# written during it equal the transactions pgbench committed (its count and
# its per-transaction log), each with role and actor rl_reader, 2 grant ids
# and 5 rows; none with read audit off.  A sampler (10 Hz) counts readers
# waiting on a lock (pg_stat_activity wait_event_type = 'Lock'); the
# database has log_lock_waits = on and deadlock_timeout = 10ms, and when the
# server log is readable (SECANT_PRE_SERVER_LOG, set by make bench) the
# lock waits logged during each side are counted too, with the read audit
# lines.  WAL per read (pg_current_wal_lsn) and the growth of
# secant.access_log per entry.  Then one note per statement, 1 client, the
# bound role, off and on in interleaved rounds: the cost per statement
# without contention.
#
# Needs what revload.sh needs (a running server, PGHOST/PGPORT/PGUSER a
# superuser, local trust authentication, secant_pre installed, pgbench).
# Prints Markdown.  Environment: READAUDIT_SECONDS (60; 5 with
# BENCH_QUICK=1), READAUDIT_ROUNDS (1), READAUDIT_CLIENTS (8),
# READAUDIT_COST_SECONDS (2 per round and side, 2 rounds; 1 with
# BENCH_QUICK=1), SECANT_PRE_SERVER_LOG; REVLOAD_KEEP=1 keeps the database,
# the roles and the pgbench logs.
set -euo pipefail
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	SECS=${READAUDIT_SECONDS:-5} COST_SECS=${READAUDIT_COST_SECONDS:-1} WARM=1
else
	SECS=${READAUDIT_SECONDS:-60} COST_SECS=${READAUDIT_COST_SECONDS:-2} WARM=3
fi
CLIENTS=${READAUDIT_CLIENTS:-8}
ROUNDS=${READAUDIT_ROUNDS:-1}
JOBS=2
HERE=$(cd "$(dirname "$0")" && pwd)
SRVLOG=${SECANT_PRE_SERVER_LOG:-}
[ -n "$SRVLOG" ] && [ -r "$SRVLOG" ] || SRVLOG=
# shellcheck source=test/bench/readers.sh
. "$HERE/readers.sh"
readers_init secant_bench_readaudit
# every lock wait of 10 ms or more goes to the server log
q -c "ALTER DATABASE $DB SET log_lock_waits = on" -c "ALTER DATABASE $DB SET deadlock_timeout = '10ms'" >/dev/null

audit() {
	psql -X -q -At -v ON_ERROR_STOP=1 -U rl_admin -d "$DB" -c "SELECT secant.set_read_audit($1)" >/dev/null
	[ "$(q -c "SELECT secant.read_audit_on() = $1")" = t ] ||
		{ echo "readaudit.sh: read audit is not $1" >&2; exit 1; }
}
last_id() { q -c "SELECT coalesce(max(id), 0) FROM secant.access_log"; }
# the 'read' entries after id $1: count, sum of rows, entries that are not
# rl_reader's with 2 grant ids
entries() {
	q -F ' ' -c "SELECT count(*), coalesce(sum((detail->>'rows')::bigint), 0),
	    count(*) FILTER (WHERE role <> 'rl_reader' OR actor <> 'rl_reader'
	                     OR jsonb_array_length(detail->'path') <> 2)
	  FROM secant.access_log WHERE action = 'read' AND id > $1"
}
logsize() { if [ -n "$SRVLOG" ]; then stat -c %s "$SRVLOG"; else echo 0; fi; }
# the server log between byte offsets $1 and $2 into $3, then five fields:
# read audit lines of rl_reader, lock waits (log_lock_waits: "still waiting")
# on extending a relation, other lock waits, the longest wait in ms, the
# relations waited on for extension (or "none")
logslice() {
	local rels
	if [ -z "$SRVLOG" ]; then printf -- '-\t-\t-\t-\t-'; return; fi
	tail -c +"$(($1 + 1))" "$SRVLOG" | head -c "$(($2 - $1))" >"$3"
	printf '%s\t%s\t%s\t%s' "$(grep -c 'secant_pre read audit: role "rl_reader"' "$3" || true)" \
		"$(grep 'still waiting for' "$3" | grep -c 'on extension of relation' || true)" \
		"$(grep 'still waiting for' "$3" | grep -vc 'on extension of relation' || true)" \
		"$(sed -n 's/.* acquired .* after \([0-9.]*\) ms.*/\1/p' "$3" | sort -g | tail -n 1 | grep . || echo 0)"
	rels=$(sed -n 's/.* still waiting for .* on extension of relation \([0-9]*\) of database.*/\1/p' "$3" | sort -u | paste -sd, -)
	if [ -n "$rels" ]; then
		printf '\t%s' "$(q -c "SELECT string_agg(c::regclass::text, ',' ORDER BY c) FROM unnest('{$rels}'::oid[]) c")"
	else
		printf '\tnone'
	fi
}
relsize() { q -c "SELECT pg_total_relation_size('secant.access_log')"; }

# side NAME on|off USER SCRIPT CLIENTS SECONDS [sample]: one pgbench run,
# then a line of runs.tsv: name side entries rows bad wal_bytes
# access_log_growth audit_log_lines extension_waits other_waits max_wait_ms
# samples reader_samples
side() {
	local name=$1 on=$2 user=$3 script=$4 clients=$5 secs=$6 sample=${7:-} id0 l0 l1 s0 s1 o0 o1 smp=""
	local jobs=$JOBS
	[ "$clients" -lt "$jobs" ] && jobs=$clients
	audit "$on"
	id0=$(last_id)
	s0=$(relsize)
	o0=$(logsize)
	if [ -n "$sample" ]; then
		sampler "$name" >"sample_$name.txt" &
		smp=$!
	fi
	l0=$(lsn)
	bench "$user" "$script" "$clients" "$jobs" "$secs" "$name"
	l1=$(lsn)
	if [ -n "$smp" ]; then
		q -c "INSERT INTO rl.stop VALUES ('$name')"
		wait "$smp"
	fi
	s1=$(relsize)
	o1=$(logsize)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$on" \
		"$(entries "$id0" | tr ' ' '\t')" "$(walbytes "$l0" "$l1")" "$((s1 - s0))" \
		"$(logslice "$o0" "$o1" "server_$name.log")" \
		"$(if [ -n "$sample" ]; then tr ' ' '\t' <"sample_$name.txt" | cut -f 1,2; else printf -- '-\t-'; fi)" >>runs.tsv
}

: >runs.tsv
audit false
bench rl_reader read.sql "$CLIENTS" "$JOBS" "$WARM" warm
rm -f logs/warm*

# 8 readers: off then on, the next round on then off
for round in $(seq 1 "$ROUNDS"); do
	if [ $((round % 2)) = 1 ]; then order="false true"; else order="true false"; fi
	for on in $order; do
		side "${on}_$round" "$on" rl_reader read.sql "$CLIENTS" "$SECS" sample
	done
done
# one note per statement, 1 client, the bound role, interleaved
for round in 1 2; do
	side "one_false_$round" false rl_reader one.sql 1 "$COST_SECS"
	side "one_true_$round" true rl_reader one.sql 1 "$COST_SECS"
done
audit false
sync_commit=$(q -c "SHOW synchronous_commit")
fsync=$(q -c "SHOW fsync")

PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$HERE" python3 - "$SECS" "$CLIENTS" "$ROUNDS" "$sync_commit" "$fsync" "${SRVLOG:+yes}" "$COST_SECS" <<'PY'
import sys

from pgblog import failed, lat, pctl, processed, tps

secs, clients, rounds, sync_commit, fsync, srvlog = sys.argv[1:7]
rounds = int(rounds)
runs = {}
with open("runs.tsv") as fh:
    for line in fh:
        p = line.rstrip("\n").split("\t")
        runs[p[0]] = dict(on=p[1] == "true", entries=int(p[2]), rows=int(p[3]), bad=int(p[4]),
                          wal=int(p[5]), grow=int(p[6]), loglines=p[7], extwaits=p[8],
                          otherwaits=p[9], maxwait=p[10], extrels=p[11], samples=p[12],
                          rsamples=p[13])


def side(names):
    """pooled over the runs NAMES"""
    xs = sorted(x for n in names for x in lat(n))
    r = [runs[n] for n in names]
    s = dict(xs=xs, tps=sum(tps(n) for n in names) / len(names),
             done=sum(processed(n) for n in names), failed=sum(failed(n) for n in names),
             logged=len(xs), entries=sum(x["entries"] for x in r), rows=sum(x["rows"] for x in r),
             bad=sum(x["bad"] for x in r), wal=sum(x["wal"] for x in r), grow=sum(x["grow"] for x in r))
    for k in ("loglines", "extwaits", "otherwaits", "samples", "rsamples"):
        vals = [x[k] for x in r]
        s[k] = "—" if "-" in vals else sum(int(v) for v in vals)
    vals = [x["maxwait"] for x in r]
    s["maxwait"] = "—" if "-" in vals else max(float(v) for v in vals)
    rels = sorted(set(v for x in r for v in x["extrels"].split(",") if v not in ("-", "none")))
    s["extrels"] = ", ".join(rels) if rels else "none"
    return s


off = side(["false_%d" % i for i in range(1, rounds + 1)])
on = side(["true_%d" % i for i in range(1, rounds + 1)])
# the check: one entry of 5 rows per committed read with audit on, none off
for s, audit_on in ((off, False), (on, True)):
    want = s["done"] if audit_on else 0
    s["ok"] = s["entries"] == want and s["logged"] == s["done"] and s["bad"] == 0 and s["rows"] == 5 * want
w = print
w("| %d readers (rl_reader, bound), 5 notes per statement, 2 hops, %s s%s | tx/s | reads (failed) | p50 ms | p99 ms | max ms | 'read' entries in access_log | WAL bytes per read | lock-wait samples (readers) |" % (
    int(clients), secs, " each" if rounds == 1 else " × %d rounds each" % rounds))
w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for label, s in (("read audit off", off), ("read audit on", on)):
    w("| %s | %.0f | %d (%d) | %.2f | %.2f | %.1f | %d%s | %.0f | %s of %s |" % (
        label, s["tps"], s["done"], s["failed"], pctl(s["xs"], 0.5), pctl(s["xs"], 0.99),
        s["xs"][-1] if s["xs"] else 0, s["entries"], "" if s["ok"] else " **(mismatch)**",
        s["wal"] / max(1, s["done"]), s["rsamples"], s["samples"]))
w("")
w("- on / off: tx/s **%.2f×**, p50 **%.2f×**, p99 **%.2f×** (p50 +%.2f ms, p99 %+.2f ms)." % (
    on["tps"] / off["tps"], pctl(on["xs"], 0.5) / pctl(off["xs"], 0.5),
    pctl(on["xs"], 0.99) / pctl(off["xs"], 0.99),
    pctl(on["xs"], 0.5) - pctl(off["xs"], 0.5), pctl(on["xs"], 0.99) - pctl(off["xs"], 0.99)))
w("- entries: %s. Read audit on: %d 'read' entries for %d committed reads (pgbench's count; %d in its "
  "per-transaction log), %d rows (5 per read), %d not rl_reader's with 2 grant ids; off: %d entries." % (
      "**match**" if on["ok"] and off["ok"] else "**MISMATCH**", on["entries"], on["done"], on["logged"],
      on["rows"], on["bad"], off["entries"]))
w("- lock waits: readers seen waiting on a lock (wait_event_type = 'Lock') in %s of %s samples (off) "
  "and %s of %s (on)." % (off["rsamples"], off["samples"], on["rsamples"], on["samples"]))
if srvlog:
    w("- lock waits of 10 ms or more in the server log (log_lock_waits, deadlock_timeout = 10ms), off / on: "
      "%s / %s on rows, tuples or transactions; %s / %s on the extension lock of a relation (an INSERT "
      "that needs a new page; on: %s)%s." % (
          off["otherwaits"], on["otherwaits"], off["extwaits"], on["extwaits"], on["extrels"],
          "; longest %s / %s ms" % (off["maxwait"], on["maxwait"])
          if off["maxwait"] or on["maxwait"] else ""))
w("- cost of an entry: WAL %.0f → %.0f bytes per read (+%.0f: the INSERT into secant.access_log and its "
  "primary key; synchronous_commit = %s, fsync = %s); secant.access_log grew %.0f bytes per entry "
  "(heap and index)%s." % (
      off["wal"] / max(1, off["done"]), on["wal"] / max(1, on["done"]),
      on["wal"] / max(1, on["done"]) - off["wal"] / max(1, off["done"]), sync_commit, fsync,
      on["grow"] / max(1, on["entries"]),
      "; %s read audit lines in the server log (%s with it off)" % (on["loglines"], off["loglines"]) if srvlog else ""))
w("")
w("| one note per statement, 1 client, bound role | tx/s | p50 ms | p99 ms | 'read' entries / reads |")
w("| --- | ---: | ---: | ---: | ---: |")
p50 = {}
for label, on_ in (("read audit off", "false"), ("read audit on", "true")):
    names = ["one_%s_%d" % (on_, r) for r in (1, 2)]
    xs = sorted(x for n in names for x in lat(n))
    p50[on_] = pctl(xs, 0.5)
    w("| %s | %.0f | %.3f | %.3f | %d / %d |" % (
        label, sum(tps(n) for n in names) / 2, pctl(xs, 0.5), pctl(xs, 0.99),
        sum(runs[n]["entries"] for n in names), sum(processed(n) for n in names)))
w("")
w("Two interleaved rounds of %s s per side. p50 on − off: %+.3f ms, what an entry adds without "
  "contention (its INSERT at commit as the extension's owner through SPI, the server-log line, the "
  "larger commit record to flush), within this machine's noise when it is a fraction of a "
  "millisecond." % (sys.argv[7], p50["true"] - p50["false"]))
PY
