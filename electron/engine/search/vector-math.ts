import { normalize } from '../math/vectors';
import type { RowMatrix } from './dense-wasm';

/** Small dense-vector helpers for query composition and result re-ranking (row-major float32). */

/** A unit-length copy; a zero or non-finite vector is an error (nothing to search for). */
export function unitCopy(vector: Float32Array): Float32Array {
  return normalize(vector, 'the query has no direction (its parts cancel out)');
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
