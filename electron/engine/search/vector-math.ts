import type { RowMatrix } from './dense-wasm';

/** Small dense-vector helpers for query composition and result re-ranking (row-major float32). */

/** a · (the row of b starting at bOffset). Four running sums: this is the inner loop of every scan here. */
export function dot(a: Float32Array, b: Float32Array, bOffset = 0): number {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += a[j]! * b[bOffset + j]!;
    s1 += a[j + 1]! * b[bOffset + j + 1]!;
    s2 += a[j + 2]! * b[bOffset + j + 2]!;
    s3 += a[j + 3]! * b[bOffset + j + 3]!;
  }
  for (; j < n; j++) s0 += a[j]! * b[bOffset + j]!;
  return s0 + s1 + s2 + s3;
}

/** A unit-length copy; a zero or non-finite vector is an error (nothing to search for). */
export function unitCopy(vector: Float32Array): Float32Array {
  const norm = Math.sqrt(dot(vector, vector));
  if (!Number.isFinite(norm) || norm === 0) throw new Error('the query has no direction (its parts cancel out)');
  const out = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i]! / norm;
  return out;
}

/** Σ weight·unit(vector), then made unit length: each part counts by its weight, whatever its raw norm. */
export function weightedUnitSum(parts: readonly { vector: Float32Array; weight: number }[]): Float32Array {
  const dim = parts[0]!.vector.length;
  const sum = new Float32Array(dim);
  for (const { vector, weight } of parts) {
    const unit = unitCopy(vector);
    for (let i = 0; i < dim; i++) sum[i]! += weight * unit[i]!;
  }
  return unitCopy(sum);
}

/** Mean and standard deviation of query·row over the rows of a matrix. */
export function scoreStats(query: Float32Array, matrix: RowMatrix): { mean: number; std: number } {
  const scores = matrix.dots(query);
  const rows = scores.length;
  let sum = 0;
  let squares = 0;
  for (let r = 0; r < rows; r++) {
    sum += scores[r]!;
    squares += scores[r]! * scores[r]!;
  }
  const mean = rows > 0 ? sum / rows : 0;
  const variance = rows > 1 ? Math.max(0, (squares - rows * mean * mean) / (rows - 1)) : 0;
  return { mean, std: Math.sqrt(variance) };
}
