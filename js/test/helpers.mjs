import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
export const VECTORS = join(here, "..", "..", "test", "vectors");
export const vectors = (name) => JSON.parse(readFileSync(join(VECTORS, name), "utf8"));
export const hex = (s) => Uint8Array.from(Buffer.from(s, "hex"));
export const toHex = (b) => Buffer.from(b).toString("hex");
