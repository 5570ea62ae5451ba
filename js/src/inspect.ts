/** Parsing any text form by its prefix, and inspection (`secant-pre inspect`). */
import { toHex } from "./bytes.js";
import { E, fail } from "./errors.js";
import { inspectKeyFile, isKeyFile, KeyFileHeader } from "./keyfile.js";
import { Ciphertext, Grant, PublicKey, SecretKey, Token } from "./scheme.js";
import { SealedGrant, SealKey } from "./sealed.js";
import { Value } from "./values.js";

// longest prefixes first: "presealkey_" and "presealed_" before "presk_" is harmless, but be exact
const KINDS = [SealKey, SealedGrant, Grant, SecretKey, PublicKey, Ciphertext, Token] as const;
export type AnyValue = SealKey | SealedGrant | Grant | SecretKey | PublicKey | Ciphertext | Token;

/** The class of a text form, by its prefix; null if none matches. */
export function kindOf(text: string) {
  const t = text.trimStart();
  return KINDS.find((k) => t.startsWith(k.PREFIX)) ?? null;
}

/** The value of any text form, of the class its prefix names, validated. */
export function parse(text: string): AnyValue {
  const k = kindOf(text);
  if (k === null) fail(E.PREFIX, "not a secant_pre value (no known prefix)");
  return k.fromText(text);
}

/**
 * What `secant-pre inspect` prints, as an object: type, bytes and the
 * public fields (never secret material).  A protected key file
 * (prelocked_) is described by its header.
 */
export function inspect(value: Value | string): Record<string, unknown> | KeyFileHeader {
  if (typeof value === "string" && isKeyFile(value)) return inspectKeyFile(value);
  const v = typeof value === "string" ? parse(value) : value;
  const d: Record<string, unknown> = { type: v.sqlType, bytes: v.byteLength };
  if (v instanceof SecretKey) return { ...d, public_key: v.publicKey.toText() };
  d.valid = true;
  if (v instanceof Grant)
    Object.assign(d, { from: v.from.toText(), to: v.to.toText(), not_after: Number(v.notAfter), X: toHex(v.hopKey) });
  else if (v instanceof Ciphertext)
    Object.assign(d, {
      level: v.level, aad_bytes: v.aad.length, plaintext_bytes: v.plaintextLength,
      origin: v.origin.toText(), recipient: v.recipient.toText(),
      hops: v.hops.map((h) => ({ to: h.to.toText(), X: toHex(h.X) })),
    });
  else if (v instanceof SealedGrant || v instanceof SealKey) d.key_id = toHex(v.keyId);
  return d;
}
