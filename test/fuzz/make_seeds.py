#!/usr/bin/env python3
"""make_seeds.py - write the seed corpora of the secant_pre fuzz harnesses.

Reads the known-answer vectors (test/vectors/scheme-v1.json), the
refusal catalogue (test/vectors/scheme-v1-invalid.json) and the envelope
vectors (test/vectors/envelope.json) and writes one file
per seed into OUT/<harness>/ (default OUT: build/fuzz/corpus under the
repository).  Python 3 standard library only.  Never writes into the
repository's tracked tree: OUT must be outside it or under build/.

Seed files are named seed-<name>; existing files of that name are
overwritten, other files (inputs libFuzzer added) are left alone.

Usage: python3 test/fuzz/make_seeds.py [--out DIR]
"""

import argparse
import base64
import binascii
import json
import os
import struct
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VECTORS = os.path.join(ROOT, "test", "vectors", "scheme-v1.json")
INVALID = os.path.join(ROOT, "test", "vectors", "scheme-v1-invalid.json")
ENVELOPE = os.path.join(ROOT, "test", "vectors", "envelope.json")
KEYFILE = os.path.join(ROOT, "test", "vectors", "keyfile.json")

HARNESSES = ("ciphertext", "grant", "public_key", "secret_key", "token",
             "text", "keywords", "inspect", "roundtrip", "envelope", "cache",
             "threshold")

PREFIX = {
    "pre_secret_key": "presk_",
    "pre_public_key": "prepk_",
    "pre_grant": "pregrant_",
    "pre_ciphertext": "prect_",
    "pre_token": "pretok_",
}

# fixed-layout offsets (SCHEME.md): ciphertext aad length field, aad start
CT_AADLEN = 192
CT_AAD = 196


def b64(data):
    """Unpadded base64url, the text form's encoding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text):
    """Lenient base64url decode (for refusal cases); None if impossible."""
    text = text.strip().rstrip("=")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def text_form(type_name, data):
    return PREFIX[type_name] + b64(data)


def long_aad_ciphertext(ct, aadlen):
    """A level-1 ciphertext with its aad grown to aadlen bytes.

    The capsule does not cover the aad, so the value stays valid (it fails
    only at decryption): this reaches the heap-allocated AD path.
    """
    old = struct.unpack_from("<I", ct, CT_AADLEN)[0]
    aad = bytes((i * 7 + 3) & 0xFF for i in range(aadlen))
    out = bytearray(ct[:CT_AAD]) + aad + ct[CT_AAD + old:]
    struct.pack_into("<I", out, CT_AADLEN, aadlen)
    return bytes(out)


def keyword_seeds():
    """Keywords and documents for normalisation and tokenisation."""
    words = [
        "diabetes",
        "  Diabetes\t",
        "HbA1c 7.9 %, patient 4711",
        "Observation: HbA1c 7.9 %, patient 4711",
        "Stra\u00dfe STRASSE stra\u00dfe",
        "\u00c9cole e\u0301cole ECOLE",
        "\ufb01le \u01c5 \u2163 \u00bd \u2460",
        "\uff21\uff22\uff23 \uff76\uff9e",
        "\u1100\u1161\u11a8 \uac01",
        "\u0391\u0345 \u1fb3 \u03c3\u03c2\u03a3",
        "x\u0323\u0307 s\u0323\u0307 a\u0328\u0301",
        "\u200bzero\u200dwidth\u00adsoft\ufeff",
        "\u3000ideographic\u3000space\u2028line\u2029para\u0085",
        "\u0130stanbul \u0131",
        "na\u00efve caf\u00e9 r\u00e9sum\u00e9",
        "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8",
        "\U0001d400\U0001d401 \U0001f600 emoji",
        "\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u05e2\u05d1\u05e8\u05d9\u05ea",
        "a-b_c.d/e:f;g,h!i?j",
        "\u0301\u0301\u0301 -\u0338x",
        "",
        " ",
        "abc",
        "ab",
        # runs of non-starters around the stream-safe cap of 30
        "a" + "\u0301" * 15 + "\u0316" * 15 + " b",
        "a" + "\u0301" * 20 + "\u0316" * 20 + " b",
        "=" + "\u0338" + "\u0301" * 40 + " \u1100" + "\u0316" * 31 + "\u1161",
        "\ufdfa" * 8 + " " + "\u0f73" * 20,
    ]
    seeds = {"kw-%02d" % i: w.encode("utf-8") for i, w in enumerate(words)}
    # invalid UTF-8
    seeds["kw-bad-lead"] = b"abc\x80def"
    seeds["kw-bad-overlong"] = b"\xc0\xafx"
    seeds["kw-bad-surrogate"] = b"\xed\xa0\x80"
    seeds["kw-bad-truncated"] = b"caf\xc3"
    seeds["kw-bad-toolarge"] = b"\xf4\x90\x80\x80"
    seeds["kw-nul"] = b"abc\x00def"
    return seeds


def envelope_seeds(env):
    """Every body of the envelope vectors: valid, old-CLI and refused."""
    seeds = {}
    for group in ("cases", "fixtures", "invalid"):
        for c in env[group]:
            seeds["%s-%s" % (group, c["name"])] = bytes.fromhex(c["body"])
    return seeds


def cache_seeds():
    """Programs for fuzz_cache.c: opcode, pool index, key, operands.

    Opcodes: 0 new value, 1 re-encrypt, 2 re-encrypt with a changed
    grant, 3 a path, 4 decrypt, 5 flip a byte, 6 wipe a cache.
    """
    def prog(*steps):
        return bytes(b for step in steps for b in step)
    many_on_one_path = prog(*([(0, 0, 0, 20), (1, 4, 0), (1, 5, 1), (4, 6, 0, 1)] * 4))
    paths = prog((3, 0, 0, 5, 0, 1, 0, 2, 1, 0, 1, 1), (4, 4, 0, 1),
                 (3, 1, 0, 14, *([1, 1] * 14)), (4, 4, 1, 1),
                 (3, 2, 2, 3, 0, 0, 2, 0, 1, 0), (4, 5, 2, 1))
    forged = prog((1, 0, 0), (2, 4, 0, 0, 3), (2, 4, 0, 5, 7), (1, 4, 0),
                  (2, 4, 1, 2, 0), (2, 4, 2, 3, 1), (4, 5, 0, 1), (4, 6, 0, 1))
    tamper = prog((1, 1, 0), (5, 4, 0, 1, 200, 9), (4, 4, 0, 1), (1, 4, 0),
                  (5, 2, 0, 1, 150, 1), (4, 2, 0, 1), (6, 0, 1), (6, 0, 2),
                  (4, 3, 0, 1))
    switch = prog(*([(4, 1, 0, 1), (4, 2, 0, 1), (4, 3, 0, 1), (4, 1, 2, 0)] * 3))
    return {"one-path": many_on_one_path, "paths": paths, "forged": forged,
            "tamper": tamper, "holders": switch, "empty": b""}


def build(vectors, invalid, env, keyfiles=()):
    """Map harness -> {seed name: bytes}."""
    people = ("group", "user", "device", "backup")
    seeds = {h: {} for h in HARNESSES}
    texts = {}      # name -> text form (valid values)
    bins = {}       # name -> raw bytes (valid values)

    for p in people:
        seed = bytes.fromhex(vectors[p]["secret_key_seed"])
        pk = bytes.fromhex(vectors[p]["public_key"])
        seeds["secret_key"]["kat-" + p] = seed
        seeds["public_key"]["kat-" + p] = pk
        texts["sk-" + p] = text_form("pre_secret_key", seed)
        texts["pk-" + p] = text_form("pre_public_key", pk)
        bins["sk-" + p] = seed
        bins["pk-" + p] = pk
    seeds["secret_key"]["zero"] = bytes(32)
    seeds["secret_key"]["ff"] = b"\xff" * 32

    cts = [bytes.fromhex(vectors["encrypt"]["ciphertext_level1"])]
    for i, hop in enumerate(vectors["hops"]):
        grant = bytes.fromhex(hop["grant"])
        name = "%s-%s" % (hop["from"], hop["to"])
        seeds["grant"]["kat-" + name] = grant
        texts["grant-" + name] = text_form("pre_grant", grant)
        bins["grant-" + name] = grant
        cts.append(bytes.fromhex(hop["ciphertext_level%d" % (i + 2)]))
    for level, ct in enumerate(cts, 1):
        seeds["ciphertext"]["kat-level%d" % level] = ct
        texts["ct-level%d" % level] = text_form("pre_ciphertext", ct)
        bins["ct-level%d" % level] = ct
    long_ct = long_aad_ciphertext(cts[0], 2000)
    seeds["ciphertext"]["long-aad"] = long_ct
    seeds["ciphertext"]["empty-aad"] = long_aad_ciphertext(cts[0], 0)
    seeds["ciphertext"]["header-only"] = cts[0][:CT_AAD]
    texts["ct-long-aad"] = text_form("pre_ciphertext", long_ct)

    tok = bytes.fromhex(vectors["token"]["token"])
    seeds["token"]["kat-token"] = tok
    seeds["token"]["kat-index-key"] = bytes.fromhex(vectors["token"]["index_key"])
    seeds["token"]["kat-keyword"] = vectors["token"]["keyword"].encode()
    seeds["token"]["tokens-dup"] = tok + bytes(16) + tok + b"\xff" * 16
    texts["token"] = text_form("pre_token", tok)
    bins["token"] = tok

    # the refusal catalogue: text forms verbatim, bytes where decodable
    bin_harness = {
        "pre_ciphertext": "ciphertext",
        "pre_grant": "grant",
        "pre_public_key": "public_key",
        "pre_secret_key": "secret_key",
        "pre_token": "token",
    }
    for i, case in enumerate(invalid["cases"]):
        name = "invalid-%02d" % i
        value = case["value"]
        texts[name] = value
        prefix = PREFIX.get(case["type"], "")
        if value.startswith(prefix):
            raw = unb64(value[len(prefix):])
            if raw:
                seeds[bin_harness[case["type"]]][name] = raw
        for extra in ("grant", "key"):
            if extra in case and isinstance(case[extra], str) and \
                    case[extra][:3] == "pre":
                texts[name + "-" + extra] = case[extra]

    # text forms, plus white space and near misses around them
    text_seeds = {}
    for name, t in texts.items():
        text_seeds[name] = t.encode()
    for name in ("sk-group", "pk-user", "grant-group-user", "ct-level2",
                 "token"):
        t = texts[name]
        text_seeds[name + "-ws"] = (" \t\n" + t + "\r\n\f\v ").encode()
        text_seeds[name + "-pad"] = (t + "=").encode()
        text_seeds[name + "-cut"] = t[:-1].encode()
        text_seeds[name + "-std64"] = t.replace("-", "+").replace("_", "/") \
            .encode()
    text_seeds["prefixes-only"] = b"presk_ prepk_ pregrant_ prect_ pretok_"
    text_seeds["empty"] = b""
    for h in ("text", "inspect", "roundtrip"):
        seeds[h].update(text_seeds)
    # protected key files: inspect describes their header
    for i, v in enumerate(keyfiles):
        seeds["inspect"]["keyfile-%d" % i] = v["text"].encode()
        seeds["inspect"]["keyfile-%d-ws" % i] = (" \n" + v["text"] + "\n").encode()
        seeds["inspect"]["keyfile-%d-cut" % i] = v["text"][:-1].encode()
    for name, b in bins.items():
        seeds["roundtrip"]["bin-" + name] = b
    seeds["keywords"].update(keyword_seeds())
    seeds["envelope"].update(envelope_seeds(env))
    seeds["cache"].update(cache_seeds())
    seeds["threshold"].update(threshold_seeds())
    return seeds


def threshold_seeds():
    """fuzz_threshold.c: partial (104 bytes) || share, from threshold.json."""
    with open(os.path.join(ROOT, "test", "vectors", "threshold.json"), encoding="utf-8") as f:
        tv = json.load(f)
    out = {}
    for g, gr in enumerate(tv["grants"]):
        for i, (p, sh) in enumerate(zip(gr["partials"], gr["shares"])):
            out["kat-%d-%d" % (g, i)] = bytes.fromhex(p) + bytes.fromhex(sh)
    for k, b in enumerate(tv["invalid"]):
        if b["kind"] == "partial":
            out["bad-%d" % k] = bytes.fromhex(b["value"]) + bytes.fromhex(tv["grants"][0]["shares"][0])
        elif b["kind"] in ("share", "open"):
            out["bad-%d" % k] = bytes.fromhex(tv["grants"][0]["partials"][0]) + bytes.fromhex(b["value"])
    return out


def inside(path, base):
    path, base = os.path.realpath(path), os.path.realpath(base)
    return path == base or path.startswith(base + os.sep)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "fuzz",
                                                  "corpus"),
                    help="corpus directory (default: build/fuzz/corpus)")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    if inside(out, ROOT) and not inside(out, os.path.join(ROOT, "build")):
        sys.exit("make_seeds.py: refusing to write into the repository "
                 "outside build/: %s" % out)
    with open(VECTORS, encoding="utf-8") as f:
        vectors = json.load(f)
    with open(INVALID, encoding="utf-8") as f:
        invalid = json.load(f)
    with open(ENVELOPE, encoding="utf-8") as f:
        env = json.load(f)
    with open(KEYFILE, encoding="utf-8") as f:
        keyfiles = json.load(f)["vectors"]
    total = 0
    for harness, files in sorted(build(vectors, invalid, env, keyfiles).items()):
        d = os.path.join(out, harness)
        os.makedirs(d, exist_ok=True)
        for name, data in sorted(files.items()):
            with open(os.path.join(d, "seed-" + name), "wb") as f:
                f.write(data)
        total += len(files)
        print("%-12s %3d seeds" % (harness, len(files)))
    print("%d seeds in %s" % (total, out))


if __name__ == "__main__":
    main()
