"""Unit tests of the Python package secant_pre (no server): every public
function and class, every error class, and that repr()/str() never show
secret material."""
import datetime as dt
import hashlib
import pickle
import unittest

import secant_pre as sp
from secant_pre import _native

import vectors


def seal_key(pk=b"\x07" * 32, dbid=b"\x01" * 16):
    """A sealing key as secant.server_public_key() encodes one."""
    keyid = hashlib.blake2b(pk, digest_size=32).digest()[:8]
    return sp.SealKey.from_bytes(b"SPSK\x01\x00\x00\x00" + keyid + pk + dbid)


class Library(unittest.TestCase):
    def test_version(self):
        self.assertRegex(sp.library_version(), r"^\d+\.\d+\.\d+$")

    def test_loaded_from(self):
        self.assertIn("libsecant-pre.so.0", sp.LIBRARY_PATH)
        self.assertEqual(_native.LIBRARY_PATH, sp.LIBRARY_PATH)


class Keys(unittest.TestCase):
    def setUp(self):
        self.sk = sp.SecretKey.generate()

    def test_text_and_bytes_round_trip(self):
        text = self.sk.to_text()
        self.assertTrue(text.startswith("presk_"))
        self.assertEqual(sp.SecretKey.from_text(text), self.sk)
        self.assertEqual(sp.SecretKey.from_bytes(bytes(self.sk)), self.sk)
        self.assertEqual(len(self.sk.to_bytes()), 32)
        pk = self.sk.public_key
        self.assertEqual(sp.PublicKey.from_text(pk.to_text()), pk)
        self.assertEqual(sp.PublicKey.from_bytes(pk.to_bytes()), pk)
        self.assertEqual(str(pk), pk.to_text())
        self.assertEqual(len(pk), 64)

    def test_public_key_is_derived(self):
        again = sp.SecretKey.from_bytes(self.sk.to_bytes())
        self.assertEqual(again.public_key, self.sk.public_key)
        self.assertNotEqual(sp.SecretKey.generate().public_key, self.sk.public_key)

    def test_repr_hides_the_secret(self):
        secret_text = self.sk.to_text()
        for shown in (repr(self.sk), str(self.sk), "%s" % self.sk, "{!r}".format(self.sk)):
            self.assertNotIn(secret_text[6:], shown)
            self.assertNotIn(self.sk.to_bytes().hex(), shown)
            self.assertIn("public_key=prepk_", shown)

    def test_not_picklable(self):
        with self.assertRaises(TypeError):
            pickle.dumps(self.sk)
        pk = self.sk.public_key
        self.assertEqual(pickle.loads(pickle.dumps(pk)), pk)

    def test_close(self):
        self.sk.close()
        self.sk.close()
        with self.assertRaises(ValueError):
            self.sk.grant(sp.SecretKey.generate().public_key)

    def test_constructor_is_private(self):
        with self.assertRaises(TypeError):
            sp.PublicKey(b"x" * 64)

    def test_parse(self):
        pk = self.sk.public_key
        self.assertIs(sp.PublicKey.parse(pk), pk)
        self.assertEqual(sp.PublicKey.parse(pk.to_text()), pk)
        self.assertEqual(sp.PublicKey.parse(pk.to_bytes()), pk)
        with self.assertRaises(TypeError):
            sp.PublicKey.parse(42)
        with self.assertRaises(TypeError):
            sp.PublicKey.from_text(b"prepk_")

    def test_malformed(self):
        pk = self.sk.public_key.to_text()
        cases = [
            (sp.SecretKey, "presk_" + pk[6:], "SP_ELENGTH"),     # a public key's bytes
            (sp.PublicKey, "prepx_" + pk[6:], "SP_EPREFIX"),
            (sp.PublicKey, self.sk.to_text(), "SP_EPREFIX"),
            (sp.PublicKey, pk[:-1], "SP_ELENGTH"),
            (sp.PublicKey, pk[:-2] + "*" + pk[-1], "SP_EBASE64"),
            (sp.PublicKey, "", "SP_EPREFIX"),
            (sp.Token, "pretok_", "SP_ELENGTH"),
        ]
        for cls, text, name in cases:
            with self.assertRaises(sp.MalformedValueError, msg=name) as cm:
                cls.from_text(text)
            self.assertEqual(cm.exception.name, name, text[:12])
            self.assertIsInstance(cm.exception, ValueError)

    def test_invalid_point(self):
        # fixed invalid vectors, never a random mutation (it may stay valid)
        for why in ("P not canonical", "P is the identity", "signing key is not a valid Ed25519 point"):
            (text,) = vectors.invalid("pre_public_key", why)
            with self.assertRaises(sp.InvalidValueError, msg=why) as cm:
                sp.PublicKey.from_bytes(vectors.text_bytes(text))
            self.assertIn(cm.exception.name, ("SP_EPOINT", "SP_ESIGNATURE"), why)

    def test_protect(self):
        text = self.sk.protect("correct horse", opslimit=1, memlimit=8192)
        self.assertTrue(text.startswith("prelocked_"))
        self.assertEqual(sp.SecretKey.unprotect(text, "correct horse"), self.sk)
        with self.assertRaises(sp.PassphraseError) as cm:
            sp.SecretKey.unprotect(text, "wrong")
        self.assertEqual(cm.exception.name, "SP_KF_EPASSPHRASE")
        with self.assertRaises(sp.KeyFileError) as cm:
            sp.SecretKey.unprotect("prelocked_AAAA", "x")
        self.assertEqual(cm.exception.name, "SP_KF_ETEXT")
        with self.assertRaises(sp.KeyFileError) as cm:
            sp.IndexKey.unprotect(text, "correct horse")
        self.assertEqual(cm.exception.name, "SP_KF_ECONTENT")
        with self.assertRaises(sp.KeyFileError) as cm:
            self.sk.protect("", opslimit=1, memlimit=8192)
        self.assertEqual(cm.exception.name, "SP_KF_EEMPTY")
        with self.assertRaises(sp.KeyFileError) as cm:
            self.sk.protect("pw", opslimit=100, memlimit=8192)
        self.assertEqual(cm.exception.name, "SP_KF_ELIMITS")


class Grants(unittest.TestCase):
    def setUp(self):
        self.a = sp.SecretKey.generate()
        self.b = sp.SecretKey.generate()

    def test_grant_fields(self):
        g = self.a.grant(self.b.public_key)
        self.assertEqual(g.from_key, self.a.public_key)
        self.assertEqual(g.to_key, self.b.public_key)
        self.assertIsNone(g.not_after)
        self.assertEqual(len(g.hop_key), 32)
        self.assertEqual(sp.Grant.from_text(g.to_text()), g)
        self.assertTrue(g.to_text().startswith("pregrant_"))

    def test_not_after(self):
        when = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
        self.assertEqual(self.a.grant(self.b.public_key, when).not_after, when)
        self.assertEqual(self.a.grant(self.b.public_key, int(when.timestamp())).not_after, when)
        with self.assertRaises(ValueError):
            self.a.grant(self.b.public_key, dt.datetime(2030, 1, 1))

    def test_repr_hides_rk(self):
        g = self.a.grant(self.b.public_key)
        for shown in (repr(g), str(g)):
            self.assertNotIn(g.to_text()[9:60], shown)
            self.assertNotIn(g.to_bytes()[168:200].hex(), shown)
            self.assertIn("from=prepk_", shown)
        with self.assertRaises(TypeError):
            pickle.dumps(g)

    def test_same_key(self):
        with self.assertRaises(sp.InvalidValueError) as cm:
            self.a.grant(self.a.public_key)
        self.assertEqual(cm.exception.name, "SP_ESAMEKEY")

    def test_bad_signature(self):
        b = bytearray(self.a.grant(self.b.public_key).to_bytes())
        b[-1] ^= 1
        with self.assertRaises(sp.InvalidValueError) as cm:
            sp.Grant.from_bytes(bytes(b))
        self.assertEqual(cm.exception.name, "SP_ESIGNATURE")

    def test_seal(self):
        key = seal_key()
        self.assertTrue(key.to_text().startswith("presealkey_"))
        self.assertEqual(sp.SealKey.from_text(key.to_text()), key)
        g = self.a.grant(self.b.public_key)
        sealed = g.seal(key)
        self.assertIsInstance(sealed, sp.SealedGrant)
        self.assertEqual(len(sealed), 360)
        self.assertEqual(sealed.key_id, key.key_id)
        self.assertEqual(sp.SealedGrant.from_text(sealed.to_text()), sealed)
        self.assertNotEqual(g.seal(key.to_text()), sealed)     # a fresh ephemeral key each time
        self.assertTrue(str(sealed).startswith("presealed_"))

    def test_seal_key_malformed(self):
        b = bytearray(seal_key().to_bytes())
        b[0] = ord("X")
        with self.assertRaises(sp.MalformedValueError) as cm:
            sp.SealKey.from_bytes(bytes(b))
        self.assertEqual(cm.exception.name, "SP_EMAGIC")
        b = bytearray(seal_key().to_bytes())
        b[8] ^= 1      # key id does not match the key
        with self.assertRaises(sp.SecantError):
            sp.SealKey.from_bytes(bytes(b))
        with self.assertRaises(sp.MalformedValueError):
            sp.SealedGrant.from_bytes(b"SPSX" + bytes(356))


class Ciphertexts(unittest.TestCase):
    def setUp(self):
        self.keys = [sp.SecretKey.generate() for _ in range(3)]
        self.ct = self.keys[0].public_key.encrypt("HbA1c 7.9 %", aad="patient:4711")

    def test_encrypt_decrypt(self):
        ct = self.ct
        self.assertEqual(ct.level, 1)
        self.assertEqual(ct.aad, b"patient:4711")
        self.assertEqual(ct.recipient, self.keys[0].public_key)
        self.assertEqual(ct.origin, self.keys[0].public_key)
        self.assertEqual(ct.hops, [])
        self.assertEqual(ct.plaintext_length, len("HbA1c 7.9 %"))
        self.assertEqual(self.keys[0].decrypt(ct), "HbA1c 7.9 %".encode())
        self.assertEqual(sp.decrypt(self.keys[0], ct.to_text()), b"HbA1c 7.9 %")
        self.assertEqual(sp.encrypt(self.keys[0].public_key.to_text(), b"").plaintext_length, 0)
        self.assertEqual(sp.Ciphertext.from_text(ct.to_text()), ct)
        self.assertEqual(repr(ct), "<Ciphertext level=1 %d bytes>" % len(ct))
        with self.assertRaises(TypeError):
            sp.encrypt(self.keys[0].public_key, 42)

    def test_reencrypt_path(self):
        g1 = self.keys[0].grant(self.keys[1].public_key)
        g2 = self.keys[1].grant(self.keys[2].public_key)
        c2 = self.ct.reencrypt(g1)
        c3 = sp.reencrypt(c2.to_text(), g2.to_text())
        self.assertEqual((c2.level, c3.level), (2, 3))
        self.assertEqual(c3.hops, [self.keys[1].public_key, self.keys[2].public_key])
        self.assertEqual(c3.recipient, self.keys[2].public_key)
        self.assertEqual(c3.origin, self.keys[0].public_key)
        self.assertEqual(self.keys[2].decrypt(c3), b"HbA1c 7.9 %")
        self.assertEqual(self.keys[1].decrypt(c2), b"HbA1c 7.9 %")

    def test_wrong_recipient(self):
        g = self.keys[1].grant(self.keys[2].public_key)
        with self.assertRaises(sp.WrongRecipientError) as cm:
            self.ct.reencrypt(g)
        self.assertEqual(cm.exception.code, -20)

    def test_wrong_key(self):
        with self.assertRaises(sp.WrongKeyError) as cm:
            self.keys[1].decrypt(self.ct)
        self.assertEqual(cm.exception.name, "SP_EWRONGKEY")

    def test_modified_body(self):
        b = bytearray(self.ct.to_bytes())
        b[-1] ^= 1
        ct = sp.Ciphertext.from_bytes(bytes(b))       # the body is not checked before decryption
        with self.assertRaises(sp.DecryptionError) as cm:
            self.keys[0].decrypt(ct)
        self.assertEqual(cm.exception.name, "SP_EDECRYPT")

    def test_max_level(self):
        keys = [sp.SecretKey.generate() for _ in range(sp.MAX_LEVEL)]
        ct = keys[0].public_key.encrypt(b"deep")
        for k in range(1, sp.MAX_LEVEL):
            ct = ct.reencrypt(keys[k - 1].grant(keys[k].public_key))
        self.assertEqual(ct.level, 16)
        self.assertEqual(keys[-1].decrypt(ct), b"deep")
        with self.assertRaises(sp.MaxLevelError):
            ct.reencrypt(keys[-1].grant(self.keys[0].public_key))

    def test_malformed_ciphertext(self):
        b = bytearray(self.ct.to_bytes())
        b[4] = 9
        with self.assertRaises(sp.MalformedValueError) as cm:
            sp.Ciphertext.from_bytes(bytes(b))
        self.assertEqual(cm.exception.name, "SP_EVERSION")
        b = bytearray(self.ct.to_bytes())
        b[5] = 0
        with self.assertRaises(sp.MalformedValueError) as cm:
            sp.Ciphertext.from_bytes_unchecked(bytes(b))
        self.assertEqual(cm.exception.name, "SP_ELEVEL")
        with self.assertRaises(sp.MalformedValueError):
            sp.Ciphertext.from_bytes(b"SPCT")

    def test_invalid_capsule(self):
        b = bytearray(self.ct.to_bytes())
        b[136] ^= 1       # the capsule's scalar s
        with self.assertRaises(sp.InvalidValueError):
            sp.Ciphertext.from_bytes(bytes(b))


class Batch(unittest.TestCase):
    def setUp(self):
        self.a, self.b, self.c = (sp.SecretKey.generate() for _ in range(3))
        g1 = self.a.grant(self.b.public_key)
        g2 = self.b.grant(self.c.public_key)
        self.notes = [("note %d" % i).encode() for i in range(20)]
        self.cts = [self.a.public_key.encrypt(n).reencrypt(g1).reencrypt(g2) for n in self.notes]

    def test_decrypt_many(self):
        with self.c.decryptor(slots=8) as d:
            self.assertEqual(d.decrypt_many(self.cts), self.notes)
            hits, misses = d.stats
            self.assertEqual((hits, misses), (19, 1))
            self.assertEqual(d.decrypt(self.cts[0].to_text()), self.notes[0])
            self.assertIn("Decryptor for <SecretKey", repr(d))
        with self.assertRaises(ValueError):
            d.decrypt(self.cts[0])

    def test_forms(self):
        mixed = [self.cts[0], self.cts[1].to_bytes(), self.cts[2].to_text(), bytearray(self.cts[3].to_bytes())]
        self.assertEqual(sp.decrypt_many(self.c, mixed), self.notes[:4])

    def test_errors(self):
        bad = self.a.public_key.encrypt(b"not for c")
        with self.assertRaises(sp.WrongKeyError):
            sp.decrypt_many(self.c, [self.cts[0], bad])
        out = sp.decrypt_many(self.c, [self.cts[0], bad, b"junk", self.cts[1]], errors="return")
        self.assertEqual(out[0], self.notes[0])
        self.assertIsInstance(out[1], sp.WrongKeyError)
        self.assertIsInstance(out[2], sp.MalformedValueError)
        self.assertEqual(out[3], self.notes[1])
        with self.assertRaises(ValueError):
            sp.decrypt_many(self.c, [], errors="ignore")
        with self.assertRaises(ValueError):
            sp.Decryptor(self.c, 0)
        with self.assertRaises(TypeError):
            sp.Decryptor(self.c.public_key)


class Tokens(unittest.TestCase):
    def setUp(self):
        self.k = sp.IndexKey.generate()

    def test_token(self):
        t = self.k.token("Twice")
        self.assertEqual(self.k.token("TWICE"), t)        # case folded
        self.assertEqual(self.k.token("  twice "), t)     # trimmed
        self.assertEqual(self.k.token(b"twice"), t)
        self.assertNotEqual(sp.IndexKey.generate().token("twice"), t)
        self.assertEqual(sp.Token.from_text(t.to_text()), t)
        self.assertEqual(len(t), 16)
        self.assertIn("pretok_", repr(t))

    def test_tokens(self):
        toks = self.k.tokens("Chest pain resolved; troponin negative twice. Twice!")
        self.assertEqual(toks, sorted(set(toks)))
        self.assertEqual(len(toks), 6)
        self.assertIn(self.k.token("twice"), toks)
        pre = self.k.tokens("troponin", prefixes=True)
        self.assertIn(self.k.token("trop"), pre)
        self.assertNotIn(self.k.token("tr"), pre)
        self.assertEqual(self.k.tokens(""), [])

    def test_text_errors(self):
        with self.assertRaises(sp.MalformedValueError) as cm:
            self.k.token("   ")
        self.assertEqual(cm.exception.name, "SP_ELENGTH")
        with self.assertRaises(sp.TextError) as cm:
            self.k.token(b"\xff\xfe")
        self.assertEqual(cm.exception.name, "SP_EUTF8")
        with self.assertRaises(sp.TextError) as cm:
            self.k.token("a" * 5000)
        self.assertEqual(cm.exception.name, "SP_EWORDLONG")
        with self.assertRaises(sp.TextError) as cm:
            self.k.tokens("a " * (1 << 19) + "b")
        self.assertEqual(cm.exception.name, "SP_ETEXTLONG")

    def test_index_key(self):
        self.assertEqual(sp.IndexKey.from_text(self.k.to_text()), self.k)
        self.assertEqual(sp.IndexKey.from_bytes(bytes(self.k)), self.k)
        self.assertEqual(len(self.k.to_text()), 64)
        for shown in (repr(self.k), str(self.k)):
            self.assertNotIn(self.k.to_text(), shown)
        with self.assertRaises(sp.MalformedValueError):
            sp.IndexKey(b"short")
        with self.assertRaises(sp.MalformedValueError):
            sp.IndexKey.from_text("zz")
        with self.assertRaises(TypeError):
            pickle.dumps(self.k)
        text = self.k.protect("pw", opslimit=1, memlimit=8192)
        self.assertEqual(sp.IndexKey.unprotect(text, "pw"), self.k)
        sk = sp.SecretKey.generate()
        self.assertEqual(sk.decrypt(self.k.encrypt_for(sk.public_key)), bytes(self.k))


class Envelopes(unittest.TestCase):
    def test_seal_open(self):
        a, b = sp.SecretKey.generate(), sp.SecretKey.generate()
        data = bytes(range(256)) * 400
        env = sp.seal_envelope(a.public_key, data, aad="scan:1")
        self.assertEqual(env.key_ciphertext.aad, b"scan:1")
        self.assertEqual(env.open(a), data)
        self.assertEqual(len(env.body), len(data) + 8 + 24 + 16)
        moved = env.key_ciphertext.reencrypt(a.grant(b.public_key))
        self.assertEqual(sp.open_envelope(b, moved, env.body), data)
        body = bytearray(env.body)
        body[-1] ^= 1
        with self.assertRaises(sp.DecryptionError):
            sp.open_envelope(a, env.key_ciphertext, bytes(body))
        with self.assertRaises(sp.MalformedValueError):
            sp.open_envelope(a, env.key_ciphertext, b"short")
        other = a.public_key.encrypt(b"x" * 32)
        with self.assertRaises(sp.DecryptionError):
            sp.open_envelope(a, other, env.body)
        self.assertIn("<Envelope <Ciphertext level=1", repr(env))


class Inspection(unittest.TestCase):
    def test_kind_of_and_parse(self):
        sk = sp.SecretKey.generate()
        b = sp.SecretKey.generate()
        k = sp.IndexKey.generate()
        values = [sk, sk.public_key, sk.grant(b.public_key), sk.public_key.encrypt(b"x"),
                  k.token("x"), sk.grant(b.public_key).seal(seal_key()), seal_key()]
        for v in values:
            self.assertIs(sp.kind_of(v.to_text()), type(v))
            self.assertEqual(sp.parse(v.to_text()), v)
        self.assertIsNone(sp.kind_of("hello"))
        with self.assertRaises(sp.MalformedValueError):
            sp.parse("hello")

    def test_inspect(self):
        a, b = sp.SecretKey.generate(), sp.SecretKey.generate()
        self.assertEqual(sp.inspect(a), {"type": "pre_secret_key", "bytes": 32,
                                         "public_key": a.public_key.to_text()})
        g = a.grant(b.public_key, 2000000000)
        d = sp.inspect(g.to_text())
        self.assertEqual((d["from"], d["to"], d["not_after"], d["X"]),
                         (a.public_key.to_text(), b.public_key.to_text(), 2000000000, g.hop_key.hex()))
        ct = a.public_key.encrypt(b"hello", b"aad").reencrypt(g)
        d = sp.inspect(ct)
        self.assertEqual((d["level"], d["aad_bytes"], d["plaintext_bytes"]), (2, 3, 5))
        self.assertEqual(d["hops"], [{"to": b.public_key.to_text(), "X": g.hop_key.hex()}])
        self.assertEqual(sp.inspect(b.public_key), {"type": "pre_public_key", "bytes": 64, "valid": True})


class Errors(unittest.TestCase):
    def test_every_code_has_its_class(self):
        expect = {
            -1: sp.MalformedValueError, -2: sp.MalformedValueError, -3: sp.MalformedValueError,
            -4: sp.MalformedValueError, -5: sp.MalformedValueError, -6: sp.MalformedValueError,
            -7: sp.MalformedValueError, -8: sp.MalformedValueError,
            -10: sp.InvalidValueError, -11: sp.InvalidValueError, -12: sp.InvalidValueError,
            -13: sp.InvalidValueError, -14: sp.InvalidValueError,
            -20: sp.WrongRecipientError, -21: sp.MaxLevelError, -22: sp.WrongKeyError,
            -23: sp.DecryptionError, -24: sp.SecantError, -25: sp.TooLongError,
            -26: sp.SecantError, -27: sp.SecantError, -28: sp.TextError, -29: sp.SecantError,
            -30: sp.TextError, -31: sp.TextError, -32: sp.WrongDatabaseError,
            -101: sp.KeyFileError, -109: sp.PassphraseError,
        }
        for code, cls in expect.items():
            e = sp._error(code, "doing")
            self.assertIs(type(e), cls, code)
            self.assertEqual(e.code, code)
            self.assertTrue(e.name.startswith("SP_"))
            self.assertTrue(e.reason)
            self.assertIn(e.name, str(e))
            self.assertTrue(str(e).startswith("doing: "))
            self.assertIsInstance(e, sp.SecantError)

    def test_error_names_match_the_library(self):
        # the library's sentence of each named code is its own, not the fallback
        fallback = sp._strerror(-999)
        for code in sp._ERR_NAMES:
            self.assertNotEqual(sp._strerror(code), fallback, code)

    def test_errors_never_show_values(self):
        sk = sp.SecretKey.generate()
        text = sk.to_text()
        try:
            sp.PublicKey.from_text(text)
        except sp.SecantError as e:
            self.assertNotIn(text[6:], str(e))
            self.assertNotIn(text[6:], repr(e))

class ThresholdTest(unittest.TestCase):
    """test/vectors/threshold.json through libsecant-pre, and random t-of-n round trips."""

    def setUp(self):
        self.v = vectors.load("scheme-v1.json")
        self.tv = vectors.load("threshold.json")
        self.srv = [(bytes.fromhex(s["secret"]), bytes.fromhex(s["database"]),
                     sp.SealKey.from_bytes(bytes.fromhex(s["sealing_key"]))) for s in self.tv["servers"]]

    def test_vectors(self):
        for g in self.tv["grants"]:
            frm = sp.SecretKey.from_bytes(bytes.fromhex(self.v[g["from"]]["secret_key_seed"]))
            shares = sp.split_grant(sp.Grant.from_bytes(bytes.fromhex(g["grant"])), frm, g["t"],
                                    [self.srv[h][2] for h in g["holders"]],
                                    coefficients=[bytes.fromhex(c) for c in g["coefficients"]],
                                    seeds=[bytes.fromhex(s) for s in g["seeds"]])
            self.assertEqual([s.to_bytes().hex() for s in shares], g["shares"])
            ct = sp.Ciphertext.from_bytes(bytes.fromhex(g["ciphertext"]))
            for i, sh in enumerate(shares):
                sk, db, _ = self.srv[g["holders"][i]]
                rk = sp.open_share(sh, sk, db)
                self.assertEqual(bytes(rk).hex(), g["share_scalars"][i])
                p = sp.make_partial(sh, rk, ct, rho=bytes.fromhex(g["rhos"][i]))
                self.assertEqual(p.to_bytes().hex(), g["partials"][i])
                sp.verify_partial(p, shares[-1], ct)
                self.assertTrue(sh.same_grant(shares[0]))
            for c in g["combinations"]:
                out = sp.combine(ct, shares[0], [bytes.fromhex(g["partials"][i - 1]) for i in c["indices"]])
                self.assertEqual(out.to_bytes().hex(), c["result"])

    def test_invalid(self):
        g = self.tv["grants"][0]
        sk, db, _ = self.srv[g["holders"][0]]
        share = sp.GrantShare.from_bytes(bytes.fromhex(g["shares"][0]))
        ct = sp.Ciphertext.from_bytes(bytes.fromhex(g["ciphertext"]))
        run = {
            "share": lambda b: sp.GrantShare.from_bytes(b),
            "open": lambda b: sp.open_share(b, sk, db),
            "partial": lambda b: sp.verify_partial(b, share, ct),
            "combine": lambda b: sp.combine(ct, share, [b[k:k + 104] for k in range(0, len(b), 104)]),
        }
        for b in self.tv["invalid"]:
            with self.subTest(kind=b["kind"], name=b["name"]):
                with self.assertRaises(sp.SecantError) as cm:
                    run[b["kind"]](bytes.fromhex(b["value"]))
                self.assertEqual(cm.exception.name, b["error"])

    def test_round_trip(self):
        a, b = sp.SecretKey.generate(), sp.SecretKey.generate()
        grant = a.grant(b.public_key)
        ct = sp.encrypt(a.public_key, b"threshold", b"aad")
        want = sp.reencrypt(ct, grant).to_bytes()
        shares = sp.split_grant(grant, a, 3, [k for _, _, k in self.srv])
        parts = [sp.make_partial(sp.GrantShare.from_text(sh.to_text()), sp.open_share(sh, *self.srv[i][:2]), ct)
                 for i, sh in enumerate(shares)]
        for idx in ([0, 1, 2], [2, 3, 4], [4, 0, 2]):
            out = sp.combine(ct, shares[0], [sp.Partial.from_text(parts[i].to_text()) for i in idx])
            self.assertEqual(out.to_bytes(), want)
            self.assertEqual(b.decrypt(out), b"threshold")
        with self.assertRaises(sp.SecantError) as cm:
            sp.combine(ct, shares[0], parts[:2])
        self.assertEqual(cm.exception.name, "SP_ETHRESHOLD")


if __name__ == "__main__":
    unittest.main()
