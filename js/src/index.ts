export * from "./errors.js";
export { PublicKey, SecretKey, Ciphertext, Grant, Token, encrypt, reencrypt, decrypt, checkCiphertext, checkGrant } from "./scheme.js";
export type { Data, EncryptRandomness } from "./scheme.js";
export { MAX_LEVEL } from "./primitives.js";
