/**
 * The value types and their text and byte forms (SCHEME "Text forms"):
 * a fixed prefix and the strict unpadded base64url of the bytes.  Every
 * value is validated when it is made from bytes or text.
 *
 * Secret values (SecretKey, IndexKey, a bare Grant) never show their bytes
 * in toString(), JSON.stringify() or util.inspect(): only toText() and
 * toBytes(), called explicitly, give them.
 */
import { b64urlDecode, b64urlEncode, BytesLike, equalBytes, toBytes } from "./bytes.js";
import { E, fail } from "./errors.js";

export const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** Strict text decoding: prefix, base64url, then the type's own check. */
export function decodeText(text: string, prefix: string, what: string): Uint8Array {
  if (typeof text !== "string") fail(E.PREFIX, `${what}: a text form is a string`);
  const t = text.trim();
  if (!t.startsWith(prefix)) fail(E.PREFIX, `${what}: expected ${prefix}...`);
  const b = b64urlDecode(t.slice(prefix.length));
  if (b === null || t.length === prefix.length) fail(E.BASE64, `${what}: not unpadded base64url`);
  return b;
}

/** A short public reminder of a text form, for descriptions. */
export function short(text: string): string {
  return text.length > 24 ? text.slice(0, 20) + "…" : text;
}

/** What every value has: its bytes, text form, equality and safe descriptions. */
export abstract class Value {
  #bytes: Uint8Array;

  /** @internal */
  protected constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** The SQL type name, e.g. "pre_ciphertext". */
  abstract get sqlType(): string;
  /** The text form's prefix, e.g. "prect_". */
  abstract get prefix(): string;

  /** @internal the stored bytes, not a copy: never hand them out. */
  _raw(): Uint8Array {
    return this.#bytes;
  }

  /** A copy of the bytes (the SQL type's binary form). */
  toBytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** The text form (prefix and unpadded base64url). */
  toText(): string {
    return this.prefix + b64urlEncode(this.#bytes);
  }

  get byteLength(): number {
    return this.#bytes.length;
  }

  /** Same type and same bytes (constant time). */
  equals(other: unknown): boolean {
    return other instanceof Value && other.constructor === this.constructor &&
      equalBytes(this.#bytes, other.#bytes);
  }

  /** A description without secret material. */
  protected describe(): string {
    return `${this.constructor.name}(${short(this.toText())})`;
  }

  toString(): string {
    return this.describe();
  }

  /** Public values: their text form; secret ones: their description. */
  toJSON(): string {
    return this.describe();
  }

  [INSPECT](): string {
    return this.describe();
  }

  /**
   * node-postgres calls this for a query parameter: a secret value is
   * refused (wrap it with secret() of secant-pre/pg to send it on purpose).
   */
  toPostgres(): string | Uint8Array {
    throw new SecretRefused(this.constructor.name);
  }

  /** @internal overwrite the bytes with zeros. */
  protected _wipe(): void {
    this.#bytes.fill(0);
  }
}

/** A value whose text form may be shown (public key, ciphertext, token, sealed values). */
export abstract class PublicValue extends Value {
  override toJSON(): string {
    return this.toText();
  }

  /** node-postgres: a query parameter is the text form. */
  override toPostgres(): string {
    return this.toText();
  }
}

/** A secret value (secret key, bare grant, index key) given as a query parameter without secret(). */
export class SecretRefused extends Error {
  constructor(what: string) {
    super(`secant-pre: refusing to send a ${what} to the server; wrap it with secret() from secant-pre/pg if that is really meant`);
    this.name = "SecretRefused";
  }
}

export function asBytes(b: BytesLike, what: string): Uint8Array {
  if (!(b instanceof Uint8Array) && !(b instanceof ArrayBuffer)) fail(E.LENGTH, `${what}: expected bytes`);
  return toBytes(b).slice();
}
