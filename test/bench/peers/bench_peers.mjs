// bench_peers.mjs - the same rows as bench_core, measured for two peer PRE
// libraries from npm (installed by run.sh into a scratch directory):
//   recrypt  @ironcorelabs/recrypt-wasm-binding (pairing-based, multi-hop)
//   umbral   @nucypher/umbral-pre (single hop, threshold 1-of-1 here)
// and secant_pre's own TypeScript package (js/, built: js/dist/index.js),
// in the same process, with its batch decryptor (decrypt_lN_batch).
//
// usage: node bench_peers.mjs NODE_MODULES_DIR [JS_PACKAGE_INDEX] > peers.json
// env:   BENCH_SECONDS (0.5 per run), BENCH_RUNS (3)
// Rates are per CPU-second of the process (process.cpuUsage).
//
// Prints one JSON object.  A peer that cannot be loaded or run gets a
// "status" other than "ok" and no numbers: the caller still exits 0.
import * as nodeModule from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { webcrypto } from "node:crypto";

// wasm-bindgen's getrandom looks for a global `crypto` (Node 18 has none)
if (!globalThis.crypto) globalThis.crypto = webcrypto;

const modulesDir = process.argv[2] ? resolve(process.argv[2]) : null;
if (!modulesDir) {
	console.error("usage: node bench_peers.mjs NODE_MODULES_DIR");
	process.exit(2);
}
const SECONDS = Number(process.env.BENCH_SECONDS) > 0 ? Number(process.env.BENCH_SECONDS) : 0.5;
const RUNS = Number(process.env.BENCH_RUNS) > 0 ? Number(process.env.BENCH_RUNS) : 3;
const now = () => performance.now() / 1000;

const cpuNow = () => {
	const u = process.cpuUsage();
	return (u.user + u.system) / 1e6;
};

// Best ops per CPU-second of the process (as for the core: time the
// scheduler gives to other work does not count) of RUNS runs of about
// SECONDS each, calibrated on >= 50 ms.
function measure(fn) {
	let n = 1, t;
	for (;;) {
		const t0 = now();
		for (let i = 0; i < n; i++) fn();
		t = now() - t0;
		if (t >= 0.05) break;
		n *= 2;
	}
	let best = 0;
	const iters = Math.max(1, Math.round((n * SECONDS) / t));
	for (let r = 0; r < RUNS; r++) {
		const c0 = cpuNow(), t0 = now();
		for (let i = 0; i < iters; i++) fn();
		const cpu = cpuNow() - c0;
		const rate = iters / (cpu > 0 ? cpu : now() - t0);
		if (rate > best) best = rate;
	}
	return best;
}

function version(pkg) {
	try {
		return JSON.parse(readFileSync(join(modulesDir, pkg, "package.json"), "utf8")).version;
	} catch {
		return null;
	}
}

const msg32 = webcrypto.getRandomValues(new Uint8Array(32));

// Every row of the table; a peer fills in ops[key] or notes[key].
function peer(name, pkg) {
	return { name, package: pkg, version: version(pkg), status: "ok", ops: {}, notes: {}, sizes: [] };
}

function row(p, key, fn) {
	try {
		p.ops[key] = measure(fn);
	} catch (err) {
		p.ops[key] = null;
		p.notes[key] = "error: " + String(err && err.message ? err.message : err).slice(0, 120);
	}
	process.stderr.write(`peers: ${p.name} ${key}: ${p.ops[key] === null ? p.notes[key] : p.ops[key].toFixed(1) + " ops/s"}\n`);
}

// ---- recrypt ----
async function benchRecrypt() {
	const pkg = "@ironcorelabs/recrypt-wasm-binding";
	const p = peer("recrypt", pkg);
	let R;
	try {
		if (typeof nodeModule.register !== "function")
			throw new Error("node:module has no register() (Node >= 20.6 or 18.19 needed), node " + process.version);
		nodeModule.register(new URL("./wasm-hooks.mjs", import.meta.url));
		R = await import(pathToFileURL(join(modulesDir, pkg, "Api256Shim.js")).href);
	} catch (err) {
		p.status = "could not load: " + String(err && err.message ? err.message : err).slice(0, 200);
		return p;
	}
	try {
		const api = new R.Api256();
		const signing = api.generateEd25519KeyPair();
		const keys = [api.generateKeyPair(), api.generateKeyPair(), api.generateKeyPair()];
		const tk01 = api.generateTransformKey(keys[0].privateKey, keys[1].publicKey, signing.privateKey);
		const tk12 = api.generateTransformKey(keys[1].privateKey, keys[2].publicKey, signing.privateKey);
		const pt = api.generatePlaintext();
		const ev1 = api.encrypt(pt, keys[0].publicKey, signing.privateKey);
		const ev2 = api.transform(ev1, tk01, signing.privateKey);
		const ev3 = api.transform(ev2, tk12, signing.privateKey);
		const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
		if (!eq(api.decrypt(ev3, keys[2].privateKey), pt) || !eq(api.decrypt(ev1, keys[0].privateKey), pt))
			throw new Error("round trip failed");

		row(p, "ed25519_keypair", () => api.generateEd25519KeyPair());
		row(p, "keygen", () => api.generateKeyPair());
		row(p, "encrypt", () => api.encrypt(pt, keys[0].publicKey, signing.privateKey));
		p.notes.encrypt = "encrypts a random 384-byte Fp12 plaintext (the data key), signed";
		row(p, "grant", () => api.generateTransformKey(keys[0].privateKey, keys[1].publicKey, signing.privateKey));
		row(p, "reencrypt_l1", () => api.transform(ev1, tk01, signing.privateKey));
		row(p, "reencrypt_l2", () => api.transform(ev2, tk12, signing.privateKey));
		row(p, "decrypt_l1", () => api.decrypt(ev1, keys[0].privateKey));
		row(p, "decrypt_l2", () => api.decrypt(ev2, keys[1].privateKey));
		row(p, "decrypt_l3", () => api.decrypt(ev3, keys[2].privateKey));
		for (const k of ["reencrypt_1k", "reencrypt_64k", "reencrypt_1m"])
			p.notes[k] = "N/A: encrypts a fixed-size key only";

		const evBytes = (ev) => {
			let n = ev.ephemeralPublicKey.x.length + ev.ephemeralPublicKey.y.length +
				ev.encryptedMessage.length + ev.authHash.length + ev.publicSigningKey.length + ev.signature.length;
			for (const b of ev.transformBlocks)
				n += b.publicKey.x.length + b.publicKey.y.length + b.encryptedTempKey.length +
					b.randomTransformPublicKey.x.length + b.randomTransformPublicKey.y.length +
					b.randomTransformEncryptedTempKey.length;
			return n;
		};
		p.sizes.push(["secret key", keys[0].privateKey.length]);
		p.sizes.push(["public key", keys[0].publicKey.x.length + keys[0].publicKey.y.length]);
		p.sizes.push(["grant (transform key)", R.transformKeyToBytes256(tk01).length]);
		p.sizes.push(["ciphertext L1 (of a 384-byte key)", evBytes(ev1)]);
		p.sizes.push(["ciphertext L2", evBytes(ev2)]);
		p.sizes.push(["ciphertext L3", evBytes(ev3)]);
	} catch (err) {
		p.status = "failed: " + String(err && err.message ? err.message : err).slice(0, 200);
	}
	return p;
}

// ---- umbral ----
function benchUmbral() {
	const pkg = "@nucypher/umbral-pre";
	const p = peer("umbral", pkg);
	let U;
	try {
		U = nodeModule.createRequire(join(modulesDir, "x.js"))(pkg);
	} catch (err) {
		p.status = "could not load: " + String(err && err.message ? err.message : err).slice(0, 200);
		return p;
	}
	try {
		const skA = U.SecretKey.random(), pkA = skA.publicKey();
		const skB = U.SecretKey.random(), pkB = skB.publicKey();
		const signer = new U.Signer(U.SecretKey.random());
		const [capsule, ct] = U.encrypt(pkA, msg32);
		const kfrags = U.generateKFrags(skA, pkB, signer, 1, 1, true, true);
		const cfrag = U.reencrypt(capsule, kfrags[0]);
		const back = U.decryptReencrypted(skB, pkA, capsule, [cfrag], ct);
		if (back.length !== 32 || !back.every((x, i) => x === msg32[i]))
			throw new Error("round trip failed");

		p.notes.ed25519_keypair = "N/A: signs with ECDSA/secp256k1";
		row(p, "keygen", () => {
			const sk = U.SecretKey.random();
			sk.publicKey().free();
			sk.free();
		});
		row(p, "encrypt", () => {
			const [c] = U.encrypt(pkA, msg32);
			c.free();
		});
		row(p, "grant", () => {
			for (const k of U.generateKFrags(skA, pkB, signer, 1, 1, true, true)) k.free();
		});
		p.notes.grant = "generateKFrags, 1-of-1, signed for both keys";
		row(p, "reencrypt_l1", () => U.reencrypt(capsule, kfrags[0]).free());
		p.notes.reencrypt_l1 = "reencrypt with an already verified kfrag";
		p.notes.reencrypt_l2 = "N/A: single hop";
		row(p, "decrypt_l1", () => U.decryptOriginal(skA, capsule, ct));
		row(p, "decrypt_l2", () => U.decryptReencrypted(skB, pkA, capsule, [cfrag], ct));
		p.notes.decrypt_l2 = "decryptReencrypted with an already verified cfrag";
		p.notes.decrypt_l3 = "N/A: single hop";
		for (const k of ["reencrypt_1k", "reencrypt_64k", "reencrypt_1m"])
			p.notes[k] = "N/A: the proxy sees the capsule only (envelope)";

		p.sizes.push(["secret key", skA.toBEBytes().length]);
		p.sizes.push(["public key", pkA.toCompressedBytes().length]);
		p.sizes.push(["grant (kfrag)", kfrags[0].toBytes().length]);
		p.sizes.push(["ciphertext L1, 32 B message (capsule + ct)", capsule.toBytes().length + ct.length]);
		p.sizes.push(["ciphertext L2 (capsule + cfrag + ct)",
			capsule.toBytes().length + cfrag.toBytes().length + ct.length]);
	} catch (err) {
		p.status = "failed: " + String(err && err.message ? err.message : err).slice(0, 200);
	}
	return p;
}

// ---- secant_pre's TypeScript package (js/) ----
// The values of a batch are on one path (as bench_core --amortized's
// decrypt_l3_batch_1path); each pass over BATCH values starts with a new
// Decryptor, so that its misses are in the rate.
const BATCH = 2000;
async function benchTs(index) {
  const p = peer("ts", "secant-pre (js/)");
  p.package = "secant-pre";
  let sp;
  try {
    if (!index) throw new Error("no path to js/dist/index.js given");
    sp = await import(pathToFileURL(resolve(index)).href);
    p.version = JSON.parse(readFileSync(join(dirname(resolve(index)), "..", "package.json"), "utf8")).version;
  } catch (err) {
    p.status = "could not load: " + String(err && err.message ? err.message : err).slice(0, 200);
    return p;
  }
  try {
    const keys = [sp.SecretKey.generate(), sp.SecretKey.generate(), sp.SecretKey.generate()];
    const grants = [keys[0].grant(keys[1].publicKey), keys[1].grant(keys[2].publicKey)];
    const byLevel = [[], [], []];
    for (let i = 0; i < BATCH; i++) {
      const c1 = keys[0].publicKey.encrypt(msg32), c2 = c1.reencrypt(grants[0]);
      byLevel[0].push(c1);
      byLevel[1].push(c2);
      byLevel[2].push(c2.reencrypt(grants[1]));
    }
    const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
    if (!eq(keys[2].decrypt(byLevel[2][0]), msg32) || !eq(keys[2].decryptor().decrypt(byLevel[2][1]), msg32))
      throw new Error("round trip failed");

    p.notes.ed25519_keypair = "N/A: part of keygen";
    row(p, "keygen", () => sp.SecretKey.generate());
    row(p, "encrypt", () => keys[0].publicKey.encrypt(msg32));
    row(p, "grant", () => keys[0].grant(keys[1].publicKey));
    row(p, "reencrypt_l1", () => byLevel[0][0].reencrypt(grants[0]));
    row(p, "reencrypt_l2", () => byLevel[1][0].reencrypt(grants[1]));
    p.notes.reencrypt_l1 = "Ciphertext.reencrypt (the proxy's step, in the client)";
    for (let l = 1; l <= 3; l++) {
      const vals = byLevel[l - 1], key = keys[l - 1];
      let i = 0, j = 0, d = key.decryptor();
      row(p, `decrypt_l${l}`, () => key.decrypt(vals[i++ % BATCH]));
      row(p, `decrypt_l${l}_batch`, () => {
        if (j === BATCH) { d.close(); d = key.decryptor(); j = 0; }
        d.decrypt(vals[j++]);
      });
      d.close();
    }
    p.notes.decrypt_l3_batch = `Decryptor over ${BATCH} values on one path (one scalar multiplication each)`;
    for (const k of ["reencrypt_1k", "reencrypt_64k", "reencrypt_1m"])
      p.notes[k] = "N/A: not measured for the client";
    p.sizes.push(["ciphertext L1, 32 B message", byLevel[0][0].toBytes().length]);
    p.sizes.push(["ciphertext L3", byLevel[2][0].toBytes().length]);
  } catch (err) {
    p.status = "failed: " + String(err && err.message ? err.message : err).slice(0, 200);
  }
  return p;
}

const out = { node: process.version, seconds_per_run: SECONDS, runs: RUNS, peers: {} };
out.peers.recrypt = await benchRecrypt();
out.peers.umbral = benchUmbral();
out.peers.ts = await benchTs(process.argv[3]);
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
