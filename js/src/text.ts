/**
 * Keyword and document normalisation (SCHEME "Normalisation"): NFKC case
 * folding as utf8proc computes it, with the stream-safe step, from the
 * tables of src/unicode-data.ts (generated from utf8proc by
 * tools/gen-unicode.c; JavaScript's own normalize() and toLowerCase() are
 * not used: they follow the engine's Unicode version and are not CASEFOLD).
 */
import { E, fail } from "./errors.js";
import { CCC, MAP, PAIRS, SPACE, UNICODE_VERSION, WORD } from "./unicode-data.js";

export { UNICODE_VERSION };
export const MAX_TEXT_BYTES = 1 << 20;
export const MAX_WORD_BYTES = 4096;
export const MIN_PREFIX = 3;
export const MAX_PREFIX = 32;
const MAX_NONSTARTERS = 30;
const JOINER = 0x034f;

interface Tables {
  map: Map<number, number[]>;
  ccc: Map<number, number>;
  pairs: Map<number, number>;
  word: Uint32Array;
  space: Uint32Array;
}
let tables: Tables | null = null;

function rangeTable(s: string): Uint32Array {
  const parts = s.split(",");
  const out = new Uint32Array(parts.length * 2);
  parts.forEach((p, i) => {
    const [a, b] = p.split("-");
    out[2 * i] = parseInt(a, 16);
    out[2 * i + 1] = parseInt(b ?? a, 16);
  });
  return out;
}

function load(): Tables {
  if (tables) return tables;
  const map = new Map<number, number[]>();
  for (const e of MAP.split(";")) {
    const [c, seq] = e.split(":");
    map.set(parseInt(c, 16), seq === "" ? [] : seq.split(".").map((x) => parseInt(x, 16)));
  }
  const ccc = new Map<number, number>();
  for (const e of CCC.split(";")) {
    const [c, k] = e.split(":");
    ccc.set(parseInt(c, 16), Number(k));
  }
  const pairs = new Map<number, number>();
  for (const e of PAIRS.split(";")) {
    const [ab, c] = e.split(":");
    const [a, b] = ab.split(".");
    pairs.set(parseInt(a, 16) * 0x110000 + parseInt(b, 16), parseInt(c, 16));
  }
  tables = { map, ccc, pairs, word: rangeTable(WORD), space: rangeTable(SPACE) };
  return tables;
}

function inRanges(r: Uint32Array, c: number): boolean {
  let lo = 0, hi = r.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (c < r[2 * mid]) hi = mid - 1;
    else if (c > r[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** A letter, a mark or a digit (categories L*, M*, N*). */
export function isWordChar(c: number): boolean {
  return inRanges(load().word, c);
}

/** White space: Zs, Zl, Zp and U+0009..U+000D. */
export function isSpace(c: number): boolean {
  return inRanges(load().space, c);
}

// Hangul (Unicode 3.12)
const SBASE = 0xac00, LBASE = 0x1100, VBASE = 0x1161, TBASE = 0x11a7;
const LCOUNT = 19, VCOUNT = 21, TCOUNT = 28, NCOUNT = VCOUNT * TCOUNT, SCOUNT = LCOUNT * NCOUNT;

function decomposeInto(out: number[], c: number, t: Tables): void {
  const s = c - SBASE;
  if (s >= 0 && s < SCOUNT) {
    out.push(LBASE + Math.floor(s / NCOUNT), VBASE + Math.floor((s % NCOUNT) / TCOUNT));
    if (s % TCOUNT) out.push(TBASE + (s % TCOUNT));
    return;
  }
  const m = t.map.get(c);
  if (m) for (const x of m) out.push(x);
  else out.push(c);
}

function compose(a: number, b: number, t: Tables): number {
  const l = a - LBASE, v = b - VBASE;
  if (l >= 0 && l < LCOUNT && v >= 0 && v < VCOUNT) return SBASE + (l * VCOUNT + v) * TCOUNT;
  const s = a - SBASE, tt = b - TBASE;
  if (s >= 0 && s < SCOUNT && s % TCOUNT === 0 && tt > 0 && tt < TCOUNT) return a + tt;
  return t.pairs.get(a * 0x110000 + b) ?? -1;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The code points of a text (a string, or UTF-8 bytes), checked and bounded. */
export function codePoints(text: string | Uint8Array): number[] {
  let s: string;
  if (typeof text === "string") {
    if (LONE_SURROGATE.test(text)) fail(E.UTF8, "text");
    s = text;
  } else {
    try {
      s = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(text);
    } catch {
      return fail(E.UTF8, "text");
    }
  }
  const cps: number[] = [];
  let bytes = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    cps.push(c);
  }
  if (bytes > MAX_TEXT_BYTES) fail(E.TEXTLONG, "text");
  return cps;
}

/** NFKC case folding of code points, stream-safe, as utf8proc (plus the step) computes it. */
export function normaliseCodePoints(input: number[]): number[] {
  const t = load();
  const d: number[] = [];
  const one: number[] = [];
  let marks = 0;
  for (const c of input) {
    one.length = 0;
    decomposeInto(one, c, t);
    for (const x of one) {
      const k = t.ccc.get(x) ?? 0;
      if (k === 0) { marks = 0; d.push(x); continue; }
      if (marks === MAX_NONSTARTERS) { d.push(JOINER); marks = 0; }
      // stable insertion into the current run of non-starters
      let i = d.length;
      d.push(x);
      while (i > d.length - 1 - marks && (t.ccc.get(d[i - 1]) ?? 0) > k) { d[i] = d[i - 1]; i--; }
      d[i] = x;
      marks++;
    }
  }
  const out: number[] = [];
  let starter = -1, maxCcc = -1;
  for (const c of d) {
    const k = t.ccc.get(c) ?? 0;
    if (starter >= 0 && k > maxCcc) {
      const comp = compose(out[starter], c, t);
      if (comp >= 0) { out[starter] = comp; continue; }
    }
    out.push(c);
    if (k !== 0) { if (k > maxCcc) maxCcc = k; }
    else { starter = out.length - 1; maxCcc = -1; }
  }
  return out.filter((c) => c !== JOINER);
}

function utf8Length(cps: number[], from = 0, to = cps.length): number {
  let n = 0;
  for (let i = from; i < to; i++) { const c = cps[i]; n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }
  return n;
}

function toUtf8(cps: number[], from = 0, to = cps.length): Uint8Array {
  const out = new Uint8Array(utf8Length(cps, from, to));
  let o = 0;
  for (let i = from; i < to; i++) {
    const c = cps[i];
    if (c < 0x80) out[o++] = c;
    else if (c < 0x800) { out[o++] = 0xc0 | (c >> 6); out[o++] = 0x80 | (c & 63); }
    else if (c < 0x10000) { out[o++] = 0xe0 | (c >> 12); out[o++] = 0x80 | ((c >> 6) & 63); out[o++] = 0x80 | (c & 63); }
    else {
      out[o++] = 0xf0 | (c >> 18); out[o++] = 0x80 | ((c >> 12) & 63);
      out[o++] = 0x80 | ((c >> 6) & 63); out[o++] = 0x80 | (c & 63);
    }
  }
  return out;
}

/** A keyword normalised and trimmed of white space: its UTF-8 bytes. */
export function normaliseKeyword(keyword: string | Uint8Array): Uint8Array {
  const cps = normaliseCodePoints(codePoints(keyword));
  let a = 0, b = cps.length;
  while (a < b && isSpace(cps[a])) a++;
  while (b > a && isSpace(cps[b - 1])) b--;
  if (utf8Length(cps, a, b) > MAX_WORD_BYTES) fail(E.WORDLONG, "keyword");
  return toUtf8(cps, a, b);
}

/** The normalised words of a document (UTF-8 bytes), and with prefixes their proper prefixes of 3 to 32 code points. */
export function documentWords(doc: string | Uint8Array, prefixes = false): Uint8Array[] {
  const cps = normaliseCodePoints(codePoints(doc));
  const words: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= cps.length; i++) {
    if (i < cps.length && isWordChar(cps[i])) continue;
    if (i > start) {
      if (utf8Length(cps, start, i) > MAX_WORD_BYTES) fail(E.WORDLONG, "document");
      if (prefixes)
        for (let n = MIN_PREFIX; n <= MAX_PREFIX && start + n < i; n++) words.push(toUtf8(cps, start, start + n));
      words.push(toUtf8(cps, start, i));
    }
    start = i + 1;
  }
  return words;
}

/** The normalised text as a string (for display and tests). */
export function normalise(text: string | Uint8Array): string {
  return String.fromCodePoint(...normaliseCodePoints(codePoints(text)));
}
