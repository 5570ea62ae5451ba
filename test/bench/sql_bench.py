#!/usr/bin/env python3
"""sql_bench.py - SQL throughput of secant_pre in a running cluster.

Run by test/bench/run.sh with PGHOST/PGPORT/PGUSER set and psql on PATH, the
extension installed.  Uses a scratch database (secant_bench, dropped and
made anew), and prints tab-separated records on stdout for report.py:

  sql     KEY  OPS_PER_S  ROWS  QUERY             per-operation rates (0 workers),
                                                    per CPU-second of the backend
  par     SERIES  WORKERS_SETTING  WORKERS_LAUNCHED  ROWS  SECONDS  ROWS_PER_S
  adj     SERIES  PAIRS  SQL_RATE  CORE_RATE  RATIO  SQL_CPU_RATE  CORE_CPU_RATE  CPU_RATIO
                                                    0-worker pre_reencrypt vs the core's
                                                    re-encrypt run right after it (medians)
  cmp     SERIES  BASELINE  WORKERS  CPU_RATE  BASE_CPU_RATE  RATIO
                                                    per CPU-second of the backend
  sqlsize LABEL  BYTES                             stored sizes
  note    TEXT                                     anything skipped, and why

Times are the server's "Execution Time" of EXPLAIN (ANALYZE, TIMING OFF):
the query runs in full, without client round trips or planning.
Environment: BENCH_ROWS (100000), BENCH_SQL_REPEAT (2, best of),
BENCH_SQL_BUDGET (180 s: past it, the last comparison runs once),
BENCH_CORE_BIN (bench_core, for the paired comparison with the core).
Standard library only.
"""
import json
import os
import subprocess
import sys
import time

DB = "secant_bench"
ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
REPEAT = max(1, int(os.environ.get("BENCH_SQL_REPEAT", "2")))
SMALL = max(1000, ROWS // 10)       # rows for the per-operation rates
TINY = max(500, ROWS // 20)         # rows for slow operations
BUDGET = float(os.environ.get("BENCH_SQL_BUDGET", "180"))  # s, then fewer repeats

FORCE_PARALLEL = ("SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; "
                  "SET min_parallel_table_scan_size = 0; ")


def log(msg):
    print("sql_bench: " + msg, file=sys.stderr, flush=True)


def psql(sql, db=DB, check=True):
    """Run sql through psql; return stdout (unaligned, tuples only)."""
    p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                        "-d", db], input=sql, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError(p.stderr.strip() or "psql failed")
    return p.stdout if p.returncode == 0 else None


def lit(value, typ):
    return "'%s'::%s" % (value.replace("'", "''"), typ)


def timed_once(query, workers=0):
    """(seconds, workers launched) of one run of query."""
    out = psql("SET jit = off; SET max_parallel_workers_per_gather = %d; %s"
               "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) %s;"
               % (workers, FORCE_PARALLEL if workers else "", query))
    plan = json.loads(out)[0]
    return plan["Execution Time"] / 1000.0, find_launched(plan["Plan"])


def timed(query, workers=0):
    """(seconds, workers launched) of query, best of REPEAT runs."""
    return min(timed_once(query, workers) for _ in range(REPEAT))


CLK_TCK = os.sysconf("SC_CLK_TCK")


def backend_cpu(stat_line):
    """utime + stime, in seconds, of a /proc/PID/stat line."""
    fields = stat_line.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def timed_cpu(query):
    """(wall seconds, backend CPU seconds or None) of one 0-worker run."""
    out = psql("SET jit = off; SET max_parallel_workers_per_gather = 0; "
               "SELECT pg_read_file('/proc/self/stat'); "
               "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) %s; "
               "SELECT pg_read_file('/proc/self/stat');" % query, check=False)
    if out is None:     # not a superuser, or no /proc: wall-clock time only
        return timed_once(query, 0)[0], None
    lines = [l for l in out.splitlines() if l.strip()]
    stats = [i for i, l in enumerate(lines) if l.split(" ", 1)[0].isdigit() and "(" in l]
    if len(stats) != 2:
        return timed_once(query, 0)[0], None
    plan = json.loads("\n".join(lines[stats[0] + 1:stats[1]]))[0]
    return (plan["Execution Time"] / 1000.0,
            backend_cpu(lines[stats[1]]) - backend_cpu(lines[stats[0]]))


def core_rate(seconds):
    """(wall, CPU) re-encrypt L1->L2 rates of the core, or None."""
    binary = os.environ.get("BENCH_CORE_BIN")
    if not binary or not os.access(binary, os.X_OK):
        return None
    p = subprocess.run([binary, "--reencrypt-rate", str(seconds)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None
    wall, cpu = p.stdout.split()
    return float(wall), float(cpu)


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def headline(query, rows):
    """pre_reencrypt with 0 workers, each run paired with a run of the core's
    re-encrypt right after it: the ratio of each pair, by wall-clock time
    and by CPU time (the backend's, the core's), is robust to other work on
    the machine; the median over the pairs is reported."""
    pairs = []
    for _ in range(max(3, REPEAT)):
        wall, cpu = timed_cpu(query)
        core = core_rate(2.0)
        pairs.append((rows / wall, rows / cpu if cpu else None, core))
    best = max(p[0] for p in pairs)
    emit("par", "pre_reencrypt", 0, 0, rows, "%.3f" % (rows / best), "%.1f" % best)
    log("pre_reencrypt, 0 workers: %.1f rows/s (best of %d)" % (best, len(pairs)))
    cpu_rates = [p[1] for p in pairs if p[1]]
    emit("sql", "reencrypt_l1", "%.1f" % max(cpu_rates or [best]), rows, query[:200])
    if all(p[2] for p in pairs):
        r_wall = median([p[0] / p[2][0] for p in pairs])
        cpu_pairs = [p for p in pairs if p[1]]
        r_cpu = median([p[1] / p[2][1] for p in cpu_pairs]) if cpu_pairs else None
        emit("adj", "pre_reencrypt", len(pairs),
             "%.1f" % median([p[0] for p in pairs]), "%.1f" % median([p[2][0] for p in pairs]),
             "%.4f" % r_wall,
             "%.1f" % median([p[1] for p in cpu_pairs]) if cpu_pairs else "",
             "%.1f" % median([p[2][1] for p in cpu_pairs]) if cpu_pairs else "",
             "%.4f" % r_cpu if r_cpu else "")
        log("pre_reencrypt vs core, paired: %.0f %% by wall-clock time, %s by CPU time"
            % (100 * r_wall, "%.0f %%" % (100 * r_cpu) if r_cpu else "n/a"))
    else:
        emit("note", "core re-encrypt rate for the paired comparison unavailable "
             "(BENCH_CORE_BIN not set or failed)")


def find_launched(node):
    n = node.get("Workers Launched", 0)
    for child in node.get("Plans", []):
        n = max(n, find_launched(child))
    return n


def emit(*fields):
    print("\t".join(str(f) for f in fields), flush=True)


def rate_rows(specs):
    """Per-operation rates, 0 workers, per CPU-second of the backend (wall
    clock when that cannot be read): specs [(key, query, rows)] measured in
    turns, REPEAT rounds, best of each."""
    best = {}
    for _ in range(REPEAT):
        for key, query, rows in specs:
            wall, cpu = timed_cpu(query)
            secs = cpu if cpu else wall
            best[key] = min(best.get(key, secs), secs)
    for key, query, rows in specs:
        emit("sql", key, "%.1f" % (rows / best[key]), rows, query[:200])
        log("%s: %.1f ops per CPU-second" % (key, rows / best[key]))


def setup():
    psql("DROP DATABASE IF EXISTS %s;" % DB, db="postgres")
    psql("CREATE DATABASE %s;" % DB, db="postgres")
    psql("CREATE EXTENSION secant_pre;")
    out = psql("""
        CREATE TABLE bench_keys AS
            SELECT pre_keygen() AS a, pre_keygen() AS b, pre_keygen() AS c;
        SELECT a, pre_public_key(a), b, pre_public_key(b), c, pre_public_key(c),
               pre_grant(a, pre_public_key(b)), pre_grant(b, pre_public_key(c))
          FROM bench_keys;""")
    f = out.strip().split("|")
    k = dict(zip(["ska", "pka", "skb", "pkb", "skc", "pkc", "gab", "gbc"], f))
    k = {name: lit(v, {"sk": "pre_secret_key", "pk": "pre_public_key",
                       "ga": "pre_grant", "gb": "pre_grant"}[name[:2]])
         for name, v in k.items()}
    return k


def fill_table(k):
    """t: ROWS level-1 ciphertexts of 32-byte messages, in two sessions."""
    psql("CREATE UNLOGGED TABLE t (id integer, ct pre_ciphertext);")
    half = ROWS // 2
    t0 = time.time()
    procs = []
    for lo, hi in ((1, half), (half + 1, ROWS)):
        sql = ("INSERT INTO t SELECT i, pre_encrypt(%s, sha256(int4send(i))) "
               "FROM generate_series(%d, %d) AS i;" % (k["pka"], lo, hi))
        procs.append(subprocess.Popen(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", DB, "-c", sql],
            stderr=subprocess.PIPE, text=True))
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(err.strip())
    log("filled t with %d rows in %.1f s (2 sessions)" % (ROWS, time.time() - t0))
    psql("""
        CREATE TABLE t2 AS SELECT id, pre_reencrypt(ct, %(gab)s) AS ct
          FROM t WHERE id <= %(small)d;
        CREATE TABLE t3 AS SELECT id, pre_reencrypt(ct, %(gbc)s) AS ct
          FROM t2 WHERE id <= %(tiny)d;
        VACUUM ANALYZE t; VACUUM ANALYZE t2; VACUUM ANALYZE t3;
        """ % dict(k, small=SMALL, tiny=TINY))
    out = psql("""
        SELECT * FROM (
            SELECT 1, 'ciphertext L1 in a table (pg_column_size)', avg(pg_column_size(ct))::int FROM t
            UNION ALL SELECT 2, 'ciphertext L2 in a table (pg_column_size)', avg(pg_column_size(ct))::int FROM t2
            UNION ALL SELECT 3, 'ciphertext L3 in a table (pg_column_size)', avg(pg_column_size(ct))::int FROM t3
            UNION ALL SELECT 4, 'table of L1 values, per row with tuple header (pg_total_relation_size / rows)',
                             (pg_total_relation_size('t') / count(*))::int FROM t) AS s
        ORDER BY 1;""")
    for line in out.strip().splitlines():
        _, label, size = line.split("|")
        emit("sqlsize", label, size)


def parallel_series(series, rows, workers=(0, 1, 2), repeat=None):
    """series: [(name, query)], measured in turns (best of REPEAT each), so
    that load from elsewhere on the machine hits the compared queries alike.
    With 0 workers the backend's CPU time is read too: with several series,
    a "cmp" line gives each one's CPU-time rate relative to the last one."""
    for w in workers:
        best, cpu_best = {}, {}
        for _ in range(repeat or REPEAT):
            for name, query in series:
                if w == 0:
                    wall, cpu = timed_cpu(query)
                    r = (wall, 0)
                    if cpu and (name not in cpu_best or cpu < cpu_best[name]):
                        cpu_best[name] = cpu
                else:
                    r = timed_once(query, w)
                if name not in best or r < best[name]:
                    best[name] = r
        for name, _ in series:
            secs, launched = best[name]
            emit("par", name, w, launched, rows, "%.3f" % secs, "%.1f" % (rows / secs))
            log("%s, %d workers (%d launched): %.1f rows/s" % (name, w, launched, rows / secs))
        last = series[-1][0]
        if len(series) > 1 and last in cpu_best:
            for name, _ in series[:-1]:
                if name in cpu_best:
                    emit("cmp", name, last, w, "%.1f" % (rows / cpu_best[name]),
                         "%.1f" % (rows / cpu_best[last]),
                         "%.4f" % (cpu_best[last] / cpu_best[name]))


def principal_setup(k):
    """group a -> user b -> device c in secant.principals/grants, or None."""
    attempts = [
        # plain INSERTs (ARCHITECTURE.md: from/to/not_after derived from rekey)
        """INSERT INTO secant.principals(name, kind, public_key) VALUES
               ('bench-group', 'group', %(pka)s), ('bench-user', 'user', %(pkb)s),
               ('bench-device', 'device', %(pkc)s);
           INSERT INTO secant.grants(rekey) VALUES (%(gab)s), (%(gbc)s);""",
        # helper functions, positional (name, kind, key) and (grant)
        """SELECT secant.add_principal('bench-group', 'group', %(pka)s);
           SELECT secant.add_principal('bench-user', 'user', %(pkb)s);
           SELECT secant.add_principal('bench-device', 'device', %(pkc)s);
           SELECT secant.add_grant(%(gab)s); SELECT secant.add_grant(%(gbc)s);""",
    ]
    errors = []
    for sql in attempts:
        p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                            "-d", DB, "-1"], input=sql % k, capture_output=True, text=True)
        if p.returncode == 0:
            return None
        errors.append(p.stderr.strip().splitlines()[0] if p.stderr.strip() else "failed")
    return "; ".join(errors)


def main():
    t_start = time.time()
    k = setup()
    log("database %s ready" % DB)

    fill_table(k)
    rate_rows([
        ("keygen", "SELECT count(pre_public_key(pre_keygen())) "
         "FROM generate_series(1, %d)" % SMALL, SMALL),
        ("encrypt", "SELECT count(pre_encrypt(%s, sha256(int4send(i)))) "
         "FROM generate_series(1, %d) AS i" % (k["pka"], TINY), TINY),
        ("grant", "SELECT count(pre_grant(%s, %s)) FROM generate_series(1, %d)"
         % (k["ska"], k["pkb"], TINY), TINY),
        ("reencrypt_l2", "SELECT count(pre_reencrypt(ct, %s)) FROM t2" % k["gbc"], SMALL),
        ("decrypt_l1", "SELECT count(pre_decrypt(ct, %s)) FROM t WHERE id <= %d"
         % (k["ska"], SMALL), SMALL),
        ("decrypt_l2", "SELECT count(pre_decrypt(ct, %s)) FROM t2" % k["skb"], SMALL),
        ("decrypt_l3", "SELECT count(pre_decrypt(ct, %s)) FROM t3" % k["skc"], TINY),
    ])

    # the headline: pre_reencrypt over ROWS rows with 0, 1, 2 workers
    q = "SELECT count(pre_reencrypt(ct, %s)) FROM t" % k["gab"]
    headline(q, ROWS)
    parallel_series([("pre_reencrypt", q)], ROWS, workers=(1, 2))

    # secant.reencrypt_for over two hops, if the installed version has it (0.2.0 on)
    have = psql("SELECT to_regprocedure('secant.reencrypt_for(pre_ciphertext, pre_public_key)') "
                "IS NOT NULL;").strip() == "t"
    if not have:
        emit("note", "secant.reencrypt_for(pre_ciphertext, pre_public_key) does not exist: skipped")
    else:
        err = principal_setup(k)
        if err:
            emit("note", "secant.reencrypt_for: could not set up principals and grants (%s): skipped"
                 % err[:300])
        else:
            ok = psql("SELECT pre_level(secant.reencrypt_for(ct, %s)) FROM t LIMIT 1;" % k["pkc"],
                      check=False)
            if ok is None or ok.strip() != "3":
                emit("note", "secant.reencrypt_for did not give a level-3 value: skipped")
            else:
                par = psql("SELECT proparallel FROM pg_proc WHERE oid = "
                           "'secant.reencrypt_for(pre_ciphertext, pre_public_key)'::regprocedure;").strip()
                workers = (0, 1, 2)
                if par != "s":
                    workers = (0,)
                    emit("note", "secant.reencrypt_for is PARALLEL %s: measured with 0 workers only "
                         "(a parallel plan is never chosen for it)"
                         % {"r": "RESTRICTED", "u": "UNSAFE"}.get(par, par))
                parallel_series(
                    [("secant.reencrypt_for (2 hops)",
                      "SELECT count(secant.reencrypt_for(ct, %s)) FROM t" % k["pkc"]),
                     ("2 × pre_reencrypt",
                      "SELECT count(pre_reencrypt(pre_reencrypt(ct, %s), %s)) FROM t"
                      % (k["gab"], k["gbc"]))],
                    ROWS, workers,
                    # keep make bench within its 10 minutes on a busy machine
                    repeat=1 if time.time() - t_start > BUDGET else None)
    psql("DROP DATABASE IF EXISTS %s;" % DB, db="postgres", check=False)
    log("done in %.0f s" % (time.time() - t_start))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # report, never hide: run.sh records the failure
        emit("note", "SQL benchmark failed: %s" % str(e).replace("\n", " ")[:400])
        log("failed: %s" % e)
        sys.exit(1)
