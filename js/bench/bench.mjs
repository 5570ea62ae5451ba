// A quick rate measurement of the TypeScript package (ops/s): keygen,
// encrypt, grant, decrypt at levels 1-3 one by one and batched (Decryptor).
// Not a test (no assertion on time).  node bench/bench.mjs [seconds per row]
import * as sp from "../dist/index.js";

const SECONDS = Number(process.argv[2] ?? 1);
function rate(name, fn) {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) { fn(); n++; }
  const r = n / ((performance.now() - t0) / 1000);
  console.log(`${name.padEnd(28)} ${r.toFixed(0).padStart(8)} /s`);
  return r;
}
const keys = [0, 1, 2].map(() => sp.SecretKey.generate());
const grants = [keys[0].grant(keys[1].publicKey), keys[1].grant(keys[2].publicKey)];
const msg = new Uint8Array(100).fill(1);
rate("keygen", () => sp.SecretKey.generate());
rate("encrypt (100 B)", () => keys[0].publicKey.encrypt(msg, "aad"));
rate("grant", () => keys[0].grant(keys[1].publicKey));
const byLevel = [[], [], []];
for (let i = 0; i < 2000; i++) {
  const c1 = keys[0].publicKey.encrypt(msg, "aad");
  const c2 = c1.reencrypt(grants[0]);
  byLevel[0].push(c1); byLevel[1].push(c2); byLevel[2].push(c2.reencrypt(grants[1]));
}
for (let l = 1; l <= 3; l++) {
  let i = 0;
  rate(`decrypt L${l} one by one`, () => keys[l - 1].decrypt(byLevel[l - 1][i++ % 2000]));
  const d = keys[l - 1].decryptor();
  let j = 0;
  rate(`decrypt L${l} batched`, () => d.decrypt(byLevel[l - 1][j++ % 2000]));
  d.close();
}
