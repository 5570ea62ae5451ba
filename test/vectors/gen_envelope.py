#!/usr/bin/env python3
"""Compute and check the envelope vectors (test/vectors/envelope.json).

Usage: python3 test/vectors/gen_envelope.py [--write] [envelope.json]

The file's inputs are its key ciphertexts (bytes made by sp_encrypt and
sp_reencrypt with the fixed randomness listed beside them; their bytes are
taken as given here) and, for every case, the envelope version, data key,
nonce and plaintext.  This script computes every body from those inputs
with its own XChaCha20-Poly1305 (below, pure Python, checked against the
published test vectors at start) and the associated data of SCHEME.md,
"Envelopes", so the C code is checked against something that shares no code
with it.  It also checks that the bodies written by the old CLI (fixtures;
their data keys were found by decrypting their key ciphertexts with the
fixture's test key) open as v1, and that no invalid body opens.  Without --write it checks that the file holds exactly what it
computes (exit 1 on any difference); with --write it fills in the computed
fields.

Python 3 standard library only.
"""

import hashlib
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "envelope.json")

MARKER = b"SPEN\x02\x00\x00\x00"       # the v2 header H
CT_HEADER = 196                        # fixed ciphertext header, before aad
CT_P0 = 8
CT_AADLEN = 192
MASK32 = 0xFFFFFFFF


# ---- XChaCha20-Poly1305-IETF (RFC 8439, draft-irtf-cfrg-xchacha) ----

def _rotl(v, n):
    return ((v << n) & MASK32) | (v >> (32 - n))


def _rounds(state):
    """The 20 ChaCha rounds over a list of 16 words, in place."""
    def qr(a, b, c, d):
        s = state
        s[a] = (s[a] + s[b]) & MASK32
        s[d] = _rotl(s[d] ^ s[a], 16)
        s[c] = (s[c] + s[d]) & MASK32
        s[b] = _rotl(s[b] ^ s[c], 12)
        s[a] = (s[a] + s[b]) & MASK32
        s[d] = _rotl(s[d] ^ s[a], 8)
        s[c] = (s[c] + s[d]) & MASK32
        s[b] = _rotl(s[b] ^ s[c], 7)
    for _ in range(10):
        qr(0, 4, 8, 12), qr(1, 5, 9, 13), qr(2, 6, 10, 14), qr(3, 7, 11, 15)
        qr(0, 5, 10, 15), qr(1, 6, 11, 12), qr(2, 7, 8, 13), qr(3, 4, 9, 14)


def _initial(key, words):
    return [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574] + \
        list(struct.unpack("<8I", key)) + list(words)


def chacha20_block(key, counter, nonce12):
    init = _initial(key, (counter,) + struct.unpack("<3I", nonce12))
    state = list(init)
    _rounds(state)
    return struct.pack("<16I", *((a + b) & MASK32 for a, b in zip(state, init)))


def hchacha20(key, nonce16):
    state = _initial(key, struct.unpack("<4I", nonce16))
    _rounds(state)
    return struct.pack("<8I", *(state[0:4] + state[12:16]))


def chacha20_xor(key, counter, nonce12, data):
    out = bytearray()
    for i in range(0, len(data), 64):
        block = chacha20_block(key, counter + i // 64, nonce12)
        out += bytes(a ^ b for a, b in zip(data[i:i + 64], block))
    return bytes(out)


def poly1305(key, msg):
    r = int.from_bytes(key[:16], "little") & 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF
    s = int.from_bytes(key[16:], "little")
    p = (1 << 130) - 5
    acc = 0
    for i in range(0, len(msg), 16):
        n = int.from_bytes(msg[i:i + 16] + b"\x01", "little")
        acc = (acc + n) * r % p
    return ((acc + s) & ((1 << 128) - 1)).to_bytes(16, "little")


def _pad16(n):
    return b"\x00" * (-n % 16)


def _ietf_tag(key, nonce12, ad, c):
    otk = chacha20_block(key, 0, nonce12)[:32]
    mac = ad + _pad16(len(ad)) + c + _pad16(len(c)) + \
        struct.pack("<QQ", len(ad), len(c))
    return poly1305(otk, mac)


def _x_key_nonce(key, nonce24):
    return hchacha20(key, nonce24[:16]), b"\x00" * 4 + nonce24[16:]


def xchacha20poly1305_encrypt(key, nonce24, m, ad):
    sub, n12 = _x_key_nonce(key, nonce24)
    c = chacha20_xor(sub, 1, n12, m)
    return c + _ietf_tag(sub, n12, ad, c)


def xchacha20poly1305_decrypt(key, nonce24, sealed, ad):
    """The plaintext, or None if the tag does not verify."""
    if len(sealed) < 16:
        return None
    sub, n12 = _x_key_nonce(key, nonce24)
    c, tag = sealed[:-16], sealed[-16:]
    if _ietf_tag(sub, n12, ad, c) != tag:
        return None
    return chacha20_xor(sub, 1, n12, c)


def self_test():
    """Published vectors: RFC 8439 2.8.2 (the IETF AEAD) and the XChaCha
    draft's HChaCha20 (2.2.1) and AEAD (A.3.1) examples."""
    msg = (b"Ladies and Gentlemen of the class of '99: If I could offer you "
           b"only one tip for the future, sunscreen would be it.")
    key = bytes(range(0x80, 0xA0))
    ad = bytes.fromhex("50515253c0c1c2c3c4c5c6c7")
    n12 = bytes.fromhex("070000004041424344454647")
    c = chacha20_xor(key, 1, n12, msg)
    assert c[:16].hex() == "d31a8d34648e60db7b86afbc53ef7ec2", "RFC 8439 2.8.2"
    assert _ietf_tag(key, n12, ad, c).hex() == \
        "1ae10b594f09e26a7e902ecbd0600691", "RFC 8439 2.8.2 tag"
    assert hchacha20(bytes(range(32)),
                     bytes.fromhex("000000090000004a0000000031415927")).hex() == \
        "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc", \
        "HChaCha20"
    n24 = bytes(range(0x40, 0x58))
    sealed = xchacha20poly1305_encrypt(key, n24, msg, ad)
    assert sealed[:16].hex() == "bd6d179d3e83d43b9576579493c0e939", "XChaCha"
    assert sealed[-16:].hex() == "c0875924c1c7987947deafd8780acf49", "XChaCha tag"
    assert xchacha20poly1305_decrypt(key, n24, sealed, ad) == msg
    assert xchacha20poly1305_decrypt(key, n24, sealed, ad + b"x") is None


# ---- envelopes (SCHEME.md, "Envelopes") ----

def kad(ct):
    """KAD(C): "SPCT" || 0x01 || bytes 8 .. 196+A of the key ciphertext."""
    if len(ct) < CT_HEADER or ct[:5] != b"SPCT\x01":
        raise ValueError("not a key ciphertext")
    aadlen = struct.unpack_from("<I", ct, CT_AADLEN)[0]
    return ct[:5] + ct[CT_P0:CT_HEADER + aadlen]


def seal(version, data_key, nonce, ct, m):
    """(body, associated data) of a body of version."""
    header = MARKER if version == 2 else b""
    ad = header + kad(ct)
    return header + nonce + xchacha20poly1305_encrypt(data_key, nonce, m, ad), ad


def open_body(data_key, ct, body):
    """(version, plaintext) or None: the reading rule of SCHEME.md."""
    if len(body) < 40:
        return None
    if len(body) >= 48 and body[:8] == MARKER:
        m = xchacha20poly1305_decrypt(data_key, body[8:32], body[32:],
                                      MARKER + kad(ct))
        if m is not None:
            return 2, m
    m = xchacha20poly1305_decrypt(data_key, body[:24], body[24:], kad(ct))
    return (1, m) if m is not None else None


def label_bytes(label, n):
    """Fixed 'random' bytes of a case: BLAKE2b of a label."""
    return hashlib.blake2b(label.encode(), digest_size=n).digest()


def unhex(s):
    return bytes.fromhex(s)


def compute(doc):
    """Fill in ad and body of every case; check that the fixtures open and
    the invalid cases do not."""
    cts = {k: unhex(v["ciphertext"]) for k, v in doc["key_ciphertexts"].items()}
    for c in doc["cases"]:
        ct = cts[c["key_ciphertext"]]
        body, ad = seal(c["version"], unhex(c["data_key"]), unhex(c["nonce"]),
                        ct, unhex(c["plaintext"]))
        c["ad"], c["body"] = ad.hex(), body.hex()
        for other in c.get("also_opens_with", []):
            assert kad(cts[other]) == ad[len(ad) - len(kad(ct)):], other
        assert open_body(unhex(c["data_key"]), ct, body) == \
            (c["version"], unhex(c["plaintext"])), c["name"]
    for c in doc["fixtures"]:
        # bytes of the old CLI: they must open as the spec says
        got = open_body(unhex(c["data_key"]), cts[c["key_ciphertext"]],
                        unhex(c["body"]))
        if got != (c["version"], unhex(c["plaintext"])):
            raise ValueError("fixture %s does not open" % c["name"])
    for c in doc["invalid"]:
        ct = cts[c["key_ciphertext"]]
        if open_body(unhex(c["data_key"]), ct, unhex(c["body"])) is not None:
            raise ValueError("invalid case %s opens" % c["name"])
    return doc


def main(argv):
    args = [a for a in argv[1:] if a != "--write"]
    path = args[0] if args else DEFAULT
    self_test()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = compute(json.loads(text))
    out = json.dumps(doc, indent=2) + "\n"
    if "--write" in argv:
        with open(path, "w", encoding="utf-8") as f:
            f.write(out)
        return 0
    if out != text:
        sys.stderr.write("gen_envelope.py: %s differs from what the inputs "
                         "give (run with --write to see)\n" % path)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
