import { describe, expect, it } from 'vitest';
import { dot } from '../../../electron/engine/math/vectors';
import { RowMatrix, denseWasm } from '../../../electron/engine/search/dense-wasm';
import { wasmApi } from '../../../electron/engine/search/index/kernels/wasm-api';

/** Deterministic pseudo-random floats in [-1, 1). */
function floats(n: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

describe('RowMatrix', () => {
  it('is valid WebAssembly', () => {
    expect(wasmApi.validate(denseWasm())).toBe(true);
  });

  it.each([1, 3, 16, 20, 100, 512, 768])('matches a float64 dot product at %i dimensions', (dim) => {
    const rows = 37;
    const vectors = floats(rows * dim, dim);
    const query = floats(dim, dim + 1);
    const scores = RowMatrix.from(vectors, rows, dim).dots(query);
    expect(scores).toHaveLength(rows);
    for (let r = 0; r < rows; r++) expect(scores[r]).toBeCloseTo(dot(query, vectors, r * dim), 4);
  });

  it('scores only the rows asked for, and only rows that were set', () => {
    const dim = 32;
    const matrix = new RowMatrix(dim, 10);
    const ones = new Float32Array(dim).fill(1);
    for (let r = 0; r < 4; r++) matrix.set(r, new Float32Array(dim).fill(r));
    expect(matrix.rows).toBe(4);
    expect(Array.from(matrix.dots(ones))).toEqual([0, 32, 64, 96]);
    expect(Array.from(matrix.dots(ones, 2))).toEqual([0, 32]);
    expect(Array.from(matrix.dots(ones, 99))).toEqual([0, 32, 64, 96]);
    matrix.clear();
    expect(matrix.dots(ones)).toHaveLength(0);
    matrix.set(0, new Float32Array(dim).fill(-1));
    expect(Array.from(matrix.dots(ones))).toEqual([-32]);
  });

  it('handles a dimension that is not a multiple of 16 (rows padded with zeros)', () => {
    const dim = 5;
    const matrix = new RowMatrix(dim, 2);
    matrix.set(0, Float32Array.from([1, 2, 3, 4, 5]));
    matrix.set(1, Float32Array.from([0, 0, 0, 0, 1]));
    expect(Array.from(matrix.dots(Float32Array.from([1, 1, 1, 1, 1])))).toEqual([15, 1]);
    expect(Array.from(matrix.dots(Float32Array.from([0, 0, 0, 0, 2])))).toEqual([10, 2]);
  });

  it('refuses rows and queries of the wrong size', () => {
    const matrix = new RowMatrix(8, 2);
    expect(() => matrix.set(2, new Float32Array(8))).toThrow(/outside/);
    expect(() => matrix.set(0, new Float32Array(7))).toThrow(/7 dimensions/);
    expect(() => matrix.dots(new Float32Array(9))).toThrow(/9 dimensions/);
    expect(() => new RowMatrix(0, 2)).toThrow(/dimension/);
  });

  it('holds a large matrix (memory sized to fit)', () => {
    const dim = 512;
    const rows = 4096;
    const vectors = floats(rows * dim, 7);
    const scores = RowMatrix.from(vectors, rows, dim).dots(vectors.subarray((rows - 1) * dim));
    expect(scores[rows - 1]).toBeCloseTo(dot(vectors.subarray((rows - 1) * dim), vectors, (rows - 1) * dim), 3);
  });
});
