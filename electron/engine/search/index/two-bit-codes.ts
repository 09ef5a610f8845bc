import { mulberry32 } from '../../math/random';

/*
 * 2-bit quantisation of unit vectors around a centre, after a random rotation (RaBitQ-style estimator).
 *
 * For a library vector x: r = x - centre, rotated by R (two rounds of random sign flips + Walsh-Hadamard, an
 * orthogonal map that spreads any dominant dimension over all of them). Each rotated coordinate becomes one of
 * four levels {-3, -1, +1, +3} (magnitude split at the vector's own RMS), so u_i in 0..3 and level = 2u - 3.
 * For a query q:  <x, q> = <centre, q> + <Rr, Rq>  and  <Rr, Rq> ~= factor * <level, Rq>  with
 * factor = |r|^2 / <level, Rr>  (unbiased for a random rotation, error ~ |r| |q| / sqrt(dim) scaled by how well
 * the levels fit the vector). <centre, q> is the same for every vector, so ranking needs factor * <level, Rq> only.
 *
 * The codes are stored as two bit planes (see TwoBitEncoder). The query side is one 16-entry table per 4 dimensions
 * of a plane (every combination of 4 bits), quantised to small integers for the wasm fast-scan kernel
 * (see fastscan-wasm.ts), plus 256-entry float tables for reading the low plane one vector at a time.
 *
 * How close the estimates come on CLIP-like data: see `npm run bench -- search` (recall@50).
 */

const ROUNDS = 2;

/** Random orthogonal rotation of R^padded (padded = the next power of two >= dim, zero-filled). */
export class Rotation {
  readonly padded: number;
  private readonly signs: Float32Array[];

  constructor(
    readonly dim: number,
    readonly seed: number,
  ) {
    let padded = 16;
    while (padded < dim) padded *= 2;
    this.padded = padded;
    const next = mulberry32(seed);
    this.signs = Array.from({ length: ROUNDS }, () => Float32Array.from({ length: padded }, () => (next() < 0.5 ? -1 : 1)));
  }

  /** Rotates `v` (length `padded`) in place. */
  apply(v: Float64Array): void {
    const n = this.padded;
    for (const signs of this.signs) {
      // Walsh-Hadamard, two butterfly stages (h and 2h) per pass over the data; the sign flips ride on the first.
      let h = 1;
      for (; 4 * h <= n; h *= 4) {
        const first = h === 1;
        for (let i = 0; i < n; i += 4 * h) {
          for (let j = i; j < i + h; j++) {
            let a = v[j]!;
            let b = v[j + h]!;
            let c = v[j + 2 * h]!;
            let d = v[j + 3 * h]!;
            if (first) {
              a *= signs[j]!;
              b *= signs[j + 1]!;
              c *= signs[j + 2]!;
              d *= signs[j + 3]!;
            }
            const ab = a + b;
            const aMinusB = a - b;
            const cd = c + d;
            const cMinusD = c - d;
            v[j] = ab + cd;
            v[j + h] = aMinusB + cMinusD;
            v[j + 2 * h] = ab - cd;
            v[j + 3 * h] = aMinusB - cMinusD;
          }
        }
      }
      if (h < n) {
        for (let j = 0; j < h; j++) {
          const a = v[j]!;
          const b = v[j + h]!;
          v[j] = a + b;
          v[j + h] = a - b;
        }
      }
    }
    // Each unnormalised round scales by sqrt(n).
    const scale = Math.pow(n, -this.signs.length / 2);
    for (let i = 0; i < n; i++) v[i]! *= scale;
  }
}

/**
 * Encodes vectors into 2-bit codes u = 2h + l per rotated dimension, stored as two bit planes: h (the sign) and
 * l (the low bit), each with dimension 8p + b at bit b of byte p. With level = 2u - 3 and s = 2h - 1 (+-1):
 *   <level, q> = 2<s, q> + 2<l, q> - sum(q)
 * so a scan can read both planes (the full 2-bit estimate) or the sign plane alone (a 1-bit estimate, half the
 * memory traffic) and refine its best candidates with the low plane afterwards.
 */
export class TwoBitEncoder {
  /** Bytes per vector in each plane (padded dim / 8). */
  readonly planeBytes: number;
  private readonly work: Float64Array;

  constructor(
    readonly rotation: Rotation,
    readonly centre: Float32Array,
  ) {
    this.planeBytes = rotation.padded / 8;
    this.work = new Float64Array(rotation.padded);
  }

  /**
   * Encodes `vector` (dim floats at `offset`): sign byte p goes to signs[signsAt + p * signStride], low byte p to
   * lows[lowsAt + p * lowStride]. Returns the vector's factor |r|^2 / <level, Rr>.
   */
  encode(
    vector: Float32Array,
    offset: number,
    signs: Uint8Array,
    signsAt: number,
    signStride: number,
    lows: Uint8Array,
    lowsAt: number,
    lowStride: number,
  ): number {
    const { dim, padded } = this.rotation;
    const r = this.work;
    for (let i = 0; i < dim; i++) r[i] = vector[offset + i]! - this.centre[i]!;
    r.fill(0, dim);
    this.rotation.apply(r);
    let norm2 = 0;
    for (let i = 0; i < padded; i++) norm2 += r[i]! * r[i]!;
    const split = Math.sqrt(norm2 / padded);
    let fit = 0;
    for (let p = 0; p < padded / 8; p++) {
      let high = 0;
      let low = 0;
      for (let b = 0; b < 8; b++) {
        const x = r[p * 8 + b]!;
        // u: 0 = -3, 1 = -1, 2 = +1, 3 = +3; branch-free (signs are random after the rotation).
        const positive = +(x >= 0);
        const big = +(x > split) | +(x < -split);
        const u = 1 - big + positive * (1 + 2 * big);
        fit += (2 * u - 3) * x;
        high |= (u >> 1) << b;
        low |= (u & 1) << b;
      }
      signs[signsAt + p * signStride] = high;
      lows[lowsAt + p * lowStride] = low;
    }
    return fit > 0 ? norm2 / fit : 0;
  }
}

/** Fast-scan tables: 16 bytes per 4 dimensions (kernel order, see fastscan-wasm.ts); value ~= scale * sum + bias. */
export interface ScanTables {
  lut: Uint8Array;
  scale: number;
  bias: number;
}

/** A query prepared for the fast-scan kernel, for each way of scanning. */
export interface QueryTables {
  /** Both planes (sign tables, then low tables): <level, Rq>. */
  full: ScanTables;
  /** The sign plane: <s, Rq>. */
  sign: ScanTables;
  /** The low plane, one vector at a time: 256 floats per byte, the sum of Rq over the byte's set bits. */
  lowTables: Float32Array;
  /** sum(Rq). */
  total: number;
}

/**
 * Builds the tables for `query` (unit, dim floats). Entries are quantised to 0..maxEntry with one scale for all
 * tables of a kind, so the kernel's integer sum maps back linearly (the rounding error is ~100x below the codes').
 */
export function queryTables(rotation: Rotation, query: Float32Array, maxEntry: (bytesPerVector: number) => number): QueryTables {
  const q = new Float64Array(rotation.padded);
  q.set(query);
  rotation.apply(q);
  const groups = rotation.padded / 4;
  const sign = new Float64Array(groups * 16);
  const low = new Float64Array(groups * 16);
  let total = 0;
  for (let t = 0; t < groups; t++) {
    for (let c = 0; c < 16; c++) {
      let s = 0;
      let l = 0;
      for (let b = 0; b < 4; b++) {
        const x = q[4 * t + b]!;
        s += (c >> b) & 1 ? x : -x;
        if ((c >> b) & 1) l += x;
      }
      sign[t * 16 + c] = s;
      low[t * 16 + c] = l;
    }
    for (let b = 0; b < 4; b++) total += q[4 * t + b]!;
  }
  const full = new Float64Array(2 * groups * 16);
  for (let i = 0; i < groups * 16; i++) {
    full[i] = 2 * sign[i]!;
    full[groups * 16 + i] = 2 * low[i]!;
  }
  const planeBytes = rotation.padded / 8;
  const fullTables = quantise(full, maxEntry(2 * planeBytes));
  fullTables.bias -= total;
  const lowTables = new Float32Array(planeBytes * 256);
  for (let p = 0; p < planeBytes; p++) {
    const table = p * 256;
    // Each entry extends the one without its lowest set bit.
    for (let byte = 1; byte < 256; byte++) {
      const lowest = 31 - Math.clz32(byte & -byte);
      lowTables[table + byte] = lowTables[table + (byte & (byte - 1))]! + q[p * 8 + lowest]!;
    }
  }
  return { full: fullTables, sign: quantise(sign, maxEntry(planeBytes)), lowTables, total };
}

function quantise(exact: Float64Array, maxEntry: number): ScanTables {
  const groups = exact.length / 16;
  const mins = new Float64Array(groups);
  let span = 0;
  let bias = 0;
  for (let t = 0; t < groups; t++) {
    let min = Infinity;
    let max = -Infinity;
    for (let c = 0; c < 16; c++) {
      min = Math.min(min, exact[t * 16 + c]!);
      max = Math.max(max, exact[t * 16 + c]!);
    }
    mins[t] = min;
    bias += min;
    span = Math.max(span, max - min);
  }
  const scale = span > 0 ? span / maxEntry : 1;
  const lut = new Uint8Array(exact.length);
  for (let i = 0; i < exact.length; i++) lut[i] = Math.round((exact[i]! - mins[i >> 4]!) / scale);
  return { lut, scale, bias };
}
