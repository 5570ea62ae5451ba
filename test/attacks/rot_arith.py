#!/usr/bin/python3
"""test/attacks/rot_arith.py - the arithmetic an attacker can try on values
it obtained, with every secret it holds (test/attacks/rotation.sh).

Independent of the C code: the scheme of docs/SCHEME.md over libsodium
through ctypes (Python standard library only).  Reads JSON on stdin:

  seeds     hex secret key seeds the attacker holds (its user, its device,
            a leaked group key)
  harvest   hex ciphertexts it could decrypt legitimately before the
            rotation, at its device: every d met on the way is kept
  scalars   extra hex scalars it learnt otherwise
  sanity    hex ciphertexts it must be able to open (proves the sweep works)
  targets   hex ciphertexts written or produced after the rotation

Candidates: the PRE scalars of the seeds, the harvested d, their inverses
and every product of two of those.  For each ciphertext every candidate x
is tried as the holder's scalar at the current recipient (x.X or x.(E+V)
and the hops unwound), and as a known d at every hop k (D = x.T_k, the
hops below unwound).  Prints "harvested N", "sanity A/B", "targets C/D"
(C: how many targets opened) and the plaintexts opened.
"""
import ctypes
import ctypes.util
import json
import sys

na = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
assert na.sodium_init() >= 0
buf = ctypes.create_string_buffer


def dst(tag):
    return b"secant-pre/v1/" + tag + b"\0"


def blake(n, data):
    out = buf(n)
    assert na.crypto_generichash(out, ctypes.c_size_t(n), data, ctypes.c_ulonglong(len(data)), None, ctypes.c_size_t(0)) == 0
    return out.raw


def hs(tag, data):
    out = buf(32)
    na.crypto_core_ristretto255_scalar_reduce(out, blake(64, dst(tag) + data))
    return out.raw


def kdf(tag, data):
    return blake(32, dst(tag) + data)


def smul(n, p):
    out = buf(32)
    if na.crypto_scalarmult_ristretto255(out, n, p) != 0:
        return None
    return out.raw


def padd(p, q):
    out = buf(32)
    assert na.crypto_core_ristretto255_add(out, p, q) == 0
    return out.raw


def scmul(a, b):
    out = buf(32)
    na.crypto_core_ristretto255_scalar_mul(out, a, b)
    return out.raw


def scinv(a):
    out = buf(32)
    if na.crypto_core_ristretto255_scalar_invert(out, a) != 0:
        return None
    return out.raw


def aead_open(key, nonce, c, ad):
    m = buf(max(len(c) - 16, 1))
    mlen = ctypes.c_ulonglong(0)
    rc = na.crypto_aead_xchacha20poly1305_ietf_decrypt(
        m, ctypes.byref(mlen), None, c, ctypes.c_ulonglong(len(c)), ad,
        ctypes.c_ulonglong(len(ad)), nonce, key)
    return m.raw[:mlen.value] if rc == 0 else None


def parse(ct):
    level = ct[5]
    p0, e, v = ct[8:72], ct[72:104], ct[104:136]
    nonce = ct[168:192]
    a = int.from_bytes(ct[192:196], "little")
    hops_at = 196 + a
    hops = [ct[hops_at + 128 * k: hops_at + 128 * (k + 1)] for k in range(level - 1)]
    body = ct[hops_at + 128 * (level - 1):]
    ad = b"SPCT\x01" + ct[8:196 + a]
    return p0, e, v, nonce, hops, body, ad


def unwind(hops, k, d_point, learnt):
    """D at hop k (1-based, D = p_{P_k} . X_k): unwind to the capsule S."""
    for j in range(k, 0, -1):
        hop = hops[j - 1]
        pk, x, t = hop[0:64], hop[64:96], hop[96:128]
        d = hs(b"delegate", x + pk[0:32] + d_point)
        learnt.add(d)
        d_point = smul(d, t)
        if d_point is None:
            return None
    return d_point


def try_open(ct, cands, learnt):
    p0, e, v, nonce, hops, body, ad = parse(ct)
    n = len(hops)
    ev = padd(e, v)
    for x in cands:
        attempts = []
        if n == 0:
            attempts.append(smul(x, ev))
        else:
            s = smul(x, hops[-1][64:96])
            if s is not None:
                attempts.append(unwind(hops, n, s, learnt))
            for k in range(1, n + 1):
                d_point = smul(x, hops[k - 1][96:128])  # x as the d of hop k
                if d_point is not None:
                    attempts.append(unwind(hops, k - 1, d_point, learnt))
        for s in attempts:
            if s is None:
                continue
            m = aead_open(kdf(b"dem", p0 + e + v + s), nonce, body, ad)
            if m is not None:
                return m
    return None


def main():
    job = json.load(sys.stdin)
    base = [hs(b"sk", bytes.fromhex(h)) for h in job.get("seeds", [])]
    base += [bytes.fromhex(h) for h in job.get("scalars", [])]
    learnt = set()
    for h in job.get("harvest", []):
        try_open(bytes.fromhex(h), base, learnt)
    singles = list(dict.fromkeys(base + sorted(learnt)))
    singles += [i for i in (scinv(x) for x in singles) if i is not None]
    cands = list(dict.fromkeys(singles + [scmul(a, b) for a in singles for b in singles]))
    print("harvested %d" % len(learnt))
    sane = [try_open(bytes.fromhex(h), cands, set()) for h in job.get("sanity", [])]
    print("sanity %d/%d" % (sum(m is not None for m in sane), len(sane)))
    got = [try_open(bytes.fromhex(h), cands, set()) for h in job.get("targets", [])]
    print("targets %d/%d" % (sum(m is not None for m in got), len(got)))
    for m in got:
        if m is not None:
            print("opened: %r" % m)


main()
