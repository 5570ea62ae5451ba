#!/usr/bin/env python3
"""Generate test/unit/vectors.h from the scheme v1 and envelope vector files.

Usage: python3 test/unit/gen_vectors.py [scheme-v1.json [scheme-v1-invalid.json [envelope.json]]] > vectors.h

Reads the known-answer file and the invalid-values file (by default the ones
in test/vectors/ next to this script) and writes a C header with the values
as static const byte arrays and strings, so that the C unit tests need no
JSON parser.  Also writes the text form (prefix + unpadded base64url) of
every known-answer value, computed here independently of sp_codec.c.
The envelope file is first checked by test/vectors/gen_envelope.py (its
bodies recomputed in pure Python), so a stale or edited file fails here.

Python 3 standard library only.  Exits non-zero, writing nothing, if a file
does not have the expected shape.
"""

import base64
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "vectors")
sys.path.insert(0, VECTORS)
import gen_envelope  # noqa: E402  (the envelope check, next to its file)
import gen_sealed  # noqa: E402  (the sealed-grant check, next to its file)

KEY_NAMES = ["group", "user", "device", "backup"]

# SQL type name -> sp_kind constant, text prefix, fixed length (0 = variable)
KINDS = {
    "pre_secret_key": ("SP_KIND_SECRET_KEY", "presk_", 32),
    "pre_public_key": ("SP_KIND_PUBLIC_KEY", "prepk_", 64),
    "pre_grant": ("SP_KIND_GRANT", "pregrant_", 272),
    "pre_ciphertext": ("SP_KIND_CIPHERTEXT", "prect_", 0),
    "pre_token": ("SP_KIND_TOKEN", "pretok_", 16),
}


def fail(msg):
    sys.stderr.write("gen_vectors.py: %s\n" % msg)
    sys.exit(1)


def unhex(s, n=None, what="value"):
    try:
        b = bytes.fromhex(s)
    except (TypeError, ValueError):
        fail("%s is not hex" % what)
    if n is not None and len(b) != n:
        fail("%s has %d bytes, expected %d" % (what, len(b), n))
    return b


def b64url(b):
    return base64.urlsafe_b64encode(b).decode("ascii").rstrip("=")


def text_form(type_name, b):
    return KINDS[type_name][1] + b64url(b)


def decode_text(type_name, text):
    """Lenient decode of a valid text value (used only for the reencrypt
    stage, whose values are valid), to read its level byte."""
    prefix = KINDS[type_name][1]
    if not text.startswith(prefix):
        fail("value of type %s lacks prefix %s" % (type_name, prefix))
    body = text[len(prefix):]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))


def c_string(s):
    """A C string literal; every byte outside printable ASCII (and the
    quote, backslash and '?', against trigraphs) as a 3-digit octal escape,
    which cannot swallow a following digit."""
    out = ['"']
    for byte in s.encode("utf-8"):
        if 0x20 <= byte < 0x7F and chr(byte) not in '"\\?':
            out.append(chr(byte))
        else:
            out.append("\\%03o" % byte)
    out.append('"')
    return "".join(out)


def c_bytes(b, indent="\t"):
    """Initializer list of a byte array, 12 bytes a line."""
    if not b:
        return "{0}"
    lines = []
    for i in range(0, len(b), 12):
        lines.append(indent + ", ".join("0x%02x" % x for x in b[i:i + 12]))
    return "{\n" + ",\n".join(lines) + "\n" + indent[:-1] + "}"


class Out:
    def __init__(self):
        self.parts = []

    def w(self, s=""):
        self.parts.append(s + "\n")

    def array(self, name, b, comment=None):
        """static const uint8_t name[] plus name_LEN; a zero-length value
        gets a one-byte array (C99 has no empty arrays) and LEN 0."""
        if comment:
            self.w("/* %s */" % comment)
        self.w("static const uint8_t %s[%d] = %s;" % (name, max(len(b), 1), c_bytes(b)))
        self.w("#define %s_LEN %d" % (name.upper(), len(b)))


def envelopes(o, env, kat):
    """Key ciphertexts and bodies of test/vectors/envelope.json."""
    e = kat["encrypt"]
    kcs = env["key_ciphertexts"]
    names = list(kcs)
    o.w("/* ---- envelopes (test/vectors/envelope.json) ---- */")
    o.w()
    o.w("typedef struct kat_env_kc")
    o.w("{")
    o.w("\tconst char *name;")
    o.w("\tconst uint8_t *ct;")
    o.w("\tsize_t\t\tlen;")
    o.w("\tint\t\t\trecipient;\t/* KAT_*: made by sp_encrypt with kat_r, kat_u, kat_nonce; else -1 */")
    o.w("\tint\t\t\tfrom;\t\t/* index of the key ciphertext re-encrypted into this one, or -1 */")
    o.w("\tint\t\t\thop;\t\t/* with from: the KAT hop (1..3) whose grant did it */")
    o.w("\tconst uint8_t *aad;\t/* with recipient */")
    o.w("\tsize_t\t\taadlen;")
    o.w("\tconst uint8_t *seed;\t/* fixture: the test key that decrypts it, else NULL */")
    o.w("\tuint8_t\t\tdata_key[32];\t/* its plaintext (zero if re-encrypted) */")
    o.w("} kat_env_kc;")
    o.w()
    for i, n in enumerate(names):
        k = kcs[n]
        o.array("kat_env_kc%d" % i, unhex(k["ciphertext"], None, n), "key ciphertext " + n)
        o.array("kat_env_kc%d_aad" % i, unhex(k.get("aad", ""), None, n + ".aad"))
        if "recipient_seed" in k:
            o.array("kat_env_kc%d_seed" % i, unhex(k["recipient_seed"], 32, n + ".seed"))
        for f in ("r", "u", "nonce"):
            if f in k and k[f] != e[f]:
                fail("envelope key ciphertext %s: %s is not the KAT's" % (n, f))
    o.w()
    o.w("static const kat_env_kc kat_env_kcs[] = {")
    for i, n in enumerate(names):
        k = kcs[n]
        recip = "KAT_" + k["recipient"].upper() if k.get("recipient") in KEY_NAMES else "-1"
        frm = names.index(k["from"]) if "from" in k else -1
        seed = "kat_env_kc%d_seed" % i if "recipient_seed" in k else "NULL"
        dk = unhex(k.get("data_key", "00" * 32), 32, n + ".data_key")
        o.w("\t{%s, kat_env_kc%d, KAT_ENV_KC%d_LEN, %s, %d, %d," %
            (c_string(n), i, i, recip, frm, int(k.get("hop", 0))))
        o.w("\t\tkat_env_kc%d_aad, KAT_ENV_KC%d_AAD_LEN, %s, %s}," %
            (i, i, seed, c_bytes(dk, "\t\t\t")))
    o.w("};")
    o.w("#define KAT_ENV_NKC %d" % len(names))
    o.w()
    o.w("typedef struct kat_env")
    o.w("{")
    o.w("\tconst char *name;")
    o.w("\tconst char *why;")
    o.w("\tint\t\t\tversion;\t/* 1 or 2; 0: must not open */")
    o.w("\tint\t\t\texpect;\t\t/* sp_envelope_open's result */")
    o.w("\tint\t\t\tfixture;\t/* written by the old CLI */")
    o.w("\tint\t\t\tkc;\t\t\t/* index into kat_env_kcs */")
    o.w("\tint\t\t\talso;\t\t/* another key ciphertext it opens with, or -1 */")
    o.w("\tuint8_t\t\tdata_key[32];")
    o.w("\tuint8_t\t\tnonce[24];")
    o.w("\tconst uint8_t *plaintext;")
    o.w("\tsize_t\t\tplaintextlen;")
    o.w("\tconst uint8_t *ad;\t/* valid cases: the associated data */")
    o.w("\tsize_t\t\tadlen;")
    o.w("\tconst uint8_t *body;")
    o.w("\tsize_t\t\tbodylen;")
    o.w("} kat_env;")
    o.w()
    rows = [(c, 0) for c in env["cases"]] + [(c, 1) for c in env["fixtures"]] + \
        [(c, 0) for c in env["invalid"]]
    for i, (c, _) in enumerate(rows):
        o.array("kat_env%d_pt" % i, unhex(c.get("plaintext", ""), None, c["name"]),
                "envelope " + c["name"])
        o.array("kat_env%d_ad" % i, unhex(c.get("ad", ""), None, c["name"] + ".ad"))
        o.array("kat_env%d_body" % i, unhex(c["body"], None, c["name"] + ".body"))
    o.w()
    o.w("static const kat_env kat_envs[] = {")
    for i, (c, fixture) in enumerate(rows):
        body = unhex(c["body"])
        valid = "version" in c
        nonce = unhex(c["nonce"], 24) if "nonce" in c else \
            (body[:24] if fixture else bytes(24))
        also = c.get("also_opens_with", [])
        if len(also) > 1:
            fail("%s: at most one also_opens_with" % c["name"])
        o.w("\t{%s, %s, %d, %s, %d, %d, %d," %
            (c_string(c["name"]), c_string(c["why"]),
             c["version"] if valid else 0,
             "SP_OK" if valid else c["expect"], fixture,
             names.index(c["key_ciphertext"]),
             names.index(also[0]) if also else -1))
        o.w("\t\t%s," % c_bytes(unhex(c["data_key"], 32, c["name"] + ".data_key"), "\t\t\t"))
        o.w("\t\t%s," % c_bytes(nonce, "\t\t\t"))
        o.w("\t\tkat_env%d_pt, KAT_ENV%d_PT_LEN, kat_env%d_ad, KAT_ENV%d_AD_LEN," % (i, i, i, i))
        o.w("\tkat_env%d_body, KAT_ENV%d_BODY_LEN}," % (i, i))
    o.w("};")
    o.w("#define KAT_ENV_N %d" % len(rows))
    o.w()


def keyfiles(o):
    """Protected key files (test/vectors/keyfile.json), the smallest-limit
    vectors only: the INTERACTIVE one (64 MiB) is left to the CLI tests,
    which do not run under valgrind."""
    with open(os.path.join(VECTORS, "keyfile.json"), encoding="utf-8") as f:
        kf = json.load(f)
    rows = [v for v in kf["vectors"] if v["memlimit"] <= 65536]
    if not rows:
        fail("keyfile.json: no small-limit vector")
    o.w("typedef struct kat_keyfile {")
    o.w("	int content; const char *passphrase; uint64_t opslimit, memlimit;")
    o.w("	uint8_t salt[16], nonce[24], secret[32], file[112]; const char *text;")
    o.w("} kat_keyfile;")
    o.w("static const kat_keyfile kat_keyfiles[] = {")
    for v in rows:
        text = v["text"]
        raw = unhex(v["file"], 112, "keyfile file")
        if text != "prelocked_" + b64url(raw):
            fail("keyfile.json: text and file differ")
        o.w("	{%d, %s, %dULL, %dULL," % (v["content"],
            c_string(bytes.fromhex(v["passphrase_utf8"]).decode("utf-8")),
            v["opslimit"], v["memlimit"]))
        for k, n in (("salt", 16), ("nonce", 24), ("secret", 32), ("file", 112)):
            o.w("	%s," % c_bytes(unhex(v[k], n, "keyfile " + k)).strip())
        o.w("	%s}," % c_string(text))
    o.w("};")
    o.w("#define KAT_NKEYFILES %d" % len(rows))
    o.w()


SEALED_ERRORS = {"database": "SP_EDATABASE", "wrong_key": "SP_EWRONGKEY",
                 "decrypt": "SP_EDECRYPT", "layout": "0"}


def sealed(o):
    """Sealed grants (test/vectors/sealed.json), first checked against what
    test/vectors/gen_sealed.py computes (libsodium called directly)."""
    with open(os.path.join(VECTORS, "sealed.json"), encoding="utf-8") as f:
        sv = json.load(f)
    if sv != gen_sealed.compute():
        fail("sealed.json differs from what gen_sealed.py computes")
    o.w("typedef struct kat_sealed {")
    o.w("	uint8_t server_secret[32], server_public[32], key_id[8], dbid[16];")
    o.w("	uint8_t sealing_key[64], seed[32], grant[272], sealed[360];")
    o.w("} kat_sealed;")
    o.w("static const kat_sealed kat_sealeds[] = {")
    for v in sv["vectors"]:
        o.w("	{")
        for k, n in (("server_secret", 32), ("server_public", 32), ("key_id", 8),
                     ("database_identity", 16), ("sealing_key", 64), ("seed", 32),
                     ("grant", 272), ("sealed", 360)):
            o.w("	%s," % c_bytes(unhex(v[k], n, "sealed " + k), "\t\t").strip())
        o.w("	},")
    o.w("};")
    o.w("#define KAT_NSEALED %d" % len(sv["vectors"]))
    o.w("/* error 0: a layout error (any non-OK code from sp_sealed_validate) */")
    o.w("typedef struct kat_sealed_bad { const char *name; int error; uint8_t sealed[360]; } kat_sealed_bad;")
    o.w("static const kat_sealed_bad kat_sealed_bads[] = {")
    for v in sv["invalid"]:
        o.w("	{%s, %s, %s}," % (c_string(v["name"]), SEALED_ERRORS[v["error"]],
                                 c_bytes(unhex(v["sealed"], 360, v["name"]), "\t\t").strip()))
    o.w("};")
    o.w("#define KAT_NSEALED_BAD %d" % len(sv["invalid"]))
    o.w()


def main(argv):
    kat_path = argv[1] if len(argv) > 1 else os.path.join(VECTORS, "scheme-v1.json")
    inv_path = argv[2] if len(argv) > 2 else os.path.join(VECTORS, "scheme-v1-invalid.json")
    with open(kat_path, encoding="utf-8") as f:
        kat = json.load(f)
    with open(inv_path, encoding="utf-8") as f:
        inv = json.load(f)
    env_path = argv[3] if len(argv) > 3 else os.path.join(VECTORS, "envelope.json")
    with open(env_path, encoding="utf-8") as f:
        env_text = f.read()
    env = json.loads(env_text)
    if any(x.get("scheme") != "secant-pre/v1" for x in (kat, inv, env)):
        fail("unexpected scheme")
    try:
        checked = gen_envelope.compute(json.loads(env_text))
    except (AssertionError, KeyError, ValueError) as e:
        fail("envelope vectors do not check: %s" % e)
    if checked != env:
        fail("envelope vectors differ from what gen_envelope.py computes")

    o = Out()
    o.w("/*")
    o.w(" * vectors.h - GENERATED by test/unit/gen_vectors.py from")
    o.w(" * test/vectors/scheme-v1.json and scheme-v1-invalid.json.  Do not edit.")
    o.w(" */")
    o.w("#ifndef SP_TEST_VECTORS_H")
    o.w("#define SP_TEST_VECTORS_H")
    o.w()
    o.w("#include <stddef.h>")
    o.w("#include <stdint.h>")
    o.w()
    o.w('#include "sp_codec.h"')
    o.w('#include "sp_core.h"')
    o.w()

    # ---- keys ----
    o.w("enum { KAT_GROUP, KAT_USER, KAT_DEVICE, KAT_BACKUP, KAT_NKEYS };")
    o.w()
    o.w("typedef struct kat_key")
    o.w("{")
    o.w("\tconst char *name;")
    o.w("\tuint8_t\t\tseed[SP_SEEDBYTES];")
    o.w("\tuint8_t\t\tpk[SP_PUBLICKEYBYTES];")
    o.w("\tconst char *seed_text;\t/* presk_... */")
    o.w("\tconst char *pk_text;\t/* prepk_... */")
    o.w("} kat_key;")
    o.w()
    o.w("static const kat_key kat_keys[KAT_NKEYS] = {")
    for name in KEY_NAMES:
        k = kat.get(name) or fail("missing key %s" % name)
        seed = unhex(k["secret_key_seed"], 32, name + ".secret_key_seed")
        pk = unhex(k["public_key"], 64, name + ".public_key")
        o.w("\t{%s, %s, %s," % (c_string(name), c_bytes(seed, "\t\t\t"), c_bytes(pk, "\t\t\t")))
        o.w("\t\t%s," % c_string(text_form("pre_secret_key", seed)))
        o.w("\t%s}," % c_string(text_form("pre_public_key", pk)))
    o.w("};")
    o.w()

    # ---- encrypt ----
    e = kat["encrypt"]
    recipient = unhex(e["recipient"], 64, "encrypt.recipient")
    if recipient != unhex(kat["group"]["public_key"]):
        fail("encrypt.recipient is not the group key")
    msg = unhex(e["message"], None, "encrypt.message")
    aad = unhex(e["aad"], None, "encrypt.aad")
    o.array("kat_message", msg, "encrypt: message")
    o.array("kat_aad", aad, "encrypt: aad")
    o.array("kat_r", unhex(e["r"], 32, "encrypt.r"))
    o.array("kat_u", unhex(e["u"], 32, "encrypt.u"))
    o.array("kat_nonce", unhex(e["nonce"], 24, "encrypt.nonce"))
    o.w()

    # ---- ciphertexts of levels 1..4 and hops ----
    cts = [unhex(e["ciphertext_level1"], None, "ciphertext_level1")]
    hops = kat["hops"]
    if len(hops) != 3:
        fail("expected 3 hops")
    for i, h in enumerate(hops):
        field = "ciphertext_level%d" % (i + 2)
        if field not in h:
            fail("hop %d lacks %s" % (i + 1, field))
        cts.append(unhex(h[field], None, field))
    for lvl, ct in enumerate(cts, 1):
        o.array("kat_ct%d" % lvl, ct, "ciphertext at level %d" % lvl)
    for i, h in enumerate(hops):
        o.array("kat_grant%d" % (i + 1), unhex(h["grant"], 272, "hop grant"),
                "grant of hop %d: %s -> %s" % (i + 1, h["from"], h["to"]))
    o.w()
    o.w("typedef struct kat_ct")
    o.w("{")
    o.w("\tint\t\t\tlevel;")
    o.w("\tint\t\t\trecipient;\t/* KAT_* index of the current recipient */")
    o.w("\tconst uint8_t *ct;")
    o.w("\tsize_t\t\tlen;")
    o.w("\tconst char *text;\t/* prect_... */")
    o.w("} kat_ct;")
    o.w()
    o.w("static const kat_ct kat_cts[4] = {")
    recips = ["group"] + [h["to"] for h in hops]
    for lvl, ct in enumerate(cts, 1):
        o.w("\t{%d, KAT_%s, kat_ct%d, KAT_CT%d_LEN," % (lvl, recips[lvl - 1].upper(), lvl, lvl))
        o.w("\t%s}," % c_string(text_form("pre_ciphertext", ct)))
    o.w("};")
    o.w()
    o.w("typedef struct kat_hop")
    o.w("{")
    o.w("\tint\t\t\tfrom;\t\t/* KAT_* */")
    o.w("\tint\t\t\tto;")
    o.w("\tint64_t\t\tnot_after;")
    o.w("\tuint8_t\t\tx[SP_SCALARBYTES];")
    o.w("\tconst uint8_t *grant;\t/* SP_GRANTBYTES */")
    o.w("\tconst char *grant_text;\t/* pregrant_... */")
    o.w("} kat_hop;")
    o.w()
    o.w("static const kat_hop kat_hops[3] = {")
    for i, h in enumerate(hops):
        if h["from"] not in KEY_NAMES or h["to"] not in KEY_NAMES:
            fail("hop %d names an unknown key" % (i + 1))
        x = unhex(h["x"], 32, "hop x")
        g = unhex(h["grant"], 272, "hop grant")
        na = int(h["not_after"])
        o.w("\t{KAT_%s, KAT_%s, INT64_C(%d), %s, kat_grant%d," %
            (h["from"].upper(), h["to"].upper(), na, c_bytes(x, "\t\t\t"), i + 1))
        o.w("\t%s}," % c_string(text_form("pre_grant", g)))
    o.w("};")
    o.w()

    # ---- token ----
    t = kat["token"]
    tok = unhex(t["token"], 16, "token.token")
    o.array("kat_index_key", unhex(t["index_key"], 32, "token.index_key"), "search token")
    o.array("kat_token", tok)
    o.w("static const char kat_keyword[] = %s;" % c_string(t["keyword"]))
    o.w("static const char kat_token_text[] = %s;" % c_string(text_form("pre_token", tok)))
    o.w()

    # ---- invalid values ----
    cases = inv.get("cases") or fail("no cases in the invalid file")
    o.w("typedef struct kat_invalid")
    o.w("{")
    o.w("\tconst char *stage;\t\t/* input, reencrypt, decrypt */")
    o.w("\tconst char *type;\t\t/* SQL type name */")
    o.w("\tsp_kind\t\tkind;")
    o.w("\tconst char *why;")
    o.w("\tconst char *value;\t\t/* text form */")
    o.w("\tconst char *grant;\t\t/* reencrypt: text form of the grant, else NULL */")
    o.w("\tint\t\t\tkey;\t\t/* decrypt: KAT_* index of the key, else -1 */")
    o.w("\tint\t\t\texpect;\t\t/* reencrypt: the sp_err expected, else 0 */")
    o.w("} kat_invalid;")
    o.w()
    o.w("static const kat_invalid kat_invalid_cases[] = {")
    for i, c in enumerate(cases):
        stage, typ, why, value = c["stage"], c["type"], c["why"], c["value"]
        if typ not in KINDS:
            fail("case %d: unknown type %s" % (i, typ))
        grant, key, expect = "NULL", "-1", "0"
        if stage == "input":
            pass
        elif stage == "reencrypt":
            if typ != "pre_ciphertext" or "grant" not in c:
                fail("case %d: reencrypt case without ciphertext and grant" % i)
            grant = c_string(c["grant"])
            # a ciphertext already at the maximum level is refused for its
            # level; any other reencrypt case for the grant's delegator
            ct = decode_text(typ, value)
            if len(ct) < 6:
                fail("case %d: short ciphertext" % i)
            expect = "SP_EMAXLEVEL" if ct[5] >= 16 else "SP_ERECIPIENT"
        elif stage == "decrypt":
            if c.get("key") not in KEY_NAMES:
                fail("case %d: decrypt case without a known key" % i)
            key = "KAT_" + c["key"].upper()
        else:
            fail("case %d: unknown stage %s" % (i, stage))
        o.w("\t{%s, %s, %s, %s," % (c_string(stage), c_string(typ), KINDS[typ][0], c_string(why)))
        o.w("\t\t%s," % c_string(value))
        o.w("\t%s, %s, %s}," % (grant, key, expect))
    o.w("};")
    o.w("#define KAT_NINVALID %d" % len(cases))
    o.w()
    envelopes(o, env, kat)
    keyfiles(o)
    sealed(o)
    o.w("#endif\t\t\t\t\t\t\t/* SP_TEST_VECTORS_H */")
    sys.stdout.write("".join(o.parts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
