/**
 * Keys, ciphertexts, grants, re-encryption and decryption of SCHEME v1
 * (docs/SCHEME.md "Keys", "Ciphertext", "Grant", "Re-encrypt", "Decrypt").
 */
import { sodium } from "./sodium.js";
import { BytesLike, concat, equalBytes, readI64, readU32, utf8, wipe, writeI64, writeU32 } from "./bytes.js";
import { E, fail } from "./errors.js";
import {
  add, checkPublicKey, GRANT_BYTES, GRANT_SIGNED_BYTES, HEADER_BYTES, hs, HOP_BYTES, isPoint,
  isScalar, kdf, MAX_DATA_BYTES, MAX_LEVEL, mul, mulBase, NONCE_BYTES, PUBLIC_KEY_BYTES,
  randomBytes, randomScalar, SEED_BYTES, TAG_BYTES, TOKEN_BYTES,
} from "./primitives.js";
import { asBytes, decodeText, PublicValue, short, Value } from "./values.js";

const CT_MAGIC = utf8.encode("SPCT");
const GR_MAGIC = utf8.encode("SPGR");
const VERSION = 1;

/** Bytes given as a Uint8Array, or a string taken as its UTF-8 bytes. */
export type Data = Uint8Array | ArrayBuffer | string;

function dataBytes(d: Data | undefined, what: string): Uint8Array {
  if (d === undefined) return new Uint8Array(0);
  if (typeof d === "string") return utf8.encode(d);
  return asBytes(d, what);
}

// ---- public keys ----

/** A public key (`prepk_`, SQL `pre_public_key`, 64 bytes: P ‖ σ). */
export class PublicKey extends PublicValue {
  static readonly PREFIX = "prepk_";
  get prefix() { return PublicKey.PREFIX; }
  get sqlType() { return "pre_public_key"; }

  /** @internal */
  constructor(bytes: Uint8Array, checked: typeof CHECKED) {
    super(bytes);
    void checked;
  }

  static fromBytes(b: BytesLike): PublicKey {
    const bytes = asBytes(b, "public key");
    const rc = checkPublicKey(bytes);
    if (rc) fail(rc, "invalid public key");
    return new PublicKey(bytes, CHECKED);
  }

  static fromText(text: string): PublicKey {
    return PublicKey.fromBytes(decodeText(text, PublicKey.PREFIX, "public key"));
  }

  static parse(v: PublicKey | string | BytesLike): PublicKey {
    if (v instanceof PublicKey) return v;
    return typeof v === "string" ? PublicKey.fromText(v) : PublicKey.fromBytes(v);
  }

  /** A level-1 ciphertext of data for this key. */
  encrypt(data: Data, aad?: Data): Ciphertext {
    return encrypt(this, data, aad);
  }
}

/** @internal a token that the bytes were checked. */
export const CHECKED: unique symbol = Symbol("checked");

// ---- secret keys ----

/**
 * A secret key (`presk_`, 32-byte seed).  Secret: described by its public
 * key only.  Call wipe() when done (the seed and the derived scalars are
 * overwritten; copies made by libsodium's WebAssembly glue are freed but
 * not zeroed, see README).
 */
export class SecretKey extends Value {
  static readonly PREFIX = "presk_";
  get prefix() { return SecretKey.PREFIX; }
  get sqlType() { return "pre_secret_key"; }
  #p: Uint8Array;
  #sign: Uint8Array;
  #pk: PublicKey;

  private constructor(seed: Uint8Array) {
    super(seed);
    const p = hs("sk", seed);
    if (!isScalar(p)) fail(E.SCALAR, "secret key");
    const signSeed = kdf("sign", seed);
    const kp = sodium.crypto_sign_seed_keypair(signSeed);
    wipe(signSeed);
    this.#p = p;
    this.#sign = kp.privateKey;
    this.#pk = new PublicKey(concat(mulBase(p)!, kp.publicKey), CHECKED);
  }

  /** A new random key. */
  static generate(): SecretKey {
    return new SecretKey(randomBytes(SEED_BYTES));
  }

  /** The key of a 32-byte seed (copied). */
  static fromBytes(b: BytesLike): SecretKey {
    const seed = asBytes(b, "secret key");
    if (seed.length !== SEED_BYTES) fail(E.LENGTH, "a secret key is 32 bytes");
    return new SecretKey(seed);
  }

  static fromText(text: string): SecretKey {
    const seed = decodeText(text, SecretKey.PREFIX, "secret key");
    try {
      return SecretKey.fromBytes(seed);
    } finally {
      wipe(seed);
    }
  }

  static parse(v: SecretKey | string | BytesLike): SecretKey {
    if (v instanceof SecretKey) return v;
    return typeof v === "string" ? SecretKey.fromText(v) : SecretKey.fromBytes(v);
  }

  get publicKey(): PublicKey {
    return this.#pk;
  }

  /** @internal the PRE scalar p. */
  _scalar(): Uint8Array {
    if (!isScalar(this.#p)) fail(E.SCALAR, "this secret key was wiped");
    return this.#p;
  }

  /** @internal the Ed25519 secret key. */
  _signKey(): Uint8Array {
    return this.#sign;
  }

  /** A grant from this key to `to`; notAfter in Unix seconds, 0 = none. */
  grant(to: PublicKey | string | BytesLike, opts: { notAfter?: number | bigint | Date; x?: Uint8Array } = {}): Grant {
    return makeGrant(this, PublicKey.parse(to), opts);
  }

  /** The plaintext of a ciphertext whose current recipient is this key. */
  decrypt(ct: Ciphertext | string | BytesLike): Uint8Array {
    return decrypt(this, ct);
  }

  /** Overwrite the seed and the derived secrets with zeros. */
  wipe(): void {
    this._wipe();
    wipe(this.#p, this.#sign);
  }

  protected override describe(): string {
    return `SecretKey(public key ${short(this.#pk.toText())})`;
  }
}

// ---- ciphertexts ----

/** Offsets of a ciphertext (SCHEME "Layout"). */
export const CT = { LEVEL: 5, P0: 8, E: 72, V: 104, S: 136, NONCE: 168, AADLEN: 192, AAD: 196 } as const;

/** Code of the layout checks of a ciphertext (no point arithmetic). */
export function checkCiphertextLayout(ct: Uint8Array): number {
  if (ct.length < HEADER_BYTES + TAG_BYTES) return E.LENGTH;
  if (!equalBytes(ct.subarray(0, 4), CT_MAGIC)) return E.MAGIC;
  if (ct[4] !== VERSION) return E.VERSION;
  const n = ct[CT.LEVEL];
  if (n === 0) return E.LEVEL;
  if (n > MAX_LEVEL) return E.LEVELMAX;
  if (ct[6] !== 0 || ct[7] !== 0) return E.RESERVED;
  const a = readU32(ct, CT.AADLEN);
  if (a > MAX_DATA_BYTES || HEADER_BYTES + a + HOP_BYTES * (n - 1) + TAG_BYTES > ct.length) return E.LENGTH;
  return 0;
}

/** Offset of hop record k (1-based) of a laid-out ciphertext. */
export function hopOffset(ct: Uint8Array, k: number): number {
  return HEADER_BYTES + readU32(ct, CT.AADLEN) + HOP_BYTES * (k - 1);
}

export function bodyOffset(ct: Uint8Array): number {
  return hopOffset(ct, ct[CT.LEVEL]);
}

/** Code of the full validity check (SCHEME "Validity"). */
export function checkCiphertext(ct: Uint8Array): number {
  let rc = checkCiphertextLayout(ct);
  if (rc) return rc;
  if ((rc = checkPublicKey(ct.subarray(CT.P0, CT.P0 + 64)))) return rc;
  const Ep = ct.subarray(CT.E, CT.E + 32), Vp = ct.subarray(CT.V, CT.V + 32);
  if (!isPoint(Ep) || !isPoint(Vp)) return E.POINT;
  const s = ct.subarray(CT.S, CT.S + 32);
  if (!isScalar(s, true)) return E.SCALAR;
  for (let k = 1; k < ct[CT.LEVEL]; k++) {
    const o = hopOffset(ct, k);
    if ((rc = checkPublicKey(ct.subarray(o, o + 64)))) return rc;
    if (!isPoint(ct.subarray(o + 64, o + 96)) || !isPoint(ct.subarray(o + 96, o + 128))) return E.POINT;
  }
  const h = hs("capsule", Ep, Vp);
  const sG = mulBase(s), hE = mul(h, Ep);
  if (sG === null || hE === null || !equalBytes(sG, add(Vp, hE))) return E.CAPSULE;
  if (!isPoint(add(Ep, Vp))) return E.CAPSULE;
  return 0;
}

/** The AD of a ciphertext's body: "SPCT" ‖ 0x01 ‖ bytes 8 .. 196+A. */
export function ciphertextAD(ct: Uint8Array): Uint8Array {
  return concat(CT_MAGIC, Uint8Array.of(VERSION), ct.subarray(CT.P0, HEADER_BYTES + readU32(ct, CT.AADLEN)));
}

/** A ciphertext (`prect_`, SQL `pre_ciphertext`), level 1 to 16. */
export class Ciphertext extends PublicValue {
  static readonly PREFIX = "prect_";
  get prefix() { return Ciphertext.PREFIX; }
  get sqlType() { return "pre_ciphertext"; }

  /** @internal */
  constructor(bytes: Uint8Array, checked: typeof CHECKED) {
    super(bytes);
    void checked;
  }

  /** The ciphertext of bytes, fully validated (points, capsule). */
  static fromBytes(b: BytesLike): Ciphertext {
    const bytes = asBytes(b, "ciphertext");
    const rc = checkCiphertext(bytes);
    if (rc) fail(rc, "invalid ciphertext");
    return new Ciphertext(bytes, CHECKED);
  }

  /**
   * The layout checks only, as for values from a trusted store (the
   * database validated them on the way in); decryption checks the rest.
   */
  static fromBytesUnchecked(b: BytesLike): Ciphertext {
    const bytes = asBytes(b, "ciphertext");
    const rc = checkCiphertextLayout(bytes);
    if (rc) fail(rc, "malformed ciphertext");
    return new Ciphertext(bytes, CHECKED);
  }

  static fromText(text: string): Ciphertext {
    return Ciphertext.fromBytes(decodeText(text, Ciphertext.PREFIX, "ciphertext"));
  }

  static fromTextUnchecked(text: string): Ciphertext {
    return Ciphertext.fromBytesUnchecked(decodeText(text, Ciphertext.PREFIX, "ciphertext"));
  }

  static parse(v: Ciphertext | string | BytesLike): Ciphertext {
    if (v instanceof Ciphertext) return v;
    return typeof v === "string" ? Ciphertext.fromText(v) : Ciphertext.fromBytes(v);
  }

  get level(): number {
    return this._raw()[CT.LEVEL];
  }

  get aad(): Uint8Array {
    const b = this._raw();
    return b.slice(CT.AAD, CT.AAD + readU32(b, CT.AADLEN));
  }

  /** The original recipient P0 (SCHEME "Key rotation": the origin). */
  get origin(): PublicKey {
    return new PublicKey(this._raw().slice(CT.P0, CT.P0 + 64), CHECKED);
  }

  /** The current recipient: P0 at level 1, else the last hop's key. */
  get recipient(): PublicKey {
    return new PublicKey(recipientBytes(this._raw()).slice(), CHECKED);
  }

  /** The hop records' public parts: the grantee and X of each hop. */
  get hops(): { to: PublicKey; X: Uint8Array }[] {
    const b = this._raw(), out = [];
    for (let k = 1; k < this.level; k++) {
      const o = hopOffset(b, k);
      out.push({ to: new PublicKey(b.slice(o, o + 64), CHECKED), X: b.slice(o + 64, o + 96) });
    }
    return out;
  }

  get plaintextLength(): number {
    return this._raw().length - bodyOffset(this._raw()) - TAG_BYTES;
  }

  reencrypt(grant: Grant | string | BytesLike): Ciphertext {
    return reencrypt(this, grant);
  }

  protected override describe(): string {
    return `Ciphertext(level ${this.level}, ${short(this.toText())})`;
  }
}

export function recipientBytes(ct: Uint8Array): Uint8Array {
  const n = ct[CT.LEVEL];
  if (n === 1) return ct.subarray(CT.P0, CT.P0 + 64);
  const o = hopOffset(ct, n - 1);
  return ct.subarray(o, o + 64);
}

/** Fixed randomness, for known-answer tests only. */
export interface EncryptRandomness { r: Uint8Array; u: Uint8Array; nonce: Uint8Array }

/** Encrypt(P0, m, aad) (SCHEME "Encrypt"). */
export function encrypt(pk: PublicKey | string | BytesLike, data: Data, aad?: Data, rnd?: EncryptRandomness): Ciphertext {
  const P0 = PublicKey.parse(pk)._raw();
  const m = dataBytes(data, "plaintext"), ad = dataBytes(aad, "aad");
  if (m.length > MAX_DATA_BYTES || ad.length > MAX_DATA_BYTES) fail(E.TOOLONG, "cannot encrypt");
  const r = rnd ? rnd.r : randomScalar(), u = rnd ? rnd.u : randomScalar();
  const nonce = rnd ? rnd.nonce : randomBytes(NONCE_BYTES);
  if (!isScalar(r) || !isScalar(u) || nonce.length !== NONCE_BYTES) fail(E.RANDOM, "cannot encrypt");
  const Ep = mulBase(r)!, Vp = mulBase(u)!;
  const h = hs("capsule", Ep, Vp);
  const s = sodium.crypto_core_ristretto255_scalar_add(u, sodium.crypto_core_ristretto255_scalar_mul(r, h));
  const ru = sodium.crypto_core_ristretto255_scalar_add(r, u);
  const S = mul(ru, P0.subarray(0, 32));
  wipe(ru);
  if (S === null || !isPoint(add(Ep, Vp))) fail(E.RANDOM, "cannot encrypt");
  const K = kdf("dem", P0, Ep, Vp, S);
  const head = new Uint8Array(HEADER_BYTES + ad.length);
  head.set(CT_MAGIC, 0);
  head[4] = VERSION;
  head[CT.LEVEL] = 1;
  head.set(P0, CT.P0);
  head.set(Ep, CT.E);
  head.set(Vp, CT.V);
  head.set(s, CT.S);
  head.set(nonce, CT.NONCE);
  writeU32(head, CT.AADLEN, ad.length);
  head.set(ad, CT.AAD);
  const body = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(m, ciphertextAD(head), null, nonce, K);
  wipe(K, S, s);
  if (!rnd) wipe(r, u);
  return new Ciphertext(concat(head, body), CHECKED);
}

// ---- grants ----

/** Offsets of a grant (SCHEME "Grant"). */
export const GR = { FROM: 8, TO: 72, X: 136, RK: 168, NOTAFTER: 200, SIG: 208 } as const;

/** Code of the validity check of a grant. */
export function checkGrant(g: Uint8Array): number {
  if (g.length !== GRANT_BYTES) return E.LENGTH;
  if (!equalBytes(g.subarray(0, 4), GR_MAGIC)) return E.MAGIC;
  if (g[4] !== VERSION) return E.VERSION;
  if (g[5] !== 0 || g[6] !== 0 || g[7] !== 0) return E.RESERVED;
  let rc = checkPublicKey(g.subarray(GR.FROM, GR.FROM + 64));
  if (rc || (rc = checkPublicKey(g.subarray(GR.TO, GR.TO + 64)))) return rc;
  if (!isPoint(g.subarray(GR.X, GR.X + 32))) return E.POINT;
  if (!isScalar(g.subarray(GR.RK, GR.RK + 32))) return E.SCALAR;
  if (equalBytes(g.subarray(GR.FROM, GR.FROM + 64), g.subarray(GR.TO, GR.TO + 64))) return E.SAMEKEY;
  if (!sodium.crypto_sign_verify_detached(g.subarray(GR.SIG, GR.SIG + 64), g.subarray(0, GRANT_SIGNED_BYTES),
    g.subarray(GR.FROM + 32, GR.FROM + 64))) return E.SIGNATURE;
  return 0;
}

/**
 * A grant (`pregrant_`, SQL `pre_grant`, 272 bytes).  It holds a secret of
 * its delegator (rk): only the database may hold it, sealed (seal()).
 * Described by its keys only.
 */
export class Grant extends Value {
  static readonly PREFIX = "pregrant_";
  get prefix() { return Grant.PREFIX; }
  get sqlType() { return "pre_grant"; }

  /** @internal */
  constructor(bytes: Uint8Array, checked: typeof CHECKED) {
    super(bytes);
    void checked;
  }

  static fromBytes(b: BytesLike): Grant {
    const bytes = asBytes(b, "grant");
    const rc = checkGrant(bytes);
    if (rc) { wipe(bytes); fail(rc, "invalid grant"); }
    return new Grant(bytes, CHECKED);
  }

  static fromText(text: string): Grant {
    return Grant.fromBytes(decodeText(text, Grant.PREFIX, "grant"));
  }

  static parse(v: Grant | string | BytesLike): Grant {
    if (v instanceof Grant) return v;
    return typeof v === "string" ? Grant.fromText(v) : Grant.fromBytes(v);
  }

  get from(): PublicKey {
    return new PublicKey(this._raw().slice(GR.FROM, GR.FROM + 64), CHECKED);
  }

  get to(): PublicKey {
    return new PublicKey(this._raw().slice(GR.TO, GR.TO + 64), CHECKED);
  }

  /** Unix seconds, 0 = no expiry. */
  get notAfter(): bigint {
    return readI64(this._raw(), GR.NOTAFTER);
  }

  /** The public hop key X. */
  get hopKey(): Uint8Array {
    return this._raw().slice(GR.X, GR.X + 32);
  }

  wipe(): void {
    this._wipe();
  }

  protected override describe(): string {
    return `Grant(from ${short(this.from.toText())} to ${short(this.to.toText())})`;
  }
}

function notAfterSeconds(v: number | bigint | Date | undefined): bigint {
  if (v === undefined) return 0n;
  const n = v instanceof Date ? BigInt(Math.floor(v.getTime() / 1000)) : BigInt(v);
  if (n < 0n || n > 0x7fffffffffffffffn) fail(E.LENGTH, "not_after is non-negative Unix seconds");
  return n;
}

function makeGrant(from: SecretKey, to: PublicKey, opts: { notAfter?: number | bigint | Date; x?: Uint8Array }): Grant {
  const Q = to._raw();
  if (equalBytes(Q, from.publicKey._raw())) fail(E.SAMEKEY, "cannot grant");
  const x = opts.x ?? randomScalar();
  if (!isScalar(x)) fail(E.RANDOM, "cannot grant");
  const X = mulBase(x)!;
  const xQ = mul(x, Q.subarray(0, 32))!;
  const d = hs("delegate", X, Q.subarray(0, 32), xQ);
  const dinv = sodium.crypto_core_ristretto255_scalar_invert(d);
  const rk = sodium.crypto_core_ristretto255_scalar_mul(from._scalar(), dinv);
  const g = new Uint8Array(GRANT_BYTES);
  g.set(GR_MAGIC, 0);
  g[4] = VERSION;
  g.set(from.publicKey._raw(), GR.FROM);
  g.set(Q, GR.TO);
  g.set(X, GR.X);
  g.set(rk, GR.RK);
  writeI64(g, GR.NOTAFTER, notAfterSeconds(opts.notAfter));
  g.set(sodium.crypto_sign_detached(g.subarray(0, GRANT_SIGNED_BYTES), from._signKey()), GR.SIG);
  wipe(xQ, d, dinv, rk);
  if (!opts.x) wipe(x);
  return new Grant(g, CHECKED);
}

// ---- re-encryption ----

/** Re-encrypt(C, g) (SCHEME "Re-encrypt"): the proxy's step. */
export function reencrypt(c: Ciphertext | string | BytesLike, g: Grant | string | BytesLike): Ciphertext {
  const ct = Ciphertext.parse(c)._raw(), gr = Grant.parse(g)._raw();
  const n = ct[CT.LEVEL];
  if (!equalBytes(gr.subarray(GR.FROM, GR.FROM + 64), recipientBytes(ct))) fail(E.RECIPIENT, "cannot re-encrypt");
  if (n >= MAX_LEVEL) fail(E.MAXLEVEL, "cannot re-encrypt");
  const rk = gr.subarray(GR.RK, GR.RK + 32);
  let T: Uint8Array | null;
  if (n === 1) T = mul(rk, add(ct.subarray(CT.E, CT.E + 32), ct.subarray(CT.V, CT.V + 32)));
  else {
    const o = hopOffset(ct, n - 1);
    T = mul(rk, ct.subarray(o + 64, o + 96));
  }
  if (T === null) fail(E.POINT, "cannot re-encrypt");
  const at = bodyOffset(ct);
  const out = concat(ct.subarray(0, at), gr.subarray(GR.TO, GR.TO + 64), gr.subarray(GR.X, GR.X + 32), T, ct.subarray(at));
  out[CT.LEVEL] = n + 1;
  return new Ciphertext(out, CHECKED);
}

// ---- decryption ----

/**
 * The bytes that fix d_1 on a grant path, for a ciphertext at level n >= 2:
 * the level and every hop byte except T_1 (SCHEME "Decrypt").
 */
export function pathKey(ct: Uint8Array): Uint8Array {
  const o1 = hopOffset(ct, 1), n = ct[CT.LEVEL];
  return concat(Uint8Array.of(n), ct.subarray(o1, o1 + 96), ct.subarray(o1 + HOP_BYTES, hopOffset(ct, n)));
}

/** Whether ct (level >= 2) is on the path of pathKey() bytes key, compared in place. */
export function samePath(key: Uint8Array, ct: Uint8Array): boolean {
  const n = ct[CT.LEVEL], o1 = hopOffset(ct, 1);
  if (key[0] !== n || key.length !== 1 + 96 + HOP_BYTES * (n - 2)) return false;
  for (let i = 0; i < 96; i++) if (key[1 + i] !== ct[o1 + i]) return false;
  for (let i = 97, j = o1 + HOP_BYTES; i < key.length; i++, j++) if (key[i] !== ct[j]) return false;
  return true;
}

/** d_1 = Hs("delegate", X_1 ‖ P_1.P ‖ D_1), walking down from p·X(n−1). */
export function pathScalar(p: Uint8Array, ct: Uint8Array): Uint8Array | null {
  const n = ct[CT.LEVEL];
  let o = hopOffset(ct, n - 1);
  let D = mul(p, ct.subarray(o + 64, o + 96));
  for (let k = n - 1; D !== null; k--) {
    o = hopOffset(ct, k);
    const d = hs("delegate", ct.subarray(o + 64, o + 96), ct.subarray(o, o + 32), D);
    wipe(D);
    if (k === 1) return d;
    D = mul(d, ct.subarray(o + 96, o + 128));
    wipe(d);
  }
  return null;
}

/** T_1, the only hop byte that differs between values on one path. */
export function firstT(ct: Uint8Array): Uint8Array {
  const o = hopOffset(ct, 1);
  return ct.subarray(o + 96, o + 128);
}

/** Layout, recipient, then S by recover(), the DEM key and the AEAD. */
export function decryptWith(key: SecretKey, ct: Uint8Array, recover: (ct: Uint8Array) => Uint8Array | null): Uint8Array {
  const rc = checkCiphertextLayout(ct);
  if (rc) fail(rc, "cannot decrypt");
  if (!equalBytes(recipientBytes(ct), key.publicKey._raw())) fail(E.WRONGKEY, "cannot decrypt");
  const S = recover(ct);
  if (S === null) fail(E.DECRYPT, "cannot decrypt");
  const K = kdf("dem", ct.subarray(CT.P0, CT.P0 + 64), ct.subarray(CT.E, CT.E + 32), ct.subarray(CT.V, CT.V + 32), S);
  wipe(S);
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ct.subarray(bodyOffset(ct)), ciphertextAD(ct),
      ct.subarray(CT.NONCE, CT.NONCE + NONCE_BYTES), K);
  } catch {
    return fail(E.DECRYPT, "cannot decrypt");
  } finally {
    wipe(K);
  }
}

/** S at level 1: p·(E + V). */
export function levelOneS(p: Uint8Array, ct: Uint8Array): Uint8Array | null {
  return mul(p, add(ct.subarray(CT.E, CT.E + 32), ct.subarray(CT.V, CT.V + 32)));
}

/** Decrypt(C, key) (SCHEME "Decrypt"): n scalar multiplications at level n. */
export function decrypt(key: SecretKey, c: Ciphertext | string | BytesLike): Uint8Array {
  const ct = c instanceof Ciphertext ? c._raw()
    : typeof c === "string" ? decodeText(c, Ciphertext.PREFIX, "ciphertext") : new Uint8Array(asBytes(c, "ciphertext"));
  const p = key._scalar();
  return decryptWith(key, ct, (b) => {
    if (b[CT.LEVEL] === 1) return levelOneS(p, b);
    const d1 = pathScalar(p, b);
    if (d1 === null) return null;
    const S = mul(d1, firstT(b));
    wipe(d1);
    return S;
  });
}

// ---- tokens ----

/** A search token (`pretok_`, SQL `pre_token`, 16 bytes). */
export class Token extends PublicValue {
  static readonly PREFIX = "pretok_";
  get prefix() { return Token.PREFIX; }
  get sqlType() { return "pre_token"; }

  /** @internal */
  constructor(bytes: Uint8Array, checked: typeof CHECKED) {
    super(bytes);
    void checked;
  }

  static fromBytes(b: BytesLike): Token {
    const bytes = asBytes(b, "token");
    if (bytes.length !== TOKEN_BYTES) fail(E.LENGTH, "a token is 16 bytes");
    return new Token(bytes, CHECKED);
  }

  static fromText(text: string): Token {
    return Token.fromBytes(decodeText(text, Token.PREFIX, "token"));
  }

  static parse(v: Token | string | BytesLike): Token {
    if (v instanceof Token) return v;
    return typeof v === "string" ? Token.fromText(v) : Token.fromBytes(v);
  }

  protected override describe(): string {
    return `Token(${this.toText()})`;
  }
}

export { PUBLIC_KEY_BYTES };
