// examples/web/page/app.mjs - the device: the page holds the protected key
// file, unlocks it with the passphrase, signs in by signing the server's
// challenge, decrypts the notes the server relays (re-encrypted for this
// device by PostgreSQL) in a batch, and makes search tokens.  Nothing secret
// leaves the page.  Bundled by build.mjs into dist/app.js.
import sodium from "libsodium-wrappers-sumo"; // the secant-pre package's own copy (build.mjs)
import * as sp from "secant-pre";

const STORE = "secant-pre-web/keyfile";
const $ = (id) => document.getElementById(id);
const utf8 = new TextEncoder();
// ?leak: a deliberately broken page that sends the plaintexts back (the
// test's negative check: the no-secret assertion must then fail)
const LEAK = new URLSearchParams(location.search).has("leak");

let key = null; // the unlocked SecretKey, in memory only until the page goes
let notes = []; // { id, patient, text }
let index = null; // { version, key }

function show(status, error = "") {
  $("status").textContent = status;
  $("error").textContent = error;
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method, headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined, credentials: "same-origin",
  });
  const out = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(out.error ?? `${method} ${path}: HTTP ${res.status}`);
  return out;
}

// The device's Ed25519 signing key pair, as SCHEME.md "Keys" derives it from
// the 32-byte seed: crypto_sign_seed_keypair(KDF("sign", seed)), where
// KDF(tag, x) = BLAKE2b-256("secant-pre/v1/" || tag || 0x00 || x).
function signingKeyPair(seed, publicKey) {
  const dst = utf8.encode("secant-pre/v1/sign\0");
  const input = new Uint8Array(dst.length + seed.length);
  input.set(dst);
  input.set(seed, dst.length);
  const signSeed = sodium.crypto_generichash(32, input);
  const kp = sodium.crypto_sign_seed_keypair(signSeed);
  input.fill(0);
  signSeed.fill(0);
  const sigma = publicKey.toBytes().subarray(32, 64);
  if (!sodium.memcmp(kp.publicKey, sigma)) throw new Error("the signing key does not match the public key");
  return kp;
}

async function signIn(passphrase) {
  const file = localStorage.getItem(STORE);
  if (!file) throw new Error("Choose this device's protected key file first.");
  show("Unlocking the key file (Argon2id)…");
  await new Promise((r) => setTimeout(r, 0)); // let the status paint
  let seed;
  try {
    seed = sp.unprotectSecret(sp.KeyFileContent.SECRET_KEY, file, passphrase);
  } catch (e) {
    throw new Error(e instanceof sp.SecantError ? "Wrong passphrase, or not a key file of this device." : e.message);
  }
  let kp;
  try {
    key = sp.SecretKey.fromBytes(seed);
    kp = signingKeyPair(seed, key.publicKey);
  } finally {
    seed.fill(0);
  }
  try {
    show("Signing in…");
    const challenge = await api("POST", "/api/challenge", { public_key: key.publicKey.toText() });
    const signature = sodium.crypto_sign_detached(utf8.encode(challenge.message), kp.privateKey);
    return await api("POST", "/api/session", { id: challenge.id, signature: sp.b64urlEncode(signature) });
  } finally {
    kp.privateKey.fill(0);
  }
}

async function readNotes() {
  const { notes: rows } = await api("GET", "/api/notes");
  const d = key.decryptor();
  const texts = d.decryptMany(rows.map((r) => r.body));
  const { hits, misses } = d.stats;
  d.close();
  notes = rows.map((r, i) => ({
    id: r.id, patient: r.patient,
    text: texts[i] instanceof Error ? `(cannot decrypt: ${texts[i].message})` : new TextDecoder().decode(texts[i]),
  }));
  render(null);
  const level = rows.length ? sp.Ciphertext.fromText(rows[0].body).level : 0;
  return `${rows.length} notes decrypted in this browser (level ${level}, one batch; path cache ${hits} hits, ${misses} miss)`;
}

function render(matches) {
  const list = $("note-list");
  list.replaceChildren(...notes.map((n) => {
    const li = document.createElement("li");
    li.dataset.id = n.id;
    if (matches?.includes(n.id)) li.className = "match";
    const who = document.createElement("span");
    who.className = "patient";
    who.textContent = `#${n.id} patient ${n.patient}`;
    li.append(who, document.createTextNode(n.text));
    return li;
  }));
}

async function search(query) {
  if (!index) {
    const { index_keys: rows } = await api("GET", "/api/index-keys");
    const newest = rows[rows.length - 1];
    index = { version: newest.version, key: sp.IndexKey.fromBytes(key.decrypt(newest.key_ct)) };
  }
  const tokens = sp.documentWords(query).map((w) => index.key.token(w).toText());
  if (tokens.length === 0) return { ids: [], words: 0 };
  const body = { version: index.version, tokens };
  if (LEAK) body.debug = notes.map((n) => n.text);
  const { ids } = await api("POST", "/api/search", body);
  return { ids, words: tokens.length };
}

function lock() {
  key?.wipe();
  index?.key.wipe();
  key = null;
  index = null;
}

function showKeyFile() {
  const stored = localStorage.getItem(STORE) !== null;
  $("keyfile-stored").hidden = !stored;
  $("keyfile-pick").hidden = stored;
}

$("keyfile").addEventListener("change", async (ev) => {
  const text = (await ev.target.files[0].text()).trim();
  try {
    sp.inspectKeyFile(text);
  } catch {
    show("", "That file is not a protected key file (prelocked_).");
    return;
  }
  localStorage.setItem(STORE, text);
  showKeyFile();
  show("Key file stored in this browser; enter its passphrase.");
});

$("forget").addEventListener("click", () => {
  localStorage.removeItem(STORE);
  lock();
  showKeyFile();
  show("Key file removed from this browser.");
});

$("unlock").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const pass = $("passphrase");
  try {
    const who = await signIn(pass.value);
    pass.value = "";
    $("device").hidden = true;
    show(`Signed in as ${who.principal}. Reading notes…`);
    show(`Signed in as ${who.principal}. ${await readNotes()}`);
    $("notes").hidden = false;
  } catch (e) {
    lock();
    show("", e.message);
  }
});

$("search").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const { ids, words } = await search($("query").value);
    render(ids);
    $("search-result").textContent = words === 0 ? "" : `${ids.length} matching: ${ids.map((i) => `#${i}`).join(", ") || "none"}`;
    $("error").textContent = "";
  } catch (e) {
    show("", e.message);
  }
});

addEventListener("pagehide", lock);
showKeyFile();
document.body.dataset.ready = "1";
