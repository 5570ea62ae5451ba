#!/usr/bin/python3
"""test/bench/py_batch.py [N] - batch decryption rates, Python against the
core: N values (default 2000) at levels 1, 3 and 5, all on one grant path,
decrypted (a) in C through sp_decrypt_cached (test/bench/batch_rate.c,
built with pkg-config against the installed library), (b) in Python with
Decryptor.decrypt_many on Ciphertext objects, (c) the same from bytes as a
binary psycopg loader would give them with full validation
(Ciphertext.from_bytes, then decrypt), (d) from bytes with the layout
checked only (register(conn, validate_ciphertexts=False)); and for scale
the CLI, `secant-pre decrypt --batch` on text lines and one process per
value (what the Python client of the issue did), at level 3.  A measurement, not a test: prints
a table, asserts nothing.  Needs the installed library and package
(PYTHONPATH, PKG_CONFIG_PATH for a LIBPREFIX other than /usr/local)."""
import os
import subprocess
import sys
import tempfile
import time

import secant_pre as sp

CLI = os.environ.get("SECANT_PRE_CLI", "secant-pre")

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
here = os.path.dirname(os.path.abspath(__file__))
exe = os.path.join(tempfile.mkdtemp(), "batch_rate")
flags = subprocess.run(["pkg-config", "--cflags", "--libs", "secant-pre"], capture_output=True,
                       text=True, check=True).stdout.split()
subprocess.run(["cc", "-O2", "-o", exe, os.path.join(here, "batch_rate.c")] + flags, check=True)


def path_values(level, n):
    keys = [sp.SecretKey.generate() for _ in range(level)]
    grants = [keys[k].grant(keys[k + 1].public_key) for k in range(level - 1)]
    cts = []
    for _ in range(n):
        ct = keys[0].public_key.encrypt(os.urandom(32))
        for g in grants:
            ct = ct.reencrypt(g)
        cts.append(ct)
    return keys[-1], cts


def rate(fn, n):
    t0 = time.perf_counter()
    fn()
    return n / (time.perf_counter() - t0)


print("values/s, %d values of 32 bytes on one path, best of 3" % N)
print("| level | C core (sp_decrypt_cached) | Python decrypt_many | Python from bytes, validated "
      "| Python from bytes, layout only |")
print("| --- | --- | --- | --- | --- |")
for level in (1, 3, 5):
    c = max(float(subprocess.run([exe, str(N), str(level)], capture_output=True, text=True,
                                 check=True).stdout.split()[1]) for _ in range(3))
    key, cts = path_values(level, N)
    raw = [ct.to_bytes() for ct in cts]

    def objects():
        with key.decryptor() as d:
            d.decrypt_many(cts)

    def from_bytes():
        with key.decryptor() as d:
            d.decrypt_many([sp.Ciphertext.from_bytes(b) for b in raw])

    def unchecked():
        with key.decryptor() as d:
            d.decrypt_many(raw)

    p1, p2, p3 = (max(rate(f, N) for _ in range(3)) for f in (objects, from_bytes, unchecked))
    print("| %d | %.0f | %.0f (%.0f %%) | %.0f (%.0f %%) | %.0f (%.0f %%) |"
          % (level, c, p1, 100 * p1 / c, p2, 100 * p2 / c, p3, 100 * p3 / c))


key, cts = path_values(3, N)
tmp = tempfile.mkdtemp()
kf = os.path.join(tmp, "sk")
with open(os.open(kf, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
    f.write(key.to_text() + "\n")
lines = ("\n".join(ct.to_text() for ct in cts) + "\n").encode()


def cli_batch():
    subprocess.run([CLI, "decrypt", "--secret-key", kf, "--batch"], input=lines, capture_output=True, check=True)


def cli_each():
    for ct in cts[:200]:
        subprocess.run([CLI, "decrypt", "--secret-key", kf], input=ct.to_text().encode(),
                       capture_output=True, check=True)


print("\nlevel 3, the CLI: decrypt --batch %.0f values/s; one process per value %.0f values/s"
      % (max(rate(cli_batch, N) for _ in range(3)), rate(cli_each, 200)))
