#!/usr/bin/env python3
"""Compute test/vectors/threshold.json: known answers of threshold grants
(docs/SCHEME.md, "Threshold grants"): grant shares, partials with their
proofs, and combinations, which must equal scheme-v1.json's re-encrypted
ciphertexts byte for byte; and values that must be refused.

Written from the text of SCHEME.md: scalar arithmetic (the polynomial,
Lagrange coefficients, the proof's response) in Python integers mod l,
points, hashes, signatures and sealed boxes by libsodium's primitives
called directly through ctypes; it shares no code with
src/core/sp_threshold.c.  The grants are the three hops of
scheme-v1.json (group -> user -> device -> backup), split 2-of-3, 3-of-5
and 1-of-2.

    python3 test/vectors/gen_threshold.py > test/vectors/threshold.json
    python3 test/vectors/gen_threshold.py --check    # the file is what this computes
    python3 test/vectors/gen_threshold.py --header   # C header of the file (unit tests)

Python 3 standard library and libsodium only.
"""

import ctypes
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gen_sealed import NA, blake2b, buf, key_id, sealing_key, seq, x25519_base  # noqa: E402

L = 2**252 + 27742317777372353535851937790883648493
G = bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76")
DST = b"secant-pre/v1/"
SHARE_MAGIC = b"SPTS\x01"
PARTIAL_MAGIC = b"SPTP\x01"

ERRORS = {
    "SP_ELENGTH": -3, "SP_EMAGIC": -4, "SP_EVERSION": -5, "SP_ERESERVED": -6,
    "SP_EPOINT": -10, "SP_ESCALAR": -11, "SP_ESIGNATURE": -13, "SP_ESAMEKEY": -14,
    "SP_EWRONGKEY": -22, "SP_EDECRYPT": -23, "SP_EDATABASE": -32,
    "SP_ETHRESHOLD": -33, "SP_ESHARE": -34, "SP_EPROOF": -35,
}


# ---- primitives ----

def le(v):
    return (v % L).to_bytes(32, "little")


def num(b):
    return int.from_bytes(b, "little")


def hs(tag, data):
    """Hs(tag, data): BLAKE2b-512 of DST(tag) || data, reduced mod l."""
    return num(blake2b(DST + tag + b"\0" + data, 64)) % L


def kdf(tag, data):
    return blake2b(DST + tag + b"\0" + data, 32)


def base_mul(s):
    out = buf(32)
    if NA.crypto_scalarmult_ristretto255_base(out, le(s)) != 0:
        raise ValueError("identity")
    return out.raw


def mul(s, p):
    out = buf(32)
    if NA.crypto_scalarmult_ristretto255(out, le(s), p) != 0:
        raise ValueError("identity")
    return out.raw


def add(p, q):
    out = buf(32)
    NA.crypto_core_ristretto255_add(out, p, q)
    return out.raw


def sub(p, q):
    out = buf(32)
    NA.crypto_core_ristretto255_sub(out, p, q)
    return out.raw


class Key:
    """A secret key from its seed (SCHEME.md "Keys")."""

    def __init__(self, seed):
        self.p = hs(b"sk", seed)
        pk, sk = buf(32), buf(64)
        NA.crypto_sign_seed_keypair(pk, sk, kdf(b"sign", seed))
        self.sign_sk = sk.raw
        self.public = base_mul(self.p) + pk.raw

    def sign(self, msg):
        sig = buf(64)
        NA.crypto_sign_detached(sig, None, msg, ctypes.c_ulonglong(len(msg)), self.sign_sk)
        return sig.raw


def sealed_box(plain, server_pk, seed):
    """crypto_box_seal's bytes with the ephemeral key made from seed."""
    epk, esk = buf(32), buf(32)
    NA.crypto_box_seed_keypair(epk, esk, seed)
    nonce = blake2b(epk.raw + server_pk, 24)
    box = buf(16 + len(plain))
    if NA.crypto_box_easy(box, plain, ctypes.c_ulonglong(len(plain)), nonce, server_pk, esk) != 0:
        raise ValueError("crypto_box_easy failed")
    return epk.raw + box.raw


def seal_open(box, server_pk, server_sk):
    out = buf(len(box) - 48)
    if NA.crypto_box_seal_open(out, box, ctypes.c_ulonglong(len(box)), server_pk, server_sk) != 0:
        return None
    return out.raw


# ---- the scheme's threshold section ----

def share_bytes(key, grant, t, n, i, commitments, server, rk_i, seed, inner_db=None):
    """Grant share i (SCHEME.md "Grant share"), signed by key."""
    head = SHARE_MAGIC + bytes([t, n, i]) + grant[8:168] + grant[200:208] + b"".join(commitments)
    plain = server["key_id"] + (inner_db or server["database"]) + le(rk_i)
    body = head + server["key_id"] + sealed_box(plain, server["public"], seed)
    return body + key.sign(body)


def head_of(share, i):
    """H_i: bytes 5 .. 176+32t of a share, byte 7 set to i."""
    t = share[5]
    return share[5:7] + bytes([i]) + share[8:176 + 32 * t]


def u_of(share, i):
    t = share[5]
    cs = [share[176 + 32 * j:208 + 32 * j] for j in range(t)]
    u = cs[0]
    for j in range(1, t):
        u = add(u, mul(pow(i, j, L), cs[j]))
    return u


def hop_base(ct):
    level = ct[5]
    if level == 1:
        return add(ct[72:104], ct[104:136])
    aadlen = num(ct[192:196])
    hop = 196 + aadlen + 128 * (level - 2)
    return ct[hop + 64:hop + 96]


def partial(share, rk_i, ct, rho, index=None):
    i = share[7] if index is None else index
    B = hop_base(ct)
    T = mul(rk_i, B)
    U = base_mul(rk_i)
    H = head_of(share, i)
    k = hs(b"tnonce", le(rk_i) + rho + B + H)
    R1, R2 = base_mul(k), mul(k, B)
    c = hs(b"dleq", G + B + U + T + R1 + R2 + H)
    z = (k + c * rk_i) % L
    return PARTIAL_MAGIC + bytes([i, 0, 0]) + T + le(c) + le(z)


def verify(p, share, ct):
    """The proof equation only (the layout cases are listed by hand)."""
    i, T, c, z = p[5], p[8:40], num(p[40:72]), num(p[72:104])
    B, U = hop_base(ct), u_of(share, i)
    R1 = sub(base_mul(z), mul(c, U))
    R2 = sub(mul(z, B), mul(c, T))
    return hs(b"dleq", G + B + U + T + R1 + R2 + head_of(share, i)) == c


def combine(ct, share, partials):
    idx = [p[5] for p in partials]
    T = None
    for p in partials:
        i = p[5]
        lam = 1
        for j in idx:
            if j != i:
                lam = lam * j * pow(j - i, -1, L) % L
        term = mul(lam, p[8:40])
        T = term if T is None else add(T, term)
    level = ct[5]
    body = 196 + num(ct[192:196]) + 128 * (level - 1)
    out = bytearray(ct[:body] + share[72:136] + share[136:168] + T + ct[body:])
    out[5] = level + 1
    return bytes(out)


# ---- the vectors ----

def servers():
    out = []
    for k in range(5):
        secret = seq(0x40 + 16 * k, 32)
        public = x25519_base(secret)
        database = seq(0xa0 + k, 16)
        out.append({"secret": secret, "public": public, "key_id": key_id(public),
                    "database": database, "sealing_key": sealing_key(public, database)})
    return out


SPLITS = [  # hop of scheme-v1.json, t, n, holders (server numbers), subsets combined
    (0, 2, 3, [0, 1, 2], [[1, 2], [1, 3], [3, 2]]),
    (1, 3, 5, [0, 1, 2, 3, 4], [[1, 2, 3], [2, 4, 5], [5, 3, 1]]),
    (2, 1, 2, [3, 4], [[1], [2]]),
]


def compute():
    with open(os.path.join(HERE, "scheme-v1.json"), encoding="utf-8") as f:
        kat = json.load(f)
    srv = servers()
    cts = [bytes.fromhex(kat["encrypt"]["ciphertext_level1"])] + \
        [bytes.fromhex(h["ciphertext_level%d" % (k + 2)]) for k, h in enumerate(kat["hops"])]
    grants, state = [], []
    for hop, t, n, holders, subsets in SPLITS:
        h = kat["hops"][hop]
        key = Key(bytes.fromhex(kat[h["from"]]["secret_key_seed"]))
        grant = bytes.fromhex(h["grant"])
        rk = num(grant[168:200])
        coeffs = [hs(b"vector-coefficient", bytes([hop, j])) for j in range(1, t)]
        poly = [rk] + coeffs
        commitments = [base_mul(a) for a in poly]
        seeds = [seq(0x10 * hop + 3 * i, 32) for i in range(1, n + 1)]
        shares, rks = [], []
        for i in range(1, n + 1):
            rk_i = sum(a * pow(i, j, L) for j, a in enumerate(poly)) % L
            sh = share_bytes(key, grant, t, n, i, commitments, srv[holders[i - 1]], rk_i, seeds[i - 1])
            opened = seal_open(sh[184 + 32 * t:288 + 32 * t], srv[holders[i - 1]]["public"],
                               srv[holders[i - 1]]["secret"])
            assert opened is not None and num(opened[24:]) == rk_i
            assert base_mul(rk_i) == u_of(sh, i)
            shares.append(sh)
            rks.append(rk_i)
        rhos = [bytes(32) if hop == 0 else seq(0x77 + i, 32) for i in range(1, n + 1)]
        ct = cts[hop]
        partials = [partial(shares[i], rks[i], ct, rhos[i]) for i in range(n)]
        for p in partials:
            assert verify(p, shares[0], ct)
        combos = []
        for s in subsets:
            res = combine(ct, shares[0], [partials[i - 1] for i in s])
            assert res == cts[hop + 1], "combination differs from the v1 re-encryption"
            combos.append({"indices": s, "result": res.hex()})
        grants.append({
            "hop": hop, "from": h["from"], "to": h["to"], "t": t, "n": n,
            "grant": grant.hex(), "holders": holders,
            "coefficients": [le(a).hex() for a in coeffs],
            "seeds": [s.hex() for s in seeds],
            "shares": [s.hex() for s in shares],
            "share_scalars": [le(r).hex() for r in rks],
            "ciphertext": ct.hex(), "rhos": [r.hex() for r in rhos],
            "partials": [p.hex() for p in partials],
            "combinations": combos,
        })
        state.append((key, grant, commitments, shares, rks, partials, holders, seeds, ct))
    return {
        "scheme": "secant-pre/v1 threshold grants",
        "note": ("hex of raw bytes (docs/SCHEME.md, 'Threshold grants'); servers[k] holds "
                 "grants[g].shares[i] when grants[g].holders[i] = k; every combination's "
                 "result is scheme-v1.json's re-encryption by the unsplit grant; "
                 "invalid values are checked against grants[0] (share 1, its ciphertext)"),
        "servers": [{k: v.hex() for k, v in s.items()} for s in srv],
        "grants": grants,
        "invalid": invalid(srv, state, kat),
    }


def invalid(srv, state, kat):
    key, grant, commitments, shares, rks, partials, holders, seeds, ct = state[0]
    sh, p1 = shares[0], partials[0]
    out = []

    def bad(kind, name, value, error, **extra):
        d = {"kind": kind, "name": name, "value": value.hex(), "error": error}
        d.update(extra)
        out.append(d)

    def edit(b, off, new):
        return b[:off] + new + b[off + len(new):]

    def resign(body):
        return body[:-64] + key.sign(body[:-64])

    # shares: public validity (sp_tshare_validate)
    bad("share", "truncated", sh[:-1], "SP_ELENGTH")
    bad("share", "shorter than any share", sh[:383], "SP_ELENGTH")
    bad("share", "magic", edit(sh, 0, b"SPTX"), "SP_EMAGIC")
    bad("share", "version 2", edit(sh, 4, b"\x02"), "SP_EVERSION")
    bad("share", "t = 0", edit(sh, 5, b"\x00"), "SP_ETHRESHOLD")
    bad("share", "t > n", edit(sh, 6, b"\x01"), "SP_ETHRESHOLD")
    bad("share", "n = 17", edit(sh, 6, b"\x11"), "SP_ETHRESHOLD")
    bad("share", "index 0", edit(sh, 7, b"\x00"), "SP_ETHRESHOLD")
    bad("share", "index above n", edit(sh, 7, b"\x04"), "SP_ETHRESHOLD")
    bad("share", "t = 3 with the length of t = 2", edit(edit(sh, 5, b"\x03"), 6, b"\x03"), "SP_ELENGTH")
    bad("share", "commitment C_1 the identity", resign(edit(sh, 208, bytes(32))), "SP_EPOINT")
    bad("share", "commitment C_1 not canonical", resign(edit(sh, 208, b"\xff" * 32)), "SP_EPOINT")
    bad("share", "X not a valid point", resign(edit(sh, 136, b"\xff" * 32)), "SP_EPOINT")
    bad("share", "from = to", resign(edit(sh, 72, sh[8:72])), "SP_ESAMEKEY")
    bad("share", "not_after changed", edit(sh, 168, b"\x01"), "SP_ESIGNATURE")
    bad("share", "commitment C_0 of another grant", edit(sh, 176, commitments[1]), "SP_ESIGNATURE")
    bad("share", "signature flipped", edit(sh, len(sh) - 1, bytes([sh[-1] ^ 1])), "SP_ESIGNATURE")
    user = Key(bytes.fromhex(kat["user"]["secret_key_seed"]))
    bad("share", "signed by the grantee", sh[:-64] + user.sign(sh[:-64]), "SP_ESIGNATURE")
    # shares: opening by holder 1 (sp_tshare_open with servers[holders[0]])
    s0 = srv[holders[0]]
    t = sh[5]
    bad("open", "share 2 opened by holder 1", shares[1], "SP_EWRONGKEY")
    bad("open", "sealed box modified", resign(edit(sh, 184 + 32 * t + 40, bytes([sh[184 + 32 * t + 40] ^ 1]))),
        "SP_EDECRYPT")
    bad("open", "sealed for another database",
        share_bytes(key, grant, 2, 3, 1, commitments, s0, rks[0], seeds[0], inner_db=srv[4]["database"]),
        "SP_EDATABASE")
    bad("open", "share scalar zero", share_bytes(key, grant, 2, 3, 1, commitments, s0, 0, seeds[0]), "SP_ESCALAR")
    bad("open", "share scalar not on the polynomial",
        share_bytes(key, grant, 2, 3, 1, commitments, s0, rks[0] + 1, seeds[0]), "SP_ESHARE")
    bad("open", "share scalar of index 2 under index 1",
        share_bytes(key, grant, 2, 3, 1, commitments, s0, rks[1], seeds[0]), "SP_ESHARE")
    # partials: sp_tpartial_verify against share 1 and the level-1 ciphertext
    bad("partial", "magic", edit(p1, 0, b"SPTQ"), "SP_EMAGIC")
    bad("partial", "version 2", edit(p1, 4, b"\x02"), "SP_EVERSION")
    bad("partial", "reserved byte", edit(p1, 6, b"\x01"), "SP_ERESERVED")
    bad("partial", "index 0", edit(p1, 5, b"\x00"), "SP_ETHRESHOLD")
    bad("partial", "index above n", edit(p1, 5, b"\x04"), "SP_ETHRESHOLD")
    bad("partial", "T_i the identity", edit(p1, 8, bytes(32)), "SP_EPOINT")
    bad("partial", "T_i not canonical", edit(p1, 8, b"\xff" * 32), "SP_EPOINT")
    bad("partial", "c zero", edit(p1, 40, bytes(32)), "SP_ESCALAR")
    bad("partial", "z = l", edit(p1, 72, L.to_bytes(32, "little")), "SP_ESCALAR")
    bad("partial", "T_i of holder 2", edit(p1, 8, partials[1][8:40]), "SP_EPROOF")
    bad("partial", "c + 1", edit(p1, 40, le(num(p1[40:72]) + 1)), "SP_EPROOF")
    bad("partial", "z + 1", edit(p1, 72, le(num(p1[72:104]) + 1)), "SP_EPROOF")
    bad("partial", "holder 1's proof under index 2", edit(p1, 5, b"\x02"), "SP_EPROOF")
    bad("partial", "a valid proof for a wrong share scalar", partial(sh, rks[0] + 1, ct, bytes(32)), "SP_EPROOF")
    bad("partial", "proof made for index 2's head with scalar 1",
        partial(sh, rks[0], ct, bytes(32), index=2), "SP_EPROOF")
    T2 = mul(2, p1[8:40])
    bad("partial", "2·T_i with the proof of T_i", edit(p1, 8, T2), "SP_EPROOF")
    # combinations of grants[0]'s partials for its ciphertext (sp_tcombine)
    bad("combine", "one partial of a 2-of-3 grant", p1, "SP_ETHRESHOLD")
    bad("combine", "three partials of a 2-of-3 grant", p1 + partials[1] + partials[2], "SP_ETHRESHOLD")
    bad("combine", "the same index twice", p1 + p1, "SP_ETHRESHOLD")
    bad("combine", "a wrong partial among two", p1 + edit(partials[1], 8, p1[8:40]), "SP_EPROOF")
    return out


def c_bytes(b):
    return "{" + ",".join("0x%02x" % x for x in b) + "}"


def header(v):
    """The C header test/unit/test_threshold.c includes."""
    w = ["/* Generated by test/vectors/gen_threshold.py --header from threshold.json.  Do not edit. */",
         "#define TV_NSERVERS %d" % len(v["servers"]),
         "static const struct { uint8_t secret[32], database[16], sealing_key[64]; } tv_servers[] = {"]
    for s in v["servers"]:
        w.append("\t{%s, %s, %s}," % (c_bytes(bytes.fromhex(s["secret"])), c_bytes(bytes.fromhex(s["database"])),
                                       c_bytes(bytes.fromhex(s["sealing_key"]))))
    w.append("};")
    for g, gr in enumerate(v["grants"]):
        t, n = gr["t"], gr["n"]
        w.append("static const uint8_t tv_g%d_grant[] = %s;" % (g, c_bytes(bytes.fromhex(gr["grant"]))))
        w.append("static const uint8_t tv_g%d_ct[] = %s;" % (g, c_bytes(bytes.fromhex(gr["ciphertext"]))))
        w.append("static const uint8_t tv_g%d_coeffs[] = %s;" % (g, c_bytes(b"".join(bytes.fromhex(c) for c in gr["coefficients"]) or b"\0")))
        w.append("static const uint8_t tv_g%d_seeds[] = %s;" % (g, c_bytes(b"".join(bytes.fromhex(c) for c in gr["seeds"]))))
        w.append("static const uint8_t tv_g%d_shares[] = %s;" % (g, c_bytes(b"".join(bytes.fromhex(c) for c in gr["shares"]))))
        w.append("static const uint8_t tv_g%d_scalars[] = %s;" % (g, c_bytes(b"".join(bytes.fromhex(c) for c in gr["share_scalars"]))))
        w.append("static const uint8_t tv_g%d_rhos[] = %s;" % (g, c_bytes(b"".join(bytes.fromhex(c) for c in gr["rhos"]))))
        w.append("static const uint8_t tv_g%d_partials[] = %s;" % (g, c_bytes(b"".join(bytes.fromhex(c) for c in gr["partials"]))))
        w.append("static const int tv_g%d_holders[] = {%s};" % (g, ",".join(str(x) for x in gr["holders"])))
        w.append("static const uint8_t tv_g%d_result[] = %s;" % (g, c_bytes(bytes.fromhex(gr["combinations"][0]["result"]))))
        w.append("static const int tv_g%d_subsets[][%d] = {%s};" % (g, t, ",".join(
            "{" + ",".join(str(i) for i in c["indices"]) + "}" for c in gr["combinations"])))
    w.append("typedef struct tv_grant { const char *from; int t, n, hop; const uint8_t *grant, *ct, *coeffs, *seeds, "
             "*shares, *scalars, *rhos, *partials, *result; const int *holders; const int *subsets; int nsubsets; "
             "size_t ctlen; } tv_grant;")
    w.append("static const tv_grant tv_grants[] = {")
    for g, gr in enumerate(v["grants"]):
        w.append("\t{\"%s\", %d, %d, %d, tv_g%d_grant, tv_g%d_ct, tv_g%d_coeffs, tv_g%d_seeds, tv_g%d_shares, "
                 "tv_g%d_scalars, tv_g%d_rhos, tv_g%d_partials, tv_g%d_result, tv_g%d_holders, &tv_g%d_subsets[0][0], "
                 "%d, sizeof tv_g%d_ct}," % ((gr["from"], gr["t"], gr["n"], gr["hop"]) + (g,) * 11 +
                                             (len(gr["combinations"]), g)))
    w.append("};")
    w.append("typedef struct tv_invalid { const char *kind, *name; int error; size_t len; const uint8_t *value; } tv_invalid;")
    for k, b in enumerate(v["invalid"]):
        w.append("static const uint8_t tv_bad%d[] = %s;" % (k, c_bytes(bytes.fromhex(b["value"]))))
    w.append("static const tv_invalid tv_invalids[] = {")
    for k, b in enumerate(v["invalid"]):
        w.append("\t{\"%s\", \"%s\", %d, sizeof tv_bad%d, tv_bad%d}," % (b["kind"], b["name"], ERRORS[b["error"]], k, k))
    w.append("};")
    return "\n".join(w) + "\n"


def main(argv):
    path = os.path.join(HERE, "threshold.json")
    if "--header" in argv:
        with open(path, encoding="utf-8") as f:
            sys.stdout.write(header(json.load(f)))
        return 0
    v = compute()
    if "--check" in argv:
        with open(path, encoding="utf-8") as f:
            ok = json.load(f) == v
        print("threshold.json is what gen_threshold.py computes" if ok else
              "threshold.json differs from what gen_threshold.py computes")
        return 0 if ok else 1
    json.dump(v, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
