// examples/web/test/browser.mjs - the web example in headless Chromium
// (Debian's chromium, driven by playwright-core): load, sign in, unlock,
// read, search; a forged signature, a replayed sign-in, an unknown key, a
// user's key and a request without a session are refused; revoke the device from psql; reload: refused with a clear
// message.  Then the server's traffic (every request and response body it
// handled), its log, the PostgreSQL log and the browser's requests are
// searched for every plaintext, keyword, key, passphrase and the key file:
// none may be there.  A control runs every time: a second tab loads the
// page with ?leak (it sends the plaintexts back); its traffic is kept apart
// and the same search must find them there.
//
//   node test/browser.mjs --url URL --key-file F --secrets F --traffic F --server-log F
//                         [--leak] [--screenshot PNG]
//
// --leak loads the main page with ?leak too: the no-secret check must then
// fail (the negative check, by hand).
// PGDATABASE etc.: the example's database, as an admin (for the revocation).
// Prints "ok N - ..." lines and ends with "N passed, M failed".
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import * as sp from "secant-pre";

const { values: opt } = parseArgs({
  options: {
    url: { type: "string" }, "key-file": { type: "string" }, secrets: { type: "string" },
    traffic: { type: "string" }, "server-log": { type: "string" }, "pg-log": { type: "string" },
    "pg-log-offset": { type: "string", default: "0" },
    leak: { type: "boolean", default: false }, screenshot: { type: "string" },
  },
});
const secrets = JSON.parse(readFileSync(opt.secrets, "utf8"));
const passphrase = secrets.passphrase;
let passed = 0, failed = 0, n = 0;

function check(what, good, detail = "") {
  n++;
  if (good) { passed++; console.log(`ok ${n} - ${what}`); }
  else { failed++; console.log(`not ok ${n} - ${what}${detail ? `\n#   ${String(detail).replace(/\n/g, "\n#   ")}` : ""}`); }
}
function equal(what, got, want) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  check(what, g === w, `expected ${w}\n got      ${g}`);
}
const psql = (sql) => execFileSync("psql", ["-X", "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql], { encoding: "utf8" }).trim();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox"], // root in a container; the sandbox needs user namespaces
});
const context = await browser.newContext({ viewport: { width: 760, height: 560 } });
const page = await context.newPage();
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(e.message));
page.on("console", (m) => { if (m.type() === "error") pageErrors.push(m.text()); });
// the browser's side of the exchange too: every request body it sent and
// every API response it got
function record(p, into) {
  p.on("request", (r) => into.push(`${r.method()} ${r.url()} ${r.postData() ?? ""}`));
  p.on("response", async (r) => { if (r.url().includes("/api/")) into.push(await r.text().catch(() => "")); });
}
const seen = [];
record(page, seen);
const leakSeen = [];
let leakRange = [0, 0]; // the leaking tab's bytes of the traffic log
const trafficSize = () => readFileSync(opt.traffic).length;
const text = (sel) => page.locator(sel).innerText();
const url = opt.url + (opt.leak ? "?leak" : "");

async function submitPassphrase(p) {
  await page.fill("#passphrase", p);
  await page.click("#unlock-button");
}

try {
  // 1. load
  await page.goto(url);
  await page.waitForSelector("body[data-ready='1']", { timeout: 30000 });
  equal("the page loads (bundle and libsodium's WebAssembly)", await page.title(), "Clinic notes (secant_pre web example)");

  // 2. the device's protected key file, kept by the browser
  await page.setInputFiles("#keyfile", opt["key-file"]);
  await page.waitForSelector("#keyfile-stored:not([hidden])");
  const stored = await page.evaluate(() => localStorage.getItem("secant-pre-web/keyfile"));
  check("the key file is stored in the browser, protected (prelocked_)", stored?.startsWith("prelocked_"));

  // 3. a wrong passphrase unlocks nothing
  await submitPassphrase("not the passphrase");
  await page.waitForFunction(() => document.getElementById("error").textContent !== "", null, { timeout: 60000 });
  equal("a wrong passphrase is refused in the page", await text("#error"), "Wrong passphrase, or not a key file of this device.");

  // 4. unlock and sign in by signing the server's challenge, then read
  await submitPassphrase(passphrase);
  await page.waitForSelector("#notes:not([hidden]), #error:not(:empty)", { timeout: 60000 });
  const status = await text("#status");
  check("unlock and sign in (Ed25519 challenge)", status.startsWith("Signed in as ada_browser."), `${status} / ${await text("#error")}`);
  const shown = await page.locator("#note-list li").evaluateAll((lis) => lis.map((li) => li.lastChild.textContent));
  equal("the notes are decrypted in the browser", shown, secrets.plaintexts);
  check("one batch of level-3 values (group -> user -> device)", /level 3, one batch/.test(status), status);
  check("the decryptor found the path once (3 hits, 1 miss)", /3 hits, 1 miss/.test(status), status);

  // 5. search with tokens made in the page
  async function search(q) {
    await page.evaluate(() => { document.getElementById("search-result").textContent = ""; });
    await page.fill("#query", q);
    await page.click("#search button");
    await page.waitForFunction(() => document.getElementById("search-result").textContent !== "", null, { timeout: 30000 });
    return text("#search-result");
  }
  equal("search \"TWICE\" (case folded in the page)", await search("TWICE"), "2 matching: #1, #3");
  equal("search \"troponin twice\" (AND of two tokens)", await search("troponin twice"), "1 matching: #3");
  equal("search \"apixaban\"", await search("apixaban"), "1 matching: #4");
  equal("search \"Atrial\"", await search("Atrial"), "1 matching: #4");
  equal("the match is marked", await page.locator("#note-list li.match").evaluateAll((l) => l.map((li) => li.dataset.id)), ["4"]);
  if (opt.screenshot) await page.screenshot({ path: opt.screenshot, clip: { x: 0, y: 0, width: 760, height: 420 } });

  // 6. the server refuses a forged signature and a request without a session
  const pk = await page.evaluate(async () => {
    const r = await fetch("/api/notes", { credentials: "omit" });
    return { status: r.status, error: (await r.json()).error };
  });
  equal("no session, no notes", pk, { status: 401, error: "Not signed in." });
  const forged = await page.evaluate(async (keyText) => {
    const post = (path, body) => fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), credentials: "omit" });
    const c = await (await post("/api/challenge", { public_key: keyText })).json();
    const r = await post("/api/session", { id: c.id, signature: "A".repeat(86) });
    return { status: r.status, error: (await r.json()).error };
  }, psql("SELECT public_key FROM secant.principals WHERE name = 'ada_browser'"));
  equal("a forged signature is refused", forged, { status: 401, error: "The signature does not match this device's registered key." });
  const post = (path, body) => page.evaluate(async ([path, body]) => {
    const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body, credentials: "omit" });
    return { status: r.status, error: (await r.json()).error };
  }, [path, body]);
  const signedIn = seen.find((e) => /^POST \S+\/api\/session /.test(e));
  equal("a replayed sign-in (the page's own signed answer, sent again) is refused",
    await post("/api/session", signedIn?.replace(/^POST \S+ /, "")), { status: 401, error: "The challenge expired; sign in again." });
  equal("a key that is not registered gets no challenge",
    await post("/api/challenge", JSON.stringify({ public_key: sp.SecretKey.generate().publicKey.toText() })),
    { status: 403, error: "This device's key is not registered." });
  equal("a user's key gets no challenge (devices only)",
    await post("/api/challenge", JSON.stringify({ public_key: psql("SELECT public_key FROM secant.principals WHERE name = 'dr_ada'") })),
    { status: 403, error: "Only devices sign in here." });

  // 7. the control of the no-secret check (step 9): a second tab loads the
  // broken page (?leak), unlocks and searches; the traffic it causes is
  // kept apart, and the same scan must find the plaintexts in it
  const before = trafficSize();
  const tab = await context.newPage();
  record(tab, leakSeen);
  await tab.goto(`${opt.url}?leak`);
  await tab.waitForSelector("body[data-ready='1']");
  await tab.fill("#passphrase", passphrase);
  await tab.click("#unlock-button");
  await tab.waitForSelector("#notes:not([hidden])", { timeout: 60000 });
  await tab.fill("#query", "twice");
  await tab.click("#search button");
  await tab.waitForFunction(() => document.getElementById("search-result").textContent !== "", null, { timeout: 30000 });
  await tab.close();
  leakRange = [before, trafficSize()];

  // 8. revoke the device from psql: the open session is refused at once
  equal("revoke the device (psql)", psql("SELECT secant.revoke('dr_ada', 'ada_browser')"), "0");
  const after = await page.evaluate(async () => {
    const r = await fetch("/api/notes");
    return { status: r.status, error: (await r.json()).error };
  });
  check("the open session is refused after revocation", after.status === 403 && /^Access refused/.test(after.error), JSON.stringify(after));

  // 9. reload: the key file is still there, the key is not; sign-in refused
  await page.reload();
  await page.waitForSelector("body[data-ready='1']");
  check("after a reload the key file is kept, the unlocked key is gone", await page.isVisible("#keyfile-stored") && await page.isHidden("#notes"));
  await submitPassphrase(passphrase);
  await page.waitForFunction(() => document.getElementById("error").textContent !== "", null, { timeout: 60000 });
  equal("the revoked device is refused with a clear message", await text("#error"),
    "Access refused: the device \"ada_browser\" has no active grant from \"cardiology\" (it was revoked or has expired). Ask an administrator to enrol it again.");
  check("no note is shown", await page.isHidden("#notes") && (await page.locator("#note-list li").count()) === 0);
  equal("no error in the page's console", pageErrors.filter((e) => !/40[13]/.test(e)), []);
} catch (e) {
  check(`browser run: ${e.message.split("\n")[0]}`, false, e.stack);
} finally {
  await browser.close();
}

// 10. the server saw no secret: every form a secret could take in a body,
// searched in the captured traffic and the logs; and the control: the same
// search finds every plaintext in the traffic of the leaking tab
function forms(s) {
  const b = Buffer.from(s, "utf8");
  return [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s), b.toString("base64"), b.toString("base64url"), b.toString("hex")];
}
function byteForms(hex) {
  const b = Buffer.from(hex, "hex");
  return [hex, b.toString("base64"), b.toString("base64url")];
}
const needles = [
  ...secrets.plaintexts.flatMap((t) => [...forms(t), ...t.split(/[^A-Za-z]+/).filter((w) => w.length >= 7)]),
  ...["troponin", "apixaban"].flatMap(forms),
  ...Object.entries(secrets.secretKeys).flatMap(([, k]) => forms(k)),
  ...byteForms(secrets.deviceSeed), ...byteForms(secrets.indexKey),
  ...forms(secrets.passphrase), ...forms(secrets.keyFile), secrets.keyFile.slice(10, 50),
];
const trafficBytes = readFileSync(opt.traffic);
const traffic = Buffer.concat([trafficBytes.subarray(0, leakRange[0]), trafficBytes.subarray(leakRange[1])]).toString("utf8");
const haystacks = {
  "server's traffic": traffic, "server log": readFileSync(opt["server-log"], "utf8"), "browser's requests": seen.join("\n"),
};
if (opt["pg-log"]) haystacks["PostgreSQL log"] = readFileSync(opt["pg-log"]).subarray(Number(opt["pg-log-offset"])).toString("utf8");
const requests = traffic.split("\n").filter(Boolean).map((l) => JSON.parse(l));
check("the captures hold the exchange (sign-in, ciphertexts, tokens)",
  requests.some((r) => r.url === "/api/session") && /prect_/.test(traffic) && /pretok_/.test(traffic) &&
  /prect_/.test(haystacks["browser's requests"]) && /pretok_/.test(haystacks["browser's requests"]), `${requests.length} requests`);

function secretsIn(stacks) {
  const found = [];
  for (const [where, hay] of Object.entries(stacks)) {
    const lower = hay.toLowerCase();
    for (const needle of new Set(needles)) {
      if (lower.includes(needle.toLowerCase())) found.push({ where, needle });
    }
  }
  return found;
}
const show = (found) => found.slice(0, 12).map(({ where, needle }) => `${where}: ${needle.length > 40 ? needle.slice(0, 40) + "…" : needle}`).join("\n");
const found = secretsIn(haystacks);
check(`no plaintext, keyword, key, passphrase or key file in the traffic (${requests.length} requests, both sides) and logs`,
  found.length === 0, show(found));
const caught = secretsIn({
  "server's traffic": trafficBytes.subarray(leakRange[0], leakRange[1]).toString("utf8"), "browser's requests": leakSeen.join("\n"),
});
check("control: the same search finds every plaintext the leaking tab sent, on both sides",
  secrets.plaintexts.every((t) => ["server's traffic", "browser's requests"].every((w) => caught.some((c) => c.where === w && c.needle === t))),
  show(caught));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
