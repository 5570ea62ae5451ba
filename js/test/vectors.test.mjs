// envelope.json, sealed.json and keyfile.json of test/vectors/.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as sp from "../dist/index.js";
import { vectors, hex, toHex } from "./helpers.mjs";

const V = vectors("scheme-v1.json");
const seeds = { group: V.group, user: V.user, device: V.device, backup: V.backup };
const ENV = vectors("envelope.json");

function keyCiphertext(name) {
  const k = ENV.key_ciphertexts[name];
  const ct = sp.Ciphertext.fromBytes(hex(k.ciphertext));
  if (k.r) {
    const made = sp.encrypt(hex(seeds[k.recipient].public_key), hex(k.data_key), hex(k.aad),
      { r: hex(k.r), u: hex(k.u), nonce: hex(k.nonce) });
    assert.equal(toHex(made.toBytes()), k.ciphertext, name);
  }
  return ct;
}

function holder(name) {
  const k = ENV.key_ciphertexts[name];
  if (k.recipient_seed) return sp.SecretKey.fromBytes(hex(k.recipient_seed));
  if (k.recipient) return sp.SecretKey.fromBytes(hex(seeds[k.recipient].secret_key_seed));
  return sp.SecretKey.fromBytes(hex(V.hops[k.hop - 1] && seeds[V.hops[k.hop - 1].to].secret_key_seed));
}

test("envelope key ciphertexts: known answers, data keys", () => {
  for (const name of Object.keys(ENV.key_ciphertexts)) {
    const ct = keyCiphertext(name);
    const k = ENV.key_ciphertexts[name];
    assert.equal(toHex(holder(name).decrypt(ct)), (k.data_key ?? ENV.key_ciphertexts[k.from].data_key), name);
  }
});

test(`envelope cases (${ENV.cases.length}) and fixtures (${ENV.fixtures.length}) open`, () => {
  for (const c of [...ENV.cases, ...ENV.fixtures]) {
    const ct = keyCiphertext(c.key_ciphertext);
    assert.equal(toHex(sp.openBody(ct, hex(c.data_key), hex(c.body))), c.plaintext, c.name);
    for (const other of [c.key_ciphertext, ...(c.also_opens_with ?? [])]) {
      const kct = keyCiphertext(other);
      assert.equal(toHex(sp.openEnvelope(holder(other), kct, sp.b64urlEncode(hex(c.body)))), c.plaintext, `${c.name} via ${other}`);
    }
    if (c.version === 2 && c.nonce) {
      assert.equal(toHex(sp.sealBody(ct, hex(c.data_key), hex(c.plaintext), hex(c.nonce))), c.body, `${c.name} sealed`);
    }
  }
});

test(`envelope invalid bodies (${ENV.invalid.length}) refused with their code`, () => {
  for (const c of ENV.invalid) {
    const ct = keyCiphertext(c.key_ciphertext);
    assert.throws(() => sp.openBody(ct, hex(c.data_key), hex(c.body)), (e) => e.name === c.expect, c.name);
  }
});

test("envelope round trip at level 2", () => {
  const g = sp.SecretKey.fromBytes(hex(V.group.secret_key_seed)), u = sp.SecretKey.fromBytes(hex(V.user.secret_key_seed));
  const env = sp.sealEnvelope(g.publicKey, new Uint8Array(100000).fill(7), "rec:1");
  const up = env.keyCiphertext.reencrypt(g.grant(u.publicKey));
  assert.equal(sp.openEnvelope(u, up, env.bodyText).length, 100000);
  assert.equal(toHex(env.body.subarray(0, 8)), "5350454e02000000");
});

const SEALED = vectors("sealed.json");

test(`sealed grants (${SEALED.vectors.length}): sealing keys, known answers, opening`, () => {
  for (const v of SEALED.vectors) {
    const sk = sp.SealKey.of(hex(v.server_public), hex(v.database_identity));
    assert.equal(toHex(sk.toBytes()), v.sealing_key, v.name);
    assert.equal(toHex(sk.keyId), v.key_id);
    const s = sp.sealGrant(sp.Grant.fromBytes(hex(v.grant)), sp.SealKey.fromText(sk.toText()), hex(v.seed));
    assert.equal(toHex(s.toBytes()), v.sealed, v.name);
    const g = sp.openSealedGrant(sp.SealedGrant.fromBytes(hex(v.sealed)), hex(v.server_secret), hex(v.database_identity));
    assert.equal(toHex(g.toBytes()), v.grant);
  }
});

test(`sealed invalid (${SEALED.invalid.length}) refused with their error`, () => {
  const v0 = SEALED.vectors[0];
  const codes = { layout: ["SP_EMAGIC", "SP_EVERSION", "SP_ERESERVED", "SP_ELENGTH"], wrong_key: ["SP_EWRONGKEY"],
    decrypt: ["SP_EDECRYPT"], database: ["SP_EDATABASE"] };
  for (const c of SEALED.invalid) {
    assert.throws(() => sp.openSealedGrant(hex(c.sealed), hex(v0.server_secret), hex(v0.database_identity)),
      (e) => codes[c.error].includes(e.name), c.name);
  }
});

test("a grant sealed with fresh randomness opens", () => {
  const v0 = SEALED.vectors[0];
  const g = sp.SecretKey.generate().grant(sp.SecretKey.generate().publicKey);
  const s = g.seal(sp.SealKey.fromBytes(hex(v0.sealing_key)));
  assert.ok(sp.openSealedGrant(s.toText(), hex(v0.server_secret), hex(v0.database_identity)).equals(g));
});

const KF = vectors("keyfile.json");

test(`protected key files (${KF.vectors.length}): known answers, opening, header`, () => {
  for (const v of KF.vectors) {
    const pass = Buffer.from(v.passphrase_utf8, "hex").toString("utf8");
    const secret = hex(v.secret);
    assert.equal(sp.protectSecret(v.content, secret, pass, { opslimit: v.opslimit, memlimit: v.memlimit,
      salt: hex(v.salt), nonce: hex(v.nonce) }), v.text, v.name);
    assert.equal(toHex(sp.unprotectSecret(v.content, v.text + "\n", hex(v.passphrase_utf8))), v.secret);
    const h = sp.inspect(v.text);
    assert.deepEqual([h.type, h.opslimit, h.memlimit, h.content],
      ["protected_key_file", v.opslimit, v.memlimit, v.content === 1 ? "pre_secret_key" : "index_key"]);
    if (v.content === 1) assert.equal(toHex(sp.SecretKey.unprotect(v.text, pass).toBytes()), v.secret);
    else assert.equal(sp.IndexKey.unprotect(v.text, pass).toText(), v.secret);
    assert.throws(() => sp.unprotectSecret(v.content, v.text, pass + "x"), sp.PassphraseError);
    assert.throws(() => sp.unprotectSecret(3 - v.content, v.text, pass), (e) => e.name === "SP_KF_ECONTENT");
    const bad = hex(Buffer.from(v.text.slice(10), "base64url").toString("hex"));
    bad[30] ^= 1;
    assert.throws(() => sp.unprotectSecret(v.content, "prelocked_" + sp.b64urlEncode(bad), pass), sp.KeyFileError);
  }
  assert.throws(() => sp.SecretKey.generate().protect(""), (e) => e.name === "SP_KF_EEMPTY");
});
