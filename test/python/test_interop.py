"""Interoperability: the known-answer vectors (test/vectors/) through the
Python package and SQL (the C library runs them in test/libsecant/run.sh, the
CLI here), and values made by any of Python, the CLI (which links the
library) and SQL read by the others.  Needs a server (PGHOST...) and
SECANT_PRE_CLI."""
import base64
import datetime
import json
import os
import subprocess
import tempfile
import unittest

import psycopg

import pgtest
import secant_pre as sp
import secant_pre.psycopg as spg
from secant_pre._native import ffi, lib

ROOT = os.environ.get("SECANT_PRE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.environ.get("SECANT_PRE_CLI", os.path.join(ROOT, "secant-pre"))
DB = "secant_py_interop"


def vectors(name):
    with open(os.path.join(ROOT, "test", "vectors", name)) as f:
        return json.load(f)


V = vectors("scheme-v1.json")
INVALID = vectors("scheme-v1-invalid.json")
ENV = vectors("envelope.json")
SEALED = vectors("sealed.json")
H = bytes.fromhex


def setUpModule():
    pgtest.create_database(DB)


def tearDownModule():
    pgtest.drop_database(DB)


class Base(unittest.TestCase):
    def setUp(self):
        self.conn = psycopg.connect(dbname=DB, autocommit=True)
        spg.register(self.conn, send_secrets=True)
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.conn.close()
        self.tmp.cleanup()

    def sql(self, query, params=(), binary=False):
        return self.conn.cursor(binary=binary).execute(query, params).fetchone()[0]

    def keyfile(self, key, name="k"):
        path = os.path.join(self.tmp.name, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key.to_text() + "\n")
        return path

    def cli(self, *args, stdin=b"", ok=True):
        p = subprocess.run([CLI, *args], input=stdin, capture_output=True)
        if ok and p.returncode != 0:
            self.fail("secant-pre %s: %s" % (args[0], p.stderr.decode()))
        return p

    def key(self, name):
        return sp.SecretKey.from_bytes(H(V[name]["secret_key_seed"]))


class Vectors(Base):
    """test/vectors/*.json through Python and SQL (and the CLI)."""

    def test_keys(self):
        for name in ("group", "user", "device", "backup"):
            sk = self.key(name)
            pk = H(V[name]["public_key"])
            self.assertEqual(sk.public_key.to_bytes(), pk)
            self.assertEqual(self.sql("SELECT pre_public_key(%b)", [sk]).to_bytes(), pk)
            out = self.cli("pubkey", "--secret-key", self.keyfile(sk)).stdout.decode().strip()
            self.assertEqual(sp.PublicKey.from_text(out).to_bytes(), pk)

    def test_encrypt_known_answer(self):
        e = V["encrypt"]
        m, aad = H(e["message"]), H(e["aad"])
        n = lib.sp_ciphertext_bytes(1, len(aad), len(m))
        out = ffi.new("uint8_t[]", n)
        self.assertEqual(lib.sp_encrypt(out, n, H(e["recipient"]), m, len(m), aad, len(aad),
                                        H(e["r"]), H(e["u"]), H(e["nonce"])), 0)
        self.assertEqual(bytes(out), H(e["ciphertext_level1"]))

    def test_hops_known_answer(self):
        e = V["encrypt"]
        ct = sp.Ciphertext.from_bytes(H(e["ciphertext_level1"]))
        self.assertEqual(self.key("group").decrypt(ct), H(e["message"]))
        for level, hop in enumerate(V["hops"], start=2):
            frm = self.key(hop["from"])
            g = ffi.new("uint8_t[272]")
            handle = lib.sp_secret_new(H(V[hop["from"]]["secret_key_seed"]), ffi.NULL)
            self.assertEqual(lib.sp_grant(g, handle, H(V[hop["to"]]["public_key"]), hop["not_after"],
                                          H(hop["x"])), 0)
            lib.sp_secret_free(handle)
            self.assertEqual(bytes(g), H(hop["grant"]))
            grant = sp.Grant.from_bytes(H(hop["grant"]))
            self.assertEqual(grant.from_key, frm.public_key)
            want = H(hop["ciphertext_level%d" % level])
            nxt = ct.reencrypt(grant)                       # Python
            self.assertEqual(nxt.to_bytes(), want)
            self.assertEqual(self.sql("SELECT pre_reencrypt(%b, %b)", [ct, grant], binary=True), nxt)  # SQL
            p = self.cli("reencrypt", grant.to_text(), stdin=ct.to_text().encode())  # CLI
            self.assertEqual(sp.Ciphertext.from_text(p.stdout.decode().strip()), nxt)
            ct = nxt
            to = self.key(hop["to"])
            self.assertEqual(to.decrypt(ct), H(e["message"]))
            self.assertEqual(self.sql("SELECT pre_decrypt(%b, %b)", [ct, to]), H(e["message"]))
            p = self.cli("decrypt", "--secret-key", self.keyfile(to), stdin=ct.to_text().encode())
            self.assertEqual(p.stdout, H(e["message"]))

    def test_token_known_answer(self):
        t = V["token"]
        k = sp.IndexKey(H(t["index_key"]))
        self.assertEqual(k.token(t["keyword"]).to_bytes(), H(t["token"]))
        self.assertEqual(self.sql("SELECT pre_token(%b, %s)", [k, t["keyword"]]), k.token(t["keyword"]))
        path = os.path.join(self.tmp.name, "ik")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(k.to_text() + "\n")
        p = self.cli("token", "--index-key", path, t["keyword"])
        self.assertEqual(sp.Token.from_text(p.stdout.decode().strip()).to_bytes(), H(t["token"]))

    def test_invalid_values_refused_everywhere(self):
        classes = {c.SQL_TYPE: c for c in (sp.SecretKey, sp.PublicKey, sp.Grant, sp.Ciphertext, sp.Token)}
        for case in INVALID["cases"]:
            cls = classes[case["type"]]
            with self.subTest(why=case["why"]):
                if case["stage"] == "input":
                    with self.assertRaises(sp.SecantError):
                        cls.from_text(case["value"])
                    with self.assertRaises((psycopg.errors.DataError, psycopg.errors.ProgramLimitExceeded)) as cm:
                        self.sql("SELECT %%s::text::%s" % case["type"], [case["value"]])
                    self.assertIn(" for type %s" % case["type"], str(cm.exception))
                elif case["stage"] == "decrypt":
                    ct = sp.Ciphertext.from_text(case["value"])
                    with self.assertRaises((sp.DecryptionError, sp.WrongKeyError)):
                        self.key(case["key"]).decrypt(ct)
                    with self.assertRaises(psycopg.errors.Error):
                        self.sql("SELECT pre_decrypt(%s, %s)", [ct, self.key(case["key"])])
                elif case["stage"] == "reencrypt":
                    ct = sp.Ciphertext.from_text(case["value"])
                    g = sp.Grant.from_text(case["grant"])
                    with self.assertRaises((sp.WrongRecipientError, sp.MaxLevelError)):
                        ct.reencrypt(g)
                    with self.assertRaises(psycopg.errors.Error):
                        self.sql("SELECT pre_reencrypt(%s, %s)", [ct, g])
                else:
                    self.fail("unknown stage " + case["stage"])

    def test_sealed_vectors(self):
        for v in SEALED["vectors"]:
            with self.subTest(vector=v["name"]):
                key = sp.SealKey.from_bytes(H(v["sealing_key"]))
                self.assertEqual(key.key_id, H(v["key_id"]))
                out = ffi.new("uint8_t[360]")
                self.assertEqual(lib.sp_seal_grant(out, H(v["grant"]), key.to_bytes(), H(v["seed"])), 0)
                self.assertEqual(bytes(out), H(v["sealed"]))
                sealed = sp.SealedGrant.from_bytes(H(v["sealed"]))
                self.assertEqual(sealed.key_id, H(v["key_id"]))
                self.assertEqual(self.sql("SELECT %b::pre_sealed_grant::text", [sealed]), sealed.to_text())
        for v in SEALED["invalid"]:
            with self.subTest(invalid=v["name"]):
                if v["error"] == "layout":
                    with self.assertRaises(sp.MalformedValueError):
                        sp.SealedGrant.from_bytes(H(v["sealed"]))
                    with self.assertRaises(psycopg.errors.DataError):
                        self.sql("SELECT %s::bytea::pre_sealed_grant", [H(v["sealed"])])
                else:       # only the server's key tells: the layout is right
                    self.assertEqual(sp.SealedGrant.from_bytes(H(v["sealed"])).to_bytes(), H(v["sealed"]))

    def test_envelope_vectors(self):
        kcts = ENV["key_ciphertexts"]
        for case in ENV["cases"] + ENV["fixtures"]:
            with self.subTest(case=case["name"]):
                kct = kcts[case["key_ciphertext"]]
                kct = H(kct if isinstance(kct, str) else kct["ciphertext"])
                body = H(case["body"])
                dk = H(case["data_key"])
                cap = lib.sp_envelope_plaintext_bytes(len(body))
                out = ffi.new("uint8_t[]", max(cap, 1))
                n = ffi.new("size_t *")
                self.assertEqual(lib.sp_envelope_open(out, cap, n, ffi.NULL, dk, kct, len(kct), body, len(body)), 0)
                self.assertEqual(ffi.buffer(out, n[0])[:], H(case["plaintext"]))


class CrossReading(Base):
    """Values made by one of Python, CLI and SQL, read by the others."""

    def setUp(self):
        super().setUp()
        self.a = sp.SecretKey.generate()
        self.b = sp.SecretKey.generate()

    def test_python_to_cli_and_sql(self):
        ct = self.a.public_key.encrypt("from Python \u00e9", aad="p:1")
        p = self.cli("decrypt", "--secret-key", self.keyfile(self.a), stdin=ct.to_text().encode())
        self.assertEqual(p.stdout.decode(), "from Python \u00e9")
        self.assertEqual(self.sql("SELECT pre_decrypt_text(%s, %s)", [ct, self.a]), "from Python \u00e9")
        g = self.a.grant(self.b.public_key)
        p = self.cli("reencrypt", g.to_text(), stdin=ct.to_text().encode())
        ct2 = p.stdout.decode().strip()
        self.assertEqual(self.sql("SELECT pre_decrypt_text(%s::text::pre_ciphertext, %s)", [ct2, self.b]),
                         "from Python \u00e9")
        info = json.loads(self.cli("inspect", stdin=ct2.encode()).stdout)
        self.assertEqual(info, sp.inspect(ct2))
        info = json.loads(self.cli("inspect", stdin=g.to_text().encode()).stdout)
        want = sp.inspect(g)  # the CLI prints not_after in ISO 8601 UTC, null for none
        want["not_after"] = None if not want["not_after"] else datetime.datetime.fromtimestamp(
            want["not_after"], datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.assertEqual(info, want)
        info = json.loads(self.cli("inspect", stdin=self.a.to_text().encode()).stdout)
        self.assertEqual(info, sp.inspect(self.a))

    def test_cli_to_python_and_sql(self):
        sk_text = self.cli("keygen").stdout.decode().strip()
        sk = sp.SecretKey.from_text(sk_text)
        pk = self.cli("pubkey", stdin=sk_text.encode()).stdout.decode().strip()
        self.assertEqual(sp.PublicKey.from_text(pk), sk.public_key)
        ct = self.cli("encrypt", pk, "--aad", "cli", stdin=b"from the CLI").stdout.decode().strip()
        self.assertEqual(sk.decrypt(ct), b"from the CLI")
        self.assertEqual(sp.Ciphertext.from_text(ct).aad, b"cli")
        self.assertEqual(self.sql("SELECT pre_decrypt(%s::text::pre_ciphertext, %s)", [ct, sk]), b"from the CLI")
        g = self.cli("grant", self.b.public_key.to_text(), "--secret-key", self.keyfile(sk)).stdout.decode().strip()
        grant = sp.Grant.from_text(g)
        self.assertEqual((grant.from_key, grant.to_key), (sk.public_key, self.b.public_key))
        self.assertEqual(self.b.decrypt(sp.reencrypt(ct, grant)), b"from the CLI")
        lines = "\n".join([sp.reencrypt(ct, grant).to_text()] * 3) + "\n"
        p = self.cli("decrypt", "--secret-key", self.keyfile(self.b), "--batch", stdin=lines.encode())
        rows = [json.loads(x) for x in p.stdout.decode().splitlines()]
        self.assertEqual([base64.b64decode(r["plaintext"], validate=True) for r in rows], [b"from the CLI"] * 3)

    def test_sql_to_python_and_cli(self):
        ct = self.sql("SELECT pre_encrypt(%s, 'from SQL', 'sql')", [self.a.public_key], binary=True)
        self.assertEqual(self.a.decrypt(ct), b"from SQL")
        p = self.cli("decrypt", "--secret-key", self.keyfile(self.a), stdin=ct.to_text().encode())
        self.assertEqual(p.stdout, b"from SQL")
        sk = self.sql("SELECT pre_keygen()")
        g = self.sql("SELECT pre_grant(%s, %s)", [sk, self.b.public_key])
        self.assertEqual(g.from_key, sk.public_key)
        ct = sk.public_key.encrypt(b"x")
        self.assertEqual(self.b.decrypt(ct.reencrypt(g)), b"x")

    def test_tokens_agree(self):
        k = sp.IndexKey.generate()
        doc = "Straße, STRASSE; \u2460 ﬁx-up caf\u00e9 Cafe\u0301 troponin twice"
        path = os.path.join(self.tmp.name, "ik")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(k.to_text() + "\n")
        for prefixes in (False, True):
            mine = k.tokens(doc, prefixes=prefixes)
            self.assertEqual(self.sql("SELECT pre_tokens(%s, %s, %s)", [k, doc, prefixes]), mine)
            args = ["tokens", "--index-key", path] + (["--prefixes"] if prefixes else [])
            cli = [sp.Token.from_text(x) for x in self.cli(*args, stdin=doc.encode()).stdout.decode().split()]
            self.assertEqual(cli, mine)
        for word in ("Straße", "CAFÉ", "ﬁx"):
            self.assertEqual(self.sql("SELECT pre_token(%s, %s)", [k, word]), k.token(word))

    def test_envelopes_agree(self):
        data = bytes(range(256)) * 50
        env = sp.seal_envelope(self.a.public_key, data, aad="scan")
        body = os.path.join(self.tmp.name, "body")
        with open(body, "w") as f:
            f.write(base64.urlsafe_b64encode(env.body).decode().rstrip("=") + "\n")
        p = self.cli("open", "--secret-key", self.keyfile(self.a), "--body", body,
                     stdin=env.key_ciphertext.to_text().encode())
        self.assertEqual(p.stdout, data)
        out = self.cli("seal", self.a.public_key.to_text(), "--aad", "x", stdin=data).stdout.decode().split()
        raw = base64.urlsafe_b64decode(out[1] + "=" * (-len(out[1]) % 4))
        self.assertEqual(sp.open_envelope(self.a, out[0], raw), data)

    def test_protected_key_files_agree(self):
        text = self.a.protect("pass phrase", opslimit=1, memlimit=8192)
        path = os.path.join(self.tmp.name, "locked")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(text + "\n")
        pw = os.path.join(self.tmp.name, "pw")
        with open(pw, "w") as f:
            f.write("pass phrase\n")
        p = self.cli("pubkey", "--secret-key", path, "--passphrase-file", pw)
        self.assertEqual(p.stdout.decode().strip(), self.a.public_key.to_text())

    def write(self, name, text, mode=0o600):
        path = os.path.join(self.tmp.name, name)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "w") as f:
            f.write(text + "\n")
        return path

    def read(self, path):
        with open(path) as f:
            return f.read().strip()

    def test_cli_passwd_of_a_python_file(self):
        path = self.write("locked", self.a.protect("old phrase", opslimit=1, memlimit=8192))
        old, new = self.write("old.pw", "old phrase"), self.write("new.pw", "new phrase")
        self.cli("passwd", path, "--passphrase-file", old, "--new-passphrase-file", new)
        text = self.read(path)
        self.assertEqual(sp.SecretKey.unprotect(text, "new phrase").public_key, self.a.public_key)
        with self.assertRaises(sp.SecantError):
            sp.SecretKey.unprotect(text, "old phrase")
        info = json.loads(self.cli("inspect", stdin=text.encode()).stdout)
        self.assertEqual((info["content"], info["opslimit"], info["memlimit"]),
                         ("pre_secret_key", 1, 8192))

    def test_cli_protect_and_unprotect_agree_with_python(self):
        pw = self.write("pw", "a phrase")
        path = self.keyfile(self.a, "plain")
        self.cli("protect", path, "--passphrase-file", pw, "--pwhash-limits", "interactive")
        self.assertEqual(sp.SecretKey.unprotect(self.read(path), "a phrase").public_key,
                         self.a.public_key)
        ik = sp.IndexKey.generate()
        path = self.write("index", ik.protect("a phrase", opslimit=1, memlimit=8192))
        self.cli("unprotect", path, "--passphrase-file", pw)
        self.assertEqual(sp.IndexKey.from_text(self.read(path)), ik)
        path = self.write("index2", ik.to_bytes().hex())
        self.cli("protect", path, "--passphrase-file", pw, "--pwhash-limits", "interactive")
        self.assertEqual(sp.IndexKey.unprotect(self.read(path), "a phrase"), ik)


if __name__ == "__main__":
    unittest.main()
