// Known answers of test/vectors/scheme-v1.json and the refusals of
// scheme-v1-invalid.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import * as sp from "../dist/index.js";
import { vectors, hex, toHex } from "./helpers.mjs";

const V = vectors("scheme-v1.json");
const INVALID = vectors("scheme-v1-invalid.json");
const NAMES = ["group", "user", "device", "backup"];
const keys = Object.fromEntries(NAMES.map((n) => [n, sp.SecretKey.fromBytes(hex(V[n].secret_key_seed))]));

test("public keys of the seeds", () => {
  for (const n of NAMES) assert.equal(toHex(keys[n].publicKey.toBytes()), V[n].public_key, n);
});

test("text forms round-trip", () => {
  for (const n of NAMES) {
    const t = keys[n].toText();
    assert.match(t, /^presk_[A-Za-z0-9_-]{43}$/);
    assert.ok(sp.SecretKey.fromText(t).publicKey.equals(keys[n].publicKey));
    const p = keys[n].publicKey.toText();
    assert.ok(sp.PublicKey.fromText(" " + p + "\n").equals(keys[n].publicKey));
  }
});

const enc = V.encrypt;
const level1 = sp.encrypt(hex(enc.recipient), hex(enc.message), hex(enc.aad),
  { r: hex(enc.r), u: hex(enc.u), nonce: hex(enc.nonce) });

test("encrypt with fixed randomness", () => {
  assert.equal(toHex(level1.toBytes()), enc.ciphertext_level1);
  assert.equal(toHex(sp.Ciphertext.fromBytes(hex(enc.ciphertext_level1)).toBytes()), enc.ciphertext_level1);
});

test("grants and the chain, levels 1 to 4", () => {
  let ct = level1;
  assert.equal(toHex(keys.group.decrypt(ct)), enc.message);
  V.hops.forEach((h, i) => {
    const g = keys[h.from].grant(keys[h.to].publicKey, { notAfter: h.not_after, x: hex(h.x) });
    assert.equal(toHex(g.toBytes()), h.grant, `grant ${i + 1}`);
    ct = ct.reencrypt(sp.Grant.fromBytes(hex(h.grant)));
    const want = h[`ciphertext_level${i + 2}`];
    assert.equal(toHex(ct.toBytes()), want, `level ${i + 2}`);
    const parsed = sp.Ciphertext.fromBytes(hex(want));
    assert.equal(parsed.level, i + 2);
    assert.ok(parsed.recipient.equals(keys[h.to].publicKey));
    assert.equal(toHex(keys[h.to].decrypt(parsed)), enc.message);
    assert.equal(toHex(keys[h.to].decrypt(parsed.toText())), enc.message);
  });
});

function refuse(c) {
  const ctor = { pre_ciphertext: sp.Ciphertext, pre_grant: sp.Grant, pre_public_key: sp.PublicKey,
    pre_secret_key: sp.SecretKey, pre_token: sp.Token }[c.type];
  assert.ok(ctor, c.type);
  if (c.stage === "input") return assert.throws(() => ctor.fromText(c.value), sp.SecantError, c.why);
  const ct = sp.Ciphertext.fromText(c.value);
  if (c.stage === "reencrypt") {
    const g = sp.Grant.fromText(c.grant);
    return assert.throws(() => ct.reencrypt(g), sp.SecantError, c.why);
  }
  const key = keys[c.key];
  assert.ok(key, c.key);
  assert.throws(() => key.decrypt(ct), sp.SecantError, c.why);
}

test(`${INVALID.cases.length} invalid values refused at their stage`, () => {
  for (const c of INVALID.cases) refuse(c);
});

test("no secret in toString, JSON or inspect", () => {
  const k = keys.user;
  const g = keys.group.grant(k.publicKey);
  const seedText = k.toText().slice(6), rkB64 = g.toText().slice(9);
  for (const s of [String(k), JSON.stringify({ k }), inspect(k), inspect({ k }, { showHidden: true, depth: 9 }),
    String(g), JSON.stringify(g), inspect(g), `${k}`]) {
    assert.ok(!s.includes(seedText) && !s.includes(rkB64) && !s.includes(toHex(k.toBytes())), s);
  }
  assert.match(String(k), /^SecretKey\(public key prepk_/);
  assert.equal(JSON.stringify(k.publicKey), JSON.stringify(k.publicKey.toText()));
});

test("errors carry the core's codes and names", () => {
  const e = assert.throws(() => sp.PublicKey.fromText("prect_AAAA"), (e) => {
    assert.ok(e instanceof sp.MalformedValueError);
    assert.equal(e.code, -1);
    assert.equal(e.name, "SP_EPREFIX");
    return true;
  });
  assert.throws(() => keys.user.decrypt(level1), (e) => e instanceof sp.WrongKeyError && e.code === -22 && e.name === "SP_EWRONGKEY");
});

test("wipe", () => {
  const k = sp.SecretKey.generate();
  const ct = k.publicKey.encrypt("x");
  k.wipe();
  assert.throws(() => k.decrypt(ct), sp.SecantError);
});
