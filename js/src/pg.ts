/**
 * node-postgres integration (`secant-pre/pg`): type parsers, text and
 * binary, for every pre_* type and its arrays, with the OIDs looked up on
 * the connection or pool given; public values (public keys, ciphertexts,
 * tokens, sealed grants) are sent as their text forms (their toPostgres());
 * secret values (secret keys, bare grants, index keys) are refused as
 * parameters unless wrapped with secret().
 *
 *   import pg from "pg";
 *   import { register } from "secant-pre/pg";
 *   const pool = new pg.Pool();
 *   await register(pool);
 *
 * Binary results: node-postgres 8 (pg-protocol, 8.23.1 at least) decodes
 * every result field as UTF-8 and turns a binary one back into a Buffer
 * (node-postgres#3495), so any byte sequence of the value that is not
 * UTF-8 arrives as U+FFFD (EF BF BD): no pre_* type survives that in
 * general (all are random bytes), so query in text format (the default).
 * The binary parsers node-postgres calls (getTypeParser(oid, "binary"),
 * install()) parse a value that arrived intact (no EF BF BD: then nothing
 * was replaced) and throw BinaryMangledError for the others, never a wrong
 * value; parseBinary() takes exact binary-format bytes (what the type's
 * send function, or array_send, gives: a driver that keeps binary fields,
 * or `pre_ciphertext_send(v)` selected in text format as a bytea).
 */
import { b64urlDecode } from "./bytes.js";
import { Ciphertext, Grant, PublicKey, SecretKey, Token } from "./scheme.js";
import { SealedGrant } from "./sealed.js";
import { IndexKey } from "./tokens.js";
import { Value } from "./values.js";

export { SecretRefused } from "./values.js";

/**
 * A binary-format result that node-postgres decoded as UTF-8 on the way
 * (bytes replaced by U+FFFD): the value is lost; query in text format.
 */
export class BinaryMangledError extends Error {
  constructor(typname: string) {
    super(`secant-pre: a binary ${typname} result was decoded as UTF-8 by node-postgres ` +
      "(node-postgres#3495: bytes replaced by U+FFFD); query in text format");
    this.name = "BinaryMangledError";
  }
}

/** Whether b holds EF BF BD, the UTF-8 of U+FFFD. */
function hasReplacement(b: Uint8Array): boolean {
  for (let i = b.indexOf(0xef); i >= 0 && i + 2 < b.length; i = b.indexOf(0xef, i + 1))
    if (b[i + 1] === 0xbf && b[i + 2] === 0xbd) return true;
  return false;
}

/** SQL type -> class; pre_secret_key and pre_grant are secret. */
export const TYPES = {
  pre_public_key: PublicKey,
  pre_ciphertext: Ciphertext,
  pre_token: Token,
  pre_sealed_grant: SealedGrant,
  pre_secret_key: SecretKey,
  pre_grant: Grant,
} as const;
export type TypeName = keyof typeof TYPES;

type Parser = (value: string | Buffer) => unknown;
interface Queryable { query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }
interface TypeSource { getTypeParser(oid: number, format?: "text" | "binary"): Parser }

export interface RegisterOptions {
  /**
   * Load ciphertexts with their layout checked only (the server validated
   * them on the way in; decryption still fails on a modified value).
   * Default: fully validated.
   */
  validateCiphertexts?: boolean;
}

/** The type parsers of one database: a `types` object for node-postgres. */
export class SecantTypes implements TypeSource {
  readonly oids: Readonly<Record<TypeName, number>>;
  /** The OIDs of the arrays of the pre_* types. */
  readonly arrayOids: Readonly<Record<TypeName, number>>;
  readonly #parsers = new Map<string, Parser>();
  readonly #exact = new Map<number, (b: Uint8Array) => unknown>();
  readonly #fallback: TypeSource;

  constructor(rows: { typname: string; oid: number; typarray: number }[], fallback: TypeSource, opts: RegisterOptions = {}) {
    const oids: Record<string, number> = {}, arrays: Record<string, number> = {};
    this.#fallback = fallback;
    for (const r of rows) {
      const name = r.typname as TypeName;
      const cls = TYPES[name];
      oids[name] = r.oid;
      const fromText = cls === Ciphertext && opts.validateCiphertexts === false
        ? (t: string) => Ciphertext.fromTextUnchecked(t) : (t: string) => cls.fromText(t);
      const fromBytes = cls === Ciphertext && opts.validateCiphertexts === false
        ? (b: Uint8Array) => Ciphertext.fromBytesUnchecked(b) : (b: Uint8Array) => cls.fromBytes(b);
      const text: Parser = (v) => fromText(String(v));
      const exact = (b: Uint8Array) => fromBytes(b);
      const exactArray = (b: Uint8Array) => parseBinaryArray(b).map((e) => (e === null ? null : fromBytes(e)));
      // what node-postgres hands over: the UTF-8 of its lossy decode
      const guard = (parse: (b: Uint8Array) => unknown): Parser => (v) => {
        const b = v as Buffer;
        if (hasReplacement(b)) throw new BinaryMangledError(r.typname);
        return parse(b);
      };
      this.#exact.set(r.oid, exact);
      this.#exact.set(r.typarray, exactArray);
      this.#parsers.set(`${r.oid}/text`, text);
      this.#parsers.set(`${r.oid}/binary`, guard(exact));
      this.#parsers.set(`${r.typarray}/text`, (v) => parseTextArray(String(v)).map((e) => (e === null ? null : fromText(e))));
      this.#parsers.set(`${r.typarray}/binary`, guard(exactArray));
      arrays[name] = r.typarray;
    }
    this.oids = oids as Record<TypeName, number>;
    this.arrayOids = arrays as Record<TypeName, number>;
  }

  /**
   * The value (or array) of exact binary-format bytes of type oid: the
   * send function's output (array_send's for an array).
   */
  parseBinary(oid: number, bytes: Uint8Array): unknown {
    const parse = this.#exact.get(oid);
    if (!parse) throw new Error(`secant-pre: OID ${oid} is not a pre_* type or array`);
    return parse(bytes);
  }

  getTypeParser(oid: number, format: "text" | "binary" = "text"): Parser {
    return this.#parsers.get(`${oid}/${format}`) ?? this.#fallback.getTypeParser(oid, format);
  }

  /** Install the parsers on a client (client.setTypeParser). */
  install(client: { setTypeParser(oid: number, format: "text" | "binary", fn: Parser): void }): void {
    for (const [k, fn] of this.#parsers) {
      const [oid, format] = k.split("/");
      client.setTypeParser(Number(oid), format as "text" | "binary", fn);
    }
  }
}

/** The OIDs of the pre_* types as the search_path of this connection resolves them. */
export async function lookupTypes(db: Queryable): Promise<{ typname: string; oid: number; typarray: number }[]> {
  const names = Object.keys(TYPES);
  const { rows } = await db.query(
    "SELECT t.typname::text AS typname, t.oid::int8 AS oid, t.typarray::int8 AS typarray " +
    "FROM unnest($1::text[]) AS n(name) JOIN pg_catalog.pg_type t ON t.oid = pg_catalog.to_regtype(n.name)",
    [names]);
  const found = rows.map((r) => ({ typname: String(r.typname), oid: Number(r.oid), typarray: Number(r.typarray) }));
  if (found.length !== names.length) {
    const missing = names.filter((n) => !found.some((r) => r.typname === n));
    throw new Error(`secant-pre: types ${missing.join(", ")} not found: CREATE EXTENSION secant_pre (and check search_path)`);
  }
  return found;
}

/**
 * Look the OIDs up on a client or a pool and install the parsers: on the
 * client, or on every client the pool connects from now on (call it right
 * after creating the pool).  Returns the types object, which can also be
 * passed as a query's or a client's `types`.
 */
export async function register(target: Queryable & object, opts: RegisterOptions = {}): Promise<SecantTypes> {
  const pg = (await import("pg")).default;
  const fallback = pg.types as unknown as TypeSource;
  const t = target as unknown as {
    on?: (ev: string, fn: (c: unknown) => void) => void; setTypeParser?: unknown;
    connect?: () => Promise<Queryable & { release(): void }>;
  };
  if (typeof t.setTypeParser === "function") {
    const types = new SecantTypes(await lookupTypes(target), fallback, opts);
    types.install(target as never);
    return types;
  }
  // a pool: look up on one of its clients, install on it and on every new one
  const client = await t.connect!();
  try {
    const types = new SecantTypes(await lookupTypes(client), fallback, opts);
    types.install(client as never);
    t.on!("connect", (c) => types.install(c as never));
    return types;
  } finally {
    client.release();
  }
}

/** A secret value sent on purpose: its text form (an index key: bytea). */
export function secret(v: SecretKey | Grant | IndexKey): { toPostgres(): string | Buffer } {
  return {
    toPostgres: () => (v instanceof IndexKey ? Buffer.from(v.toBytes()) : (v as Value).toText()),
  };
}

/** A text-format array of prefix_base64url values: no quoting is ever needed. */
export function parseTextArray(s: string): (string | null)[] {
  if (s === "{}") return [];
  if (!s.startsWith("{") || !s.endsWith("}")) throw new Error("secant-pre: not a one-dimensional array");
  return s.slice(1, -1).split(",").map((e) => (e === "NULL" ? null : e));
}

/** A binary-format one-dimensional array: its elements' bytes. */
export function parseBinaryArray(bytes: Uint8Array): (Uint8Array | null)[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ndim = b.readInt32BE(0);
  if (ndim === 0) return [];
  if (ndim !== 1) throw new Error("secant-pre: not a one-dimensional array");
  const n = b.readInt32BE(12);
  const out: (Uint8Array | null)[] = [];
  let o = 20;
  for (let i = 0; i < n; i++) {
    const len = b.readInt32BE(o);
    o += 4;
    if (len < 0) { out.push(null); continue; }
    out.push(new Uint8Array(b.subarray(o, o + len)));
    o += len;
  }
  return out;
}

export { b64urlDecode };
