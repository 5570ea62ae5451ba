"""psycopg 3 adapters of secant_pre.psycopg against a server (PGHOST,
PGPORT, PGUSER from the environment): every SQL type loads in text and
binary format, the public types dump in both, secret types are refused as
parameters unless asked for, arrays, and bad values from either side."""
import os
import unittest

import psycopg
from psycopg.pq import Format

import pgtest
import vectors
import secant_pre as sp
import secant_pre.psycopg as spg

DB = "secant_py_adapters"


def setUpModule():
    pgtest.create_database(DB)


def tearDownModule():
    pgtest.drop_database(DB)


class Adapters(unittest.TestCase):
    def setUp(self):
        self.conn = psycopg.connect(dbname=DB, autocommit=True)
        spg.register(self.conn)
        self.a = sp.SecretKey.generate()
        self.b = sp.SecretKey.generate()
        self.k = sp.IndexKey.generate()

    def tearDown(self):
        self.conn.close()

    def one(self, sql, params=(), binary=False):
        with self.conn.cursor(binary=binary) as cur:
            cur.execute(sql, params)
            return cur.fetchone()[0]

    def public_values(self):
        seal = sp.SealKey.from_text(self.one("SELECT secant.server_public_key()"))
        return {
            "pre_public_key": self.a.public_key,
            "pre_ciphertext": self.a.public_key.encrypt(b"note", aad=b"p:1"),
            "pre_token": self.k.token("diabetes"),
            "pre_sealed_grant": self.a.grant(self.b.public_key).seal(seal),
        }

    def test_public_types_round_trip_both_formats(self):
        for sqltype, v in self.public_values().items():
            for fmt in ("%t", "%b", "%s"):
                for binary in (False, True):
                    with self.subTest(type=sqltype, param=fmt, binary=binary):
                        got = self.one("SELECT %s::%s" % (fmt, sqltype), [v], binary=binary)
                        self.assertIs(type(got), type(v))
                        self.assertEqual(got, v)
                        # the server sees the same bytes, the same text
                        self.assertEqual(self.one("SELECT %s::%s::bytea" % (fmt, sqltype), [v]), v.to_bytes())
                        self.assertEqual(self.one("SELECT %s::%s::text" % (fmt, sqltype), [v]), v.to_text())

    def test_parameters_are_typed(self):
        v = self.public_values()
        self.assertEqual(self.one("SELECT pg_typeof(%s)::text", [v["pre_public_key"]]), "pre_public_key")
        self.assertEqual(self.one("SELECT pg_typeof(%b)::text", [v["pre_ciphertext"]]), "pre_ciphertext")
        self.assertEqual(self.one("SELECT pg_typeof(%s)::text", [[v["pre_token"]]]), "pre_token[]")

    def test_secret_types_load_both_formats(self):
        for binary in (False, True):
            sk = self.one("SELECT pre_keygen()", binary=binary)
            self.assertIsInstance(sk, sp.SecretKey)
            self.assertEqual(self.one("SELECT pre_public_key(%s::text::pre_secret_key)", [sk.to_text()],
                                      binary=binary), sk.public_key)
            g = self.one("SELECT pre_grant(pre_keygen(), %s)", [self.b.public_key], binary=binary)
            self.assertIsInstance(g, sp.Grant)
            self.assertEqual(g.to_key, self.b.public_key)

    def test_secrets_refused_without_opt_in(self):
        g = self.a.grant(self.b.public_key)
        for v in (self.a, g, self.k):
            for fmt in ("%s", "%t", "%b"):
                with self.subTest(value=type(v).__name__, param=fmt):
                    with self.assertRaises(spg.SecretRefused):
                        self.one("SELECT %s" % fmt, [v])

    def test_secrets_sent_with_opt_in(self):
        with psycopg.connect(dbname=DB, autocommit=True) as c:
            spg.register(c, send_secrets=True)
            g = self.a.grant(self.b.public_key)
            for fmt in ("%t", "%b"):
                for binary in (False, True):
                    cur = c.cursor(binary=binary)
                    self.assertEqual(cur.execute("SELECT %s::pre_secret_key" % fmt, [self.a]).fetchone()[0], self.a)
                    self.assertEqual(cur.execute("SELECT %s::pre_grant" % fmt, [g]).fetchone()[0], g)
                    self.assertEqual(cur.execute("SELECT pre_public_key(%s)" % fmt, [self.a]).fetchone()[0],
                                     self.a.public_key)
                    self.assertEqual(cur.execute("SELECT pre_token(%s, 'Diabetes')" % fmt, [self.k]).fetchone()[0],
                                     self.k.token("diabetes"))

    def test_server_values_read_by_python(self):
        ct = self.one("SELECT pre_encrypt(%s, 'from the server', 'aad')", [self.a.public_key], binary=True)
        self.assertEqual(self.a.decrypt(ct), b"from the server")
        self.assertEqual(ct.aad, b"aad")
        g = self.a.grant(self.b.public_key)
        with psycopg.connect(dbname=DB, autocommit=True) as c:
            spg.register(c, send_secrets=True)
            ct2 = c.execute("SELECT pre_reencrypt(%s, %s)", [ct, g]).fetchone()[0]
            self.assertEqual(self.b.decrypt(ct2), b"from the server")
            self.assertEqual(c.execute("SELECT pre_decrypt_text(%s, %s)", [ct2, self.b]).fetchone()[0],
                             "from the server")

    def test_token_arrays(self):
        doc = "Chest pain resolved; troponin negative twice."
        for binary in (False, True):
            with psycopg.connect(dbname=DB, autocommit=True) as c:
                spg.register(c, send_secrets=True)
                toks = c.cursor(binary=binary).execute("SELECT pre_tokens(%s, %s, true)", [self.k, doc]).fetchone()[0]
            self.assertEqual(toks, self.k.tokens(doc, prefixes=True))
            self.assertTrue(all(isinstance(t, sp.Token) for t in toks))
        mine = self.k.tokens(doc)
        self.assertEqual(self.one("SELECT %s::pre_token[] @> ARRAY[%s]", [mine, self.k.token("TWICE")]), True)
        self.assertEqual(self.one("SELECT %b", [mine], binary=True), mine)

    def test_nulls(self):
        self.assertIsNone(self.one("SELECT NULL::pre_ciphertext", binary=True))
        self.assertIsNone(self.one("SELECT %s::pre_public_key", [None]))

    def test_bad_values_from_the_client(self):
        pk = self.a.public_key.to_text()
        for sql, param in (("SELECT %b::pre_public_key", b"junk"),
                           ("SELECT %b::pre_ciphertext", b"SPCT\x01\x01\x00\x00"),
                           ("SELECT %b::pre_token", b"\x00" * 15),
                           ("SELECT %b::pre_sealed_grant", b"\x00" * 360),
                           ("SELECT %s::text::pre_public_key", pk[:-1]),
                           ("SELECT %s::text::pre_grant", "pregrant_AAAA")):
            with self.subTest(sql=sql):
                with self.assertRaises(psycopg.errors.DataError) as cm:
                    self.one(sql, [param])
                self.assertTrue(cm.exception.sqlstate.startswith("22"), cm.exception.sqlstate)
                self.assertNotIn(pk[6:], str(cm.exception))

    def test_bad_values_from_the_server(self):
        cur = self.conn.cursor()
        for name, cls in spg.TYPES.items():
            oid = psycopg.types.TypeInfo.fetch(self.conn, name).oid
            for fmt, data in ((Format.TEXT, b"garbage"), (Format.BINARY, b"\x01\x02"),
                              (Format.TEXT, cls.PREFIX.encode() + b"AAAA")):
                with self.subTest(type=name, format=fmt):
                    loader = cur.adapters.get_loader(oid, fmt)(oid, cur)
                    with self.assertRaises(sp.MalformedValueError):
                        loader.load(data)

    def test_invalid_value_loaded(self):
        # a server value is validated as the client validates values (fixed
        # invalid vectors: not a point, not canonical, the identity)
        cur = self.conn.cursor()
        oid = psycopg.types.TypeInfo.fetch(self.conn, "pre_public_key").oid
        bad = vectors.invalid("pre_public_key", "P not canonical", "P is the identity",
                              "signing key is not a valid Ed25519 point")
        self.assertEqual(len(bad), 3)
        for text in bad:
            with self.assertRaises(sp.InvalidValueError):
                cur.adapters.get_loader(oid, Format.BINARY)(oid, cur).load(vectors.text_bytes(text))
            with self.assertRaises(sp.InvalidValueError):
                cur.adapters.get_loader(oid, Format.TEXT)(oid, cur).load(text.encode())

    def test_ciphertexts_loaded_unvalidated(self):
        ct = self.a.public_key.encrypt(b"fast")
        b = bytearray(ct.to_bytes())
        b[136] ^= 1          # the capsule: refused by full validation only
        with psycopg.connect(dbname=DB) as c:
            spg.register(c, validate_ciphertexts=False)
            cur = c.cursor()
            oid = psycopg.types.TypeInfo.fetch(c, "pre_ciphertext").oid
            for fmt, data in ((Format.BINARY, bytes(b)), (Format.TEXT, sp.Ciphertext.from_bytes_unchecked(b).to_text().encode())):
                loaded = cur.adapters.get_loader(oid, fmt)(oid, cur).load(data)
                self.assertEqual(loaded.to_bytes(), bytes(b))
                with self.assertRaises(sp.DecryptionError):
                    self.a.decrypt(loaded)
                with self.assertRaises(sp.MalformedValueError):
                    cur.adapters.get_loader(oid, fmt)(oid, cur).load(b"SPCT" if fmt == Format.BINARY else b"prect_AAAA")
            self.assertEqual(self.a.decrypt(c.cursor(binary=True).execute("SELECT %b::pre_ciphertext", [ct]).fetchone()[0]), b"fast")
        with self.assertRaises(sp.InvalidValueError):
            sp.Ciphertext.from_bytes(bytes(b))

    def test_register_needs_the_extension(self):
        with psycopg.connect(dbname="postgres") as c:
            with self.assertRaises(psycopg.ProgrammingError):
                spg.register(c)

    def test_register_on_cursor(self):
        with psycopg.connect(dbname=DB) as c:
            cur = c.cursor(binary=True)
            spg.register(cur)
            self.assertEqual(cur.execute("SELECT %s::pre_public_key", [self.a.public_key]).fetchone()[0],
                             self.a.public_key)
            self.assertEqual(type(c.execute("SELECT pre_public_key(pre_keygen())").fetchone()[0]), str)

    def test_sealed_grant_stored(self):
        c = self.conn
        names = ("py_a_%d" % os.getpid(), "py_b_%d" % os.getpid())
        for n, k in zip(names, (self.a, self.b)):
            c.execute("SELECT secant.add_principal(%s, 'user', %s)", [n, k.public_key])
        seal = sp.SealKey.from_text(self.one("SELECT secant.server_public_key()"))
        sealed = self.a.grant(self.b.public_key).seal(seal)
        c.execute("INSERT INTO secant.grants (sealed) VALUES (%b)", [sealed])
        row = c.cursor(binary=True).execute(
            "SELECT from_key, to_key, sealed FROM secant.grants WHERE to_key = %s", [self.b.public_key]).fetchone()
        self.assertEqual(row, (self.a.public_key, self.b.public_key, sealed))
        ct = self.a.public_key.encrypt(b"via the server")
        out = self.one("SELECT secant.reencrypt_for(%s, %s)", [ct, self.b.public_key], binary=True)
        self.assertEqual(self.b.decrypt(out), b"via the server")


class AsyncAdapters(unittest.IsolatedAsyncioTestCase):
    """register_async on an AsyncConnection and an AsyncCursor, under asyncio."""

    async def asyncSetUp(self):
        self.conn = await psycopg.AsyncConnection.connect(dbname=DB, autocommit=True)
        self.a = sp.SecretKey.generate()

    async def asyncTearDown(self):
        await self.conn.close()

    async def test_register_async_connection(self):
        await spg.register_async(self.conn)
        ct = self.a.public_key.encrypt(b"async", aad=b"p:2")
        for binary in (False, True):
            async with self.conn.cursor(binary=binary) as cur:
                await cur.execute("SELECT %s::pre_ciphertext, pre_public_key(pre_keygen())", [ct])
                got, pk = await cur.fetchone()
            self.assertEqual(got, ct)
            self.assertIs(type(pk), sp.PublicKey)
        self.assertEqual(self.a.decrypt(got), b"async")
        with self.assertRaises(spg.SecretRefused):
            await self.conn.execute("SELECT %s::pre_secret_key", [self.a])

    async def test_register_async_cursor(self):
        cur = self.conn.cursor(binary=True)
        await spg.register_async(cur, send_secrets=True)
        await cur.execute("SELECT %s::pre_secret_key", [self.a])
        self.assertEqual((await cur.fetchone())[0], self.a)
        other = await self.conn.execute("SELECT pre_public_key(pre_keygen())")
        self.assertIs(type((await other.fetchone())[0]), str)

    async def test_register_refuses_async(self):
        with self.assertRaisesRegex(TypeError, "register_async"):
            spg.register(self.conn)


if __name__ == "__main__":
    unittest.main()
