import { describe, expect, it } from 'vitest';
import { rng } from '../../../../bench/search';
import { fastScanSupported, instantiateFastScan, scanReference } from '../../../../electron/engine/search/index/fastscan-wasm';

// Each kernel against a plain JS computation of the same thing (scanReference, or the loop in the test).
describe('fast-scan kernel', () => {
  it('matches the scalar reference', () => {
    expect(fastScanSupported()).toBe(true);
    const next = rng(3);
    for (const [bytesPerVector, blockStride] of [[4, 64], [128, 2048], [64, 2048], [256, 4096]] as const) {
      const blocks = 6;
      const module = instantiateFastScan(2 + Math.ceil((blocks * blockStride) / 65536));
      const mem = new Uint8Array(module.memory.buffer);
      const codes = 65536;
      for (let i = 0; i < bytesPerVector * 32; i++) mem[i] = Math.floor(next() * 128);
      for (let i = 0; i < blocks * blockStride; i++) mem[codes + i] = Math.floor(next() * 256);
      module.scan(codes, blocks, 0, 16384, bytesPerVector, blockStride);
      const got = Uint8Array.from(mem.subarray(16384, 16384 + blocks * 32));
      const copy = Uint8Array.from(mem.subarray(0, codes + blocks * blockStride));
      scanReference(copy, codes, blocks, 0, 16384, bytesPerVector, blockStride);
      expect(got).toEqual(copy.subarray(16384, 16384 + blocks * 32));
    }
  });
});

describe('select and refine kernels', () => {
  it('select passes exactly the estimates above the threshold, of allowed slots with a factor', () => {
    const next = rng(4);
    const module = instantiateFastScan(4);
    const mem = new Uint8Array(module.memory.buffer);
    const [out, factorsAt, dest, allowedAt, scratch] = [0, 8192, 65536, 131072, 139264];
    const blocks = 64;
    const first = 4096; // slot of the first lane: factors and the bitmap are indexed by slot
    const sums = new Uint16Array(module.memory.buffer, out, blocks * 16);
    for (let i = 0; i < sums.length; i++) sums[i] = Math.floor(next() * 9000);
    const factors = new Float32Array(module.memory.buffer, factorsAt, first + blocks * 16);
    for (let s = first; s < first + blocks * 16; s++) factors[s] = next() < 0.05 ? NaN : 0.5 + next();
    for (let i = 0; i < (first + blocks * 16) / 8; i++) mem[allowedAt + i] = Math.floor(next() * 256);
    const [scale, bias] = [Math.fround(0.0013), Math.fround(-4.2)];
    for (const [threshold, allowed] of [[-Infinity, 0], [Math.fround(2), 0], [Math.fround(3.5), allowedAt], [Math.fround(1e9), 0]] as const) {
      const count = module.select(out, factorsAt, blocks * 16, first, scale, bias, threshold, dest, allowed, scratch);
      const got = Array.from({ length: count }, (_, i) => [new Int32Array(module.memory.buffer, dest, 2 * count)[2 * i]!, new Float32Array(module.memory.buffer, dest, 2 * count)[2 * i + 1]!]);
      const want: number[][] = [];
      for (let b = 0; b < blocks; b++) {
        for (let v = 0; v < 16; v++) {
          const slot = first + b * 16 + v;
          const sum = sums[b * 16 + (v % 2 === 0 ? v / 2 : 8 + (v - 1) / 2)]!;
          const estimate = Math.fround(Math.fround(Math.fround(scale * sum) + bias) * factors[slot]!);
          const permitted = allowed === 0 || ((mem[allowedAt + (slot >> 3)]! >> (slot & 7)) & 1) === 1;
          if (estimate > threshold && permitted) want.push([slot, estimate]);
        }
      }
      expect(got).toEqual(want);
    }
  });

  it('refine sums the low-plane tables over each slot row', () => {
    const next = rng(6);
    const module = instantiateFastScan(8);
    const mem = new Uint8Array(module.memory.buffer);
    for (const rowBytes of [2, 8, 64]) {
      const [rows, slotsAt, tablesAt, out] = [0, 262144, 270336, 400000];
      for (let i = 0; i < 1000 * rowBytes; i++) mem[rows + i] = Math.floor(next() * 256);
      const tables = new Float32Array(module.memory.buffer, tablesAt, rowBytes * 256);
      for (let i = 0; i < tables.length; i++) tables[i] = next() - 0.5;
      const slots = Int32Array.from({ length: 300 }, () => Math.floor(next() * 1000));
      new Int32Array(module.memory.buffer, slotsAt, slots.length).set(slots);
      module.refine(rows, rowBytes, slotsAt, slots.length, tablesAt, out);
      const got = new Float32Array(module.memory.buffer, out, slots.length);
      slots.forEach((slot, i) => {
        let sum = 0;
        for (let p = 0; p < rowBytes; p++) sum += tables[p * 256 + mem[rows + slot * rowBytes + p]!]!;
        expect(got[i]).toBeCloseTo(sum, 4);
      });
    }
  });
});
