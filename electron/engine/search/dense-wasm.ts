import { I32, V128, memarg, name, op, section, simd, simdOp, sleb, uleb, vec, wasmApi } from './wasm-assembly';
import type { WasmMemory } from './wasm-assembly';

/*
 * Dot products of one query against many float32 rows, as a hand-assembled WebAssembly SIMD kernel: 16 floats per
 * step in four independent f32x4 sums, ~5x faster than the unrolled JS loop (vector-math.ts dot). Used where a
 * query meets hundreds or thousands of full vectors at once: the score sample that sets the relevance cut-off and
 * near-duplicate grouping (variety.ts).
 *
 * Rows are stored `stride` floats apart, stride = dim rounded up to 16 with zeros after the vector, so the kernel
 * has no tail loop. Sums are float32 (16 partial sums of dim/16 products each): they differ from a float64 sum by
 * ~1e-7, far below anything a threshold here depends on.
 */

/** `dots(rows, count, strideBytes, query, out)`: out[r] = Σ query[i]·row_r[i], f32, for r < count (count >= 1). */
type DotsKernel = (rows: number, count: number, strideBytes: number, query: number, out: number) => void;

function dotsBody(): number[] {
  const [rows, count, stride, query, out] = [0, 1, 2, 3, 4];
  const [end, q, a0, a1, a2, a3] = [5, 6, 7, 8, 9, 10];
  const get = (i: number): number[] => [op.localGet, i];
  const set = (i: number): number[] => [op.localSet, i];
  const i32 = (n: number): number[] => [op.i32Const, ...sleb(n)];
  const zero = [...simdOp(simd.const), ...new Array<number>(16).fill(0)];
  /** acc += rows[offset..+16] * query[offset..+16] */
  const fma = (acc: number, offset: number): number[] => [
    ...get(acc),
    ...get(rows), ...simdOp(simd.load), ...memarg(offset),
    ...get(q), ...simdOp(simd.load), ...memarg(offset),
    ...simdOp(simd.f32x4Mul), ...simdOp(simd.f32x4Add), ...set(acc),
  ];
  const lane = (n: number): number[] => [...get(a0), ...simdOp(simd.f32x4ExtractLane), n];
  const body: number[] = [
    op.loop, 0x40, // one row
    ...zero, ...set(a0), ...zero, ...set(a1), ...zero, ...set(a2), ...zero, ...set(a3),
    ...get(rows), ...get(stride), op.i32Add, ...set(end),
    ...get(query), ...set(q),
    op.loop, 0x40, // 16 floats
    ...fma(a0, 0), ...fma(a1, 16), ...fma(a2, 32), ...fma(a3, 48),
    ...get(q), ...i32(64), op.i32Add, ...set(q),
    ...get(rows), ...i32(64), op.i32Add, op.localTee, rows,
    ...get(end), op.i32Ne, op.br_if, 0,
    op.end,
    ...get(a0), ...get(a1), ...simdOp(simd.f32x4Add),
    ...get(a2), ...get(a3), ...simdOp(simd.f32x4Add),
    ...simdOp(simd.f32x4Add), ...set(a0),
    ...get(out),
    ...lane(0), ...lane(1), op.f32Add, ...lane(2), op.f32Add, ...lane(3), op.f32Add,
    op.f32Store, 2, 0,
    ...get(out), ...i32(4), op.i32Add, ...set(out),
    ...get(count), ...i32(1), op.i32Sub, op.localTee, count,
    op.br_if, 0,
    op.end,
  ];
  const locals = vec([
    [2, I32], // end, q
    [4, V128], // a0..a3
  ].map(([n, type]) => [...uleb(n!), type!]));
  const code = [...locals, ...body, op.end];
  return [...uleb(code.length), ...code];
}

/** The module's bytes: imports env.memory (unshared), exports dots. */
export function denseWasm(): Uint8Array {
  const dotsType = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([dotsType])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('dots'), 0x00, 0]])),
    ...section(10, vec([dotsBody()])),
  ]);
}

let compiled: object | undefined;
const PAGE = 65536;

/**
 * A fixed-capacity matrix of float32 rows in WebAssembly memory, for dot products against queries. Layout:
 * the query (stride floats), the output (capacity floats, padded to 64 bytes), then the rows.
 */
export class RowMatrix {
  readonly stride: number;
  /** Rows set so far (set() past it extends it). */
  rows = 0;
  private readonly memory: WasmMemory;
  private readonly kernel: DotsKernel;
  private readonly floats: Float32Array;
  private readonly outAt: number;
  private readonly rowsAt: number;

  constructor(
    readonly dim: number,
    readonly capacity: number,
  ) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`bad dimension ${dim}`);
    this.stride = Math.ceil(dim / 16) * 16;
    this.outAt = this.stride * 4;
    this.rowsAt = this.outAt + Math.ceil(Math.max(1, capacity) / 16) * 64;
    const bytes = this.rowsAt + Math.max(1, capacity) * this.stride * 4;
    const pages = Math.max(1, Math.ceil(bytes / PAGE));
    this.memory = new wasmApi.Memory({ initial: pages, maximum: pages, shared: false });
    compiled ??= new wasmApi.Module(denseWasm());
    this.kernel = new wasmApi.Instance(compiled, { env: { memory: this.memory } }).exports.dots as DotsKernel;
    this.floats = new Float32Array(this.memory.buffer);
  }

  /** A matrix holding `rows` row-major vectors of `dim` floats. */
  static from(vectors: Float32Array, rows: number, dim: number): RowMatrix {
    const matrix = new RowMatrix(dim, rows);
    for (let r = 0; r < rows; r++) matrix.set(r, vectors.subarray(r * dim, (r + 1) * dim));
    return matrix;
  }

  set(row: number, vector: Float32Array): void {
    if (row < 0 || row >= this.capacity) throw new Error(`row ${row} is outside a matrix of ${this.capacity}`);
    if (vector.length !== this.dim) throw new Error(`vector has ${vector.length} dimensions; the matrix has ${this.dim}`);
    this.floats.set(vector, this.rowsAt / 4 + row * this.stride);
    if (row >= this.rows) this.rows = row + 1;
  }

  /** Forgets the rows (the memory is reused). */
  clear(): void {
    this.rows = 0;
  }

  /** query · row r for r < count, as a view that the next call overwrites. */
  dots(query: Float32Array, count = this.rows): Float32Array {
    if (query.length !== this.dim) throw new Error(`query has ${query.length} dimensions; the matrix has ${this.dim}`);
    const n = Math.min(count, this.rows);
    if (n <= 0) return new Float32Array(0);
    this.floats.set(query, 0);
    this.kernel(this.rowsAt, n, this.stride * 4, 0, this.outAt);
    return this.floats.subarray(this.outAt / 4, this.outAt / 4 + n);
  }
}
