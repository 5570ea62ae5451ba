/**
 * Errors with the core's codes and names (src/core/sp_core.h, sp_keyfile.h):
 * `code` is the negative sp_err, `name` e.g. "SP_EDECRYPT", `reason` the
 * core's sentence.  No error ever holds secret material.
 */

const REASONS: Record<number, [string, string]> = {
  [-1]: ["SP_EPREFIX", "The text form does not start with the prefix of this type."],
  [-2]: ["SP_EBASE64", "The text after the prefix is not unpadded base64url."],
  [-3]: ["SP_ELENGTH", "The value has the wrong length."],
  [-4]: ["SP_EMAGIC", "The value does not start with the magic bytes of this type."],
  [-5]: ["SP_EVERSION", "The value has an unsupported version."],
  [-6]: ["SP_ERESERVED", "Reserved bytes are not zero."],
  [-7]: ["SP_ELEVEL", "The ciphertext level is outside 1 to 16."],
  [-8]: ["SP_ELEVELMAX", "The ciphertext level is above the maximum 16."],
  [-10]: ["SP_EPOINT", "A public key or point is not a valid ristretto255/Ed25519 encoding, or is the identity."],
  [-11]: ["SP_ESCALAR", "A scalar is not canonical or is zero."],
  [-12]: ["SP_ECAPSULE", "The ciphertext capsule check fails."],
  [-13]: ["SP_ESIGNATURE", "The grant signature does not verify."],
  [-14]: ["SP_ESAMEKEY", "The grant's delegator and grantee are the same key."],
  [-20]: ["SP_ERECIPIENT", "The grant's delegator is not the ciphertext's current recipient."],
  [-21]: ["SP_EMAXLEVEL", "The ciphertext is already at the maximum level 16."],
  [-22]: ["SP_EWRONGKEY", "The secret key is not the ciphertext's current recipient."],
  [-23]: ["SP_EDECRYPT", "The key is wrong or the value was modified."],
  [-24]: ["SP_ERANDOM", "The supplied randomness is not a canonical non-zero scalar."],
  [-25]: ["SP_ETOOLONG", "The message or associated data is too long."],
  [-26]: ["SP_EINTERNAL", "libsodium refused an operation."],
  [-27]: ["SP_ENOMEM", "Out of memory."],
  [-28]: ["SP_EUTF8", "The text is not valid UTF-8."],
  [-29]: ["SP_ECANCELED", "The operation was canceled."],
  [-30]: ["SP_EWORDLONG", "A keyword, or a word of a document, is longer than 4096 bytes after normalisation."],
  [-31]: ["SP_ETEXTLONG", "The text is longer than 1048576 bytes."],
  [-32]: ["SP_EDATABASE", "The sealed grant was sealed for another database."],
  [-33]: ["SP_ETHRESHOLD", "A threshold, share count or share index is out of range, repeated, or the number of partials is not the threshold."],
  [-34]: ["SP_ESHARE", "The grant share does not match its commitments."],
  [-35]: ["SP_EPROOF", "The partial's proof does not verify."],
  [-101]: ["SP_KF_ETEXT", "not a protected key file (prelocked_ and 150 base64url characters expected)"],
  [-102]: ["SP_KF_EMAGIC", "a protected key file with a bad magic"],
  [-103]: ["SP_KF_EVERSION", "a protected key file of an unknown version"],
  [-104]: ["SP_KF_ECONTENT", "a protected key file of an unknown content"],
  [-105]: ["SP_KF_EKDF", "a protected key file with an unknown key derivation"],
  [-106]: ["SP_KF_ERESERVED", "a protected key file with non-zero reserved bytes"],
  [-107]: ["SP_KF_ELIMITS", "a protected key file with Argon2id limits out of range"],
  [-108]: ["SP_KF_EPWHASH", "Argon2id failed (out of memory?)"],
  [-109]: ["SP_KF_EPASSPHRASE", "wrong passphrase, or the file was modified"],
  [-110]: ["SP_KF_EEMPTY", "the passphrase is empty"],
};

/** Error codes by name (the core's sp_err and sp_kf_err). */
export const ErrorCode: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(Object.entries(REASONS).map(([c, [n]]) => [n, Number(c)])));

/** An error of the scheme: `code`, `name`, `reason`, and `what` was being done. */
export class SecantError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly what: string;
  constructor(code: number, what = "") {
    const [name, reason] = REASONS[code] ?? [`SP_E${-code}`, "Unknown error."];
    super(what ? `${what}: ${reason} (${name})` : `${reason} (${name})`);
    this.code = code;
    this.reason = reason;
    this.what = what;
    Object.defineProperty(this, "name", { value: name, enumerable: false });
  }
}

/** Malformed text or bytes: prefix, base64url, length, magic, version, reserved bytes, level. */
export class MalformedValueError extends SecantError {}
/** Well-formed but invalid: a point, scalar, capsule or signature check failed, or from == to. */
export class InvalidValueError extends SecantError {}
/** The grant does not apply to this ciphertext. */
export class WrongRecipientError extends SecantError {}
/** The ciphertext is already at level 16. */
export class MaxLevelError extends SecantError {}
/** The secret key is not the ciphertext's current recipient. */
export class WrongKeyError extends SecantError {}
/** The AEAD failed: wrong key or a modified value. */
export class DecryptionError extends SecantError {}
/** A message or associated data is too long. */
export class TooLongError extends SecantError {}
/** A keyword or document is not valid UTF-8, or a word or text is too long. */
export class TextError extends SecantError {}
/** A sealed grant was sealed for another database. */
export class WrongDatabaseError extends SecantError {}
/** Caller-supplied randomness is unusable. */
export class RandomnessError extends SecantError {}
/** A protected key file (prelocked_) is malformed or cannot be opened. */
export class KeyFileError extends SecantError {}
/** Wrong passphrase, or a modified key file. */
export class PassphraseError extends KeyFileError {}

/** The error object for a core code. */
export function secantError(code: number, what = ""): SecantError {
  if (code === -109) return new PassphraseError(code, what);
  if (code <= -100) return new KeyFileError(code, what);
  if (code <= -1 && code >= -8) return new MalformedValueError(code, what);
  if (code <= -10 && code >= -14) return new InvalidValueError(code, what);
  switch (code) {
    case -20: return new WrongRecipientError(code, what);
    case -21: return new MaxLevelError(code, what);
    case -22: return new WrongKeyError(code, what);
    case -23: return new DecryptionError(code, what);
    case -24: return new RandomnessError(code, what);
    case -25: return new TooLongError(code, what);
    case -28: case -30: case -31: return new TextError(code, what);
    case -32: return new WrongDatabaseError(code, what);
  }
  return new SecantError(code, what);
}

export const E = {
  PREFIX: -1, BASE64: -2, LENGTH: -3, MAGIC: -4, VERSION: -5, RESERVED: -6,
  LEVEL: -7, LEVELMAX: -8, POINT: -10, SCALAR: -11, CAPSULE: -12,
  SIGNATURE: -13, SAMEKEY: -14, RECIPIENT: -20, MAXLEVEL: -21, WRONGKEY: -22,
  DECRYPT: -23, RANDOM: -24, TOOLONG: -25, INTERNAL: -26, UTF8: -28,
  WORDLONG: -30, TEXTLONG: -31, DATABASE: -32, THRESHOLD: -33, SHARE: -34, PROOF: -35,
  KF_TEXT: -101, KF_MAGIC: -102, KF_VERSION: -103, KF_CONTENT: -104, KF_KDF: -105,
  KF_RESERVED: -106, KF_LIMITS: -107, KF_PWHASH: -108, KF_PASSPHRASE: -109, KF_EMPTY: -110,
} as const;

/** Throw the error of a code. */
export function fail(code: number, what = ""): never {
  throw secantError(code, what);
}
