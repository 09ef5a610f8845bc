import { DENSE_WASM_BASE64, FASTSCAN_WASM_BASE64 } from './wasm-bytes.generated';

/*
 * The search's WebAssembly kernels: their bytes (compiled from the .wat files beside this module by
 * scripts/build-wasm.mjs) and the parts of the WebAssembly JS API that load them.
 */

/** The parts of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let fastScan: Uint8Array | undefined;
let dense: Uint8Array | undefined;

/** fastscan.wat's module: imports env.memory (shared), exports scan, select and refine. */
export function fastScanWasm(): Uint8Array {
  fastScan ??= Uint8Array.from(Buffer.from(FASTSCAN_WASM_BASE64, 'base64'));
  return fastScan;
}

/** dense.wat's module: imports env.memory (unshared), exports dots. */
export function denseWasm(): Uint8Array {
  dense ??= Uint8Array.from(Buffer.from(DENSE_WASM_BASE64, 'base64'));
  return dense;
}
