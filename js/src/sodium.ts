/**
 * libsodium (WebAssembly, the sumo build) after its initialisation: this
 * module awaits it at load (top-level await), so that every function of the
 * package is synchronous.
 */
import _sodium from "libsodium-wrappers-sumo";

await _sodium.ready;

export const sodium = _sodium;
