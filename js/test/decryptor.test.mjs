// The Decryptor (one scalar multiplication per value on a known path):
// the same plaintexts and errors as SecretKey.decrypt on values on several
// paths, interleaved, with caches smaller than the number of paths (the
// last-path shortcut and the LRU eviction), and a value whose first hop
// was changed.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as sp from "../dist/index.js";

const [a, b, c, holder] = [0, 1, 2, 3].map(() => sp.SecretKey.generate());
const toHolder = [a, b, c].map((k) => k.grant(holder.publicKey));
const bToA = b.grant(a.publicKey);
// paths: a->holder, b->holder, c->holder (level 2), b->a->holder (level 3)
function value(i) {
  const m = `value ${i}`;
  switch (i % 4) {
    case 0: return [m, a.publicKey.encrypt(m).reencrypt(toHolder[0])];
    case 1: return [m, b.publicKey.encrypt(m).reencrypt(toHolder[1])];
    case 2: return [m, c.publicKey.encrypt(m).reencrypt(toHolder[2])];
    default: return [m, b.publicKey.encrypt(m).reencrypt(bToA).reencrypt(toHolder[0])];
  }
}
const values = Array.from({ length: 24 }, (_, i) => value(i));
const text = (u8) => new TextDecoder().decode(u8);

for (const slots of [1, 2, 256]) {
  test(`interleaved paths, ${slots} slot(s)`, () => {
    const d = holder.decryptor(slots);
    for (const [m, ct] of values) assert.equal(text(d.decrypt(ct)), m);
    // in order of path: every value after a path's first is a hit
    for (let p = 0; p < 4; p++)
      for (const [m, ct] of values.filter((_, i) => i % 4 === p)) assert.equal(text(d.decrypt(ct)), m);
    const { hits, misses } = d.stats;
    assert.equal(hits + misses, 48);
    assert.equal(misses, slots === 256 ? 4 : 24 + 4); // fewer slots than paths: every change of path misses
    d.close();
    assert.throws(() => d.decrypt(values[0][1]), /closed/);
  });
}

test("a changed T_1 fails as decrypt() does, and the path stays usable", () => {
  const d = holder.decryptor();
  const [m, ct] = values[0];
  const bad = ct.toBytes();
  const o = 196 + 96; // no aad: the first hop's T
  bad[o] ^= 1;
  const err = (f) => { try { f(); return null; } catch (e) { return e.name + " " + e.code; } };
  assert.equal(text(d.decrypt(ct)), m);
  assert.notEqual(err(() => holder.decrypt(bad)), null);
  assert.equal(err(() => d.decrypt(bad)), err(() => holder.decrypt(bad)));
  assert.equal(text(d.decrypt(values[4][1])), values[4][0]);
});
