#!/usr/bin/env python3
"""amortized_report.py - the tables and the chart of test/bench/amortized.sh.

usage: amortized_report.py OUTDIR SQL_ARGS...
Reads OUTDIR/amortized_core.tsv (bench_core --amortized: "amort" lines),
OUTDIR/levels.tsv (bench_core --levels: "lvl" lines), OUTDIR/cli.tsv
(cli_batch.py: "cli" lines) and, when present, OUTDIR/peers.json (the
peers' per-operation rates).  SQL_ARGS: ROWS DEC_ROWS REPEAT BARE_MS
FOR_MS L23_MS DEC1_MS DEC3_MS (the best Execution Time of each query), or
nothing when the SQL part did not run.  Prints Markdown; draws
OUTDIR/levels.png and OUTDIR/levels.svg with matplotlib when it is
installed (else says so on stderr).
"""
import json
import os
import sys


def fmt(x):
    return "{:,.0f}".format(x).replace(",", " ")


def verdict(ok):
    return "met" if ok else "**missed**"


def read_lines(path, kind):
    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                r = line.rstrip("\n").split("\t")
                if r[0] == kind:
                    rows.append(r[1:])
    except OSError:
        pass
    return rows


def peers(outdir):
    """{peer: {op: ops/s}} of the peers that ran."""
    try:
        with open(os.path.join(outdir, "peers.json"), encoding="utf-8") as f:
            pj = json.load(f).get("peers", {})
    except (OSError, ValueError):
        return {}
    return {name: p.get("ops", {}) for name, p in pj.items() if p.get("status") == "ok"}


def targets(outdir, sql):
    out = []
    w = out.append
    am = {}
    for r in read_lines(os.path.join(outdir, "amortized_core.tsv"), "amort"):
        am[r[0]] = dict(label=r[1], rate=float(r[2]), base=r[3], base_rate=float(r[4]),
                        ratio=float(r[5]), target=float(r[6]))
    cli = {r[0]: dict(level=int(r[1]), values=int(r[2]), rate=float(r[3]))
           for r in read_lines(os.path.join(outdir, "cli.tsv"), "cli")}
    w("| measurement | rate (values/s) | against | its rate | ratio | target |")
    w("| --- | ---: | --- | ---: | ---: | --- |")
    if sql:
        rows, dec_rows, repeat = int(sql[0]), int(sql[1]), int(sql[2])
        bare, forp, l23, dec1, dec3 = (float(x) for x in sql[3:8])

        def rate(ms, n):
            return n / (ms / 1000.0)

        r_bare, r_for, r_l23 = rate(bare, rows), rate(forp, rows), rate(l23, rows)
        r_dec1, r_dec3 = rate(dec1, dec_rows), rate(dec3, dec_rows)
        w("| SQL: secant.reencrypt_for L1→L3, %s rows of one group | %s | pre_reencrypt L1→L2 | %s | %.0f %% | ≥ 90 %%: %s |"
          % (fmt(rows), fmt(r_for), fmt(r_bare), 100 * r_for / r_bare, verdict(r_for >= 0.9 * r_bare)))
        w("| SQL: pre_reencrypt L2→L3, %s rows through one grant | %s | pre_reencrypt L1→L2 | %s | %.1f× | ≥ 5×: %s |"
          % (fmt(rows), fmt(r_l23), fmt(r_bare), r_l23 / r_bare, verdict(r_l23 >= 5 * r_bare)))
        w("| SQL: pre_decrypt of %s level-3 rows on one path | %s | pre_decrypt level 1 | %s | %.0f %% | |"
          % (fmt(dec_rows), fmt(r_dec3), fmt(r_dec1), 100 * r_dec3 / r_dec1))
    for key in ("decrypt_l3_batch_1path", "decrypt_l3_batch_100paths", "decrypt_l3",
                "reencrypt_l2_cached", "reencrypt_l2", "path_l1_l3"):
        a = am.get(key)
        if not a:
            continue
        t = a["target"]
        tcell = ("≥ %.0f %%: %s" % (100 * t, verdict(a["ratio"] >= t))) if t else ""
        ratio = ("%.0f %%" % (100 * a["ratio"])) if a["ratio"] < 3 else ("%.0f×" % a["ratio"])
        w("| core: %s | %s | %s | %s | %s | %s |"
          % (a["label"], fmt(a["rate"]), a["base"].replace("_", " "), fmt(a["base_rate"]), ratio, tcell))
    if "l1" in cli:
        base = cli["l1"]
        for key, label, target in (
                ("l3", "CLI: decrypt --batch, %s level-3 values on one path", 0.85),
                ("p100", "CLI: decrypt --batch, %s level-3 values on 100 paths, shuffled", 0),
                ("l16", "CLI: decrypt --batch, %s level-16 values on one path", 0)):
            c = cli.get(key)
            if not c:
                continue
            ratio = c["rate"] / base["rate"]
            w("| %s | %s | the same batch of %s level-1 values | %s | %.0f %% | %s |"
              % (label % fmt(c["values"]), fmt(c["rate"]), fmt(base["values"]), fmt(base["rate"]),
                 100 * ratio, ("≥ %.0f %%: %s" % (100 * target, verdict(ratio >= target))) if target else ""))
    w("")
    if sql:
        w("SQL rates: best of %d runs' Execution Time, the queries in turn, 0 parallel workers, "
          "`SELECT count(f(...))`. " % int(sql[2]))
    w("Core rates: per CPU-second, best of the rounds (bench_core.c); each batch starts with "
      "empty caches, so its misses are in its rate. CLI rates: `secant-pre decrypt --secret-key K "
      "--batch < FILE` over the whole file, per CPU-second of the process (user + system), best of "
      "the rounds (cli_batch.py): text decoding, full validation (through the validation cache), "
      "decryption (through the decryption context) and the JSON lines, every line ok.")
    return "\n".join(out) + "\n"


def levels(outdir, pe):
    lv = [(int(r[0]), float(r[1]), float(r[2]), float(r[3]), float(r[4]), int(r[5]))
          for r in read_lines(os.path.join(outdir, "levels.tsv"), "lvl")]
    cli = {int(r[1]): float(r[3]) for r in read_lines(os.path.join(outdir, "cli.tsv"), "cli")
           if r[0].startswith("l")}
    if not lv:
        return "", []

    def us(rate):
        return "%.0f" % (1e6 / rate) if rate else "—"

    def peer(name, key):
        r = pe.get(name, {}).get(key)
        return us(r) if r else "—"

    def peer_chain(name, n):
        """µs to bring a value to level n hop by hop (the peer's own hops)."""
        keys = ["reencrypt_l%d" % k for k in range(1, n)]
        rates = [pe.get(name, {}).get(k) for k in keys]
        return sum(1e6 / r for r in rates) if rates and all(rates) else None

    out = []
    w = out.append
    w("| level | bytes | decrypt, per operation µs | decrypt, batched µs | CLI decrypt --batch µs | "
      "re-encrypt L1→Ln hop by hop µs | L1→Ln along the path µs | recrypt decrypt µs | "
      "umbral decrypt µs | recrypt L1→Ln µs |")
    w("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, dop, dba, rop, rba, size in lv:
        rc = peer_chain("recrypt", n) if n > 1 else None
        w("| %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |"
          % (n, size, us(dop), us(dba), us(cli.get(n)), us(rop), us(rba),
             peer("recrypt", "decrypt_l%d" % n), peer("umbral", "decrypt_l%d" % n),
             "%.0f" % rc if rc else "—"))
    w("")
    w("Per record, µs per CPU-second's worth (1e6 / rate). Core: bench_core --levels, "
      "batches of 1 000 values of one path, each batch from empty caches (the batched "
      "re-encryption computes the path's constant hops 2 … n−1 at the start of each batch, inside "
      "its rate). CLI: per line of a batch of 10 000 (levels 1, 3) or 2 000 values. Peers: their "
      "per-operation rates of the same run (test/bench/peers; no batch mode; recrypt has 3 levels "
      "here, umbral is single-hop); recrypt L1→Ln is the sum of its re-encryptions.")
    return "\n".join(out) + "\n", lv


def chart(outdir, lv, pe):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (apt-get install python3-matplotlib): no levels chart"
    cli = {int(r[1]): float(r[3]) for r in read_lines(os.path.join(outdir, "cli.tsv"), "cli")
           if r[0].startswith("l")}
    ns = [x[0] for x in lv]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.8))
    series = [
        ("decrypt, per operation", [x[1] for x in lv], "o-", "#1f77b4"),
        ("decrypt, batched on one path", [x[2] for x in lv], "o--", "#1f77b4"),
        ("re-encrypt L1→Ln hop by hop", [x[3] for x in lv], "s-", "#2ca02c"),
        ("re-encrypt L1→Ln along the path, batched", [x[4] for x in lv], "s--", "#2ca02c"),
    ]
    for ax in (a1, a2):
        for label, rates, style, color in series:
            pts = [(n, 1e6 / r) for n, r in zip(ns, rates) if r]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], style, color=color,
                    label="secant_pre core: " + label, markersize=4)
        if cli:
            pts = sorted((n, 1e6 / r) for n, r in cli.items() if r)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "^:", color="#9467bd",
                    label="secant-pre decrypt --batch (CLI, with validation)", markersize=4)
        ax.set_xlabel("ciphertext level n")
        ax.grid(alpha=0.3, which="both")
        ax.set_xticks(range(1, 17))
    a1.set_ylabel("µs per record (CPU)")
    a1.set_ylim(bottom=0)
    a1.set_title("secant_pre: per operation grows with n, batched stays flat", fontsize=9)
    peer_lines = []
    for name, color in (("recrypt", "#d62728"), ("umbral", "#ff7f0e")):
        ops = pe.get(name, {})
        pts = [(n, 1e6 / ops["decrypt_l%d" % n]) for n in (1, 2, 3) if ops.get("decrypt_l%d" % n)]
        if pts:
            peer_lines += a2.plot([p[0] for p in pts], [p[1] for p in pts], "D-", color=color,
                                  label=name + ": decrypt, per operation", markersize=5)
        chain, acc = [], 0.0
        for n in (2, 3):
            r = ops.get("reencrypt_l%d" % (n - 1))
            if not r:
                break
            acc += 1e6 / r
            chain.append((n, acc))
        if chain:
            peer_lines += a2.plot([p[0] for p in chain], [p[1] for p in chain], "x-", color=color,
                                  label=name + ": re-encrypt L1→Ln, per operation", markersize=6)
    a2.set_yscale("log")
    a2.set_ylabel("µs per record (CPU, log scale)")
    a2.set_title("with the peers' points (per operation; no batch mode)", fontsize=9)
    a1.legend(fontsize=7, loc="upper left")
    if peer_lines:
        a2.legend(handles=peer_lines, fontsize=7, loc="upper right")
    fig.suptitle("Cost per record against the level: per operation vs batched on one path", fontsize=10)
    fig.tight_layout()
    made = []
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(outdir, "levels." + ext), dpi=110)
        made.append(os.path.join(outdir, "levels." + ext))
    plt.close(fig)
    return "levels chart: " + ", ".join(made)


def main():
    outdir = sys.argv[1]
    sql = sys.argv[2:10] if len(sys.argv) >= 10 else None
    pe = peers(outdir)
    sys.stdout.write(targets(outdir, sql))
    md, lv = levels(outdir, pe)
    if md:
        sys.stdout.write("\n### Cost per record against the level (bench_core --levels, cli_batch.py)\n\n")
        sys.stdout.write(md)
        sys.stdout.write("\n![cost per record against the level](levels.png)\n")
        print(chart(outdir, lv, pe), file=sys.stderr)


if __name__ == "__main__":
    main()
