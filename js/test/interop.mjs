// Two-way interoperability of the TypeScript package with the C
// implementation (the CLI secant-pre over libsecant-pre), levels 1 to 16:
//   TS -> C: TS encrypts, grants and re-encrypts; the CLI re-encrypts the
//            same values with the same grants (byte-identical) and decrypts
//            every level; the CLI opens TS envelopes;
//   C -> TS: the CLI encrypts, grants and re-encrypts; TS re-encrypts (byte-
//            identical) and decrypts every level, one by one and batched;
//            TS opens CLI envelopes; tokens of random documents agree.
// Keys and data come from a seed, printed (SECANT_PRE_SEED=N to repeat).
// Usage: node test/interop.mjs [CLI]   (default ../secant-pre)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import sodium from "libsodium-wrappers-sumo";
import * as sp from "../dist/index.js";

const CLI = process.argv[2] ?? process.env.SECANT_PRE_CLI ?? join(dirname(fileURLToPath(import.meta.url)), "..", "..", "secant-pre");
const SEED = process.env.SECANT_PRE_SEED ?? String(Date.now() % 1000000);
console.log(`# seed ${SEED} (SECANT_PRE_SEED=${SEED} to repeat), CLI ${CLI}`);
const W = mkdtempSync(join(tmpdir(), "sp-js-interop-"));
let passed = 0, failed = 0;

function check(ok, what) {
  if (ok) passed++;
  else { failed++; console.log(`not ok: ${what}`); }
}

function attempt(what, fn) {
  try { fn(); } catch (e) { failed++; console.log(`not ok: ${what}: ${e.message}`); }
}

/** Deterministic bytes from the seed. */
let counter = 0;
function bytes(n) {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 64) {
    const h = sodium.crypto_generichash(64, `secant-pre interop ${SEED} ${counter++}`);
    out.set(h.subarray(0, Math.min(64, n - o)), o);
  }
  return out;
}
const rand = (n) => bytes(4).reduce((a, b) => a * 256 + b, 0) % n;

function cli(args, input) {
  return execFileSync(CLI, args, { input, maxBuffer: 1 << 28 });
}
const eq = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

// 17 keys: level n's recipient is keys[n - 1]; key files for the CLI
const keys = Array.from({ length: 17 }, () => sp.SecretKey.fromBytes(bytes(32)));
const files = keys.map((k, i) => {
  const f = join(W, `k${i}.key`);
  writeFileSync(f, k.toText() + "\n", { mode: 0o600 });
  return f;
});

function chainCheck(dir, cts, grants) {
  for (let n = 1; n <= 16; n++) {
    const ct = cts[n - 1];
    attempt(`${dir} level ${n}: CLI decrypt`, () =>
      check(eq(cli(["decrypt", "--secret-key", files[n - 1]], ct.toText()), message), `${dir} level ${n}: CLI decrypt`));
    attempt(`${dir} level ${n}: TS decrypt`, () =>
      check(eq(keys[n - 1].decrypt(ct.toText()), message), `${dir} level ${n}: TS decrypt`));
    if (n < 16) {
      attempt(`${dir} level ${n}: re-encryption agrees`, () => {
        const c = cli(["reencrypt", grants[n - 1].toText()], ct.toText()).toString().trim();
        check(c === cts[n].toText() && c === ct.reencrypt(grants[n - 1]).toText(), `${dir} level ${n + 1}: CLI and TS re-encryption agree`);
      });
    }
  }
}

const message = bytes(rand(3000));
const aad = `record:${rand(100000)}`;

// TS -> C
{
  const grants = keys.slice(0, 16).map((k, i) => k.grant(keys[i + 1].publicKey));
  const cts = [keys[0].publicKey.encrypt(message, aad)];
  for (let n = 1; n < 16; n++) cts.push(cts[n - 1].reencrypt(grants[n - 1]));
  chainCheck("TS->C", cts, grants);
  const env = sp.sealEnvelope(keys[0].publicKey, message, aad);
  writeFileSync(join(W, "ts.body"), env.bodyText + "\n");
  const kct = env.keyCiphertext.reencrypt(grants[0]).reencrypt(grants[1]);
  attempt("TS envelope opened by the CLI at level 3", () =>
    check(eq(cli(["open", "--secret-key", files[2], "--body", join(W, "ts.body")], kct.toText()), message), "TS envelope opened by the CLI"));
}

// C -> TS
{
  const ct1 = sp.Ciphertext.fromText(cli(["encrypt", keys[0].publicKey.toText(), "--aad", aad], message).toString());
  check(eq(ct1.aad, new TextEncoder().encode(aad)), "C->TS: aad");
  const grants = keys.slice(0, 16).map((_, i) =>
    sp.Grant.fromText(cli(["grant", keys[i + 1].publicKey.toText(), "--secret-key", files[i]]).toString()));
  const cts = [ct1];
  for (let n = 1; n < 16; n++)
    cts.push(sp.Ciphertext.fromText(cli(["reencrypt", grants[n - 1].toText()], cts[n - 1].toText()).toString()));
  chainCheck("C->TS", cts, grants);
  // batched: 20 values per level through one path, by a Decryptor per holder
  for (let n = 1; n <= 16; n++) {
    const d = keys[n - 1].decryptor();
    const batch = [];
    for (let i = 0; i < 20; i++) {
      let c = sp.encrypt(keys[0].publicKey, message, aad);
      for (let k = 1; k < n; k++) c = c.reencrypt(grants[k - 1]);
      batch.push(c);
    }
    const out = d.decryptMany(batch);
    check(out.every((m) => m instanceof Uint8Array && eq(m, message)) && (n === 1 || d.stats.misses === 1),
      `C->TS level ${n}: 20 values decrypted by one Decryptor (${JSON.stringify(d.stats)})`);
    d.close();
  }
  const [kline, bline] = cli(["seal", keys[0].publicKey.toText(), "--aad", aad], message).toString().trim().split("\n");
  const kct = sp.Ciphertext.fromText(kline).reencrypt(grants[0]);
  attempt("CLI envelope opened by TS at level 2", () =>
    check(eq(sp.openEnvelope(keys[1], kct, bline), message), "CLI envelope opened by TS at level 2"));
}

// tokens of random documents
{
  const ik = sp.IndexKey.fromBytes(bytes(32));
  const kf = join(W, "index.key");
  writeFileSync(kf, ik.toText() + "\n", { mode: 0o600 });
  const pool = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789  ,.;:-ÄÖÜäöüßéèêçñåøæŒœǅﬁﬀⅫ①ΣσςİıẞÅΩ가힣각\u0301\u0308\u0323\u0327\u00ad\u200b\u3000\u2028"];
  for (let i = 0; i < 20; i++) {
    let doc = "";
    for (let j = rand(200); j > 0; j--) doc += pool[rand(pool.length)];
    const prefixes = i % 2 === 1;
    attempt(`tokens of random document ${i}`, () => {
      const c = cli(["tokens", "--index-key", kf, ...(prefixes ? ["--prefixes"] : [])], doc).toString().trim();
      const t = ik.tokens(doc, { prefixes }).map((x) => x.toText()).join("\n");
      check(c === t, `tokens of random document ${i} (${JSON.stringify(doc)})`);
    });
  }
}

rmSync(W, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
