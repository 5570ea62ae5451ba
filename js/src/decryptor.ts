/**
 * A decryptor for one holder over many values: the amortization of the C
 * library's decryption context (src/core/sp_cache.h).  On a grant path
 * every hop byte but T_1 is the same for every value, so d_1 (which
 * depends on the holder and on those bytes) is computed once per path and
 * each value costs one scalar multiplication, S = d_1·T_1, plus the DEM
 * key and the AEAD: the same bytes and the same errors as decrypt().
 *
 * The cache is bounded (slots paths, least recently used evicted and
 * wiped) and keyed on the path's bytes themselves (public), so no
 * collision can mix paths.  Its entries are secret (d_1): close() wipes
 * them.
 */
import { BytesLike, wipe } from "./bytes.js";
import { E, fail } from "./errors.js";
import { mul } from "./primitives.js";
import { Ciphertext, CT, decryptWith, firstT, levelOneS, pathKey, pathScalar, SecretKey, samePath } from "./scheme.js";
import { asBytes, decodeText, INSPECT } from "./values.js";

const MAX_SLOTS = 65536;

export class Decryptor {
  #key: SecretKey;
  #slots: number;
  #paths = new Map<string, Uint8Array>();
  #hits = 0;
  #misses = 0;
  #closed = false;
  /** The path of the last value (most recently used): its bytes, key and d_1. */
  #last: { path: Uint8Array; id: string; d1: Uint8Array } | null = null;

  constructor(key: SecretKey, slots = 256) {
    if (!Number.isInteger(slots) || slots < 1 || slots > MAX_SLOTS) fail(E.LENGTH, "slots are 1 to 65536");
    this.#key = key;
    this.#slots = slots;
  }

  #d1(p: Uint8Array, ct: Uint8Array): Uint8Array | null {
    // a batch on one path: the last path again, compared in place
    const last = this.#last;
    if (last && samePath(last.path, ct)) {
      this.#hits++;
      return last.d1;
    }
    // leaving it: it becomes the most recently used entry of the cache
    if (last) {
      this.#paths.delete(last.id);
      this.#paths.set(last.id, last.d1);
    }
    const path = pathKey(ct);
    let id = "";
    for (let i = 0; i < path.length; i += 4096) id += String.fromCharCode(...path.subarray(i, i + 4096));
    let d1 = this.#paths.get(id) ?? null;
    if (d1) {
      this.#hits++;
      this.#paths.delete(id);
      this.#paths.set(id, d1);
    } else {
      this.#misses++;
      d1 = pathScalar(p, ct);
      if (d1 === null) return null;
      if (this.#paths.size >= this.#slots) {
        const [old, v] = this.#paths.entries().next().value as [string, Uint8Array];
        if (this.#last?.d1 === v) this.#last = null;
        wipe(v);
        this.#paths.delete(old);
      }
      this.#paths.set(id, d1);
    }
    this.#last = { path, id, d1 };
    return d1;
  }

  /** The plaintext of one value (a Ciphertext, its text or its bytes). */
  decrypt(c: Ciphertext | string | BytesLike): Uint8Array {
    if (this.#closed) fail(E.INTERNAL, "the decryptor was closed");
    const ct = c instanceof Ciphertext ? c._raw()
      : typeof c === "string" ? decodeText(c, Ciphertext.PREFIX, "ciphertext") : asBytes(c, "ciphertext");
    const p = this.#key._scalar();
    return decryptWith(this.#key, ct, (b) => {
      if (b[CT.LEVEL] === 1) return levelOneS(p, b);
      const d1 = this.#d1(p, b);
      return d1 === null ? null : mul(d1, firstT(b));
    });
  }

  /** Each value's plaintext, or its error (never thrown), in order. */
  decryptMany(cts: Iterable<Ciphertext | string | BytesLike>): (Uint8Array | Error)[] {
    const out: (Uint8Array | Error)[] = [];
    for (const c of cts) {
      try { out.push(this.decrypt(c)); } catch (e) { out.push(e as Error); }
    }
    return out;
  }

  /** Lookups that found their path and those that did not (level >= 2). */
  get stats(): { hits: number; misses: number } {
    return { hits: this.#hits, misses: this.#misses };
  }

  /** Wipe every cached d_1; the decryptor cannot be used any more. */
  close(): void {
    for (const v of this.#paths.values()) wipe(v);
    this.#paths.clear();
    this.#last = null;
    this.#closed = true;
  }

  toString(): string {
    return `Decryptor(${this.#key}, ${this.#paths.size} paths)`;
  }

  [INSPECT](): string {
    return this.toString();
  }
}
