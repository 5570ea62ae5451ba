/** Search index keys and tokens (SCHEME "Searchable index tokens"). */
import { sodium } from "./sodium.js";
import { BytesLike, concat, equalBytes, fromHex, toHex, wipe } from "./bytes.js";
import { E, fail } from "./errors.js";
import { dst, INDEX_KEY_BYTES, randomBytes } from "./primitives.js";
import { CHECKED, Ciphertext, Data, encrypt, PublicKey, Token } from "./scheme.js";
import { documentWords, normaliseKeyword } from "./text.js";
import { KeyFileContent, KeyFileOptions, protectSecret, unprotectSecret } from "./keyfile.js";
import { asBytes, INSPECT, SecretRefused } from "./values.js";

/** token(key, w) = BLAKE2b-128(key, DST("token") ‖ w) of normalised bytes. */
export function tokenOfBytes(key: Uint8Array, word: Uint8Array): Token {
  return new Token(sodium.crypto_generichash(16, concat(dst("token"), word), key), CHECKED);
}

/**
 * A search index key (32 bytes, secret; text form 64 hexadecimal digits as
 * `secant-pre index-keygen` writes).  Described without its bytes.
 */
export class IndexKey {
  #key: Uint8Array;

  private constructor(key: Uint8Array) {
    this.#key = key;
  }

  static generate(): IndexKey {
    return new IndexKey(randomBytes(INDEX_KEY_BYTES));
  }

  static fromBytes(b: BytesLike): IndexKey {
    const k = asBytes(b, "index key");
    if (k.length !== INDEX_KEY_BYTES) fail(E.LENGTH, "an index key is 32 bytes");
    return new IndexKey(k);
  }

  /** 64 hexadecimal digits (white space around them ignored). */
  static fromText(text: string): IndexKey {
    const b = fromHex(text.trim());
    try { return IndexKey.fromBytes(b); } finally { wipe(b); }
  }

  toBytes(): Uint8Array { return this.#key.slice(); }
  toText(): string { return toHex(this.#key); }

  /** The token of one keyword, normalised as SQL pre_token(key, word). */
  token(keyword: string | Uint8Array): Token {
    const w = normaliseKeyword(keyword);
    if (w.length === 0) fail(E.LENGTH, "an empty keyword has no token");
    try { return tokenOfBytes(this.#key, w); } finally { wipe(w); }
  }

  /** The distinct tokens of a document's words, sorted by their bytes: SQL pre_tokens(key, doc, prefixes). */
  tokens(document: string | Uint8Array, opts: { prefixes?: boolean } = {}): Token[] {
    const seen = new Map<string, Token>();
    for (const w of documentWords(document, opts.prefixes)) {
      const t = tokenOfBytes(this.#key, w);
      wipe(w);
      seen.set(toHex(t._raw()), t);
    }
    return [...seen.keys()].sort().map((k) => seen.get(k)!);
  }

  /** This key encrypted for a group's public key (secant.rotate_index_key). */
  encryptFor(pk: PublicKey | string | BytesLike, aad?: Data): Ciphertext {
    return encrypt(pk, this.#key, aad);
  }

  protect(passphrase: string | Uint8Array, opts?: KeyFileOptions): string {
    return protectSecret(KeyFileContent.INDEX_KEY, this.#key, passphrase, opts);
  }

  static unprotect(text: string, passphrase: string | Uint8Array): IndexKey {
    return new IndexKey(unprotectSecret(KeyFileContent.INDEX_KEY, text, passphrase));
  }

  equals(other: unknown): boolean {
    return other instanceof IndexKey && equalBytes(this.#key, other.#key);
  }

  wipe(): void { wipe(this.#key); }
  /** node-postgres: refused as a query parameter (see secret() of secant-pre/pg). */
  toPostgres(): never { throw new SecretRefused("IndexKey"); }
  toString(): string { return "IndexKey(secret)"; }
  toJSON(): string { return this.toString(); }
  [INSPECT](): string { return this.toString(); }
}
