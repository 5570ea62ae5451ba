// test/vectors/tokens.json: tokens of keywords and documents (Unicode
// normalisation: case folding, compatibility forms, stream-safe runs) and
// the errors of the limits, as the C library computes them.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as sp from "../dist/index.js";
import { vectors, hex, toHex } from "./helpers.mjs";

const T = vectors("tokens.json");
const keys = T.keys.map((k) => sp.IndexKey.fromText(k));

test(`${T.keywords.length} keywords`, () => {
  for (const c of T.keywords)
    assert.equal(toHex(keys[c.key].token(hex(c.keyword)).toBytes()), c.token, Buffer.from(c.keyword, "hex").toString());
  const c = T.keywords[1];
  assert.equal(toHex(keys[c.key].token(Buffer.from(c.keyword, "hex").toString()).toBytes()), c.token, "as a string");
});

test(`${T.documents.length} documents, with and without prefixes`, () => {
  for (const c of T.documents) {
    const d = Buffer.from(c.document, "hex").toString();
    assert.deepEqual(keys[c.key].tokens(d).map((t) => toHex(t.toBytes())), c.tokens, d.slice(0, 40));
    assert.deepEqual(keys[c.key].tokens(hex(c.document), { prefixes: true }).map((t) => toHex(t.toBytes())), c.prefix_tokens, d.slice(0, 40));
  }
});

test(`${T.errors.length} errors`, () => {
  for (const c of T.errors) {
    const b = c.text !== null ? hex(c.text) : new Uint8Array(c.repeat[1]).fill(hex(c.repeat[0])[0]);
    const f = c.kind === "keyword" ? () => keys[c.key].token(b) : () => keys[c.key].tokens(b);
    assert.throws(f, (e) => e.name === c.error, `${c.kind} ${c.error}`);
  }
  assert.throws(() => keys[0].token("\ud800x"), (e) => e.name === "SP_EUTF8");
});

test("the Unicode tables are utf8proc's", () => {
  assert.match(sp.UNICODE_VERSION, /^\d+\.\d+\.\d+$/);
  assert.equal(sp.normalise("Straße ﬁ Ⅻ"), "strasse fi xii");
});
