/*
 * The search's inner loop as a tiny hand-assembled WebAssembly SIMD module (no toolchain, no npm package).
 *
 * "Fast scan": every vector is a string of 4-bit codes; a query turns into one 16-entry table of small integers
 * (0..maxLut) per code position. Vectors are stored in blocks of 16, transposed, so that one 16-byte load holds
 * byte p of 16 vectors, and one i8x16.swizzle looks up 16 vectors' table entries at once. That is ~6 SIMD
 * instructions per code byte per 16 vectors: about 10x faster than 8-bit table lookups in scalar JS or wasm.
 * It is bound by memory: ~12 ns per 64-byte vector from RAM on the 2-core dev box, ~5 ns from cache (one thread).
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

import { F32, I32, V128, memarg, name, op, section, simd, simdOp, sleb, uleb, vec, wasmApi } from './wasm-assembly';
import type { WasmMemory } from './wasm-assembly';

export type { WasmMemory } from './wasm-assembly';

/**
 * `scan(codes, blocks, lut, out, bytesPerVector, blockStride)`: see the layout above; block b starts at
 * codes + b * blockStride (>= bytesPerVector * 16: a block may hold more than the bytes scanned). Byte offsets and
 * counts; blocks even.
 */
export type ScanKernel = (codes: number, blocks: number, lut: number, out: number, bytesPerVector: number, blockStride: number) => void;


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

export type RefineKernel = (rows: number, rowBytes: number, slots: number, count: number, tables: number, out: number) => void;

export interface FastScanModule {
  memory: WasmMemory;
  scan: ScanKernel;
  select: SelectKernel;
  refine: RefineKernel;
}

/**
 * The scan function body. Parameters 0-5: codes, blocks, lut, out, bytesPerVector, blockStride. Blocks are taken
 * two at a time (blocks must be even) so that each table is loaded once per 32 vectors.
 */
function scanBody(): number[] {
  const [codes, blocks, lut, out, bpv, stride] = [0, 1, 2, 3, 4, 5];
  const [end, l, skip, mask, a0, b0, a1, b1, v, r, lo, hi] = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const get = (i: number): number[] => [op.localGet, i];
  const set = (i: number): number[] => [op.localSet, i];
  const i32 = (n: number): number[] => [op.i32Const, ...sleb(n)];
  const zero = [...simdOp(simd.const), ...new Array<number>(16).fill(0)];
  const lowNibbles = [...simdOp(simd.const), ...new Array<number>(16).fill(0x0f)];
  /** r = lo[v & 15] + hi[v >> 4] for the 16 code bytes at `at` (lo, hi: this byte's tables); acc += r, accHigh += r >> 8. */
  const lookUp = (at: number[], acc: number, accHigh: number): number[] => [
    ...at, ...simdOp(simd.load), ...memarg(0), ...set(v),
    ...get(lo),
    ...get(v), ...get(mask), ...simdOp(simd.and),
    ...simdOp(simd.swizzle),
    ...get(hi),
    ...get(v), ...i32(4), ...simdOp(simd.i16x8ShrU), ...get(mask), ...simdOp(simd.and),
    ...simdOp(simd.swizzle),
    ...simdOp(simd.i8x16Add),
    op.localTee, r,
    ...get(acc), ...simdOp(simd.i16x8Add), ...set(acc),
    ...get(r), ...i32(8), ...simdOp(simd.i16x8ShrU), ...get(accHigh), ...simdOp(simd.i16x8Add), ...set(accHigh),
  ];
  /** Stores the 16 sums of one block (even vectors, then odd) at out + offset. */
  const store = (acc: number, accHigh: number, offset: number): number[] => [
    ...get(out), ...get(acc), ...get(accHigh), ...i32(8), ...simdOp(simd.i16x8Shl), ...simdOp(simd.i16x8Sub),
    ...simdOp(simd.store), ...memarg(offset),
    ...get(out), ...get(accHigh), ...simdOp(simd.store), ...memarg(offset + 16),
  ];
  const body: number[] = [
    ...lowNibbles, ...set(mask),
    // After a pair's scanned bytes, skip to the next pair: 2 * stride - bytesPerVector * 16.
    ...get(stride), ...i32(2), op.i32Mul, ...get(bpv), ...i32(16), op.i32Mul, op.i32Sub, ...set(skip),
    op.block, 0x40,
    ...get(blocks), op.i32Eqz, op.br_if, 0,
    op.loop, 0x40, // two blocks of 16 vectors
    ...zero, ...set(a0), ...zero, ...set(b0), ...zero, ...set(a1), ...zero, ...set(b1),
    ...get(codes), ...get(bpv), ...i32(16), op.i32Mul, op.i32Add, ...set(end),
    ...get(lut), ...set(l),
    op.loop, 0x40, // one code byte of the 32 vectors
    ...get(l), ...simdOp(simd.load), ...memarg(0), ...set(lo),
    ...get(l), ...simdOp(simd.load), ...memarg(16), ...set(hi),
    ...lookUp(get(codes), a0, b0),
    ...lookUp([...get(codes), ...get(stride), op.i32Add], a1, b1),
    ...get(l), ...i32(32), op.i32Add, ...set(l),
    ...get(codes), ...i32(16), op.i32Add, op.localTee, codes,
    ...get(end), op.i32Ne, op.br_if, 0,
    op.end,
    ...store(a0, b0, 0),
    ...store(a1, b1, 32),
    ...get(out), ...i32(64), op.i32Add, ...set(out),
    ...get(codes), ...get(skip), op.i32Add, ...set(codes), // past the second block, already scanned
    ...get(blocks), ...i32(2), op.i32Sub, op.localTee, blocks,
    op.br_if, 0,
    op.end,
    op.end,
  ];
  const locals = vec([
    [3, I32], // end, l, skip
    [9, V128], // mask, a0, b0, a1, b1, v, r, lo, hi
  ].map(([count, type]) => [...uleb(count!), type!]));
  const code = [...locals, ...body, op.end];
  return [...uleb(code.length), ...code];
}

/**
 * `select(out, factors, lanes, firstSlot, scale, bias, threshold, dest, allowed, scratch) -> count`: turns the
 * kernel's sums for `lanes` vectors (slots firstSlot.., a multiple of 16) into estimates factor * (scale * sum +
 * bias) and writes (slot i32, estimate f32) pairs for those above `threshold` to dest. A NaN factor (an empty
 * slot) never passes; with `allowed` != 0, only slots whose bit is set in the bitmap there pass. Four lanes at a
 * time in SIMD (the sums put back in slot order, to match the factors); only a block with an estimate above the
 * threshold is looked at lane by lane, through 64 bytes at `scratch`.
 */
function selectBody(): number[] {
  const [out, factors, lanes, first, scale, bias, threshold, dest, allowed, scratch] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [end, count, bits, lane, slot] = [10, 11, 12, 13, 14];
  const [scales, biases, thresholds, even, odd, low, high, e0, e1, e2, e3] = [15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25];
  const get = (i: number): number[] => [op.localGet, i];
  const set = (i: number): number[] => [op.localSet, i];
  const i32 = (n: number): number[] => [op.i32Const, ...sleb(n)];
  const scalarArg = (alignLog2: number, offset = 0): number[] => [alignLog2, ...uleb(offset)];
  /** Factors are 4-byte aligned only. */
  const factorArg = (offset: number): number[] => [2, ...uleb(offset)];
  // Even vectors' sums are the first 8 u16 of a block, odd ones the next 8: interleave them back into slot order.
  const firstEight = [0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23];
  const lastEight = [8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31];
  /** factor * (scale * f32(sum) + bias) for 4 lanes: `sums` leaves 4 u16 sums widened to i32 on the stack. */
  const estimate4 = (sums: number[], factorOffset: number, into: number): number[] => [
    ...get(factors), ...simdOp(simd.load), ...factorArg(factorOffset),
    ...sums, ...simdOp(simd.f32x4ConvertI32x4U), ...get(scales), ...simdOp(simd.f32x4Mul), ...get(biases), ...simdOp(simd.f32x4Add),
    ...simdOp(simd.f32x4Mul), ...set(into),
  ];
  /** Bits 4k..4k+3 of `bits`: which of e_k's lanes beat the threshold. */
  const passing = (e: number, k: number): number[] => [
    ...get(e), ...get(thresholds), ...simdOp(simd.f32x4Gt), ...simdOp(simd.i32x4Bitmask),
    ...(k > 0 ? [...i32(4 * k), op.i32Shl] : []),
  ];
  const body: number[] = [
    ...get(scale), ...simdOp(simd.f32x4Splat), ...set(scales),
    ...get(bias), ...simdOp(simd.f32x4Splat), ...set(biases),
    ...get(threshold), ...simdOp(simd.f32x4Splat), ...set(thresholds),
    ...get(out), ...get(lanes), ...i32(1), op.i32Shl, op.i32Add, ...set(end),
    ...get(factors), ...get(first), ...i32(2), op.i32Shl, op.i32Add, ...set(factors),
    op.block, 0x40,
    op.loop, 0x40, // one block of 16 vectors
    ...get(out), ...get(end), op.i32GeU, op.br_if, 1,
    ...get(out), ...simdOp(simd.load), ...memarg(0), ...set(even),
    ...get(out), ...simdOp(simd.load), ...memarg(16), ...set(odd),
    ...get(even), ...get(odd), ...simdOp(simd.shuffle), ...firstEight, ...set(low),
    ...get(even), ...get(odd), ...simdOp(simd.shuffle), ...lastEight, ...set(high),
    ...estimate4([...get(low), ...simdOp(simd.i32x4ExtendLowI16x8U)], 0, e0),
    ...estimate4([...get(low), ...simdOp(simd.i32x4ExtendHighI16x8U)], 16, e1),
    ...estimate4([...get(high), ...simdOp(simd.i32x4ExtendLowI16x8U)], 32, e2),
    ...estimate4([...get(high), ...simdOp(simd.i32x4ExtendHighI16x8U)], 48, e3),
    ...passing(e0, 0), ...passing(e1, 1), op.i32Or, ...passing(e2, 2), op.i32Or, ...passing(e3, 3), op.i32Or,
    op.localTee, bits,
    op.if, 0x40,
    ...get(scratch), ...get(e0), ...simdOp(simd.store), ...memarg(0),
    ...get(scratch), ...get(e1), ...simdOp(simd.store), ...memarg(16),
    ...get(scratch), ...get(e2), ...simdOp(simd.store), ...memarg(32),
    ...get(scratch), ...get(e3), ...simdOp(simd.store), ...memarg(48),
    op.loop, 0x40, // each passing lane
    ...get(bits), op.i32Ctz, ...set(lane),
    ...get(first), ...get(lane), op.i32Add, ...set(slot),
    // allowed == 0 or bit `slot` of the bitmap at `allowed` is set
    ...get(allowed), op.i32Eqz,
    ...get(allowed), ...get(slot), ...i32(3), op.i32ShrU, op.i32Add, op.i32Load8U, ...scalarArg(0),
    ...get(slot), ...i32(7), op.i32And, op.i32ShrU, ...i32(1), op.i32And,
    op.i32Or,
    op.if, 0x40,
    ...get(dest), ...get(count), ...i32(3), op.i32Shl, op.i32Add, ...get(slot), op.i32Store, ...scalarArg(2),
    ...get(dest), ...get(count), ...i32(3), op.i32Shl, op.i32Add,
    ...get(scratch), ...get(lane), ...i32(2), op.i32Shl, op.i32Add, op.f32Load, ...scalarArg(2),
    op.f32Store, ...scalarArg(2, 4),
    ...get(count), ...i32(1), op.i32Add, ...set(count),
    op.end,
    ...get(bits), ...get(bits), ...i32(1), op.i32Sub, op.i32And, op.localTee, bits,
    op.br_if, 0,
    op.end,
    op.end,
    ...get(out), ...i32(32), op.i32Add, ...set(out),
    ...get(factors), ...i32(64), op.i32Add, ...set(factors),
    ...get(first), ...i32(16), op.i32Add, ...set(first),
    op.br, 0,
    op.end,
    op.end,
    ...get(count),
  ];
  const locals = vec([
    [5, I32], // end, count, bits, lane, slot
    [11, V128], // scales, biases, thresholds, even, odd, low, high, e0, e1, e2, e3
  ].map(([n, type]) => [...uleb(n!), type!]));
  const code = [...locals, ...body, op.end];
  return [...uleb(code.length), ...code];
}

/**
 * `refine(rows, rowBytes, slots, count, tables, out)`: for each of `count` slots (i32 at `slots`), the sum over
 * the bytes of its row (rowBytes, even, at rows + slot * rowBytes) of tables[256 * p + byte p] (f32 tables, 1 KiB
 * per byte position), written as f32 to out. The split layout's second look at its best 1-bit estimates: the low
 * plane's term of the 2-bit estimate.
 */
function refineBody(): number[] {
  const [rows, rowBytes, slots, count, tables, out] = [0, 1, 2, 3, 4, 5];
  // Two sums, for even and odd bytes, so that the adds do not wait on each other.
  const [i, row, end, table, sum, odd] = [6, 7, 8, 9, 10, 11];
  const get = (n: number): number[] => [op.localGet, n];
  const set = (n: number): number[] => [op.localSet, n];
  const i32 = (n: number): number[] => [op.i32Const, ...sleb(n)];
  const arg = (alignLog2: number, offset = 0): number[] => [alignLog2, ...uleb(offset)];
  /** into += tables[byte `offset` of the row] (of table `offset` from `table`). */
  const add = (offset: number, into: number): number[] => [
    ...get(into),
    ...get(table), ...get(row), op.i32Load8U, ...arg(0, offset), ...i32(2), op.i32Shl, op.i32Add, op.f32Load, ...arg(2, offset * 1024),
    op.f32Add, ...set(into),
  ];
  const body: number[] = [
    op.block, 0x40,
    op.loop, 0x40, // one slot
    ...get(i), ...get(count), op.i32GeU, op.br_if, 1,
    ...get(rows), ...get(slots), ...get(i), ...i32(2), op.i32Shl, op.i32Add, op.i32Load, ...arg(2), ...get(rowBytes), op.i32Mul, op.i32Add,
    op.localTee, row, ...get(rowBytes), op.i32Add, ...set(end),
    ...get(tables), ...set(table),
    op.f32Const, 0, 0, 0, 0, ...set(sum),
    op.f32Const, 0, 0, 0, 0, ...set(odd),
    op.loop, 0x40, // two bytes of the row
    ...add(0, sum), ...add(1, odd),
    ...get(table), ...i32(2048), op.i32Add, ...set(table),
    ...get(row), ...i32(2), op.i32Add, op.localTee, row,
    ...get(end), op.i32Ne, op.br_if, 0,
    op.end,
    ...get(out), ...get(i), ...i32(2), op.i32Shl, op.i32Add, ...get(sum), ...get(odd), op.f32Add, op.f32Store, ...arg(2),
    ...get(i), ...i32(1), op.i32Add, ...set(i),
    op.br, 0,
    op.end,
    op.end,
  ];
  const locals = vec([
    [4, I32], // i, row, end, table
    [2, F32], // sum, odd
  ].map(([n, type]) => [...uleb(n!), type!]));
  const code = [...locals, ...body, op.end];
  return [...uleb(code.length), ...code];
}

/** The module's bytes: imports env.memory, exports scan, select and refine. */
export function fastScanWasm(): Uint8Array {
  const scanType = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([])];
  const selectType = [0x60, ...vec([[I32], [I32], [I32], [I32], [F32], [F32], [F32], [I32], [I32], [I32]]), ...vec([[I32]])];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
    ...section(1, vec([scanType, selectType])),
    // A shared memory (flags 3: shared, with a maximum), so worker threads can scan and read beside the main one.
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x03, 0x01, ...uleb(MAX_PAGES)]])),
    // scan and refine have the same type (six i32, no result).
    ...section(3, vec([[0], [1], [0]])),
    ...section(7, vec([[...name('scan'), 0x00, 0], [...name('select'), 0x00, 1], [...name('refine'), 0x00, 2]])),
    ...section(10, vec([scanBody(), selectBody(), refineBody()])),
  ];
  return Uint8Array.from(bytes);
}

/** 4 GiB, wasm32's whole address space: only reserved (virtual), committed as the memory grows. */
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
