#!/usr/bin/python3
"""examples/clinic.py - a small clinic client in Python over secant_pre.

A cardiology group shares patient notes with its doctors; the doctors read
them on their phones.  Keys, grants, encryption, decryption and search
tokens are made here, on the "clients"; PostgreSQL stores public keys,
sealed grants, ciphertexts and tokens, and re-encrypts.  Then Dr Ada's
phone is lost: its enrolment is revoked and its reads are refused.

Run against a server where the extension is installed (PGHOST, PGPORT,
PGUSER as for psql; a superuser, since it creates a database and login
roles):

    /usr/bin/python3 examples/clinic.py [--check]

With --check every outcome is asserted and the last line is
"N passed, M failed" (make test runs it that way).
"""
import os
import sys

import psycopg

import secant_pre as sp
import secant_pre.psycopg

CHECK = "--check" in sys.argv[1:]
DB = "secant_clinic_py"
PHONE_ROLES = {"ada_phone": "clinic_py_ada_phone", "bob_phone": "clinic_py_bob_phone"}
NOTES = [
    ("4711", "HbA1c 7.9 %, start metformin 500 mg twice daily."),
    ("4712", "Echo: ejection fraction 55 %, no valve disease."),
    ("4713", "Chest pain resolved; troponin negative twice."),
]
passed = failed = 0


def step(text):
    print("\n== " + text)


def expect(what, got, want):
    global passed, failed
    if got == want:
        passed += 1
        if CHECK:
            print("   ok - " + what)
    else:
        failed += 1
        print("   not ok - %s: expected %r, got %r" % (what, want, got))


def admin_connection(dbname):
    conn = psycopg.connect(dbname=dbname, autocommit=True)
    return conn


def setup_database():
    with admin_connection("postgres") as c:
        c.execute("DROP DATABASE IF EXISTS %s" % DB)
        for role in PHONE_ROLES.values():
            c.execute("DROP ROLE IF EXISTS %s" % role)
        c.execute("CREATE DATABASE %s" % DB)
        for role in PHONE_ROLES.values():
            c.execute("CREATE ROLE %s LOGIN" % role)
    with admin_connection(DB) as c:
        c.execute("CREATE EXTENSION secant_pre")


def teardown_database():
    with admin_connection("postgres") as c:
        c.execute("DROP DATABASE IF EXISTS %s" % DB)
        for role in PHONE_ROLES.values():
            c.execute("DROP ROLE IF EXISTS %s" % role)


def main():
    setup_database()
    try:
        run()
    finally:
        teardown_database()
    if CHECK:
        print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def run():
    db = admin_connection(DB)
    secant_pre.psycopg.register(db)          # loaders and (public) dumpers

    step("1. Everyone makes a key pair on their own device")
    keys = {who: sp.SecretKey.generate()
            for who in ("cardiology", "dr_ada", "ada_phone", "dr_bob", "bob_phone")}
    for who, sk in keys.items():
        print("   %-10s %r" % (who, sk))     # repr shows the public key only

    step("2. The clinic registers the public keys as principals, and binds the phones' logins")
    kinds = {"cardiology": "group", "dr_ada": "user", "dr_bob": "user",
             "ada_phone": "device", "bob_phone": "device"}
    for who, sk in keys.items():
        db.execute("SELECT secant.add_principal(%s, %s, %s)", [who, kinds[who], sk.public_key])
    for device, role in PHONE_ROLES.items():
        db.execute("SELECT secant.bind(%s, %s)", [device, role])
    n = db.execute("SELECT count(*) FROM secant.principals").fetchone()[0]
    expect("five principals", n, 5)

    step("3. Grants, made and sealed on the clients to the server's key")
    seal_key = sp.SealKey.from_text(db.execute("SELECT secant.server_public_key()").fetchone()[0])
    for frm, to in (("cardiology", "dr_ada"), ("cardiology", "dr_bob"),
                    ("dr_ada", "ada_phone"), ("dr_bob", "bob_phone")):
        grant = keys[frm].grant(keys[to].public_key)          # signed by the delegator
        sealed = grant.seal(seal_key)                         # only the server opens it
        db.execute("INSERT INTO secant.grants (sealed) VALUES (%s)", [sealed])
        print("   %s -> %s: %r" % (frm, to, sealed))
    try:
        db.execute("SELECT %s", [grant])
        refused = False
    except secant_pre.psycopg.SecretRefused:
        refused = True
    expect("a bare grant is not sent to the server by accident", refused, True)
    members = {r[0] for r in db.execute("SELECT name FROM secant.members('cardiology')")}
    expect("two members", members, {"dr_ada", "dr_bob"})

    step("4. A nurse encrypts notes to the group and stores them, with search tokens")
    index_key = sp.IndexKey.generate()
    version = db.execute("SELECT secant.rotate_index_key('cardiology', %s)",
                         [index_key.encrypt_for(keys["cardiology"].public_key)]).fetchone()[0]
    db.execute("""CREATE TABLE notes (id int PRIMARY KEY, patient text NOT NULL,
                  body pre_ciphertext NOT NULL, index_version int, tokens pre_token[])""")
    db.execute("CREATE INDEX notes_tokens ON notes USING gin (tokens)")
    db.execute("GRANT SELECT ON notes TO %s" % ", ".join(PHONE_ROLES.values()))
    group_pk = keys["cardiology"].public_key
    with db.cursor() as cur:
        cur.executemany(
            "INSERT INTO notes VALUES (%s, %s, %b, %s, %s)",
            [(i, patient, group_pk.encrypt(text, aad="patient:" + patient), version,
              index_key.tokens(text)) for i, (patient, text) in enumerate(NOTES, start=1)])
    for row in db.execute("SELECT id, patient, body FROM notes ORDER BY id"):
        print("   note %d (patient %s): %r" % row)
    expect("the server holds level-1 ciphertexts",
           db.execute("SELECT array_agg(DISTINCT pre_level(body)) FROM notes").fetchone()[0], [1])

    step("5. Share note 1 with Bob's phone: the server makes a re-encrypted copy")
    db.execute("""CREATE TABLE note_shares (id serial PRIMARY KEY, note_id int NOT NULL REFERENCES notes,
                  recipient pre_public_key NOT NULL, UNIQUE (note_id, recipient))""")
    db.execute("""SELECT secant.enable_sharing(share_table => 'note_shares', source_table => 'notes',
                  source_column => 'body', source_key => 'id',
                  reference_column => 'note_id', recipient_column => 'recipient')""")
    db.execute("INSERT INTO note_shares (note_id, recipient) VALUES (1, %s)", [keys["bob_phone"].public_key])
    copy = db.execute("""SELECT copy FROM secant.copies WHERE share_table = 'note_shares'::regclass
                         AND recipient = %s""", [keys["bob_phone"].public_key]).fetchone()[0]
    print("   copy for bob_phone: %r, hops %s" % (copy, [k.to_text()[:14] for k in copy.hops]))
    expect("the copy is at level 3", copy.level, 3)
    expect("bob's phone decrypts the copy", keys["bob_phone"].decrypt(copy), NOTES[0][1].encode())

    step("6. Ada's phone logs in as its own role and reads every note through secant.reencrypt_for")
    phone = psycopg.connect(dbname=DB, user=PHONE_ROLES["ada_phone"], autocommit=True)
    secant_pre.psycopg.register(phone)
    with phone.cursor(binary=True) as cur:                   # binary protocol end to end
        cts = [r[0] for r in cur.execute(
            "SELECT secant.reencrypt_for(body, 'ada_phone') FROM notes ORDER BY id")]
    print("   received %d ciphertexts at level %s" % (len(cts), sorted({c.level for c in cts})))
    with keys["ada_phone"].decryptor() as d:                 # batch: one path, cached
        texts = [m.decode() for m in d.decrypt_many(cts)]
        hits, misses = d.stats
    for t in texts:
        print("   ada_phone reads: %s" % t)
    expect("the phone decrypts every note in a batch", texts, [t for _, t in NOTES])
    expect("one path: the decryption context missed once", (hits, misses), (len(NOTES) - 1, 1))
    try:
        keys["bob_phone"].decrypt(cts[0])
        bob_refused = None
    except sp.WrongKeyError as e:
        bob_refused = e.name
    expect("bob's phone cannot read ada's copy", bob_refused, "SP_EWRONGKEY")

    step("7. Search on the phone: the index key comes through the grants, tokens stay on the client")
    row = phone.execute("SELECT key_ct FROM secant.index_keys_for('cardiology', 'ada_phone') "
                        "WHERE version = %s", [version]).fetchone()
    phone_index_key = sp.IndexKey(keys["ada_phone"].decrypt(row[0]))
    expect("the phone recovers the group's index key", phone_index_key == index_key, True)
    token = phone_index_key.token("TWICE")
    found = [r[0] for r in phone.execute(
        "SELECT id FROM notes WHERE tokens @> ARRAY[%s] ORDER BY id", [token])]
    print("   token of \"TWICE\": %s; notes: %s" % (token, found))
    expect("search finds notes 1 and 3", found, [1, 3])
    both = [r[0] for r in phone.execute("SELECT id FROM notes WHERE tokens @> %s",
                                        [[phone_index_key.token("troponin"), phone_index_key.token("twice")]])]
    expect("AND of two tokens", both, [3])

    step("8. Ada's phone is lost: revoke its enrolment; its reads are refused at once")
    deleted = db.execute("SELECT secant.revoke('dr_ada', 'ada_phone')").fetchone()[0]
    print("   copies deleted: %s" % deleted)
    try:
        phone.execute("SELECT secant.reencrypt_for(body, 'ada_phone') FROM notes WHERE id = 1").fetchone()
        refusal = None
    except psycopg.Error as e:
        refusal = e.diag.message_primary
        print("   ada_phone now: %s" % refusal)
    expect("the revoked phone is refused", refusal is not None, True)
    with psycopg.connect(dbname=DB, user=PHONE_ROLES["bob_phone"], autocommit=True) as bob:
        secant_pre.psycopg.register(bob)
        ct = bob.execute("SELECT secant.reencrypt_for(body, 'bob_phone') FROM notes WHERE id = 2").fetchone()[0]
        expect("bob's phone still reads", keys["bob_phone"].decrypt(ct), NOTES[1][1].encode())
        try:
            bob.execute("SELECT secant.reencrypt_for(body, 'ada_phone') FROM notes WHERE id = 2").fetchone()
            other = False
        except psycopg.Error:
            other = True
        expect("bob's login cannot ask for ada's phone", other, True)
    phone.close()
    expect("audit chain intact", db.execute("SELECT secant.audit_verify() IS NULL").fetchone()[0], True)
    db.close()


if __name__ == "__main__":
    sys.exit(main())
