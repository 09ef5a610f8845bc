/** Small dense-vector helpers for query composition and result re-ranking (row-major float32). */

export function dot(a: Float32Array, b: Float32Array, bOffset = 0): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[bOffset + i]!;
  return sum;
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

/** Mean and standard deviation of query·row over a row-major matrix of `rows` vectors. */
export function scoreStats(query: Float32Array, matrix: Float32Array, rows: number): { mean: number; std: number } {
  const dim = query.length;
  let sum = 0;
  let squares = 0;
  for (let r = 0; r < rows; r++) {
    // Four running sums: this loop is most of a query's fixed cost (rows x dim multiply-adds).
    const o = r * dim;
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    let j = 0;
    for (; j + 3 < dim; j += 4) {
      a += query[j]! * matrix[o + j]!;
      b += query[j + 1]! * matrix[o + j + 1]!;
      c += query[j + 2]! * matrix[o + j + 2]!;
      d += query[j + 3]! * matrix[o + j + 3]!;
    }
    for (; j < dim; j++) a += query[j]! * matrix[o + j]!;
    const s = a + b + c + d;
    sum += s;
    squares += s * s;
  }
  const mean = rows > 0 ? sum / rows : 0;
  const variance = rows > 1 ? Math.max(0, (squares - rows * mean * mean) / (rows - 1)) : 0;
  return { mean, std: Math.sqrt(variance) };
}
