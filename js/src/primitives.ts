/**
 * The primitives of SCHEME v1 ("Primitives"): ristretto255, the hashes
 * Hs and KDF with their domain separation, and the validity checks of
 * points, scalars and public keys.  Checks return a core code (0 = valid).
 */
import { sodium } from "./sodium.js";
import { concat, utf8 } from "./bytes.js";
import { E } from "./errors.js";

export const SEED_BYTES = 32;
export const SCALAR_BYTES = 32;
export const POINT_BYTES = 32;
export const PUBLIC_KEY_BYTES = 64;
export const GRANT_BYTES = 272;
export const GRANT_SIGNED_BYTES = 208;
export const HOP_BYTES = 128;
export const HEADER_BYTES = 196;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
export const MAX_LEVEL = 16;
export const TOKEN_BYTES = 16;
export const INDEX_KEY_BYTES = 32;
export const MAX_DATA_BYTES = 0x3fffffff;

const DSTS = new Map<string, Uint8Array>();

/** DST(tag): "secant-pre/v1/" ‖ tag ‖ 0x00. */
export function dst(tag: string): Uint8Array {
  let d = DSTS.get(tag);
  if (!d) {
    d = concat(utf8.encode(`secant-pre/v1/${tag}`), new Uint8Array(1));
    DSTS.set(tag, d);
  }
  return d;
}

/** Hs(tag, bytes): BLAKE2b-512 of DST(tag) ‖ bytes, reduced mod ℓ. */
export function hs(tag: string, ...parts: Uint8Array[]): Uint8Array {
  const wide = sodium.crypto_generichash(64, concat(dst(tag), ...parts), null);
  const s = sodium.crypto_core_ristretto255_scalar_reduce(wide);
  wide.fill(0);
  return s;
}

/** KDF(tag, bytes): BLAKE2b-256 of DST(tag) ‖ bytes. */
export function kdf(tag: string, ...parts: Uint8Array[]): Uint8Array {
  return sodium.crypto_generichash(32, concat(dst(tag), ...parts), null);
}

/** s·P, or null when the result is the identity (or P is invalid). */
export function mul(s: Uint8Array, p: Uint8Array): Uint8Array | null {
  try {
    return sodium.crypto_scalarmult_ristretto255(s, p);
  } catch {
    return null;
  }
}

/** s·G, or null for the zero scalar. */
export function mulBase(s: Uint8Array): Uint8Array | null {
  try {
    return sodium.crypto_scalarmult_ristretto255_base(s);
  } catch {
    return null;
  }
}

export function add(p: Uint8Array, q: Uint8Array): Uint8Array {
  return sodium.crypto_core_ristretto255_add(p, q);
}

function isZero(b: Uint8Array): boolean {
  let d = 0;
  for (const x of b) d |= x;
  return d === 0;
}

/** ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian. */
const L = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

/** A canonical (less than ℓ) scalar; non-zero unless zeroOk. */
export function isScalar(s: Uint8Array, zeroOk = false): boolean {
  if (s.length !== 32) return false;
  let lt = 0, eq = 1;
  for (let i = 31; i >= 0; i--) {
    const a = s[i], b = L[i];
    lt |= eq & (a < b ? 1 : 0);
    eq &= a === b ? 1 : 0;
  }
  return lt === 1 && (zeroOk || !isZero(s));
}

/** A valid ristretto255 encoding other than the identity. */
export function isPoint(p: Uint8Array): boolean {
  return p.length === 32 && !isZero(p) && sodium.crypto_core_ristretto255_is_valid_point(p);
}

/** Code of a 64-byte public key P ‖ σ (SCHEME "Keys"). */
export function checkPublicKey(pk: Uint8Array): number {
  if (pk.length !== PUBLIC_KEY_BYTES) return E.LENGTH;
  if (!isPoint(pk.subarray(0, 32))) return E.POINT;
  if (!sodium.crypto_core_ed25519_is_valid_point(pk.subarray(32, 64))) return E.POINT;
  return 0;
}

/**
 * The platform's CSPRNG (Web Crypto, in browsers and Node >= 19) in one
 * call per 64 KiB: libsodium's WebAssembly build draws its randomness
 * through the same source four bytes per call, which made random scalars
 * most of the cost of encrypt.  Without Web Crypto, libsodium's.
 */
const webRandom: ((b: Uint8Array) => unknown) | undefined =
  (globalThis as { crypto?: { getRandomValues?: (b: Uint8Array) => unknown } }).crypto?.getRandomValues?.bind(globalThis.crypto);

export function randomBytes(n: number): Uint8Array {
  if (!webRandom) return sodium.randombytes_buf(n);
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) webRandom(out.subarray(o, Math.min(n, o + 65536)));
  return out;
}

/** A random non-zero canonical scalar: 64 random bytes reduced mod ℓ. */
export function randomScalar(): Uint8Array {
  for (;;) {
    const wide = randomBytes(64);
    const s = sodium.crypto_core_ristretto255_scalar_reduce(wide);
    wide.fill(0);
    if (isScalar(s)) return s;
  }
}
