#!/usr/bin/env python3
"""report.py - turn the benchmark outputs into Markdown and PNG charts.

usage: report.py OUTDIR
Reads OUTDIR/core.tsv (bench_core), OUTDIR/sql.tsv (sql_bench.py),
OUTDIR/peers.json (peers/bench_peers.mjs, with the TypeScript package),
OUTDIR/core_amort.tsv (bench_core --amortized, run beside the peers),
OUTDIR/access.md (access.sh),
OUTDIR/revload.md (revload.sh), OUTDIR/readaudit.md (readaudit.sh),
OUTDIR/notes.tsv and OUTDIR/machine.tsv; any of them may be missing or
partial.  Writes OUTDIR/results.md and prints the
same Markdown on stdout; draws OUTDIR/ops.png and OUTDIR/decrypt_levels.png
with matplotlib when it is installed (else says so).  Standard library only
apart from matplotlib.
"""
import json
import os
import sys

OPS = [
    ("ed25519_keypair", "Ed25519 key pair"),
    ("keygen", "PRE key pair"),
    ("encrypt", "encrypt 32 B"),
    ("grant", "grant (transform key)"),
    ("reencrypt_l1", "re-encrypt L1→L2"),
    ("reencrypt_l2", "re-encrypt L2→L3"),
    ("decrypt_l1", "decrypt L1"),
    ("decrypt_l2", "decrypt L2"),
    ("decrypt_l3", "decrypt L3"),
    ("reencrypt_1k", "re-encrypt 1 KiB value"),
    ("reencrypt_64k", "re-encrypt 64 KiB value"),
    ("reencrypt_1m", "re-encrypt 1 MiB value"),
    ("open_sealed_grant", "open a sealed grant (first use)"),
    ("sealed_grant_cached", "sealed grant, cached (lookup)"),
]
CHART_OPS = OPS[:9]
PEERS = ["recrypt", "umbral"]
# the parts that write OUTDIR/NAME.md, in the order of the report
PARTS = [("access", "Access control (test/bench/access.sh)"),
         ("scale", "Lookups at 10 000 and 1 000 000 grants (test/bench/scale.sh)"),
         ("bulkread", "100 000 rows over 10 000 paths in one statement (test/bench/bulkread.sh)"),
         ("bulk", "Bulk storing and sharing (test/bench/bulk.sh)"),
         ("nodes", "Reads through threshold grants on nodes (test/bench/threshold_nodes.sh)"),
         ("latency", "Per-statement latency (test/bench/latency.sh)"),
         ("revload", "Reads under revocation (test/bench/revload.sh)"),
         ("readaudit", "Read audit off and on (test/bench/readaudit.sh)"),
         ("rotation", "Key rotation (test/bench/rotation.sh)")]
TARGET_BOUND = 0.85     # performance target: every core op >= 85 % of its bound
TARGETS = {"reencrypt_l1": 15000, "decrypt_l3": 5000}
# the TypeScript package (js/): its rows, and the core row each compares with
# (the core's batch is bench_core --amortized's decryption context; at level
# 1 there is nothing to cache, so its batch is decrypt_l1)
TS_OPS = [
    ("keygen", "PRE key pair", "keygen"),
    ("encrypt", "encrypt 32 B", "encrypt"),
    ("grant", "grant (transform key)", "grant"),
    ("reencrypt_l1", "re-encrypt L1→L2", "reencrypt_l1"),
    ("reencrypt_l2", "re-encrypt L2→L3", "reencrypt_l2"),
    ("decrypt_l1", "decrypt L1", "decrypt_l1"),
    ("decrypt_l2", "decrypt L2", "decrypt_l2"),
    ("decrypt_l3", "decrypt L3", "decrypt_l3"),
    ("decrypt_l1_batch", "decrypt L1, batch (Decryptor)", "decrypt_l1"),
    ("decrypt_l2_batch", "decrypt L2, batch (Decryptor)", None),
    ("decrypt_l3_batch", "decrypt L3, batch (Decryptor, one path)", "decrypt_l3_batch_1path"),
]
TS_TARGET = 0.30        # batch decrypt L3 in Node >= 30 % of the core's batch rate


def read_tsv(path):
    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line:
                    rows.append(line.split("\t"))
    except OSError:
        pass
    return rows


def fmt(x):
    if x is None:
        return "—"
    if x >= 100:
        return "{:,.0f}".format(x)
    if x >= 10:
        return "{:.1f}".format(x)
    return "{:.2f}".format(x)


def pct(x):
    return "—" if x is None else "{:.0f} %".format(100 * x)


class Data:
    def __init__(self, outdir):
        self.meta, self.prims, self.ops, self.levels, self.sizes = {}, [], {}, [], []
        self.tokens, self.token_ratio = {}, None
        for r in read_tsv(os.path.join(outdir, "core.tsv")):
            kind = r[0]
            if kind == "meta" and len(r) >= 3:
                self.meta[r[1]] = r[2]
            elif kind == "prim" and len(r) >= 5:
                self.prims.append((r[1], float(r[2]), float(r[3]), r[4]))
            elif kind == "op" and len(r) >= 8:
                self.ops[r[1]] = dict(label=r[2], rate=float(r[3]), bound=float(r[4]),
                                      formula=r[5], explained=float(r[6]), why=r[7])
            elif kind == "level" and len(r) >= 5:
                self.levels.append((int(r[1]), float(r[2]), float(r[3]), int(r[4])))
            elif kind == "size" and len(r) >= 4:
                self.sizes.append((r[1], int(r[2]), int(r[3])))
            elif kind == "tokens" and len(r) >= 5:
                self.tokens[r[1]] = (int(r[2]), float(r[3]), int(r[4]))
            elif kind == "tokens" and r[1:2] == ["ratio"] and len(r) >= 3:
                self.token_ratio = float(r[2])
        self.sql, self.par, self.sqlsizes, self.notes, self.adj = {}, {}, [], [], {}
        self.cmp = {}
        for r in read_tsv(os.path.join(outdir, "sql.tsv")):
            kind = r[0]
            if kind == "sql" and len(r) >= 4:
                self.sql[r[1]] = float(r[2])
            elif kind == "par" and len(r) >= 7:
                self.par.setdefault(r[1], []).append(
                    dict(workers=int(r[2]), launched=int(r[3]), rows=int(r[4]),
                         secs=float(r[5]), rate=float(r[6])))
            elif kind == "adj" and len(r) >= 9:
                f = lambda x: float(x) if x else None
                self.adj[r[1]] = dict(pairs=int(r[2]), sql=f(r[3]), core=f(r[4]), ratio=f(r[5]),
                                      sql_cpu=f(r[6]), core_cpu=f(r[7]), ratio_cpu=f(r[8]))
            elif kind == "cmp" and len(r) >= 7:
                self.cmp[(r[1], int(r[3]))] = dict(base=r[2], rate=float(r[4]),
                                                   base_rate=float(r[5]), ratio=float(r[6]))
            elif kind == "sqlsize" and len(r) >= 3:
                self.sqlsizes.append((r[1], int(r[2])))
            elif kind == "note" and len(r) >= 2:
                self.notes.append(r[1])
        for r in read_tsv(os.path.join(outdir, "notes.tsv")):
            if r and r[0] == "note" and len(r) >= 2:
                self.notes.append(r[1])
        if "pre_reencrypt" in self.par and "reencrypt_l1" not in self.sql:
            for p in self.par["pre_reencrypt"]:
                if p["workers"] == 0:
                    self.sql["reencrypt_l1"] = p["rate"]
        self.machine = dict((r[0], r[1]) for r in read_tsv(os.path.join(outdir, "machine.tsv"))
                            if len(r) >= 2)
        self.parts = {}
        for key, _ in PARTS:
            try:
                with open(os.path.join(outdir, key + ".md"), encoding="utf-8") as f:
                    self.parts[key] = f.read()
            except OSError:
                pass
        self.latency = {r[0]: dict(label=r[1], p50=float(r[2]), p99=float(r[3]), mean=float(r[4]))
                        for r in read_tsv(os.path.join(outdir, "latency.tsv")) if len(r) >= 5}
        self.amort = {r[1]: float(r[3]) for r in read_tsv(os.path.join(outdir, "core_amort.tsv"))
                      if r[0] == "amort" and len(r) >= 4}
        self.peers = {}
        self.node = None
        try:
            with open(os.path.join(outdir, "peers.json"), encoding="utf-8") as f:
                pj = json.load(f)
            self.peers = pj.get("peers", {})
            self.node = pj.get("node")
        except (OSError, ValueError):
            pass
        self.peer_status = {}
        for name in PEERS:
            p = self.peers.get(name)
            if p is None:
                self.peer_status[name] = self.machine.get("peer_" + name, "not run")
            else:
                self.peer_status[name] = p.get("status", "unknown")

    def peer_rate(self, name, key):
        p = self.peers.get(name)
        if not p or p.get("status") != "ok":
            return None
        return p.get("ops", {}).get(key)

    def peer_cell(self, name, key):
        p = self.peers.get(name)
        if not p or p.get("status") != "ok":
            return "unavailable"
        r = p.get("ops", {}).get(key)
        if r is not None:
            return fmt(r)
        note = p.get("notes", {}).get(key, "")
        return "N/A" if note.startswith("N/A") or not note else "error"

    def machine_line(self):
        m = self.machine
        parts = [m.get("cpu", "unknown CPU"), "%s cores" % m.get("cores", "?"),
                 m.get("os", ""),
                 "libsodium " + self.meta.get("libsodium", m.get("libsodium", "?"))]
        if m.get("postgres"):
            parts.append(m["postgres"])
        if self.node:
            parts.append("Node " + self.node)
        return ", ".join(p for p in parts if p)


def markdown(d):
    out = []
    w = out.append
    w("# secant_pre benchmark")
    w("")
    w("Machine: %s. Measured %s; load average (1 min) before the run: %s "
      "(above 0 means other work shared the cores)." % (
          d.machine_line(), d.machine.get("date", ""), d.machine.get("load_start", "?")))
    w("")
    if d.ops or d.sql or d.par or d.peers:
        ops_sections(d, w)
    if "ts" in d.peers:
        ts_section(d, w)
    for n in d.notes:
        w("- note: " + n)
    if d.notes:
        w("")
    if d.latency:
        latency_section(d, w)
    for key, title in PARTS:
        if d.parts.get(key):
            w("## %s" % title)
            w("")
            w(d.parts[key].rstrip())
            w("")
    if d.levels:
        levels_section(d, w)
    if d.tokens:
        tokens_section(d, w)
    if d.sizes or d.sqlsizes or any(p.get("sizes") for p in d.peers.values()):
        sizes_section(d, w)
    if d.prims:
        prims_section(d, w)
    return "\n".join(out) + "\n"


def ops_sections(d, w):
    w("Rates are per CPU-second (the process's CPU time, the backend's for SQL), so that "
      "time the scheduler gives to other work does not count; the parallel section is "
      "wall-clock. Core: one thread, best of %s runs of %s s, all operations measured in "
      "turns. SQL: 0 parallel workers, best of the runs. Peers: Node.js, same machine, "
      "same run." % (d.meta.get("runs", "?"), d.meta.get("seconds_per_run", "?")))
    w("")
    w("## Operations per second")
    w("")
    w("| op | secant_pre core ops/s | SQL ops/s | bound ops/s | % of bound | recrypt | umbral |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for key, label in OPS:
        o = d.ops.get(key)
        rate = o["rate"] if o else None
        bound = o["bound"] if o else None
        ratio = rate / bound if o and bound else None
        w("| %s | %s | %s | %s | %s | %s | %s |" % (
            label, fmt(rate), fmt(d.sql.get(key)) if key in d.sql else "—",
            fmt(bound), pct(ratio), d.peer_cell("recrypt", key), d.peer_cell("umbral", key)))
    w("")
    # peers: versions, status, notes
    for name in PEERS:
        p = d.peers.get(name)
        if p and p.get("status") == "ok":
            notes = ["%s: %s" % (k, v) for k, v in p.get("notes", {}).items()
                     if not k.startswith("reencrypt_") or k in ("reencrypt_l1", "reencrypt_l2")]
            w("- %s: `%s` %s%s" % (name, p.get("package"), p.get("version"),
                                    (" — " + "; ".join(notes)) if notes else ""))
        else:
            w("- %s: **unavailable** (%s)" % (name, d.peer_status.get(name)))
    w("- bound: the libsodium primitives each operation needs, measured in the same run "
      "(see below). SQL: `SELECT count(f(...)) FROM ...` over 5 000 to 100 000 rows, 0 workers; "
      "re-encrypt L1→L2 is `SELECT count(pre_reencrypt(ct, g)) FROM t` of the parallel "
      "section. The SQL rates other than that one are best of %s runs, not paired with core "
      "runs: on a shared machine read them to ±20 %%; the paired comparison is below." %
      os.environ.get("BENCH_SQL_REPEAT", "2"))
    w("")
    # comparisons
    lines = []
    for key, label in OPS[:9]:
        o = d.ops.get(key)
        for name in PEERS:
            r = d.peer_rate(name, key)
            if o and r:
                lines.append("%s vs %s: %.0f×" % (label, name, o["rate"] / r))
    if lines:
        w("secant_pre core vs peers: " + "; ".join(lines) + ".")
        w("")
    # targets
    w("### Against the performance targets")
    w("")
    for key, target in TARGETS.items():
        o = d.ops.get(key)
        if o:
            w("- %s: %s ops/s, target %s: %s (its libsodium bound on this machine: %s ops/s)" % (
                o["label"], fmt(o["rate"]), fmt(target),
                "met" if o["rate"] >= target else "**not met**", fmt(o["bound"])))
    below = [(k, o) for k, o in d.ops.items() if o["bound"] and o["rate"] / o["bound"] < TARGET_BOUND]
    if d.ops:
        if below:
            for k, o in below:
                line = "- %s at %s of its bound (%s = %s ops/s). " % (
                    o["label"], pct(o["rate"] / o["bound"]), o["formula"], fmt(o["bound"]))
                if o["explained"] < 0.95 * o["bound"] and o["rate"] >= 0.85 * o["explained"]:
                    line += ("Everything it calls adds up to %s ops/s (%s): the gap is those "
                             "extra calls (%s of that sum)." % (
                                 fmt(o["explained"]), o["why"], pct(o["rate"] / o["explained"])))
                else:
                    line += ("The primitives it calls add up to %s ops/s (%s): the gap is "
                             "unexplained (other load on the machine during the run?)." % (
                                 fmt(o["explained"]), o["why"]))
                w(line)
        else:
            w("- every core operation is at ≥ %.0f %% of its bound" % (100 * TARGET_BOUND))
    sql0 = d.sql.get("reencrypt_l1")
    core = d.ops.get("reencrypt_l1")
    adj = d.adj.get("pre_reencrypt")
    if adj:
        ratio = adj["ratio_cpu"] or adj["ratio"]
        w("- SQL `pre_reencrypt` (0 workers) vs the core's re-encrypt L1→L2, each SQL run "
          "paired with a core run right after it (median of %d pairs): %s by wall-clock time "
          "(%s vs %s rows/s)%s. Target ≥ 85 %%: %s" % (
              adj["pairs"], pct(adj["ratio"]), fmt(adj["sql"]), fmt(adj["core"]),
              "; %s by CPU time (%s vs %s rows per CPU-second; leaves out time other work "
              "took the core)" % (pct(adj["ratio_cpu"]), fmt(adj["sql_cpu"]), fmt(adj["core_cpu"]))
              if adj["ratio_cpu"] else "",
              "met" if ratio >= 0.85 else "**not met**"))
    elif sql0 and core:
        w("- SQL `pre_reencrypt` (0 workers) at %s of the core's re-encrypt L1→L2 rate "
          "(target ≥ 85 %%): %s" % (pct(sql0 / core["rate"]),
                                    "met" if sql0 / core["rate"] >= 0.85 else "**not met**"))
    w("")
    # SQL parallel
    w("## SQL throughput over %s rows, parallel workers" %
      ("{:,}".format(d.par["pre_reencrypt"][0]["rows"]) if "pre_reencrypt" in d.par else "N"))
    w("")
    if d.par:
        w("| query | workers (launched) | seconds | rows/s | vs 0 workers | ratio |")
        w("| --- | ---: | ---: | ---: | ---: | --- |")
        base_two = {p["workers"]: p["rate"] for p in d.par.get("2 × pre_reencrypt", [])}
        for series, runs in d.par.items():
            zero = next((p["rate"] for p in runs if p["workers"] == 0), None)
            for p in runs:
                ratio = ""
                if series == "pre_reencrypt" and p["workers"] == 0 and adj:
                    ratio = "%s of the core's re-encrypt L1 run next to it (wall), %s by CPU time" % (
                        pct(adj["ratio"]), pct(adj["ratio_cpu"]))
                elif series == "pre_reencrypt" and p["workers"] == 0 and core:
                    ratio = "%s of core re-encrypt L1 (%s/s)" % (
                        pct(p["rate"] / core["rate"]), fmt(core["rate"]))
                elif (series, p["workers"]) in d.cmp:
                    c = d.cmp[(series, p["workers"])]
                    ratio = ("%s of %s by CPU time (%s vs %s rows per CPU-second), "
                             "%s by wall-clock time (target ≥ 80 %%)" % (
                                 pct(c["ratio"]), c["base"], fmt(c["rate"]), fmt(c["base_rate"]),
                                 pct(p["rate"] / base_two[p["workers"]])
                                 if p["workers"] in base_two else "—"))
                elif series.startswith("secant.reencrypt_for") and p["workers"] in base_two:
                    ratio = "%s of 2 × pre_reencrypt (target ≥ 80 %%)" % pct(
                        p["rate"] / base_two[p["workers"]])
                w("| %s | %d (%d) | %.2f | %s | %s | %s |" % (
                    "`%s`" % series if series != "2 × pre_reencrypt" else series,
                    p["workers"], p["launched"], p["secs"], fmt(p["rate"]),
                    "%.2f×" % (p["rate"] / zero) if zero else "—", ratio))
        w("")
        w("Queries: `SELECT count(pre_reencrypt(ct, g)) FROM t`; "
          "`SELECT count(secant.reencrypt_for(ct, device_key)) FROM t` (group → user → device, "
          "two hops); `SELECT count(pre_reencrypt(pre_reencrypt(ct, g1), g2)) FROM t`. "
          "Parallel plans forced with parallel_setup_cost = parallel_tuple_cost = "
          "min_parallel_table_scan_size = 0; %s cores." % d.machine.get("cores", "?"))
    else:
        w("Not measured.")
    w("")


# the per-statement latencies of the chart, in its order
LATENCY = ["plain", "bare", "bound", "proxy"]


def latency_section(d, w):
    """one-note reads against their bound (test/bench/revload.sh, one client)"""
    L = d.latency
    w("## One-note reads against their bound (issue 36)")
    w("")
    w("| statement, one note, 1 client | p50 ms | p99 ms | mean ms | p50 / bare | mean / bare | target |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    bare = L.get("bare")
    for name in ("plain", "bare", "may", "path", "super", "bound", "byname", "proxy", "async"):
        x = L.get(name)
        if not x:
            continue
        target = ""
        if name in ("bound", "proxy") and bare:
            ok = x["p50"] <= 2.5 * bare["p50"] and x["mean"] <= 2.5 * bare["mean"]
            target = "≤ 2.5×: %s" % ("met" if ok else "**not met**")
        w("| %s | %.3f | %.3f | %.3f | %s | %s | %s |" % (
            x["label"], x["p50"], x["p99"], x["mean"],
            "%.2f×" % (x["p50"] / bare["p50"]) if bare else "—",
            "%.2f×" % (x["mean"] / bare["mean"]) if bare else "—", target))
    w("")
    w("The bound of a one-note read: the bare joined query (two `pre_reencrypt` with the "
      "grants joined, no lookup, no lock); a plain read of the note is the floor. "
      "Chart: latency.png (docs/bench-latency.png).")
    w("")


def levels_section(d, w):
    w("## Decrypt cost by level (core)")
    w("")
    w("| level | ciphertext bytes (32 B message) | ops/s | µs/op | bound ops/s | % of bound |")
    w("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, rate, bound, size in d.levels:
        w("| %d | %d | %s | %.0f | %s | %s |" % (n, size, fmt(rate), 1e6 / rate,
                                                fmt(bound), pct(rate / bound)))
    w("")


def tokens_section(d, w):
    w("## Keyword normalisation (pre_tokens in the core)")
    w("")
    w("Normalise, split and hash one document of each kind (best of the runs, CPU time). "
      "Adversarial: words of one letter with 1000 U+0301 and then 1000 U+0316, the runs "
      "of combining marks a whole-text canonical reordering sorts in quadratic time.")
    w("")
    w("| document | bytes | MB/s | words |")
    w("| --- | ---: | ---: | ---: |")
    for kind in ("plain", "adversarial"):
        if kind in d.tokens:
            b, mbs, n = d.tokens[kind]
            w("| %s | %d | %.1f | %d |" % (kind, b, mbs, n))
    w("")
    if d.token_ratio is not None:
        w("Time ratio adversarial / plain: **%.2f×** (target ≤ 20×)." % d.token_ratio)
        w("")


def ts_core_rate(d, key):
    """The core's rate for a TS_OPS core key: core.tsv, else core_amort.tsv."""
    if key is None:
        return None
    if key in d.ops:
        return d.ops[key]["rate"]
    return d.amort.get(key)


def ts_section(d, w):
    p = d.peers["ts"]
    w("## TypeScript package (js/, Node %s)" % (d.node or "?"))
    w("")
    if p.get("status") != "ok":
        w("- **unavailable** (%s)" % p.get("status"))
        w("")
        return
    w("In the peers' Node process, per CPU-second, best of the runs; libsodium "
      "compiled to WebAssembly (`libsodium-wrappers-sumo`). The core's batch rate is "
      "`bench_core --amortized` (decryption context, 10 000 values on one path) run "
      "just before; load average (1 min) before the peers: %s, after: %s." % (
          d.machine.get("load_peers", "?"), d.machine.get("load_peers_end", "?")))
    w("")
    w("| op | TS ops/s | core ops/s | TS / core | recrypt | umbral | TS / recrypt | TS / umbral |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    ops = p.get("ops", {})
    for key, label, core_key in TS_OPS:
        r = ops.get(key)
        c = ts_core_rate(d, core_key)
        # a peer has no batch decryptor: its own rate for the level
        pkey = key.replace("_batch", "")
        rr, ru = d.peer_rate("recrypt", pkey), d.peer_rate("umbral", pkey)
        ratio = lambda a, b: "%.2f×" % (a / b) if a and b else "—"
        w("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, fmt(r), fmt(c), pct(r / c) if r and c else "—",
            d.peer_cell("recrypt", pkey), d.peer_cell("umbral", pkey),
            ratio(r, rr), ratio(r, ru)))
    w("")
    b3, c3 = ops.get("decrypt_l3_batch"), d.amort.get("decrypt_l3_batch_1path")
    if b3 and c3:
        w("- batch decrypt L3 in Node: %s ops/s, %s of the core's batch (%s ops/s); "
          "target ≥ %s: %s" % (fmt(b3), pct(b3 / c3), fmt(c3), pct(TS_TARGET),
                               "met" if b3 / c3 >= TS_TARGET else "**not met**"))
    for name, key in (("recrypt", "decrypt_l3"), ("umbral", "decrypt_l2")):
        r = d.peer_rate(name, key)
        if b3 and r:
            w("- against %s's %s (%s ops/s%s): %.1f× %s" % (
                name, key.replace("_", " "), fmt(r),
                ", its deepest: umbral is single-hop" if name == "umbral" else "",
                b3 / r, "faster" if b3 > r else "**slower**"))
    w("")


def sizes_section(d, w):
    w("## Value sizes")
    w("")
    w("| system | value | bytes | text form chars |")
    w("| --- | --- | ---: | ---: |")
    for label, b, t in d.sizes:
        w("| secant_pre | %s | %d | %d |" % (label, b, t))
    for label, b in d.sqlsizes:
        w("| secant_pre (SQL) | %s | %d | |" % (label, b))
    for name in PEERS:
        p = d.peers.get(name)
        if p and p.get("status") == "ok":
            for label, b in p.get("sizes", []):
                w("| %s | %s | %d | |" % (name, label, b))
    w("")


def prims_section(d, w):
    w("## The bound's ingredients (libsodium %s)" % d.meta.get("libsodium", "?"))
    w("")
    w("| primitive | ops/s | ns/op | what |")
    w("| --- | ---: | ---: | --- |")
    for name, rate, ns, desc in d.prims:
        w("| %s | %s | %s | %s |" % (name, fmt(rate), "{:,.0f}".format(ns), desc))
    w("")
    w("| op | bound = |")
    w("| --- | --- |")
    for key, label in OPS:
        o = d.ops.get(key)
        if o:
            w("| %s | %s |" % (label, o["formula"]))
    w("")


def charts(d, outdir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (apt-get install python3-matplotlib): no charts"
    made = []
    subtitle = d.machine_line()

    # ops.png: ops/s per operation, log scale
    series = [("secant_pre core", lambda k: d.ops.get(k, {}).get("rate"), "#1f77b4"),
              ("secant_pre SQL", lambda k: d.sql.get(k), "#6baed6"),
              ("libsodium bound", lambda k: d.ops.get(k, {}).get("bound"), "#c7c7c7"),
              ("recrypt (IronCore, WASM)", lambda k: d.peer_rate("recrypt", k), "#d62728"),
              ("umbral (NuCypher, WASM)", lambda k: d.peer_rate("umbral", k), "#ff7f0e")]
    series = [s for s in series if any(s[1](k) for k, _ in CHART_OPS)]
    if series and d.ops:
        fig, ax = plt.subplots(figsize=(10, 7))
        h = 0.8 / len(series)
        ys = range(len(CHART_OPS))
        for i, (name, get, color) in enumerate(series):
            vals = [get(k) or 0 for k, _ in CHART_OPS]
            pos = [y + (i - (len(series) - 1) / 2) * h for y in ys]
            ax.barh(pos, vals, height=h, label=name, color=color)
            for p, v in zip(pos, vals):
                if v:
                    ax.text(v * 1.05, p, fmt(v), va="center", fontsize=6)
        ax.set_yticks(list(ys))
        ax.set_yticklabels([label for _, label in CHART_OPS])
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("operations per CPU-second, one core (log scale)")
        ax.set_title("secant_pre vs peers: operations per second\n" + subtitle, fontsize=9)
        ax.legend(loc="lower right", fontsize=8)
        ax.grid(axis="x", which="major", alpha=0.3)
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, "ops.png"), dpi=110)
        plt.close(fig)
        made.append("ops.png")

    # decrypt_levels.png: decrypt cost vs level
    if d.levels:
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
        lv = [n for n, _, _, _ in d.levels]
        a1.plot(lv, [1e6 / r for _, r, _, _ in d.levels], "o-", label="secant_pre core")
        a1.plot(lv, [1e6 / b for _, _, b, _ in d.levels], "--", color="gray",
                label="bound: n var mults + AEAD")
        a1.set_xlabel("ciphertext level")
        a1.set_ylabel("µs per decrypt")
        a1.set_title("secant_pre: decrypt cost is linear in the level", fontsize=9)
        a1.set_ylim(bottom=0)
        a1.legend(fontsize=8)
        a1.grid(alpha=0.3)
        a2.plot(lv, [1e3 / r for _, r, _, _ in d.levels], "o-", label="secant_pre core")
        for name, color in (("recrypt", "#d62728"), ("umbral", "#ff7f0e")):
            pts = [(n, d.peer_rate(name, "decrypt_l%d" % n)) for n in (1, 2, 3)]
            pts = [(n, 1e3 / r) for n, r in pts if r]
            if pts:
                a2.plot([p[0] for p in pts], [p[1] for p in pts], "s-", color=color, label=name)
        a2.set_yscale("log")
        a2.set_xlabel("ciphertext level")
        a2.set_ylabel("ms per decrypt (log scale)")
        a2.set_title("with peers (umbral is single-hop)", fontsize=9)
        a2.legend(fontsize=8)
        a2.grid(alpha=0.3, which="both")
        fig.suptitle("Decrypt cost vs level — " + subtitle, fontsize=9)
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, "decrypt_levels.png"), dpi=110)
        plt.close(fig)
        made.append("decrypt_levels.png")
    # latency.png: per-statement latency p50 / p99 of one-note reads
    rows = [(n, d.latency[n]) for n in LATENCY if n in d.latency]
    if rows:
        fig, ax = plt.subplots(figsize=(9, 4.5))
        ys = range(len(rows))
        ax.barh([y - 0.2 for y in ys], [x["p50"] for _, x in rows], height=0.4, label="p50",
                color="#1f77b4")
        ax.barh([y + 0.2 for y in ys], [x["p99"] for _, x in rows], height=0.4, label="p99",
                color="#ff7f0e")
        for y, (_, x) in zip(ys, rows):
            ax.text(x["p50"] * 1.05, y - 0.2, "%.3f" % x["p50"], va="center", fontsize=7)
            ax.text(x["p99"] * 1.05, y + 0.2, "%.3f" % x["p99"], va="center", fontsize=7)
        ax.set_yticks(list(ys))
        ax.set_yticklabels([{"plain": "plain read", "bare": "bare crypto (bound)",
                             "bound": "reencrypt_for, bound role",
                             "proxy": "reencrypt_for, proxy role"}[n] for n, _ in rows])
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlim(0.5 * min(x["p50"] for _, x in rows), 2.5 * max(x["p99"] for _, x in rows))
        ax.set_xlabel("ms per statement (one note, one client, pgbench; log scale)")
        ax.set_title("One-note reads: latency per statement (load average %s at the start)\n%s" % (
            d.machine.get("load_start", "?"), subtitle), fontsize=9)
        ax.legend(loc="upper right", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, "latency.png"), dpi=110)
        plt.close(fig)
        made.append("latency.png")
    return "charts: " + ", ".join(os.path.join(outdir, m) for m in made) if made else "no data for charts"


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "build/bench"
    d = Data(outdir)
    md = markdown(d)
    with open(os.path.join(outdir, "results.md"), "w", encoding="utf-8") as f:
        f.write(md)
    sys.stdout.write(md)
    print(charts(d, outdir), file=sys.stderr)


if __name__ == "__main__":
    main()
