/*
 * The search's inner loop as a small WebAssembly SIMD module, written in kernels/fastscan.wat.
 *
 * "Fast scan": every vector is a string of 4-bit codes; a query turns into one 16-entry table of small integers
 * (0..maxLut) per code position. Vectors are stored in blocks of 16, transposed, so that one 16-byte load holds
 * byte p of 16 vectors, and one i8x16.swizzle looks up 16 vectors' table entries at once: ~6 SIMD instructions per
 * code byte per 16 vectors, far fewer than 8-bit table lookups in scalar JS or wasm. It is bound by memory bandwidth
 * (see `npm run bench -- search`).
 *
 * Block layout (bytesPerVector = P, block stride S >= P*16): byte p of vector v of block b is at
 * codes + b*S + p*16 + v.
 * Byte p holds two codes: the low nibble indexes table 2p, the high nibble table 2p+1.
 * Table t is 16 bytes at lut + t*16. Entries must be <= 127 (two of them add without overflowing a byte) and
 * P * 254 must stay below 65536 (the 16-bit sums), so P <= 258 (smaller entries allow more).
 *
 * Output per block: 16 little-endian u16 sums at out + b*32: first the 8 even vectors (0, 2, .. 14), then the
 * 8 odd ones (1, 3, .. 15). (Each swizzle result is added to 8 u16 lanes that hold two vectors each - even in the
 * low byte, odd in the high byte - and separately, shifted right by 8, to a second accumulator holding the odd
 * ones; even = first - 256 * odd, exact modulo 2^16.)
 *
 * Two more functions work on the scan's output: `select` turns sums into estimates and keeps those above a
 * threshold (SIMD, 4 vectors at a time), and `refine` adds the low plane's share to the best estimates of the
 * split layout (scalar table lookups, one row per candidate).
 */

import { fastScanWasm, wasmApi } from './kernels/wasm-api';
import type { WasmMemory } from './kernels/wasm-api';

export type { WasmMemory } from './kernels/wasm-api';
export { fastScanWasm } from './kernels/wasm-api';

/**
 * `scan(codes, blocks, lut, out, bytesPerVector, blockStride)`: see the layout above; block b starts at
 * codes + b * blockStride (>= bytesPerVector * 16: a block may hold more than the bytes scanned). Byte offsets and
 * counts; blocks even.
 */
export type ScanKernel = (codes: number, blocks: number, lut: number, out: number, bytesPerVector: number, blockStride: number) => void;

/**
 * `select(out, factors, lanes, firstSlot, scale, bias, threshold, dest, allowed, scratch) -> count`: turns the
 * scan's sums for `lanes` vectors (slots firstSlot.., a multiple of 16) into estimates factor * (scale * sum +
 * bias) and writes (slot i32, estimate f32) pairs for those above `threshold` to dest. A NaN factor (an empty
 * slot) never passes; with `allowed` != 0, only slots whose bit is set in the bitmap there pass. 64 bytes at
 * `scratch` are its own.
 */
export type SelectKernel = (
  out: number,
  factors: number,
  lanes: number,
  firstSlot: number,
  scale: number,
  bias: number,
  threshold: number,
  dest: number,
  allowed: number,
  scratch: number,
) => number;

/**
 * `refine(rows, rowBytes, slots, count, tables, out)`: for each of `count` slots (i32 at `slots`), the sum over
 * the bytes of its row (rowBytes, even, at rows + slot * rowBytes) of tables[256 * p + byte p] (f32 tables, 1 KiB
 * per byte position), written as f32 to out: the low plane's term of the split layout's 2-bit estimates.
 */
export type RefineKernel = (rows: number, rowBytes: number, slots: number, count: number, tables: number, out: number) => void;

export interface FastScanModule {
  memory: WasmMemory;
  scan: ScanKernel;
  select: SelectKernel;
  refine: RefineKernel;
}

/** 4 GiB, wasm32's whole address space (the maximum fastscan.wat declares): only reserved, committed as the memory grows. */
export const MAX_PAGES = 65536;

let compiled: object | undefined;

/** Whether this runtime accepts the module (WebAssembly SIMD: Node >= 16.4, Electron >= 13). */
export function fastScanSupported(): boolean {
  return wasmApi.validate(fastScanWasm());
}

/** A fresh instance over its own shared memory of `pages` 64 KiB pages (grow it with memory.grow). */
export function instantiateFastScan(pages: number): FastScanModule {
  const memory = new wasmApi.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
  return instantiateOn(memory);
}

/** An instance over an existing (shared) memory: how a worker thread joins the main thread's index. */
export function instantiateOn(memory: WasmMemory): FastScanModule {
  compiled ??= new wasmApi.Module(fastScanWasm());
  const instance = new wasmApi.Instance(compiled, { env: { memory } });
  const { scan, select, refine } = instance.exports;
  return { memory, scan: scan as ScanKernel, select: select as SelectKernel, refine: refine as RefineKernel };
}

/** The same computation in plain JS (tests check the kernel against it). */
export function scanReference(mem: Uint8Array, codes: number, blocks: number, lut: number, out: number, bytesPerVector: number, blockStride = bytesPerVector * 16): void {
  const out16 = new DataView(mem.buffer, mem.byteOffset);
  for (let b = 0; b < blocks; b++) {
    const base = codes + b * blockStride;
    for (let v = 0; v < 16; v++) {
      let sum = 0;
      for (let p = 0; p < bytesPerVector; p++) {
        const byte = mem[base + p * 16 + v]!;
        sum += mem[lut + p * 32 + (byte & 15)]! + mem[lut + p * 32 + 16 + (byte >> 4)]!;
      }
      const lane = v % 2 === 0 ? v / 2 : 8 + (v - 1) / 2;
      out16.setUint16(out + b * 32 + lane * 2, sum & 0xffff, true);
    }
  }
}
