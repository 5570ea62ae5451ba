#!/usr/bin/env python3
"""Compute test/vectors/sealed.json: known answers of sealed grants and
sealing keys (docs/SCHEME.md, "Sealed grants").

The bytes are laid out here by hand from the text of SCHEME.md, with
libsodium's primitives called directly through ctypes (X25519 base point
multiplication, BLAKE2b, crypto_box_seed_keypair, crypto_box_easy); it
shares no code with src/core/sp_seal.c.  Each sealed grant is also opened
with libsodium's own crypto_box_seal_open, so the format is a standard
sealed box.  The grants are the known-answer grants of scheme-v1.json.

    python3 test/vectors/gen_sealed.py > test/vectors/sealed.json
    python3 test/vectors/gen_sealed.py --check     # the file is what this computes

Python 3 standard library and libsodium (libsodium23) only.
"""

import ctypes
import ctypes.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NA = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
if NA.sodium_init() < 0:
    raise SystemExit("gen_sealed.py: sodium_init failed")

SEALKEY_MAGIC = b"SPSK\x01\x00\x00\x00"
SEALED_MAGIC = b"SPSG\x01\x00\x00\x00"


def buf(n):
    return ctypes.create_string_buffer(n)


def x25519_base(s):
    out = buf(32)
    if NA.crypto_scalarmult_base(out, s) != 0:
        raise ValueError("bad server secret")
    return out.raw


def blake2b(data, n):
    out = buf(n)
    NA.crypto_generichash(out, ctypes.c_size_t(n), data, ctypes.c_ulonglong(len(data)), None, ctypes.c_size_t(0))
    return out.raw


def key_id(server_pk):
    return blake2b(server_pk, 32)[:8]


def sealing_key(server_pk, dbid):
    return SEALKEY_MAGIC + key_id(server_pk) + server_pk + dbid


def seal(grant, server_pk, dbid, seed, inner_key_id=None):
    """crypto_box_seal with the ephemeral key pair made from seed."""
    epk, esk = buf(32), buf(32)
    NA.crypto_box_seed_keypair(epk, esk, seed)
    nonce = blake2b(epk.raw + server_pk, 24)
    plain = (inner_key_id or key_id(server_pk)) + dbid + grant
    box = buf(16 + len(plain))
    if NA.crypto_box_easy(box, plain, ctypes.c_ulonglong(len(plain)), nonce, server_pk, esk) != 0:
        raise ValueError("crypto_box_easy failed")
    return SEALED_MAGIC + key_id(server_pk) + epk.raw + box.raw


def seal_open(sealed, server_pk, server_sk):
    """libsodium's own crypto_box_seal_open of the box (bytes 16..)."""
    box = sealed[16:]
    out = buf(len(box) - 48)
    if NA.crypto_box_seal_open(out, box, ctypes.c_ulonglong(len(box)), server_pk, server_sk) != 0:
        return None
    return out.raw


def seq(first, n):
    return bytes((first + i) & 0xFF for i in range(n))


def compute():
    with open(os.path.join(HERE, "scheme-v1.json"), encoding="utf-8") as f:
        kat = json.load(f)
    grants = [bytes.fromhex(h["grant"]) for h in kat["hops"]]
    servers = [
        {"name": "server A", "secret": seq(0x70, 32), "dbid": seq(0x90, 16)},
        {"name": "server B", "secret": seq(0xC0, 32), "dbid": seq(0xE0, 16)},
    ]
    for s in servers:
        s["public"] = x25519_base(s["secret"])
    vectors = []
    for i, g in enumerate(grants):
        s = servers[i % 2]
        seed = seq(0xA0 + i, 32)
        sealed = seal(g, s["public"], s["dbid"], seed)
        opened = seal_open(sealed, s["public"], s["secret"])
        assert opened == key_id(s["public"]) + s["dbid"] + g, "crypto_box_seal_open disagrees"
        assert len(sealed) == 360
        vectors.append({
            "name": "grant %d (hops[%d]) sealed to %s" % (i + 1, i, s["name"]),
            "server_secret": s["secret"].hex(),
            "server_public": s["public"].hex(),
            "key_id": key_id(s["public"]).hex(),
            "database_identity": s["dbid"].hex(),
            "sealing_key": sealing_key(s["public"], s["dbid"]).hex(),
            "seed": seed.hex(),
            "grant": g.hex(),
            "sealed": sealed.hex(),
        })
    a, b = servers
    g = grants[0]
    good = seal(g, a["public"], a["dbid"], seq(0xA0, 32))

    def flip(data, at):
        return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]

    # each opened with server A's secret and identity
    invalid = [
        {"name": "sealed for another database (inner identity)", "error": "database",
         "sealed": seal(g, a["public"], b["dbid"], seq(0xA5, 32)).hex()},
        {"name": "sealed to another server key", "error": "wrong_key",
         "sealed": seal(g, b["public"], a["dbid"], seq(0xA6, 32)).hex()},
        {"name": "outer key id changed", "error": "wrong_key", "sealed": flip(good, 8).hex()},
        {"name": "ciphertext byte changed", "error": "decrypt", "sealed": flip(good, 200).hex()},
        {"name": "tag byte changed", "error": "decrypt", "sealed": flip(good, 50).hex()},
        {"name": "ephemeral key changed", "error": "decrypt", "sealed": flip(good, 20).hex()},
        {"name": "bad magic", "error": "layout", "sealed": flip(good, 0).hex()},
        {"name": "bad version", "error": "layout", "sealed": (good[:4] + b"\x02" + good[5:]).hex()},
        {"name": "reserved byte set", "error": "layout", "sealed": (good[:6] + b"\x01" + good[7:]).hex()},
        {"name": "inner key id differs from the outer one", "error": "wrong_key",
         "sealed": seal(g, a["public"], a["dbid"], seq(0xA7, 32), inner_key_id=key_id(b["public"])).hex()},
    ]
    return {
        "scheme": "secant-pre/v1",
        "note": "hex of raw bytes; sealed grants (docs/SCHEME.md); invalid values are opened with vectors[0]'s server secret and database identity",
        "vectors": vectors,
        "invalid": invalid,
    }


def main(argv):
    text = json.dumps(compute(), indent=2) + "\n"
    if argv[1:] == ["--check"]:
        with open(os.path.join(HERE, "sealed.json"), encoding="utf-8") as f:
            if f.read() != text:
                raise SystemExit("gen_sealed.py: test/vectors/sealed.json differs from what this computes")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
