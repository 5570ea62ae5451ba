// examples/web/server.mjs - the application server of the web example.
//
// It holds the *proxy* capability in PostgreSQL and authenticates devices
// itself: a device signs a challenge with the Ed25519 key that is half of
// its registered public key (SCHEME.md "Keys"); the server checks it against
// secant.principals and opens a session.  It then serves the session's
// device its notes re-encrypted by secant.reencrypt_for, the group's index
// keys re-encrypted by secant.index_keys_for, and note ids for search
// tokens.  It never holds a secret key, an index key or a plaintext.
//
//   node server.mjs [--port N] [--group NAME] [--origin URL] [--traffic-log FILE]
//
// PGHOST, PGPORT, PGUSER, PGDATABASE: the database, as a role with the proxy
// capability.  --origin: the site's origin, which challenges name (default:
// http:// and the request's Host header).  --port 0 (the default) takes a free port; the first line on
// stdout is "listening on http://127.0.0.1:PORT/".  --traffic-log appends
// every request and response it handles (bodies included) as JSON lines.
import { createPublicKey, randomBytes, verify } from "node:crypto";
import { appendFileSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import pg from "pg";
import { PublicKey } from "secant-pre";

const { values: opt } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    group: { type: "string", default: "cardiology" },
    origin: { type: "string" },
    "traffic-log": { type: "string" },
  },
});
const HERE = new URL(".", import.meta.url);
const STATIC = {
  "/": ["page/index.html", "text/html; charset=utf-8"],
  "/app.js": ["dist/app.js", "text/javascript; charset=utf-8"],
};
const CHALLENGE_SECONDS = 60;
const SESSION_SECONDS = 15 * 60;
const pool = new pg.Pool({ max: 4 });
const challenges = new Map(); // id -> { principal, message, expires }
const sessions = new Map(); // sid -> { principal, expires }

class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

function log(...args) { console.log(new Date().toISOString(), ...args); }

function traffic(entry) {
  if (opt["traffic-log"]) appendFileSync(opt["traffic-log"], JSON.stringify(entry) + "\n");
}

// The words the device signs: bound to this site, the principal and a fresh
// random challenge, so a signature is good for one sign-in here only.
function challengeMessage(origin, principal, nonce) {
  return `secant-pre web sign-in v1\norigin: ${origin}\nprincipal: ${principal}\nchallenge: ${nonce}\n`;
}

// Ed25519 verification with the signing half (bytes 32..64) of a public key.
function signatureValid(publicKeyText, message, signature) {
  const sigma = PublicKey.fromText(publicKeyText).toBytes().subarray(32, 64);
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(sigma).toString("base64url") }, format: "jwk" });
  return signature.length === 64 && verify(null, Buffer.from(message, "utf8"), key, signature);
}

async function principalByKey(publicKeyText) {
  let r;
  try {
    r = await pool.query("SELECT name, kind FROM secant.principals WHERE public_key = $1::pre_public_key", [publicKeyText]);
  } catch (e) {
    if (e.code === "22P02" || e.code === "22023") throw new HttpError(400, "not a public key");
    throw e;
  }
  if (r.rows.length === 0) throw new HttpError(403, "This device's key is not registered.");
  if (r.rows[0].kind !== "device") throw new HttpError(403, "Only devices sign in here.");
  return r.rows[0].name;
}

// Refused when no active grant path leads from the group to the device.
async function requireAccess(principal) {
  const r = await pool.query("SELECT count(*)::int AS hops FROM secant.path($1::text, $2::text)", [opt.group, principal]);
  if (r.rows[0].hops === 0) throw refused(principal);
}

function refused(principal) {
  return new HttpError(403, `Access refused: the device "${principal}" has no active grant from "${opt.group}" ` +
    "(it was revoked or has expired). Ask an administrator to enrol it again.");
}

function session(req) {
  const sid = /(?:^|;\s*)sid=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? "")?.[1];
  const s = sid && sessions.get(sid);
  if (!s || s.expires < Date.now()) throw new HttpError(401, "Not signed in.");
  return s;
}

// 42501 from reencrypt_for / index_keys_for: no path (revoked or expired).
async function asProxy(principal, text, values) {
  try {
    return (await pool.query(text, values)).rows;
  } catch (e) {
    if (e.code === "42501") throw refused(principal);
    throw e;
  }
}

const routes = {
  "POST /api/challenge": async (req, body) => {
    const principal = await principalByKey(String(body.public_key ?? ""));
    const id = randomBytes(16).toString("base64url");
    const message = challengeMessage(opt.origin ?? `http://${req.headers.host}`, principal, randomBytes(32).toString("base64url"));
    challenges.set(id, { principal, message, expires: Date.now() + CHALLENGE_SECONDS * 1000 });
    return { status: 200, body: { id, message } };
  },
  "POST /api/session": async (req, body) => {
    const c = challenges.get(String(body.id ?? ""));
    challenges.delete(String(body.id ?? "")); // one use
    if (!c || c.expires < Date.now()) throw new HttpError(401, "The challenge expired; sign in again.");
    const { rows } = await pool.query("SELECT public_key::text AS pk FROM secant.principals WHERE name = $1", [c.principal]);
    if (rows.length === 0 || !signatureValid(rows[0].pk, c.message, Buffer.from(String(body.signature ?? ""), "base64url"))) {
      log(`sign-in refused: bad signature for ${c.principal}`);
      throw new HttpError(401, "The signature does not match this device's registered key.");
    }
    await requireAccess(c.principal);
    const sid = randomBytes(32).toString("base64url");
    sessions.set(sid, { principal: c.principal, expires: Date.now() + SESSION_SECONDS * 1000 });
    log(`signed in: ${c.principal}`);
    // production: add Secure (the site is served over TLS)
    const cookie = `sid=${sid}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_SECONDS}`;
    return { status: 200, body: { principal: c.principal, group: opt.group }, headers: { "Set-Cookie": cookie } };
  },
  "GET /api/notes": async (req) => {
    const { principal } = session(req);
    const rows = await asProxy(principal,
      "SELECT id, patient, secant.reencrypt_for(body, $1::text)::text AS body FROM notes ORDER BY id", [principal]);
    log(`served ${rows.length} notes to ${principal}`);
    return { status: 200, body: { notes: rows } };
  },
  "GET /api/index-keys": async (req) => {
    const { principal } = session(req);
    const rows = await asProxy(principal,
      "SELECT version, key_ct::text AS key_ct FROM secant.index_keys_for($1::text, $2::text) ORDER BY version", [opt.group, principal]);
    return { status: 200, body: { index_keys: rows } };
  },
  "POST /api/search": async (req, body) => {
    const { principal } = session(req);
    await requireAccess(principal);
    const tokens = Array.isArray(body.tokens) ? body.tokens.map(String) : [];
    if (tokens.length === 0) throw new HttpError(400, "no search tokens");
    const rows = await asProxy(principal,
      "SELECT id FROM notes WHERE index_version = $1 AND tokens @> $2::pre_token[] ORDER BY id", [body.version, tokens]);
    return { status: 200, body: { ids: rows.map((r) => r.id) } };
  },
  "POST /api/signout": async (req) => {
    const sid = /(?:^|;\s*)sid=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? "")?.[1];
    if (sid) sessions.delete(sid);
    return { status: 200, body: {}, headers: { "Set-Cookie": "sid=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0" } };
  },
};

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > 64 * 1024) throw new HttpError(413, "request too large");
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function handle(req) {
  const path = new URL(req.url, "http://x").pathname;
  if (req.method === "GET" && STATIC[path]) {
    const [file, type] = STATIC[path];
    return { status: 200, raw: readFileSync(new URL(file, HERE)), headers: { "Content-Type": type } };
  }
  if (req.method === "GET" && path === "/favicon.ico") return { status: 204, raw: Buffer.alloc(0) };
  const route = routes[`${req.method} ${path}`];
  if (!route) throw new HttpError(404, "not found");
  const text = await readBody(req);
  let body = {};
  if (text) {
    try { body = JSON.parse(text); } catch { throw new HttpError(400, "not JSON"); }
  }
  return { ...(await route(req, body)), requestBody: text };
}

const server = createServer(async (req, res) => {
  let out;
  try {
    out = await handle(req);
  } catch (e) {
    if (!(e instanceof HttpError)) log(`error: ${e.code ?? ""} ${e.message}`);
    out = e instanceof HttpError ? { status: e.status, body: { error: e.message } } : { status: 500, body: { error: "server error" } };
  }
  const payload = out.raw ?? Buffer.from(JSON.stringify(out.body));
  const headers = {
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'",
    ...out.headers,
  };
  traffic({ // before the response leaves, so a client that has it finds it logged
    at: new Date().toISOString(), method: req.method, url: req.url, requestHeaders: req.headers,
    requestBody: out.requestBody ?? "", status: out.status, responseHeaders: headers,
    responseBody: out.raw ? "(static file)" : payload.toString("utf8"),
  });
  res.writeHead(out.status, headers);
  res.end(payload);
});

server.listen(Number(opt.port), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/`);
});
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => { server.close(); pool.end().finally(() => process.exit(0)); });
}
