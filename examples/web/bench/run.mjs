// examples/web/bench/run.mjs - the TypeScript package's decryption in Node
// and in headless Chromium (Debian's, driven by playwright-core), the same
// workload (workload.mjs) in the same run: rounds alternate, best of each.
// Not a test (no assertion on time).
//
//   node bench/run.mjs [seconds per row, default 1] [rounds, default 3]
//
// Prints a Markdown table.  CHROMIUM=PATH: the browser (/usr/bin/chromium).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import * as sp from "secant-pre";
import { decryptRates } from "./workload.mjs";

const SECONDS = Number(process.argv[2] ?? 1);
const ROUNDS = Number(process.argv[3] ?? 3);
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

// the workload and the package in one module for the page
const bundle = await build({
  stdin: {
    contents: 'import * as sp from "secant-pre"; import { decryptRates } from "./workload.mjs"; window.decryptRates = (s) => decryptRates(sp, s);',
    resolveDir: here("."), loader: "js",
  },
  bundle: true, format: "esm", platform: "browser", target: "chrome110", write: false,
  external: ["fs", "path", "crypto"], logLevel: "warning",
});
const ORIGIN = "http://bench.invalid";
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
const page = await browser.newPage();
await page.route(`${ORIGIN}/**`, (route) => route.request().url().endsWith("/bench.js")
  ? route.fulfill({ contentType: "text/javascript", body: bundle.outputFiles[0].text })
  : route.fulfill({ contentType: "text/html", body: '<!doctype html><script type="module" src="/bench.js"></script>' }));
await page.goto(`${ORIGIN}/`);
await page.waitForFunction(() => typeof window.decryptRates === "function");

const best = { node: {}, chromium: {} };
const keep = (side, rates) => {
  for (const [op, r] of Object.entries(rates)) best[side][op] = Math.max(best[side][op] ?? 0, r);
};
for (let round = 0; round < ROUNDS; round++) {
  keep("node", decryptRates(sp, SECONDS));
  keep("chromium", await page.evaluate((s) => window.decryptRates(s), SECONDS));
}
const version = browser.version();
await browser.close();

const fmt = (r) => Math.round(r).toLocaleString("en-US");
console.log(`Node ${process.version}, Chromium ${version}; best of ${ROUNDS} alternating rounds of ${SECONDS} s per row.\n`);
console.log("| op | Node ops/s | Chromium ops/s | Chromium / Node |");
console.log("| --- | ---: | ---: | ---: |");
for (const op of Object.keys(best.node)) {
  console.log(`| ${op} | ${fmt(best.node[op])} | ${fmt(best.chromium[op])} | ${Math.round(100 * best.chromium[op] / best.node[op])} % |`);
}
