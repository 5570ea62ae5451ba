// examples/web/build.mjs - bundles page/app.mjs and the secant-pre package
// (../../js, built first with `npm run build` there) into dist/app.js.
// libsodium-wrappers-sumo resolves to the package's own copy (nodePaths),
// so the bundle holds one libsodium.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const result = await build({
  entryPoints: [here("page/app.mjs")],
  outfile: here("dist/app.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "chrome110",
  minify: true,
  nodePaths: [here("../../js/node_modules")],
  // libsodium's Emscripten glue mentions Node's modules on a path a browser never takes
  external: ["fs", "path", "crypto"],
  metafile: true,
  logLevel: "warning",
});
const inputs = Object.keys(result.metafile.inputs).filter((p) => p.includes("libsodium"));
console.log(`dist/app.js: ${(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes / 1024).toFixed(0)} KiB; libsodium: ${inputs.join(", ")}`);
