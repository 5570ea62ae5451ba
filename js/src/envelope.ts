/**
 * Envelopes for large records (SCHEME "Envelopes"): a random data key
 * encrypted as a level-1 ciphertext, the record sealed once under it.
 * Written as v2 ("SPEN" 2 0 0 0 ‖ nonce ‖ AEAD), read as v2 or v1.
 */
import { sodium } from "./sodium.js";
import { b64urlDecode, b64urlEncode, BytesLike, concat, equalBytes, utf8, wipe } from "./bytes.js";
import { E, fail } from "./errors.js";
import { MAX_DATA_BYTES, NONCE_BYTES, PUBLIC_KEY_BYTES, randomBytes } from "./primitives.js";
import { Ciphertext, ciphertextAD, Data, decrypt, encrypt, PublicKey, SecretKey } from "./scheme.js";
import { asBytes } from "./values.js";

export const ENVELOPE_MARKER = Uint8Array.of(0x53, 0x50, 0x45, 0x4e, 0x02, 0, 0, 0);
const V1_MIN = NONCE_BYTES + 16;
const V2_MIN = ENVELOPE_MARKER.length + V1_MIN;
const DATA_KEY_BYTES = 32;

/** A sealed record: the key ciphertext (re-encrypted by the database) and the body (never touched). */
export class Envelope {
  constructor(readonly keyCiphertext: Ciphertext, readonly body: Uint8Array) {}

  /** The body's text form: unpadded base64url, no prefix. */
  get bodyText(): string {
    return b64urlEncode(this.body);
  }

  open(key: SecretKey): Uint8Array {
    return openEnvelope(key, this.keyCiphertext, this.body);
  }

  toString(): string {
    return `Envelope(level ${this.keyCiphertext.level}, ${this.body.length} body bytes)`;
  }
}

/** Fixed randomness, for known-answer tests only. */
export interface SealRandomness { dataKey: Uint8Array; nonce: Uint8Array }

function aead(m: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  return sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(m, ad, null, nonce, key);
}

function unaead(c: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null {
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, c, ad, nonce, key);
  } catch {
    return null;
  }
}

/** A v2 body of m under dataKey, bound to the key ciphertext kct. */
export function sealBody(kct: Ciphertext, dataKey: Uint8Array, m: Uint8Array, nonce = randomBytes(NONCE_BYTES)): Uint8Array {
  if (m.length > MAX_DATA_BYTES) fail(E.TOOLONG, "cannot seal");
  const ad = concat(ENVELOPE_MARKER, ciphertextAD(kct._raw()));
  return concat(ENVELOPE_MARKER, nonce, aead(m, ad, nonce, dataKey));
}

/** The plaintext of a v1 or v2 body under a data key (SCHEME "Telling v1 and v2 apart"). */
export function openBody(kct: Ciphertext, dataKey: Uint8Array, body: Uint8Array): Uint8Array {
  if (body.length < V1_MIN) fail(E.LENGTH, "not an envelope body");
  const kad = ciphertextAD(kct._raw());
  if (body.length >= V2_MIN && equalBytes(body.subarray(0, 8), ENVELOPE_MARKER)) {
    const m = unaead(body.subarray(32), concat(ENVELOPE_MARKER, kad), body.subarray(8, 32), dataKey);
    if (m) return m;
  }
  const m = unaead(body.subarray(NONCE_BYTES), kad, body.subarray(0, NONCE_BYTES), dataKey);
  if (m) return m;
  return fail(E.DECRYPT, "cannot open the envelope");
}

/** Seal a record for pk: a fresh data key, its key ciphertext (with aad), a v2 body. */
export function sealEnvelope(pk: PublicKey | string | BytesLike, data: Data, aad?: Data, rnd?: SealRandomness): Envelope {
  const dk = rnd ? rnd.dataKey : randomBytes(DATA_KEY_BYTES);
  const m = typeof data === "string" ? utf8.encode(data) : asBytes(data, "plaintext");
  try {
    const kct = encrypt(pk, dk, aad);
    return new Envelope(kct, sealBody(kct, dk, m, rnd?.nonce));
  } finally {
    if (!rnd) wipe(dk);
  }
}

/** Open an envelope: decrypt the key ciphertext (at any level) to the data key, then the body. */
export function openEnvelope(key: SecretKey, kct: Ciphertext | string | BytesLike, body: BytesLike | string): Uint8Array {
  const c = kct instanceof Ciphertext ? kct : typeof kct === "string" ? Ciphertext.fromTextUnchecked(kct) : Ciphertext.fromBytesUnchecked(kct);
  const b = typeof body === "string" ? b64urlDecode(body.trim()) ?? fail(E.BASE64, "envelope body") : asBytes(body, "envelope body");
  const dk = decrypt(key, c);
  try {
    if (dk.length !== DATA_KEY_BYTES) fail(E.LENGTH, "the key ciphertext does not hold a data key");
    return openBody(c, dk, b);
  } finally {
    wipe(dk);
  }
}

export { PUBLIC_KEY_BYTES };
