// examples/web/setup.mjs - the clinic's side of the web example, done once:
// keys made on the clients (here, in this process), public keys and sealed
// grants registered in PostgreSQL, notes encrypted to the group with their
// search tokens, the application server's role given the proxy capability,
// and the browser's key written as a protected key file (prelocked_).
//
//   node setup.mjs --app-role ROLE --key-file FILE --passphrase-file FILE [--secrets FILE]
//
// Connects as PGHOST/PGPORT/PGUSER/PGDATABASE say (an admin of that database,
// e.g. its owner; the extension is created if missing).  --secrets writes
// every secret and plaintext of the run as JSON, for the test that searches
// the server's traffic for them.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import pg from "pg";
import * as sp from "secant-pre";

export const GROUP = "cardiology";
export const USER = "dr_ada";
export const DEVICE = "ada_browser";
export const NOTES = [
  ["4711", "HbA1c 7.9 %, start metformin 500 mg twice daily."],
  ["4712", "Echo: ejection fraction 55 %, no valve disease."],
  ["4713", "Chest pain resolved; troponin negative twice."],
  ["4714", "Holter: paroxysmal atrial fibrillation, start apixaban."],
];

const { values: opt } = parseArgs({
  options: {
    "app-role": { type: "string" },
    "key-file": { type: "string" },
    "passphrase-file": { type: "string" },
    secrets: { type: "string" },
  },
});
if (!opt["app-role"] || !opt["key-file"] || !opt["passphrase-file"]) {
  console.error("usage: node setup.mjs --app-role ROLE --key-file FILE --passphrase-file FILE [--secrets FILE]");
  process.exit(2);
}
const passphrase = readFileSync(opt["passphrase-file"], "utf8").trim();

const db = new pg.Client();
await db.connect();
try {
  await db.query("CREATE EXTENSION IF NOT EXISTS secant_pre");
  // 1. each party makes its key on its own client
  const keys = { [GROUP]: sp.SecretKey.generate(), [USER]: sp.SecretKey.generate(), [DEVICE]: sp.SecretKey.generate() };
  // 2. the admin registers the public keys
  for (const [name, kind] of [[GROUP, "group"], [USER, "user"], [DEVICE, "device"]]) {
    await db.query("SELECT secant.add_principal($1, $2, $3)", [name, kind, keys[name].publicKey]);
  }
  // 3. grants group -> user (membership) and user -> device (enrolment),
  //    made by the delegators and sealed to the server's key
  const sealKey = sp.SealKey.fromText((await db.query("SELECT secant.server_public_key() AS k")).rows[0].k);
  for (const [from, to] of [[GROUP, USER], [USER, DEVICE]]) {
    const sealed = keys[from].grant(keys[to].publicKey).seal(sealKey);
    await db.query("SELECT secant.add_grant($1::pre_sealed_grant)", [sealed]);
  }
  // 4. the group's search index key, stored encrypted to the group
  const indexKey = sp.IndexKey.generate();
  const version = (await db.query("SELECT secant.rotate_index_key($1, $2) AS v",
    [GROUP, indexKey.encryptFor(keys[GROUP].publicKey)])).rows[0].v;
  // 5. notes encrypted to the group (aad: the patient), with tokens
  await db.query(`CREATE TABLE notes (id int PRIMARY KEY, patient text NOT NULL, body pre_ciphertext NOT NULL,
                  index_version int NOT NULL, tokens pre_token[] NOT NULL)`);
  await db.query("CREATE INDEX notes_tokens ON notes USING gin (tokens)");
  for (const [i, [patient, text]] of NOTES.entries()) {
    await db.query("INSERT INTO notes VALUES ($1, $2, $3, $4, $5)",
      [i + 1, patient, keys[GROUP].publicKey.encrypt(text, `patient:${patient}`), version, indexKey.tokens(text)]);
  }
  // 6. the application server: reads notes, asks for re-encryptions as a proxy
  const role = pg.escapeIdentifier(opt["app-role"]);
  await db.query(`GRANT SELECT ON notes TO ${role}`);
  await db.query("SELECT secant.grant_capability($1, 'proxy')", [opt["app-role"]]);
  // 7. the browser's key, protected by its passphrase (Argon2id INTERACTIVE:
  //    64 MiB, quick enough in a page)
  const keyFile = keys[DEVICE].protect(passphrase, sp.PwhashLimits.INTERACTIVE);
  writeFileSync(opt["key-file"], keyFile + "\n", { mode: 0o600 });
  if (opt.secrets) {
    const secret = Object.fromEntries(Object.entries(keys).map(([n, k]) => [n, k.toText()]));
    writeFileSync(opt.secrets, JSON.stringify({
      plaintexts: NOTES.map(([, t]) => t), secretKeys: secret, deviceSeed: keys[DEVICE].toBytes(),
      indexKey: indexKey.toText(), keyFile, passphrase,
    }, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v)), { mode: 0o600 });
  }
  console.log(`set up: principals ${GROUP}, ${USER}, ${DEVICE}; ${NOTES.length} notes; proxy role ${opt["app-role"]}; key file ${opt["key-file"]}`);
} finally {
  await db.end();
}
