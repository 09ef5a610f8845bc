import type { FastScanModule } from './fastscan-wasm';
import { instantiateFastScan } from './fastscan-wasm';
import type { TwoBitEncoder } from './two-bit-codes';

/*
 * The index's WebAssembly memory and where everything lies in it. First fixed areas: query tables, per scanning
 * thread the kernel's sums and the selected (slot, estimate) pairs, the re-rank reads, scratch. Then, per slot
 * (for `capacity` slots): the codes, the low plane (split layout), the factors, a bitmap of allowed slots, and last
 * the refine kernel's tables and lists (split layout). Those move up when the capacity grows.
 *
 * Two layouts. Below the split threshold ("joint") a block of 16 vectors holds their sign plane then their low
 * plane, and one scan over both gives 2-bit estimates. From it ("split") the blocks hold the sign plane only and
 * the low plane is a separate row-major array: the scan reads half the bytes (it is memory-bandwidth bound), and
 * the 2-bit estimates of its best 1-bit estimates come from one row each (see scan.ts).
 */

export const LUT_AT = 0;
export const QUERY_AT = 16384;
/** Per scanning thread t (0 = caller, 1 = helper): the kernel's sums and the selected pairs. */
export const outAt = (t: number): number => 24576 + t * 32768;
export const pickAt = (t: number): number => 90112 + t * 131072;
/** Re-rank reads, after the scan (so over the helper's pick area): slots (i32) and scores (f64). */
export const SLOTS_AT = 221184;
export const SCORES_AT = 253952;
/** 64 bytes per scanning thread for the select kernel. */
export const scratchAt = (t: number): number => 352256 + t * 64;
export const CODES_AT = 356352;
const PAGE = 65536;
/** Blocks (of 16 vectors) per kernel call: 1024 * 32 bytes of sums, up to 16384 selected pairs of 8 bytes. */
export const BATCH_BLOCKS = 1024;
/** The most 1-bit estimates the split layout's scan keeps for refinement (the refine kernel's lists hold them). */
export const MAX_WIDE = 65536;
/** Slots are allocated in units of 32 vectors (the kernel takes blocks in pairs). */
export const SLOT_UNIT = 32;

export function roundUp(n: number, unitSize: number): number {
  return Math.ceil(n / unitSize) * unitSize;
}

/** Where a slot's sum lands in the kernel's output for its pair of blocks (even vectors first, see the kernel). */
export function laneOf(slot: number): number {
  const v = slot & 15;
  return ((slot >> 4) & 1) * 16 + (v & 1 ? 8 + (v >> 1) : v >> 1);
}

export class CodeMemory {
  readonly wasm: FastScanModule;
  /** The whole memory as bytes (renewed when it grows). */
  mem: Uint8Array;
  /** Slots the per-slot areas have room for (a multiple of SLOT_UNIT). */
  capacity = 0;
  /** The layout: split keeps the low plane row-major at lowsAt(capacity). */
  split = false;
  /** A view of the memory at factorsAt(capacity). */
  factors = new Float32Array(0);

  /** `planeBytes`: bytes per vector in each bit plane. */
  constructor(readonly planeBytes: number) {
    this.wasm = instantiateFastScan(1);
    this.mem = new Uint8Array(this.wasm.memory.buffer);
  }

  get byteLength(): number {
    return this.wasm.memory.buffer.byteLength;
  }

  /** Bytes of a block of 16 vectors. */
  get blockBytes(): number {
    return (this.split ? 16 : 32) * this.planeBytes;
  }

  /** Bytes per vector one scan reads: the sign plane (split) or both planes (joint). */
  get scanned(): number {
    return this.split ? this.planeBytes : 2 * this.planeBytes;
  }

  /** Where the low plane starts (split layout: planeBytes per slot, row-major), after the codes. */
  lowsAt(capacity = this.capacity): number {
    return CODES_AT + (capacity / 16) * this.blockBytes;
  }

  factorsAt(capacity = this.capacity): number {
    return this.lowsAt(capacity) + (this.split ? capacity * this.planeBytes : 0);
  }

  /** A scratch bitmap of allowed slots (one bit per slot), after the factors. */
  allowedAt(capacity = this.capacity): number {
    return this.factorsAt(capacity) + capacity * 4;
  }

  /** The refine kernel's tables (1 KiB per byte of a plane), then its slots and results (split layout). */
  refineAt(capacity = this.capacity): number {
    return roundUp(this.allowedAt(capacity) + capacity / 8, 16);
  }

  /** The codes of the first `slots` slots, as the snapshot file holds them. */
  codes(slots: number): Uint8Array {
    return this.mem.subarray(CODES_AT, CODES_AT + (roundUp(slots, SLOT_UNIT) / 16) * this.blockBytes);
  }

  /** The low plane of the first `slots` slots (empty in the joint layout, where the blocks hold it). */
  lows(slots: number): Uint8Array {
    return this.mem.subarray(this.lowsAt(), this.lowsAt() + (this.split ? slots * this.planeBytes : 0));
  }

  /** The factors of the first `slots` slots, as bytes. */
  factorBytes(slots: number): Uint8Array {
    return new Uint8Array(this.factors.buffer, this.factors.byteOffset, slots * 4);
  }

  /** Encodes unit vector vectors[offset..] into `slot`'s code; returns its factor (not stored). */
  encode(encoder: TwoBitEncoder, vectors: Float32Array, offset: number, slot: number): number {
    const at = CODES_AT + (slot >> 4) * this.blockBytes + (slot & 15);
    return this.split
      ? encoder.encode(vectors, offset, this.mem, at, 16, this.mem, this.lowsAt() + slot * this.planeBytes, 1)
      : encoder.encode(vectors, offset, this.mem, at, 16, this.mem, at + 16 * this.planeBytes, 16);
  }

  /** Grows the per-slot areas to `capacity` slots (a multiple of SLOT_UNIT); new factors are NaN (empty). */
  grow(capacity: number): void {
    const old = this.capacity;
    this.growTo(this.memoryEnd(capacity));
    // The areas move up past the larger ones below them, the highest first (copyWithin handles the overlap).
    this.mem.copyWithin(this.factorsAt(capacity), this.factorsAt(old), this.factorsAt(old) + old * 4);
    if (this.split) this.mem.copyWithin(this.lowsAt(capacity), this.lowsAt(old), this.lowsAt(old) + old * this.planeBytes);
    this.factors = new Float32Array(this.wasm.memory.buffer, this.factorsAt(capacity), capacity);
    this.factors.fill(NaN, old);
    this.capacity = capacity;
  }

  /**
   * Switches to the split layout, with `slots` slots in use: the low planes move out of the blocks into a
   * row-major array after them, and the sign planes close up. The codes take as many bytes as before, so the
   * factors stay where they are.
   */
  splitLayout(slots: number): void {
    const { planeBytes, capacity } = this;
    const joint = 32 * planeBytes;
    const lows = new Uint8Array(capacity * planeBytes);
    for (let s = 0; s < slots; s++) {
      const at = CODES_AT + (s >> 4) * joint + planeBytes * 16 + (s & 15);
      for (let p = 0; p < planeBytes; p++) lows[s * planeBytes + p] = this.mem[at + p * 16]!;
    }
    this.split = true;
    this.growTo(this.memoryEnd(capacity));
    for (let b = 0; b < capacity / 16; b++) {
      this.mem.copyWithin(CODES_AT + b * 16 * planeBytes, CODES_AT + b * joint, CODES_AT + b * joint + 16 * planeBytes);
    }
    this.mem.set(lows, this.lowsAt(capacity));
    this.factors = new Float32Array(this.wasm.memory.buffer, this.factorsAt(capacity), capacity);
  }

  private memoryEnd(capacity: number): number {
    return this.refineAt(capacity) + (this.split ? this.planeBytes * 1024 + MAX_WIDE * 8 : 0);
  }

  /** Grows the memory to hold `bytes`. */
  private growTo(bytes: number): void {
    const needPages = Math.ceil(bytes / PAGE);
    const havePages = this.wasm.memory.buffer.byteLength / PAGE;
    if (needPages > havePages) this.wasm.memory.grow(needPages - havePages);
    this.mem = new Uint8Array(this.wasm.memory.buffer);
  }
}
