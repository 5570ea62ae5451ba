/**
 * secant-pre: the client half of secant_pre (proxy re-encryption in
 * PostgreSQL, SCHEME v1) for Node and browsers, over libsodium compiled to
 * WebAssembly (libsodium-wrappers-sumo).  See docs/CLIENTS.md.
 */
import { KeyFileContent, KeyFileOptions, protectSecret, unprotectSecret } from "./keyfile.js";
import { Decryptor } from "./decryptor.js";
import { SecretKey } from "./scheme.js";
import { wipe } from "./bytes.js";

export * from "./errors.js";
export {
  PublicKey, SecretKey, Ciphertext, Grant, Token, encrypt, reencrypt, decrypt,
  checkCiphertext, checkCiphertextLayout, checkGrant, ciphertextAD,
} from "./scheme.js";
export type { Data, EncryptRandomness } from "./scheme.js";
export { SealKey, SealedGrant, sealGrant, openSealedGrant, keyId } from "./sealed.js";
export {
  GrantShare, Partial, splitGrant, openShare, makePartial, verifyPartial, combine, checkShare, checkPartial,
  shareBytes, THRESHOLD_MAX_N, PARTIAL_BYTES,
} from "./threshold.js";
export type { SplitRandomness } from "./threshold.js";
export { Envelope, sealEnvelope, openEnvelope, sealBody, openBody, ENVELOPE_MARKER } from "./envelope.js";
export type { SealRandomness } from "./envelope.js";
export { IndexKey, tokenOfBytes } from "./tokens.js";
export { normalise, normaliseKeyword, documentWords, UNICODE_VERSION } from "./text.js";
export { Decryptor } from "./decryptor.js";
export {
  KEYFILE_PREFIX, KeyFileContent, PwhashLimits, inspectKeyFile, isKeyFile, protectSecret, unprotectSecret,
} from "./keyfile.js";
export type { KeyFileHeader, KeyFileOptions } from "./keyfile.js";
export { parse, kindOf, inspect } from "./inspect.js";
export type { AnyValue } from "./inspect.js";
export { MAX_LEVEL, PUBLIC_KEY_BYTES, GRANT_BYTES, TOKEN_BYTES } from "./primitives.js";
export { SecretRefused } from "./values.js";
export { b64urlEncode, b64urlDecode } from "./bytes.js";

declare module "./scheme.js" {
  interface SecretKey {
    /** A decryptor for many values (one scalar multiplication each on a known path). */
    decryptor(slots?: number): Decryptor;
    /** This key as a protected key file text (prelocked_), Argon2id MODERATE by default. */
    protect(passphrase: string | Uint8Array, opts?: KeyFileOptions): string;
  }
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace SecretKey {
    /** The key of a protected key file text. */
    function unprotect(text: string, passphrase: string | Uint8Array): SecretKey;
  }
}
SecretKey.prototype.decryptor = function (this: SecretKey, slots?: number) {
  return new Decryptor(this, slots);
};
SecretKey.prototype.protect = function (this: SecretKey, passphrase: string | Uint8Array, opts?: KeyFileOptions) {
  return protectSecret(KeyFileContent.SECRET_KEY, this._raw(), passphrase, opts);
};
(SecretKey as unknown as { unprotect: (t: string, p: string | Uint8Array) => SecretKey }).unprotect =
  (text: string, passphrase: string | Uint8Array) => {
    const seed = unprotectSecret(KeyFileContent.SECRET_KEY, text, passphrase);
    try { return SecretKey.fromBytes(seed); } finally { wipe(seed); }
  };
