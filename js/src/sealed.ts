/**
 * Sealed grants (SCHEME "Sealed grants"): a grant sealed (crypto_box_seal)
 * to the database server's X25519 key, for one database.
 */
import { sodium } from "./sodium.js";
import { BytesLike, concat, equalBytes, utf8, wipe } from "./bytes.js";
import { E, fail } from "./errors.js";
import { GRANT_BYTES, randomBytes } from "./primitives.js";
import { CHECKED, checkGrant, Grant } from "./scheme.js";
import { asBytes, decodeText, PublicValue, short } from "./values.js";

const SK_MAGIC = utf8.encode("SPSK");
const SG_MAGIC = utf8.encode("SPSG");
export const SEAL_KEY_BYTES = 64;
export const SEALED_GRANT_BYTES = 360;

/** key id = BLAKE2b-256(S)[0..8]. */
export function keyId(serverPublic: Uint8Array): Uint8Array {
  return sodium.crypto_generichash(32, serverPublic, null).subarray(0, 8);
}

function checkHeader(b: Uint8Array, magic: Uint8Array, size: number): number {
  if (b.length !== size) return E.LENGTH;
  if (!equalBytes(b.subarray(0, 4), magic)) return E.MAGIC;
  if (b[4] !== 1) return E.VERSION;
  if (b[5] !== 0 || b[6] !== 0 || b[7] !== 0) return E.RESERVED;
  return 0;
}

/** A sealing key (`presealkey_`, 64 bytes): what a client seals grants to. */
export class SealKey extends PublicValue {
  static readonly PREFIX = "presealkey_";
  get prefix() { return SealKey.PREFIX; }
  get sqlType() { return "presealkey_ text"; }

  private constructor(b: Uint8Array) { super(b); }

  static fromBytes(b: BytesLike): SealKey {
    const bytes = asBytes(b, "sealing key");
    let rc = checkHeader(bytes, SK_MAGIC, SEAL_KEY_BYTES);
    if (!rc && !equalBytes(bytes.subarray(8, 16), keyId(bytes.subarray(16, 48)))) rc = E.POINT;
    if (rc) fail(rc, "invalid sealing key");
    return new SealKey(bytes);
  }

  static fromText(text: string): SealKey {
    return SealKey.fromBytes(decodeText(text, SealKey.PREFIX, "sealing key"));
  }

  static parse(v: SealKey | string | BytesLike): SealKey {
    if (v instanceof SealKey) return v;
    return typeof v === "string" ? SealKey.fromText(v) : SealKey.fromBytes(v);
  }

  /** The sealing key of a server public key and a database identity. */
  static of(serverPublic: Uint8Array, databaseIdentity: Uint8Array): SealKey {
    const b = new Uint8Array(SEAL_KEY_BYTES);
    b.set(SK_MAGIC, 0);
    b[4] = 1;
    b.set(keyId(serverPublic), 8);
    b.set(serverPublic, 16);
    b.set(databaseIdentity, 48);
    return SealKey.fromBytes(b);
  }

  get keyId(): Uint8Array { return this._raw().slice(8, 16); }
  get serverPublic(): Uint8Array { return this._raw().slice(16, 48); }
  get databaseIdentity(): Uint8Array { return this._raw().slice(48, 64); }
}

/** A sealed grant (`presealed_`, SQL `pre_sealed_grant`, 360 bytes): what the database stores. */
export class SealedGrant extends PublicValue {
  static readonly PREFIX = "presealed_";
  get prefix() { return SealedGrant.PREFIX; }
  get sqlType() { return "pre_sealed_grant"; }

  private constructor(b: Uint8Array) { super(b); }

  /** Layout checks only: only the server can open it. */
  static fromBytes(b: BytesLike): SealedGrant {
    const bytes = asBytes(b, "sealed grant");
    const rc = checkHeader(bytes, SG_MAGIC, SEALED_GRANT_BYTES);
    if (rc) fail(rc, "invalid sealed grant");
    return new SealedGrant(bytes);
  }

  static fromText(text: string): SealedGrant {
    return SealedGrant.fromBytes(decodeText(text, SealedGrant.PREFIX, "sealed grant"));
  }

  static parse(v: SealedGrant | string | BytesLike): SealedGrant {
    if (v instanceof SealedGrant) return v;
    return typeof v === "string" ? SealedGrant.fromText(v) : SealedGrant.fromBytes(v);
  }

  get keyId(): Uint8Array { return this._raw().slice(8, 16); }

  protected override describe(): string {
    return `SealedGrant(${short(this.toText())})`;
  }
}

/** Seal a grant to a sealing key (`grant --seal-to`); seed fixes the ephemeral key (tests only). */
export function sealGrant(grant: Grant | string | BytesLike, to: SealKey | string | BytesLike, seed?: Uint8Array): SealedGrant {
  const g = Grant.parse(grant), k = SealKey.parse(to);
  const kb = k._raw(), S = kb.subarray(16, 48);
  const pt = concat(kb.subarray(8, 16), kb.subarray(48, 64), g._raw());
  const s = seed ?? randomBytes(32);
  const eph = sodium.crypto_box_seed_keypair(s);
  const nonce = sodium.crypto_generichash(24, concat(eph.publicKey, S), null);
  const box = sodium.crypto_box_easy(pt, nonce, S, eph.privateKey);
  wipe(pt, eph.privateKey);
  if (!seed) wipe(s);
  const out = new Uint8Array(SEALED_GRANT_BYTES);
  out.set(SG_MAGIC, 0);
  out[4] = 1;
  out.set(kb.subarray(8, 16), 8);
  out.set(eph.publicKey, 16);
  out.set(box, 48);
  return SealedGrant.fromBytes(out);
}

/**
 * Open a sealed grant with the server's X25519 secret, for a database
 * identity (the server's side; here for tests and tools).
 */
export function openSealedGrant(sealed: SealedGrant | string | BytesLike, serverSecret: Uint8Array, databaseIdentity: Uint8Array): Grant {
  const b = SealedGrant.parse(sealed)._raw();
  const S = sodium.crypto_scalarmult_base(serverSecret);
  const id = keyId(S);
  if (!equalBytes(b.subarray(8, 16), id)) fail(E.WRONGKEY, "sealed to another server key");
  let pt: Uint8Array;
  try {
    pt = sodium.crypto_box_seal_open(b.subarray(16), S, serverSecret);
  } catch {
    return fail(E.DECRYPT, "could not open the sealed grant");
  }
  try {
    if (pt.length !== 24 + GRANT_BYTES) fail(E.LENGTH, "sealed grant");
    if (!equalBytes(pt.subarray(0, 8), id)) fail(E.WRONGKEY, "sealed to another server key");
    if (!equalBytes(pt.subarray(8, 24), databaseIdentity)) fail(E.DATABASE, "sealed for another database");
    const g = pt.slice(24);
    const rc = checkGrant(g);
    if (rc) { wipe(g); fail(rc, "invalid grant in the sealed grant"); }
    return new Grant(g, CHECKED);
  } finally {
    wipe(pt);
  }
}

/** Grant.seal(key): the grant sealed to the database (`--seal-to`). */
declare module "./scheme.js" {
  interface Grant {
    seal(to: SealKey | string | BytesLike): SealedGrant;
  }
}
Grant.prototype.seal = function (this: Grant, to: SealKey | string | BytesLike): SealedGrant {
  return sealGrant(this, to);
};
