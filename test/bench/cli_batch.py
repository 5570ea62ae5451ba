#!/usr/bin/env python3
"""test/bench/cli_batch.py - the CLI's batch decryption against the level.

usage: cli_batch.py SECANT_PRE DIR [ROUNDS]

DIR holds what `bench_core --cli-input DIR N` wrote: key files k0.sk ..
k16.sk, lN.txt (N values of level N on one path, for k(N-1).sk) and
p100.txt (N level-3 values on 100 paths, for k2.sk).  Each run is one
`secant-pre decrypt --secret-key ... --batch` over a whole file (level 1,
level 3 and the 100 paths: every line; the other levels: the first
CHART_VALUES lines), timed by the CPU time of the child (user + system,
from wait4), so that time the scheduler gives to other work does not
count; every line of the output must say "ok":true.  The runs go round all
files in turn ROUNDS times (default 3), best kept.  Prints tab-separated
lines:

  cli  KEY  LEVEL  VALUES  VALUES_PER_CPU_S  VALUES_PER_WALL_S
"""
import os
import subprocess
import sys
import tempfile
import time

CHART_VALUES = 2000


def run(binary, key, lines):
    """CPU seconds and wall seconds of one batch over lines (bytes)."""
    with tempfile.TemporaryFile() as inp, tempfile.TemporaryFile() as out:
        inp.write(lines)
        inp.seek(0)
        t0 = time.monotonic()
        p = subprocess.Popen([binary, "decrypt", "--secret-key", key, "--batch"],
                             stdin=inp, stdout=out, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
        out.seek(0)
        res = out.read().splitlines()
    n = lines.count(b"\n")
    good = sum(1 for r in res if b'"ok":true' in r)
    if p.returncode != 0 or good != n:
        sys.exit("cli_batch.py: %d of %d lines decrypted (exit %d): %s"
                 % (good, n, p.returncode, err.strip()))
    return ru.ru_utime + ru.ru_stime, wall


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, d = os.path.abspath(sys.argv[1]), sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    jobs = []
    for n in range(1, 17):
        with open(os.path.join(d, "l%d.txt" % n), "rb") as f:
            lines = f.read()
        if n not in (1, 3):
            lines = b"".join(lines.splitlines(keepends=True)[:CHART_VALUES])
        jobs.append(("l%d" % n, n, os.path.join(d, "k%d.sk" % (n - 1)), lines))
    with open(os.path.join(d, "p100.txt"), "rb") as f:
        jobs.append(("p100", 3, os.path.join(d, "k2.sk"), f.read()))
    best = {}
    for r in range(rounds):
        print("cli_batch.py: round %d/%d" % (r + 1, rounds), file=sys.stderr)
        for key, _, sk, lines in jobs:
            cpu, wall = run(binary, sk, lines)
            b = best.setdefault(key, [cpu, wall])
            b[0], b[1] = min(b[0], cpu), min(b[1], wall)
    for key, n, _, lines in jobs:
        count = lines.count(b"\n")
        cpu, wall = best[key]
        print("cli\t%s\t%d\t%d\t%.1f\t%.1f" % (key, n, count, count / cpu, count / wall))


if __name__ == "__main__":
    main()
