// wasm-hooks.mjs - module.register() hooks that let plain Node load a
// wasm-bindgen package built for bundlers (target "bundler"), such as
// @ironcorelabs/recrypt-wasm-binding:
//   - extension-less relative imports ("./recrypt_wasm_binding") resolve to
//     the ".js" file next to them;
//   - the package's ".js" files are ES modules even though its package.json
//     does not say "type": "module";
//   - `import * as wasm from "./x_bg.wasm"` becomes a small ES module that
//     compiles the file, instantiates it with its own imports (static
//     `import * as` of each module the wasm names) and re-exports the
//     instance's exports.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const BUNDLER_PACKAGES = ["/@ironcorelabs/recrypt-wasm-binding/"];

function inBundlerPackage(url) {
	return BUNDLER_PACKAGES.some((p) => url.includes("/node_modules" + p));
}

export async function resolve(specifier, context, nextResolve) {
	try {
		return await nextResolve(specifier, context);
	} catch (err) {
		const relative = specifier.startsWith("./") || specifier.startsWith("../");
		if (relative && !/\.[cm]?js$|\.wasm$/.test(specifier))
			return nextResolve(specifier + ".js", context);
		throw err;
	}
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export async function load(url, context, nextLoad) {
	if (url.startsWith("file:") && url.endsWith(".wasm")) {
		const bytes = readFileSync(fileURLToPath(url));
		const mod = new WebAssembly.Module(bytes);
		const importModules = [...new Set(WebAssembly.Module.imports(mod).map((i) => i.module))];
		const exportNames = WebAssembly.Module.exports(mod).map((e) => e.name);
		const lines = [`import { readFileSync } from "node:fs";`];
		importModules.forEach((m, i) => lines.push(`import * as __imp${i} from ${JSON.stringify(m)};`));
		lines.push(`const __mod = new WebAssembly.Module(readFileSync(new URL(import.meta.url)));`);
		lines.push(`const __inst = new WebAssembly.Instance(__mod, {` +
			importModules.map((m, i) => `${JSON.stringify(m)}: __imp${i}`).join(", ") + `});`);
		exportNames.forEach((name, i) => {
			lines.push(`const __e${i} = __inst.exports[${JSON.stringify(name)}];`);
			lines.push(IDENT.test(name)
				? `export { __e${i} as ${name} };`
				: `export { __e${i} as ${JSON.stringify(name)} };`);
		});
		return { format: "module", source: lines.join("\n"), shortCircuit: true };
	}
	if (url.startsWith("file:") && url.endsWith(".js") && inBundlerPackage(url)) {
		const source = readFileSync(fileURLToPath(url), "utf8");
		return { format: "module", source, shortCircuit: true };
	}
	return nextLoad(url, context);
}
