#!/usr/bin/env python3
"""sql_bench.py - SQL throughput of secant_pre in a running cluster.

Run by test/bench/run.sh with PGHOST/PGPORT/PGUSER set and psql on PATH, the
extension installed.  Uses a scratch database (secant_bench, dropped and
made anew), and prints tab-separated records on stdout for report.py:

  sql     KEY  OPS_PER_S  ROWS  QUERY             per-operation rates (0 workers)
  par     SERIES  WORKERS_SETTING  WORKERS_LAUNCHED  ROWS  SECONDS  ROWS_PER_S
  sqlsize LABEL  BYTES                             stored sizes
  note    TEXT                                     anything skipped, and why

Times are the server's "Execution Time" of EXPLAIN (ANALYZE, TIMING OFF):
the query runs in full, without client round trips or planning.
Environment: BENCH_ROWS (100000), BENCH_SQL_REPEAT (2, best of).
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
SMALL = max(1000, ROWS // 5)        # rows for the per-operation rates
TINY = max(500, ROWS // 10)         # rows for slow operations

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


def timed(query, workers=0, rows=None):
    """(seconds, workers launched) of one run of query, best of REPEAT."""
    best = None
    launched = 0
    for _ in range(REPEAT):
        out = psql("SET jit = off; SET max_parallel_workers_per_gather = %d; %s"
                   "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) %s;"
                   % (workers, FORCE_PARALLEL if workers else "", query))
        plan = json.loads(out)[0]
        secs = plan["Execution Time"] / 1000.0
        n = find_launched(plan["Plan"])
        if best is None or secs < best:
            best, launched = secs, n
    return best, launched


def find_launched(node):
    n = node.get("Workers Launched", 0)
    for child in node.get("Plans", []):
        n = max(n, find_launched(child))
    return n


def emit(*fields):
    print("\t".join(str(f) for f in fields), flush=True)


def rate_row(key, query, rows):
    secs, _ = timed(query)
    emit("sql", key, "%.1f" % (rows / secs), rows, query[:200])
    log("%s: %.1f ops/s" % (key, rows / secs))
    return rows / secs


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
        SELECT 'ciphertext L1 in a table (pg_column_size)', avg(pg_column_size(ct))::int FROM t
        UNION ALL SELECT 'ciphertext L2 in a table (pg_column_size)', avg(pg_column_size(ct))::int FROM t2
        UNION ALL SELECT 'ciphertext L3 in a table (pg_column_size)', avg(pg_column_size(ct))::int FROM t3
        UNION ALL SELECT 'table t per row, with tuple header (pg_total_relation_size / rows)',
                         (pg_total_relation_size('t') / count(*))::int FROM t;""")
    for line in out.strip().splitlines():
        label, size = line.split("|")
        emit("sqlsize", label, size)


def parallel_series(series, query, rows, workers=(0, 1, 2)):
    for w in workers:
        secs, launched = timed(query, workers=w)
        emit("par", series, w, launched, rows, "%.3f" % secs, "%.1f" % (rows / secs))
        log("%s, %d workers (%d launched): %.1f rows/s" % (series, w, launched, rows / secs))


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

    # per-operation rates, 0 workers
    rate_row("keygen", "SELECT count(pre_public_key(pre_keygen())) "
             "FROM generate_series(1, %d)" % SMALL, SMALL)
    rate_row("encrypt", "SELECT count(pre_encrypt(%s, sha256(int4send(i)))) "
             "FROM generate_series(1, %d) AS i" % (k["pka"], TINY), TINY)
    rate_row("grant", "SELECT count(pre_grant(%s, %s)) FROM generate_series(1, %d)"
             % (k["ska"], k["pkb"], TINY), TINY)
    fill_table(k)
    rate_row("reencrypt_l2", "SELECT count(pre_reencrypt(ct, %s)) FROM t2" % k["gbc"], SMALL)
    rate_row("decrypt_l1", "SELECT count(pre_decrypt(ct, %s)) FROM t WHERE id <= %d"
             % (k["ska"], SMALL), SMALL)
    rate_row("decrypt_l2", "SELECT count(pre_decrypt(ct, %s)) FROM t2" % k["skb"], SMALL)
    rate_row("decrypt_l3", "SELECT count(pre_decrypt(ct, %s)) FROM t3" % k["skc"], TINY)

    # the headline: pre_reencrypt over ROWS rows with 0, 1, 2 workers
    q = "SELECT count(pre_reencrypt(ct, %s)) FROM t" % k["gab"]
    parallel_series("pre_reencrypt", q, ROWS)

    # secant.reencrypt_for over two hops, if issue 4's schema is there
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
                parallel_series("secant.reencrypt_for (2 hops)",
                                "SELECT count(secant.reencrypt_for(ct, %s)) FROM t" % k["pkc"], ROWS,
                                workers)
                parallel_series("2 × pre_reencrypt",
                                "SELECT count(pre_reencrypt(pre_reencrypt(ct, %s), %s)) FROM t"
                                % (k["gab"], k["gbc"]), ROWS, workers)
    psql("DROP DATABASE IF EXISTS %s;" % DB, db="postgres", check=False)
    log("done in %.0f s" % (time.time() - t_start))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # report, never hide: run.sh records the failure
        emit("note", "SQL benchmark failed: %s" % str(e).replace("\n", " ")[:400])
        log("failed: %s" % e)
        sys.exit(1)
