import { denseWasm, wasmApi } from './index/kernels/wasm-api';
import type { WasmMemory } from './index/kernels/wasm-api';

export { denseWasm } from './index/kernels/wasm-api';

/*
 * Dot products of one query against many float32 rows, as a WebAssembly SIMD kernel (index/kernels/dense.wat): 16
 * floats per step in four independent f32x4 sums, several times faster than the unrolled JS loop (math/vectors.ts
 * dot). Used where a query meets hundreds or thousands of full vectors at once: the score sample that sets the
 * relevance cut-off and near-duplicate grouping (variety.ts).
 *
 * Rows are stored `stride` floats apart, stride = dim rounded up to 16 with zeros after the vector, so the kernel
 * has no tail loop. Sums are float32 (16 partial sums of dim/16 products each): they differ from a float64 sum by
 * ~1e-7, far below anything a threshold here depends on.
 */

/** `dots(rows, count, strideBytes, query, out)`: out[r] = Σ query[i]·row_r[i], f32, for r < count (count >= 1). */
type DotsKernel = (rows: number, count: number, strideBytes: number, query: number, out: number) => void;

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
