// Threshold grants across the TypeScript package and the CLI (issue #37):
//   TS grant: a t-of-n split made by TS (splitGrant); partials by the CLI
//             (secant-pre partial), by TS and mixed; combined in TS and by
//             the CLI (secant-pre combine): byte for byte the unsplit
//             grant's re-encryption;
//   CLI grant: a split made by the CLI (grant --threshold T/N --seal-to);
//             partials by the CLI, by TS and mixed; combined in TS and by
//             the CLI: the same value either way;
// each for 2-of-3 and 3-of-5, from level 1 and from level 2 (B = E+V and
// B = the previous hop's X); the result decrypts to the plaintext in TS
// and with the CLI.  Keys and data come from a seed, printed
// (SECANT_PRE_SEED=N to repeat).
// Usage: node test/interop-threshold.mjs [CLI]   (default ../secant-pre)
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
const W = mkdtempSync(join(tmpdir(), "sp-js-threshold-"));
let passed = 0, failed = 0;

function check(ok, what) {
  if (ok) passed++;
  else { failed++; console.log(`not ok: ${what}`); }
}
function attempt(what, fn) {
  try { check(fn(), what); } catch (e) { failed++; console.log(`not ok: ${what}: ${e.message}`); }
}

let counter = 0;
function bytes(n) {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 64) {
    const h = sodium.crypto_generichash(64, `secant-pre threshold interop ${SEED} ${counter++}`);
    out.set(h.subarray(0, Math.min(64, n - o)), o);
  }
  return out;
}
const hexOf = (b) => Buffer.from(b).toString("hex");
const cli = (args, input) => execFileSync(CLI, args, { input, maxBuffer: 1 << 26 }).toString().trim();

// keys: a (the first recipient), b (a's grantee, the threshold grant's
// delegator at level 2), c (the threshold grant's grantee); key files
const [a, b, c] = [0, 1, 2].map(() => sp.SecretKey.fromBytes(bytes(32)));
const keyFile = (k, name) => {
  const f = join(W, `${name}.key`);
  writeFileSync(f, k.toText() + "\n", { mode: 0o600 });
  return f;
};
const files = { a: keyFile(a, "a"), b: keyFile(b, "b"), c: keyFile(c, "c") };
// five holders: a server key file (64 hex digits), a database identity and
// the sealing key the database would publish
const holders = Array.from({ length: 5 }, (_, i) => {
  const secret = bytes(32), db = bytes(16);
  const f = join(W, `server${i}.key`);
  writeFileSync(f, hexOf(secret) + "\n", { mode: 0o600 });
  return { secret, db, file: f, sealKey: sp.SealKey.of(sodium.crypto_scalarmult_base(secret), db) };
});

const message = bytes(200 + (bytes(1)[0] % 100));
const ct1 = a.publicKey.encrypt(message, "threshold interop");
const ab = a.grant(b.publicKey);
const ct2 = ct1.reencrypt(ab);

const cliPartial = (share, i, ct) =>
  cli(["partial", share.toText(), "--server-key", holders[i].file, "--database", hexOf(holders[i].db)], ct.toText());
const tsPartial = (share, i, ct) => sp.makePartial(share, sp.openShare(share, holders[i].secret, holders[i].db), ct).toText();
const cliCombine = (share, partials, ct) => cli(["combine", share.toText(), ...partials], ct.toText());
const tsCombine = (share, partials, ct) => sp.combine(ct, share, partials).toText();

// delegator (the ciphertext's current recipient) by level
const level = { 1: { ct: ct1, from: a, file: files.a }, 2: { ct: ct2, from: b, file: files.b } };

for (const [t, n] of [[2, 3], [3, 5]]) {
  for (const lv of [1, 2]) {
    const { ct, from, file } = level[lv];
    const sealTo = holders.slice(0, n).map((h) => h.sealKey);
    const splits = {
      TS: (() => {
        const g = from.grant(c.publicKey);
        return { shares: sp.splitGrant(g, from, t, sealTo), want: ct.reencrypt(g).toText() };
      })(),
      CLI: {
        shares: cli(["grant", c.publicKey.toText(), "--threshold", `${t}/${n}`, "--seal-to",
          sealTo.map((k) => k.toText()).join(","), "--secret-key", file]).split("\n").map((s) => sp.GrantShare.fromText(s)),
        want: null,
      },
    };
    for (const [who, { shares, want }] of Object.entries(splits)) {
      const what = `${t}-of-${n}, level ${lv}, ${who} grant`;
      check(shares.length === n, `${what}: ${n} shares`);
      // holders t-1 .. n-1 (the last t), so that the subset is not always the first
      const idx = Array.from({ length: t }, (_, k) => n - t + k);
      const made = {};
      try {
        made.CLI = idx.map((i) => cliPartial(shares[i], i, ct));
        made.TS = idx.map((i) => tsPartial(shares[i], i, ct));
        made.mixed = idx.map((i, k) => (k % 2 ? made.TS[k] : made.CLI[k]));
      } catch (e) {
        check(false, `${what}: partials: ${e.message}`);
        continue;
      }
      const results = [];
      for (const [pw, partials] of Object.entries(made)) {
        for (const [cw, comb] of [["TS", tsCombine], ["CLI", cliCombine]]) {
          attempt(`${what}: partials by ${pw}, combined by ${cw}`, () => {
            const out = comb(shares[0], partials, ct);
            results.push(out);
            return want === null || out === want;
          });
        }
      }
      check(results.length === 6 && results.every((r) => r === results[0]),
        `${what}: the six combinations are the same value${want === null ? "" : " (the unsplit grant's)"}`);
      if (!results.length) continue;
      const up = sp.Ciphertext.fromText(results[0]);
      attempt(`${what}: level ${lv + 1}, decrypted in TS`, () => up.level === lv + 1 && Buffer.compare(c.decrypt(up), message) === 0);
      attempt(`${what}: level ${lv + 1}, decrypted by the CLI`, () =>
        Buffer.compare(execFileSync(CLI, ["decrypt", "--secret-key", files.c], { input: results[0] }), message) === 0);
      // t-1 partials are refused by both
      attempt(`${what}: ${t - 1} partials refused in TS`, () => {
        try { tsCombine(shares[0], made.CLI.slice(1), ct); return false; } catch (e) { return e.code === sp.ErrorCode.SP_ETHRESHOLD; }
      });
      attempt(`${what}: ${t - 1} partials refused by the CLI`, () => {
        try { execFileSync(CLI, ["combine", shares[0].toText(), ...made.TS.slice(1)], { input: ct.toText(), stdio: ["pipe", "pipe", "pipe"] }); return false; } catch (e) { return e.status === 1; }
      });
    }
  }
}

rmSync(W, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
