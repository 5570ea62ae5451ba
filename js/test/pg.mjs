// node-postgres integration against a real cluster (PGHOST, PGPORT, PGUSER):
// parsers for every pre_* type and arrays, text and binary (the server's
// exact binary format, and real binary results as node-postgres gives
// them: intact values parsed, mangled ones refused); public values
// as parameters; secrets refused unless secret(); a pool.
import pg from "pg";
import * as sp from "../dist/index.js";
import { BinaryMangledError, register, secret, SecretRefused } from "../dist/pg.js";
import { vectors, hex, toHex } from "./helpers.mjs";

const DB = "secant_js_pg";
let passed = 0, failed = 0;
async function check(what, fn) {
  try {
    const ok = await fn();
    if (ok) passed++;
    else { failed++; console.log(`not ok: ${what}`); }
  } catch (e) {
    failed++;
    console.log(`not ok: ${what}: ${e.stack}`);
  }
}

const admin = new pg.Client({ database: "postgres" });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
await admin.query(`CREATE DATABASE ${DB}`);
try {
  const setup = new pg.Client({ database: DB });
  await setup.connect();
  await setup.query("CREATE EXTENSION secant_pre CASCADE");
  await setup.end();

  const c = new pg.Client({ database: DB });
  await c.connect();
  const types = await register(c);
  await check("OIDs of the six types looked up", () => Object.keys(types.oids).length === 6);

  // OID -> the send function of the binary format
  const sendOf = new Map();
  for (const [name, oid] of Object.entries(types.oids)) {
    sendOf.set(oid, `${name}_send`);
    sendOf.set(types.arrayOids[name], "array_send");
  }
  await check("array OIDs of the six types looked up", () => new Set(sendOf.keys()).size === 12);

  const alice = sp.SecretKey.generate(), bob = sp.SecretKey.generate();
  const ik = sp.IndexKey.generate();
  const ct = alice.publicKey.encrypt("HbA1c 7.9 %", "patient:4711");
  const grant = alice.grant(bob.publicKey);
  for (const binary of [false, true]) {
    // binary: each pre_* value's exact binary format, the output of its
    // type's send function (array_send for arrays), selected as a bytea
    // (node-postgres 8 decodes binary result fields as UTF-8, lossy: see
    // the real binary queries below), parsed by types.parseBinary
    const fmt = binary ? "binary" : "text";
    const q = binary ? async (text, values) => {
      const r = await c.query({ text: `SELECT * FROM (${text}) AS q LIMIT 0`, values });
      const send = (f) => sendOf.get(f.dataTypeID);
      const cols = r.fields.map((f) => (send(f) ? `${send(f)}(q.${f.name}) AS ${f.name}` : `q.${f.name}`));
      const b = await c.query({ text: `SELECT ${cols.join(", ")} FROM (${text}) AS q`, values });
      const row = {};
      for (const f of r.fields) {
        const v = b.rows[0][f.name];
        row[f.name] = send(f) && v !== null ? types.parseBinary(f.dataTypeID, v) : v;
      }
      return { rows: [row] };
    } : (text, values) => c.query({ text, values });
    await check(`${fmt}: public key round trip`, async () =>
      (await q("SELECT $1::pre_public_key AS v", [alice.publicKey])).rows[0].v.equals(alice.publicKey));
    await check(`${fmt}: ciphertext re-encrypted by the server, decrypted in TS`, async () => {
      const { rows } = await q("SELECT pre_reencrypt($1, $2) AS v, pre_level($1) AS l", [ct, secret(grant)]);
      return rows[0].v instanceof sp.Ciphertext && rows[0].v.level === 2 && rows[0].l === 1 &&
        new TextDecoder().decode(bob.decrypt(rows[0].v)) === "HbA1c 7.9 %";
    });
    await check(`${fmt}: server-made values parsed (pre_keygen, pre_grant, pre_encrypt)`, async () => {
      const { rows } = await q("SELECT k, pre_public_key(k) AS p, pre_grant(k, $1) AS g, pre_encrypt(pre_public_key(k), 'x'::bytea) AS c " +
        "FROM pre_keygen() AS k", [bob.publicKey]);
      const r = rows[0];
      return r.k instanceof sp.SecretKey && r.p.equals(r.k.publicKey) && r.g instanceof sp.Grant &&
        r.g.from.equals(r.p) && toHex(r.k.decrypt(r.c)) === "78";
    });
    await check(`${fmt}: tokens, one and an array, agree with the server`, async () => {
      const { rows } = await q("SELECT pre_token($1::bytea, 'Diabetes') AS t, pre_tokens($1::bytea, 'Type 2 diabetes, Ärzte', true) AS ts",
        [secret(ik)]);
      const mine = ik.tokens("Type 2 diabetes, Ärzte", { prefixes: true });
      return rows[0].t.equals(ik.token("diabetes")) && rows[0].ts.length === mine.length &&
        rows[0].ts.every((t, i) => t.equals(mine[i]));
    });
    await check(`${fmt}: arrays with NULL, empty arrays, NULL`, async () => {
      const { rows } = await q("SELECT ARRAY[$1::pre_public_key, NULL] AS a, '{}'::pre_token[] AS e, NULL::pre_ciphertext AS n",
        [alice.publicKey]);
      return rows[0].a[0].equals(alice.publicKey) && rows[0].a[1] === null && rows[0].e.length === 0 && rows[0].n === null;
    });
    await check(`${fmt}: sealed grant round trip`, async () => {
      const s = vectors("sealed.json").vectors[0];
      const v = sp.SealedGrant.fromBytes(hex(s.sealed));
      return (await q("SELECT $1::pre_sealed_grant AS v", [v])).rows[0].v.equals(v);
    });
  }
  // real binary-format results (binary: true): node-postgres hands the
  // parsers the UTF-8 of a lossy decode; a value whose bytes are UTF-8
  // arrives intact and is parsed, any other is refused, never a wrong value
  const bin = (text, values) => c.query({ text, values, binary: true });
  const intact = sp.Token.fromBytes(new TextEncoder().encode("sixteen of ascii")), mangled = sp.Token.fromBytes(new Uint8Array(16).fill(0xff));
  await check("binary result: a token of UTF-8 bytes arrives intact", async () =>
    (await bin("SELECT $1::pre_token AS v", [intact])).rows[0].v.equals(intact));
  await check("binary result: a token of other bytes is refused (BinaryMangledError)", async () => {
    try { await bin("SELECT $1::pre_token AS v", [mangled]); return false; } catch (e) { return e instanceof BinaryMangledError; }
  });
  const sealedV = sp.SealedGrant.fromBytes(hex(vectors("sealed.json").vectors[0].sealed));
  for (const [name, sql, params, want] of [
    ["pre_public_key", "SELECT $1::pre_public_key AS v", [alice.publicKey], alice.publicKey],
    ["pre_ciphertext", "SELECT $1::pre_ciphertext AS v", [ct], ct],
    ["pre_token", "SELECT pre_token($1::bytea, 'diabetes') AS v", [secret(ik)], ik.token("diabetes")],
    ["pre_sealed_grant", "SELECT $1::pre_sealed_grant AS v", [sealedV], sealedV],
    ["pre_secret_key", "SELECT $1::pre_secret_key AS v", [secret(alice)], alice],
    ["pre_grant", "SELECT $1::pre_grant AS v", [secret(grant)], grant],
    ["pre_public_key[]", "SELECT ARRAY[$1::pre_public_key] AS v", [alice.publicKey], [alice.publicKey]],
    // the array header holds the element type's OID and lengths: mangled too unless all are UTF-8
    ["pre_token[] of UTF-8 tokens", "SELECT ARRAY[$1::pre_token] AS v", [intact], [intact]],
  ]) {
    await check(`binary result: ${name} parsed right or refused, never wrong`, async () => {
      try {
        const v = (await bin(sql, params)).rows[0].v;
        return Array.isArray(want) ? v.length === 1 && v[0].equals(want[0]) : v.equals(want);
      } catch (e) {
        return e instanceof BinaryMangledError;
      }
    });
  }

  for (const [name, v] of [["SecretKey", alice], ["Grant", grant], ["IndexKey", ik]]) {
    await check(`${name} refused as a parameter`, async () => {
      try {
        await c.query("SELECT $1::text", [v]);
        return false;
      } catch (e) {
        return e instanceof SecretRefused;
      }
    });
  }
  await check("secret(secret key) sent on purpose", async () =>
    (await c.query("SELECT pre_public_key($1::pre_secret_key) AS p", [secret(alice)])).rows[0].p.equals(alice.publicKey));
  await check("an invalid value from the server raises the core's error", async () => {
    try {
      await c.query("SELECT 'prepk_AAAA'::text::pre_public_key");
      return false;
    } catch (e) {
      return /pre_public_key|invalid|length/i.test(e.message);
    }
  });
  await c.end();

  const pool = new pg.Pool({ database: DB, max: 2 });
  await register(pool, { validateCiphertexts: false });
  await check("a pool: parsers on every client", async () => {
    const r = await Promise.all([1, 2, 3].map(() => pool.query("SELECT $1::pre_ciphertext AS v", [ct])));
    return r.every((x) => x.rows[0].v.equals(ct));
  });
  await pool.end();
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.end();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
