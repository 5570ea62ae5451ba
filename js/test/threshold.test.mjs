// test/vectors/threshold.json (SCHEME "Threshold grants"): shares, partials
// and combinations byte for byte, the must-refuse values with their codes,
// and random t-of-n round trips against the unsplit grant.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as sp from "../dist/index.js";
import { vectors, hex, toHex } from "./helpers.mjs";

const V = vectors("scheme-v1.json");
const TV = vectors("threshold.json");
const srv = TV.servers.map((s) => ({ secret: hex(s.secret), db: hex(s.database), key: hex(s.sealing_key) }));

test(`threshold vectors: ${TV.grants.length} splits, shares, partials and combinations`, () => {
  for (const g of TV.grants) {
    const from = sp.SecretKey.fromBytes(hex(V[g.from].secret_key_seed));
    const made = sp.splitGrant(hex(g.grant), from, g.t, g.holders.map((h) => srv[h].key),
      { coefficients: g.coefficients.map(hex), seeds: g.seeds.map(hex) });
    assert.deepEqual(made.map((s) => toHex(s.toBytes())), g.shares, `split of hop ${g.hop}`);
    const shares = g.shares.map((s) => sp.GrantShare.fromBytes(hex(s)));
    shares.forEach((sh, i) => {
      const h = srv[g.holders[i]];
      const rk = sp.openShare(sh, h.secret, h.db);
      assert.equal(toHex(rk), g.share_scalars[i]);
      const p = sp.makePartial(sh, rk, hex(g.ciphertext), hex(g.rhos[i]));
      assert.equal(toHex(p.toBytes()), g.partials[i], `partial ${i + 1} of hop ${g.hop}`);
      for (const other of shares) sp.verifyPartial(p, other, hex(g.ciphertext));
      assert.ok(sh.sameGrant(shares[0]));
    });
    for (const c of g.combinations) {
      const out = sp.combine(hex(g.ciphertext), shares[c.indices[0] - 1], c.indices.map((i) => hex(g.partials[i - 1])));
      assert.equal(toHex(out.toBytes()), c.result, `combination ${c.indices} of hop ${g.hop}`);
      assert.equal(c.result, V.hops[g.hop][`ciphertext_level${g.hop + 2}`]);
    }
  }
});

test(`threshold must-refuse values (${TV.invalid.length}) with their codes`, () => {
  const g = TV.grants[0], h = srv[g.holders[0]], share = hex(g.shares[0]), ct = hex(g.ciphertext);
  const run = {
    share: (v) => sp.GrantShare.fromBytes(v),
    open: (v) => sp.openShare(v, h.secret, h.db),
    partial: (v) => sp.verifyPartial(v, share, ct),
    combine: (v) => sp.combine(ct, share, Array.from({ length: v.length / 104 }, (_, k) => v.subarray(104 * k, 104 * k + 104))),
  };
  for (const b of TV.invalid) {
    assert.throws(() => run[b.kind](hex(b.value)), (e) => e.code === sp.ErrorCode[b.error], `${b.kind}: ${b.name}`);
  }
});

test("threshold round trips: every t-subset of 2-of-3 and 3-of-5 equals the unsplit grant; text forms", () => {
  const a = sp.SecretKey.generate(), b = sp.SecretKey.generate();
  const servers = Array.from({ length: 5 }, () => {
    const secret = sp.SecretKey.generate().toBytes(), db = new Uint8Array(16).fill(secret[0]);
    return { secret, db, key: sp.SealKey.of(sodiumBase(secret), db) };
  });
  const grant = a.grant(b.publicKey);
  const ct = sp.encrypt(a.publicKey, "threshold", "aad");
  const want = toHex(sp.reencrypt(ct, grant).toBytes());
  for (const [t, n] of [[2, 3], [3, 5]]) {
    const shares = sp.splitGrant(grant, a, t, servers.slice(0, n).map((s) => s.key));
    const parts = shares.map((sh, i) => sp.makePartial(sp.GrantShare.fromText(sh.toText()),
      sp.openShare(sh, servers[i].secret, servers[i].db), ct));
    for (let mask = 0; mask < 1 << n; mask++) {
      const idx = [...Array(n).keys()].filter((i) => mask & (1 << i));
      if (idx.length !== t) continue;
      const out = sp.combine(ct, shares[0], idx.map((i) => sp.Partial.fromText(parts[i].toText())));
      assert.equal(toHex(out.toBytes()), want, `${t}-of-${n} ${idx}`);
      assert.equal(new TextDecoder().decode(b.decrypt(out)), "threshold");
    }
    assert.throws(() => sp.combine(ct, shares[0], parts.slice(0, t - 1)), (e) => e.code === sp.ErrorCode.SP_ETHRESHOLD);
  }
});

import sodiumPkg from "libsodium-wrappers-sumo";
function sodiumBase(secret) {
  return sodiumPkg.crypto_scalarmult_base(secret);
}
