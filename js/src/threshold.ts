/**
 * Threshold grants (SCHEME "Threshold grants"): a grant split t-of-n into
 * grant shares (`pretshare_`), each sealed to one holder's server key;
 * partials (`prepartial_`) with a Chaum–Pedersen proof; their combination
 * into the v1 hop of the unsplit grant, byte for byte.
 */
import { sodium } from "./sodium.js";
import { BytesLike, concat, equalBytes, readI64, utf8, wipe } from "./bytes.js";
import { E, fail } from "./errors.js";
import { add, checkPublicKey, hs, isPoint, isScalar, MAX_LEVEL, mul, mulBase, randomBytes, randomScalar } from "./primitives.js";
import {
  bodyOffset, CHECKED, checkCiphertext, Ciphertext, CT, Grant, hopOffset, PublicKey, recipientBytes, SecretKey,
} from "./scheme.js";
import { keyId, SealKey } from "./sealed.js";
import { asBytes, decodeText, PublicValue, short } from "./values.js";

export const THRESHOLD_MAX_N = 16;
export const PARTIAL_BYTES = 104;
const SHARE_MAGIC = utf8.encode("SPTS");
const PARTIAL_MAGIC = utf8.encode("SPTP");
const G = sodium.crypto_scalarmult_ristretto255_base(Uint8Array.of(1, ...new Uint8Array(31)));
const C0 = 176;

/** Size of a grant share of threshold t: 352 + 32·t bytes. */
export function shareBytes(t: number): number {
  return 352 + 32 * t;
}

function scalarOf(i: number): Uint8Array {
  const s = new Uint8Array(32);
  s[0] = i;
  return s;
}

const sc = {
  add: (a: Uint8Array, b: Uint8Array) => sodium.crypto_core_ristretto255_scalar_add(a, b),
  sub: (a: Uint8Array, b: Uint8Array) => sodium.crypto_core_ristretto255_scalar_sub(a, b),
  mul: (a: Uint8Array, b: Uint8Array) => sodium.crypto_core_ristretto255_scalar_mul(a, b),
  inv: (a: Uint8Array) => sodium.crypto_core_ristretto255_scalar_invert(a),
};

/** Code of the layout checks of a share (SCHEME "Grant share", validity order). */
export function checkShareLayout(b: Uint8Array): number {
  if (b.length < shareBytes(1)) return E.LENGTH;
  if (!equalBytes(b.subarray(0, 4), SHARE_MAGIC)) return E.MAGIC;
  if (b[4] !== 1) return E.VERSION;
  const t = b[5], n = b[6], i = b[7];
  if (t < 1 || n < t || n > THRESHOLD_MAX_N || i < 1 || i > n) return E.THRESHOLD;
  if (b.length !== shareBytes(t)) return E.LENGTH;
  return 0;
}

/** Code of the public validity of a share: layout, keys, points, signature. */
export function checkShare(b: Uint8Array): number {
  const rc = checkShareLayout(b);
  if (rc) return rc;
  const t = b[5];
  if (checkPublicKey(b.subarray(8, 72)) || checkPublicKey(b.subarray(72, 136)) || !isPoint(b.subarray(136, 168)))
    return E.POINT;
  for (let j = 0; j < t; j++) if (!isPoint(b.subarray(C0 + 32 * j, C0 + 32 * j + 32))) return E.POINT;
  if (equalBytes(b.subarray(8, 72), b.subarray(72, 136))) return E.SAMEKEY;
  const sig = 288 + 32 * t;
  if (!sodium.crypto_sign_verify_detached(b.subarray(sig, sig + 64), b.subarray(0, sig), b.subarray(40, 72)))
    return E.SIGNATURE;
  return 0;
}

/** A threshold grant share (`pretshare_`): public; its scalar is sealed to one holder. */
export class GrantShare extends PublicValue {
  static readonly PREFIX = "pretshare_";
  get prefix() { return GrantShare.PREFIX; }
  get sqlType() { return "pretshare_ text"; }

  /** @internal */
  constructor(bytes: Uint8Array, checked: typeof CHECKED) {
    super(bytes);
    void checked;
  }

  static fromBytes(b: BytesLike): GrantShare {
    const bytes = asBytes(b, "grant share");
    const rc = checkShare(bytes);
    if (rc) fail(rc, "invalid grant share");
    return new GrantShare(bytes, CHECKED);
  }

  static fromText(text: string): GrantShare {
    return GrantShare.fromBytes(decodeText(text, GrantShare.PREFIX, "grant share"));
  }

  static parse(v: GrantShare | string | BytesLike): GrantShare {
    if (v instanceof GrantShare) return v;
    return typeof v === "string" ? GrantShare.fromText(v) : GrantShare.fromBytes(v);
  }

  get t(): number { return this._raw()[5]; }
  get n(): number { return this._raw()[6]; }
  get index(): number { return this._raw()[7]; }
  get from(): PublicKey { return new PublicKey(this._raw().slice(8, 72), CHECKED); }
  get to(): PublicKey { return new PublicKey(this._raw().slice(72, 136), CHECKED); }
  get notAfter(): bigint { return readI64(this._raw(), 168); }
  /** Key id of the holder's server key. */
  get keyId(): Uint8Array { const o = 176 + 32 * this.t; return this._raw().slice(o, o + 8); }

  /** True if other is a share of the same threshold grant. */
  sameGrant(other: GrantShare): boolean {
    const a = this._raw(), b = other._raw();
    return a.length === b.length && a[5] === b[5] && a[6] === b[6] &&
      equalBytes(a.subarray(8, 176 + 32 * a[5]), b.subarray(8, 176 + 32 * b[5]));
  }

  protected override describe(): string {
    return `GrantShare(${this.index} of ${this.t}-of-${this.n}, from ${short(this.from.toText())} to ${short(this.to.toText())})`;
  }
}

/** A partial (`prepartial_`, 104 bytes): T_i and its proof. */
export class Partial extends PublicValue {
  static readonly PREFIX = "prepartial_";
  get prefix() { return Partial.PREFIX; }
  get sqlType() { return "prepartial_ text"; }

  /** @internal */
  constructor(bytes: Uint8Array, checked: typeof CHECKED) {
    super(bytes);
    void checked;
  }

  static fromBytes(b: BytesLike): Partial {
    const bytes = asBytes(b, "partial");
    const rc = checkPartial(bytes);
    if (rc) fail(rc, "invalid partial");
    return new Partial(bytes, CHECKED);
  }

  static fromText(text: string): Partial {
    return Partial.fromBytes(decodeText(text, Partial.PREFIX, "partial"));
  }

  static parse(v: Partial | string | BytesLike): Partial {
    if (v instanceof Partial) return v;
    return typeof v === "string" ? Partial.fromText(v) : Partial.fromBytes(v);
  }

  get index(): number { return this._raw()[5]; }

  protected override describe(): string {
    return `Partial(${this.index})`;
  }
}

/** Code of the checks of a partial that need no share. */
export function checkPartial(p: Uint8Array): number {
  if (p.length !== PARTIAL_BYTES) return E.LENGTH;
  if (!equalBytes(p.subarray(0, 4), PARTIAL_MAGIC)) return E.MAGIC;
  if (p[4] !== 1) return E.VERSION;
  if (p[6] !== 0 || p[7] !== 0) return E.RESERVED;
  if (p[5] < 1 || p[5] > THRESHOLD_MAX_N) return E.THRESHOLD;
  if (!isPoint(p.subarray(8, 40))) return E.POINT;
  if (!isScalar(p.subarray(40, 72)) || !isScalar(p.subarray(72, 104))) return E.SCALAR;
  return 0;
}

/** H_i: bytes 5 .. 176+32t of a share with byte 7 set to i. */
function head(share: Uint8Array, i: number): Uint8Array {
  return concat(share.subarray(5, 7), Uint8Array.of(i), share.subarray(8, C0 + 32 * share[5]));
}

/** U_i = Σ i^j·C_j. */
function commitmentAt(share: Uint8Array, i: number): Uint8Array | null {
  let U: Uint8Array = share.slice(C0, C0 + 32), pw: Uint8Array = scalarOf(1);
  for (let j = 1; j < share[5]; j++) {
    pw = sc.mul(pw, scalarOf(i));
    const term = mul(pw, share.subarray(C0 + 32 * j, C0 + 32 * j + 32));
    if (term === null) return null;
    U = add(U, term);
  }
  return isPoint(U) ? U : null;
}

/** B: E + V at level 1, else the last hop's X (after the checks of Re-encrypt). */
function hopBase(ct: Uint8Array, from: Uint8Array): Uint8Array {
  if (ct[CT.LEVEL] >= MAX_LEVEL) fail(E.MAXLEVEL, "threshold hop");
  if (!equalBytes(from, recipientBytes(ct))) fail(E.RECIPIENT, "threshold hop");
  if (ct[CT.LEVEL] === 1) return add(ct.subarray(CT.E, CT.E + 32), ct.subarray(CT.V, CT.V + 32));
  const o = hopOffset(ct, ct[CT.LEVEL] - 1);
  return ct.slice(o + 64, o + 96);
}

/** Fixed randomness, for known-answer tests only. */
export interface SplitRandomness { coefficients: Uint8Array[]; seeds: Uint8Array[] }

/**
 * Split a grant from `from` t-of-n: one share per sealing key, in order
 * (distinct server keys). The caller should wipe the grant afterwards.
 */
export function splitGrant(grant: Grant | string | BytesLike, from: SecretKey, t: number,
  sealKeys: (SealKey | string | BytesLike)[], rnd?: SplitRandomness): GrantShare[] {
  const g = Grant.parse(grant)._raw(), n = sealKeys.length;
  if (!Number.isInteger(t) || t < 1 || n < t || n > THRESHOLD_MAX_N) fail(E.THRESHOLD, "cannot split");
  if (!equalBytes(g.subarray(8, 72), from.publicKey._raw())) fail(E.WRONGKEY, "cannot split: not the grant's delegator");
  const keys = sealKeys.map((k) => SealKey.parse(k)._raw());
  for (let a = 0; a < n; a++)
    for (let b = 0; b < a; b++)
      if (equalBytes(keys[a].subarray(8, 16), keys[b].subarray(8, 16))) fail(E.THRESHOLD, "two shares for one server key");
  const coeffs = rnd ? rnd.coefficients : Array.from({ length: t - 1 }, () => randomScalar());
  if (coeffs.length !== t - 1 || coeffs.some((c) => !isScalar(c))) fail(E.RANDOM, "cannot split");
  const rk = g.subarray(168, 200);
  const poly = [rk, ...coeffs];
  const commitments = concat(...poly.map((a) => mulBase(a)!));
  const out: GrantShare[] = [];
  for (let i = 1; i <= n; i++) {
    let rki: Uint8Array = poly[t - 1].slice();
    for (let j = t - 2; j >= 0; j--) rki = sc.add(sc.mul(rki, scalarOf(i)), poly[j]);
    if (!isScalar(rki)) fail(E.RANDOM, "a share came out zero: split again");
    const k = keys[i - 1], S = k.subarray(16, 48);
    const pt = concat(k.subarray(8, 16), k.subarray(48, 64), rki);
    const seed = rnd ? rnd.seeds[i - 1] : randomBytes(32);
    const eph = sodium.crypto_box_seed_keypair(seed);
    const nonce = sodium.crypto_generichash(24, concat(eph.publicKey, S), null);
    const box = sodium.crypto_box_easy(pt, nonce, S, eph.privateKey);
    const body = concat(SHARE_MAGIC, Uint8Array.of(1, t, n, i), g.subarray(8, 168), g.subarray(200, 208),
      commitments, k.subarray(8, 16), eph.publicKey, box);
    out.push(new GrantShare(concat(body, sodium.crypto_sign_detached(body, from._signKey())), CHECKED));
    wipe(pt, rki, eph.privateKey);
    if (!rnd) wipe(seed);
  }
  if (!rnd) wipe(...coeffs);
  return out;
}

/**
 * Open a share with the holder's server secret for its database: the
 * share scalar rk_i (32 bytes; wipe it after use).
 */
export function openShare(share: GrantShare | string | BytesLike, serverSecret: Uint8Array, databaseIdentity: Uint8Array): Uint8Array {
  const b = GrantShare.parse(share)._raw(), t = b[5];
  const S = sodium.crypto_scalarmult_base(serverSecret), id = keyId(S);
  if (!equalBytes(b.subarray(176 + 32 * t, 184 + 32 * t), id)) fail(E.WRONGKEY, "share sealed to another server key");
  let pt: Uint8Array;
  try {
    pt = sodium.crypto_box_seal_open(b.subarray(184 + 32 * t, 288 + 32 * t), S, serverSecret);
  } catch {
    return fail(E.DECRYPT, "could not open the share");
  }
  try {
    if (!equalBytes(pt.subarray(0, 8), id) || !equalBytes(pt.subarray(8, 24), databaseIdentity))
      fail(E.DATABASE, "share sealed for another database");
    const rk = pt.slice(24, 56);
    if (!isScalar(rk)) { wipe(rk); fail(E.SCALAR, "share scalar"); }
    const U = commitmentAt(b, b[7]), V = mulBase(rk);
    if (U === null || V === null || !equalBytes(U, V)) { wipe(rk); fail(E.SHARE, "share"); }
    return rk;
  } finally {
    wipe(pt);
  }
}

/**
 * The partial of an opened share for a ciphertext (fully validated; its
 * current recipient the share's delegator). At level >= 2 the caller must
 * know the last hop is one of its own grants. rho: 32 bytes mixed into the
 * nonce (fresh random bytes by default; fixed only in tests).
 */
export function makePartial(share: GrantShare | string | BytesLike, rk: Uint8Array,
  c: Ciphertext | string | BytesLike, rho?: Uint8Array): Partial {
  const b = GrantShare.parse(share)._raw(), ct = Ciphertext.parse(c)._raw();
  if (!isScalar(rk)) fail(E.SCALAR, "share scalar");
  const rc = checkCiphertext(ct);
  if (rc) fail(rc, "cannot make a partial");
  const B = hopBase(ct, b.subarray(8, 72)), i = b[7], H = head(b, i);
  const r = rho ?? randomBytes(32);
  const k = hs("tnonce", rk, r, B, H);
  const T = mul(rk, B), U = mulBase(rk), R1 = mulBase(k), R2 = mul(k, B);
  if (!T || !U || !R1 || !R2) fail(E.RANDOM, "cannot make a partial");
  const cc = hs("dleq", G, B, U, T, R1, R2, H);
  const z = sc.add(k, sc.mul(cc, rk));
  wipe(k);
  if (!isScalar(cc) || !isScalar(z)) fail(E.RANDOM, "cannot make a partial");
  return new Partial(concat(PARTIAL_MAGIC, Uint8Array.of(1, i, 0, 0), T, cc, z), CHECKED);
}

/** Code of the proof check of a (checked) partial for B against a valid share. */
function proofCode(p: Uint8Array, share: Uint8Array, B: Uint8Array): number {
  const i = p[5];
  if (i > share[6]) return E.THRESHOLD;
  const T = p.subarray(8, 40), c = p.subarray(40, 72), z = p.subarray(72, 104);
  const U = commitmentAt(share, i);
  const zG = mulBase(z), cU = U && mul(c, U), zB = mul(z, B), cT = mul(c, T);
  if (!U || !zG || !cU || !zB || !cT) return E.PROOF;
  const R1 = sodium.crypto_core_ristretto255_sub(zG, cU), R2 = sodium.crypto_core_ristretto255_sub(zB, cT);
  return equalBytes(hs("dleq", G, B, U, T, R1, R2, head(share, i)), c) ? 0 : E.PROOF;
}

/** Verify a partial for a ciphertext against any share of its grant; throws its error. */
export function verifyPartial(partial: Partial | string | BytesLike, share: GrantShare | string | BytesLike,
  c: Ciphertext | string | BytesLike): void {
  const p = Partial.parse(partial)._raw(), b = GrantShare.parse(share)._raw(), ct = Ciphertext.parse(c)._raw();
  const rc = proofCode(p, b, hopBase(ct, b.subarray(8, 72)));
  if (rc) fail(rc, `partial ${p[5]}`);
}

/** Combine exactly t verified partials into the v1 re-encryption by the unsplit grant. */
export function combine(c: Ciphertext | string | BytesLike, share: GrantShare | string | BytesLike,
  partials: (Partial | string | BytesLike)[]): Ciphertext {
  const b = GrantShare.parse(share)._raw(), ct = Ciphertext.parse(c)._raw();
  const ps = partials.map((p) => Partial.parse(p)._raw());
  if (ps.length !== b[5]) fail(E.THRESHOLD, `${b[5]} partials needed, ${ps.length} given`);
  const idx = ps.map((p) => p[5]);
  if (new Set(idx).size !== idx.length || idx.some((i) => i > b[6])) fail(E.THRESHOLD, "partial indices");
  const B = hopBase(ct, b.subarray(8, 72));
  let T: Uint8Array | null = null;
  for (const p of ps) {
    const rc = proofCode(p, b, B);
    if (rc) fail(rc, `partial ${p[5]}`);
    let l = scalarOf(1);
    for (const j of idx) if (j !== p[5]) l = sc.mul(l, sc.mul(scalarOf(j), sc.inv(sc.sub(scalarOf(j), scalarOf(p[5])))));
    const term = mul(l, p.subarray(8, 40));
    if (!term) fail(E.PROOF, "combine");
    T = T === null ? term : add(T, term);
  }
  if (!T || !isPoint(T)) fail(E.PROOF, "combine");
  const at = bodyOffset(ct);
  const out = concat(ct.subarray(0, at), b.subarray(72, 136), b.subarray(136, 168), T, ct.subarray(at));
  out[CT.LEVEL] = ct[CT.LEVEL] + 1;
  return new Ciphertext(out, CHECKED);
}
