"""Compute test/vectors/tokens.json: search tokens of keywords and documents
under fixed index keys (docs/SCHEME.md "Searchable index tokens",
"Normalisation"), with the Unicode edge cases of the C unit tests: case
folding that changes length, compatibility forms, Hangul, ignorables,
combining runs cut by the stream-safe step, and the errors of the limits.

Computed by the C library (libsecant-pre through the Python package); the
TypeScript package (js/test/tokens.test.mjs) checks the file, and so does
this script against the CLI and the SQL functions:

    python3 test/vectors/gen_tokens.py > test/vectors/tokens.json
    python3 test/vectors/gen_tokens.py --check [--cli PATH] [--sql]

--check: the library gives the file's tokens; --cli: so do `secant-pre token`
and `tokens`; --sql: so do pre_token and pre_tokens (psql; a server: PGHOST...).
Ends with "N passed, M failed".
"""
import json
import os
import subprocess
import sys
import tempfile

import secant_pre as sp

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = [bytes(range(32)), bytes.fromhex("574c38032f94e0c099504633f8c371b428f34a9a043464f3caeb8a2ac9d2651e")]

KEYWORDS = [
    "diabetes", "  Diabetes\t", "DIABETES", "Straße", "STRASSE", "E\u0301cole", "\u00e9cole", "\ufb01le",
    "\u1100\u1161\u11a8", "\uac01", "\u0391\u0345", "=\u0338", "\ufdfa", "\u200bzero", "HbA1c 7.9 %",
    "\u1e9e", "\u0130stanbul", "\u01c5", "\u2167", "\u2460", "\uff21\uff22\uff23", "\u3392", "\u212b", "\u2126",
    "\u03a3\u0391\u03a3", "\U00010400", "caf\u00e9\u00ad", "a" + "\u0301" * 40 + "\u0316" * 40, "a" * 4096,
]
KEYWORD_ERRORS = [("", "SP_ELENGTH"), ("   ", "SP_ELENGTH"), ("\u00ad", "SP_ELENGTH"), ("a" * 4097, "SP_EWORDLONG")]
DOCUMENTS = [
    "One two, THREE", "Type 2 diabetes; HbA1c 7.9 % (patient 4711)", "Straße STRASSE strasse",
    "\u00c4rzte \u00e4rzte A\u0308rzte", "\ufb01le\u2014\ufb02ow \u2167 \u2460\u2461", "\uac00\ub098\ub2e4 \u1100\u1161",
    "x" + "\u0301" * 70 + " y", "=\u0338 \u2260 a=\u0338b", "Zero\u200bwidth soft\u00adhyphen", "",
    "line\u2028sep\u3000ideo\tTab", "\u03a3\u03b1\u03c3 \u03c3\u03b1\u03c2", "a" * 4096 + " b",
]
DOCUMENT_ERRORS = [("a" * 4097, "SP_EWORDLONG"), (" " * (1 << 20) + " ", "SP_ETEXTLONG")]
UTF8_ERRORS = [b"abc \x80", b"\xc3", b"\xed\xa0\x80"]


def compute():
    out = {"scheme": "secant-pre/v1",
           "note": "tokens (hex) of keywords and documents (UTF-8, hex) under fixed index keys; documents' tokens "
                   "sorted by their bytes, without and with prefixes; computed by test/vectors/gen_tokens.py "
                   "with the C library",
           "keys": [k.hex() for k in KEYS], "keywords": [], "documents": [], "errors": []}
    for i, key in enumerate(KEYS):
        ik = sp.IndexKey(key)
        for w in KEYWORDS:
            out["keywords"].append({"key": i, "keyword": w.encode().hex(), "token": ik.token(w).to_bytes().hex()})
        for d in DOCUMENTS:
            out["documents"].append({"key": i, "document": d.encode().hex(),
                                     "tokens": [t.to_bytes().hex() for t in ik.tokens(d)],
                                     "prefix_tokens": [t.to_bytes().hex() for t in ik.tokens(d, prefixes=True)]})
    ik = sp.IndexKey(KEYS[0])
    cases = [("keyword", w.encode(), e) for w, e in KEYWORD_ERRORS] + \
        [("document", d.encode(), e) for d, e in DOCUMENT_ERRORS] + \
        [(kind, b, "SP_EUTF8") for b in UTF8_ERRORS for kind in ("keyword", "document")]
    for kind, b, want in cases:
        try:
            ik.token(b) if kind == "keyword" else ik.tokens(b)
            got = None
        except sp.SecantError as e:
            got = e.name
        assert got == want, (kind, b[:20], got, want)
        out["errors"].append({"key": 0, "kind": kind, "text": b.hex() if len(b) < 8192 else None,
                              "repeat": None if len(b) < 8192 else [b[:1].hex(), len(b)], "error": want})
    return out


def main():
    args = sys.argv[1:]
    data = compute()
    if "--check" not in args:
        json.dump(data, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    with open(os.path.join(HERE, "tokens.json")) as f:
        want = json.load(f)
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        passed += ok
        failed += not ok
        if not ok:
            print("not ok:", what)

    check(data == want, "the library computes tokens.json")
    if "--cli" in args:
        cli = args[args.index("--cli") + 1]
        with tempfile.TemporaryDirectory() as d:
            for i, key in enumerate(want["keys"]):
                kf = os.path.join(d, "k%d" % i)
                with open(os.open(kf, os.O_CREAT | os.O_WRONLY, 0o600), "w") as f:
                    f.write(key + "\n")
                kws = [(c["keyword"], c["token"]) for c in want["keywords"] if c["key"] == i]
                # the CLI refuses a word with white space inside, or around it after normalisation
                ok = [w for w, _ in kws if not set(bytes.fromhex(w).decode()) & set(" \t\ufdfa")]
                r = subprocess.run([cli, "token", "--index-key", kf] + [bytes.fromhex(w).decode() for w in ok],
                                   capture_output=True, check=False)
                toks = dict(kws)
                check(r.returncode == 0 and r.stdout.decode().split() ==
                      [sp.Token.from_bytes(bytes.fromhex(toks[w])).to_text() for w in ok],
                      "CLI token, key %d: %s" % (i, r.stderr.decode()[:200]))
                for c in (c for c in want["documents"] if c["key"] == i):
                    for flag, field in (([], "tokens"), (["--prefixes"], "prefix_tokens")):
                        r = subprocess.run([cli, "tokens", "--index-key", kf] + flag,
                                           input=bytes.fromhex(c["document"]), capture_output=True, check=False)
                        check(r.returncode == 0 and r.stdout.decode().split() ==
                              [sp.Token.from_bytes(bytes.fromhex(t)).to_text() for t in c[field]],
                              "CLI tokens %s %s" % (flag, c["document"][:20]))
    if "--sql" in args:
        # one psql call (a server: PGHOST...); values passed as hex literals
        def lit(h):
            return "decode('%s', 'hex')" % h
        q = ["CREATE EXTENSION IF NOT EXISTS secant_pre CASCADE;"]
        for c in want["keywords"]:
            q.append("SELECT encode(bytea(pre_token(%s, convert_from(%s, 'UTF8'))), 'hex');"
                     % (lit(want["keys"][c["key"]]), lit(c["keyword"])))
        for c in want["documents"]:
            for p in ("false", "true"):
                q.append("SELECT coalesce(string_agg(encode(bytea(t), 'hex'), ',' ORDER BY o), '') FROM "
                         "unnest(pre_tokens(%s, convert_from(%s, 'UTF8'), %s)) WITH ORDINALITY AS u(t, o);"
                         % (lit(want["keys"][c["key"]]), lit(c["document"]), p))
        r = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d",
                            os.environ.get("SECANT_PRE_TOKENS_DB", "postgres")],
                           input="\n".join(q).encode(), capture_output=True, check=False)
        lines = r.stdout.decode().split("\n")
        check(r.returncode == 0, "psql: %s" % r.stderr.decode()[:300])
        wanted = [c["token"] for c in want["keywords"]] + \
            [",".join(c[f]) for c in want["documents"] for f in ("tokens", "prefix_tokens")]
        for i, w in enumerate(wanted):
            check(i < len(lines) and lines[i] == w, "SQL tokens, query %d" % i)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
