/**
 * Dense float32 vector helpers shared by the CLIP runtime, the catalog, search, Describe and evaluation.
 *
 * Zero-vector policy (the one rule everywhere): a vector with no direction - all zeros, or with NaN/Infinity in it -
 * cannot be normalised. `normalize` and `normalizeInPlace` throw `ZeroVectorError` for it; a caller that can meet such
 * a vector legitimately (an empty caption sum, a query whose parts cancel out) checks `hasDirection` first or catches
 * the error and says what it means in its own terms. Nothing ever silently returns a zero or NaN "unit" vector.
 */

export class ZeroVectorError extends Error {
  override readonly name = 'ZeroVectorError';
  constructor(message = 'the vector has no direction (it is zero or not finite)') {
    super(message);
  }
}

/** a · (the row of b starting at bOffset). Four running sums: this is the inner loop of every exact scan. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>, bOffset = 0): number {
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

/** Euclidean length. */
export function norm(vector: ArrayLike<number>): number {
  return Math.sqrt(dot(vector, vector));
}

/** Whether the vector can be normalised: finite and not zero. */
export function hasDirection(vector: ArrayLike<number>): boolean {
  const length = norm(vector);
  return Number.isFinite(length) && length > 0;
}

/** Scales the vector to unit length in place and returns it; throws ZeroVectorError when it has no direction. */
export function normalizeInPlace(vector: Float32Array, message?: string): Float32Array {
  const length = norm(vector);
  if (!Number.isFinite(length) || length === 0) throw new ZeroVectorError(message);
  const scale = 1 / length;
  for (let i = 0; i < vector.length; i++) vector[i]! *= scale;
  return vector;
}

/** A unit-length copy; throws ZeroVectorError when the vector has no direction. */
export function normalize(vector: ArrayLike<number>, message?: string): Float32Array {
  return normalizeInPlace(Float32Array.from(vector), message);
}
