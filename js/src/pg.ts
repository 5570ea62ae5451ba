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
 * Binary results: node-postgres 8 (pg-protocol) decodes every result field
 * as UTF-8 text, binary ones too, so a binary-format value arrives mangled;
 * query in text format (the default).  The binary parsers take the bytes
 * (a Buffer, as a driver that keeps binary fields gives them, or the
 * bytea(v) cast of a value, which node-postgres does give as a Buffer).
 */
import { b64urlDecode } from "./bytes.js";
import { Ciphertext, Grant, PublicKey, SecretKey, Token } from "./scheme.js";
import { SealedGrant } from "./sealed.js";
import { IndexKey } from "./tokens.js";
import { Value } from "./values.js";

export { SecretRefused } from "./values.js";

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
  readonly #parsers = new Map<string, Parser>();
  readonly #fallback: TypeSource;

  constructor(rows: { typname: string; oid: number; typarray: number }[], fallback: TypeSource, opts: RegisterOptions = {}) {
    const oids: Record<string, number> = {};
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
      const binary: Parser = (v) => fromBytes(v as Buffer);
      this.#parsers.set(`${r.oid}/text`, text);
      this.#parsers.set(`${r.oid}/binary`, binary);
      this.#parsers.set(`${r.typarray}/text`, (v) => parseTextArray(String(v)).map((e) => (e === null ? null : fromText(e))));
      this.#parsers.set(`${r.typarray}/binary`, (v) => parseBinaryArray(v as Buffer).map((e) => (e === null ? null : fromBytes(e))));
    }
    this.oids = oids as Record<TypeName, number>;
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
export function parseBinaryArray(b: Buffer): (Uint8Array | null)[] {
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
