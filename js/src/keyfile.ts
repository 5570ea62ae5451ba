/**
 * Protected key files (SCHEME "Protected key files"): `prelocked_` and the
 * base64url of 112 bytes, a secret sealed under Argon2id of a passphrase.
 */
import { sodium } from "./sodium.js";
import { b64urlDecode, b64urlEncode, concat, equalBytes, readU64, utf8, wipe, writeU64 } from "./bytes.js";
import { E, fail } from "./errors.js";
import { randomBytes } from "./primitives.js";

export const KEYFILE_PREFIX = "prelocked_";
export const KEYFILE_BYTES = 112;
const MAGIC = utf8.encode("SPKF");
const KDF_ARGON2ID13 = 1;

/** What a key file holds. */
export const KeyFileContent = { SECRET_KEY: 1, INDEX_KEY: 2 } as const;

/** libsodium's named limits (writers); MODERATE is the default. */
export const PwhashLimits = {
  INTERACTIVE: { opslimit: 2, memlimit: 64 * 1024 * 1024 },
  MODERATE: { opslimit: 3, memlimit: 256 * 1024 * 1024 },
  SENSITIVE: { opslimit: 4, memlimit: 1024 * 1024 * 1024 },
} as const;

export interface KeyFileHeader {
  type: "protected_key_file";
  bytes: number;
  version: number;
  content: "pre_secret_key" | "index_key";
  kdf: "argon2id13";
  opslimit: number;
  memlimit: number;
}

/** Test-only fixed salt and nonce. */
export interface KeyFileOptions { opslimit?: number; memlimit?: number; salt?: Uint8Array; nonce?: Uint8Array }

function passBytes(p: string | Uint8Array): Uint8Array {
  const b = typeof p === "string" ? utf8.encode(p) : p.slice();
  if (b.length === 0) fail(E.KF_EMPTY, "cannot use the passphrase");
  return b;
}

/** The checked bytes of a key file text (no passphrase needed). */
function decodeFile(text: string): Uint8Array {
  const t = text.trim();
  const b = t.startsWith(KEYFILE_PREFIX) ? b64urlDecode(t.slice(KEYFILE_PREFIX.length)) : null;
  if (b === null || b.length !== KEYFILE_BYTES) fail(E.KF_TEXT, "key file");
  if (!equalBytes(b.subarray(0, 4), MAGIC)) fail(E.KF_MAGIC, "key file");
  if (b[4] !== 1) fail(E.KF_VERSION, "key file");
  if (b[5] !== KeyFileContent.SECRET_KEY && b[5] !== KeyFileContent.INDEX_KEY) fail(E.KF_CONTENT, "key file");
  if (b[6] !== KDF_ARGON2ID13) fail(E.KF_KDF, "key file");
  if (b[7] !== 0) fail(E.KF_RESERVED, "key file");
  checkLimits(readU64(b, 24), readU64(b, 32));
  return b;
}

/** Limits a reader accepts: opslimit 1–16, memlimit 8 KiB–1 GiB. */
function checkLimits(ops: bigint, mem: bigint): void {
  if (ops < 1n || ops > 16n || mem < 8192n || mem > 1n << 30n) fail(E.KF_LIMITS, "key file");
}

/** True if the text (after white space) is a protected key file. */
export function isKeyFile(text: string): boolean {
  return text.trimStart().startsWith(KEYFILE_PREFIX);
}

/** The public header of a key file, as `secant-pre inspect` shows it. */
export function inspectKeyFile(text: string): KeyFileHeader {
  const b = decodeFile(text);
  return {
    type: "protected_key_file", bytes: KEYFILE_BYTES, version: b[4],
    content: b[5] === 1 ? "pre_secret_key" : "index_key", kdf: "argon2id13",
    opslimit: Number(readU64(b, 24)), memlimit: Number(readU64(b, 32)),
  };
}

function derive(pass: Uint8Array, b: Uint8Array): Uint8Array {
  try {
    return sodium.crypto_pwhash(32, pass, b.subarray(8, 24), Number(readU64(b, 24)), Number(readU64(b, 32)),
      sodium.crypto_pwhash_ALG_ARGON2ID13);
  } catch {
    return fail(E.KF_PWHASH, "key file");
  }
}

/** A key file text (`prelocked_…`, no newline) of a 32-byte secret. */
export function protectSecret(content: number, secret: Uint8Array, passphrase: string | Uint8Array, opts: KeyFileOptions = {}): string {
  if (secret.length !== 32) fail(E.LENGTH, "a protected secret is 32 bytes");
  const { opslimit, memlimit } = { ...PwhashLimits.MODERATE, ...opts };
  checkLimits(BigInt(opslimit), BigInt(memlimit));
  const pass = passBytes(passphrase);
  const head = new Uint8Array(64);
  head.set(MAGIC, 0);
  head[4] = 1;
  head[5] = content;
  head[6] = KDF_ARGON2ID13;
  head.set(opts.salt ?? randomBytes(16), 8);
  writeU64(head, 24, BigInt(opslimit));
  writeU64(head, 32, BigInt(memlimit));
  head.set(opts.nonce ?? randomBytes(24), 40);
  const K = derive(pass, head);
  const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(secret, head, null, head.subarray(40, 64), K);
  wipe(K, pass);
  return KEYFILE_PREFIX + b64urlEncode(concat(head, sealed));
}

/** The 32-byte secret of a key file text; the content must be as expected. */
export function unprotectSecret(content: number, text: string, passphrase: string | Uint8Array): Uint8Array {
  const b = decodeFile(text);
  if (b[5] !== content) fail(E.KF_CONTENT, "key file");
  const pass = passBytes(passphrase);
  const K = derive(pass, b);
  wipe(pass);
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, b.subarray(64), b.subarray(0, 64), b.subarray(40, 64), K);
  } catch {
    return fail(E.KF_PASSPHRASE, "cannot open the key file");
  } finally {
    wipe(K);
  }
}
