// examples/web/bench/workload.mjs - the TypeScript package's decryption
// rates (ops/s) at levels 1-3, one by one and batched (one Decryptor), the
// same code in Node and in a browser (run.mjs).  `sp` is the package.
export function decryptRates(sp, seconds = 1, n = 400) {
  const keys = [0, 1, 2].map(() => sp.SecretKey.generate());
  const grants = [keys[0].grant(keys[1].publicKey), keys[1].grant(keys[2].publicKey)];
  const msg = new Uint8Array(100).fill(1);
  const byLevel = [[], [], []];
  for (let i = 0; i < n; i++) {
    const c1 = keys[0].publicKey.encrypt(msg, "aad");
    const c2 = sp.reencrypt(c1, grants[0]);
    byLevel[0].push(c1);
    byLevel[1].push(c2);
    byLevel[2].push(sp.reencrypt(c2, grants[1]));
  }
  const rate = (fn) => {
    let k = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) fn(k++);
    return k / ((performance.now() - t0) / 1000);
  };
  const out = {};
  for (let l = 1; l <= 3; l++) {
    const cts = byLevel[l - 1];
    out[`decrypt L${l} one by one`] = rate((i) => keys[l - 1].decrypt(cts[i % n]));
    const d = keys[l - 1].decryptor();
    out[`decrypt L${l} batched`] = rate((i) => d.decrypt(cts[i % n]));
    d.close();
  }
  return out;
}
