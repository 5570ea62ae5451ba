"""pgblog.py - pgbench results in the current directory, for revload.sh and
readaudit.sh (PYTHONPATH=test/bench): per-transaction logs logs/NAME.* (-l)
and pgbench's output NAME.out."""
import glob
import re


def lat(prefix):
    """latencies in ms of every transaction in logs/PREFIX.* (pgbench -l)"""
    out = []
    for f in glob.glob("logs/%s.*" % prefix):
        with open(f) as fh:
            for line in fh:
                p = line.split()
                if len(p) >= 6 and p[2].isdigit():
                    out.append(int(p[2]) / 1000.0)
    return sorted(out)


def pctl(xs, q):
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q
    i = int(k)
    j = min(i + 1, len(xs) - 1)
    return xs[i] + (xs[j] - xs[i]) * (k - i)


def _match(name, pattern, conv, default):
    with open(name + ".out") as fh:
        for line in fh:
            m = re.match(pattern, line)
            if m:
                return conv(m.group(1))
    return default


def tps(name):
    return _match(name, r"tps = ([0-9.]+) \(without initial connection time\)", float, float("nan"))


def failed(name):
    return _match(name, r"number of failed transactions: (\d+)", int, 0)


def processed(name):
    """transactions pgbench counts as done (committed: pgbench -n has no retries)"""
    return _match(name, r"number of transactions actually processed: (\d+)", int, 0)
