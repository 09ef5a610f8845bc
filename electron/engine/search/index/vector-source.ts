/*
 * What the index reads its vectors from (the catalog's vec0 table, through catalog/vector-chunk-reader.ts, or an
 * in-memory array in tests and benchmarks), and the part of the source's state a cache file records.
 */

export interface VectorSourceChunk {
  photoIds: number[] | BigInt64Array | Int32Array;
  /** photoIds.length * dim floats. */
  vectors: Float32Array;
}

/** What the index needs from the catalog. */
export interface VectorSource {
  dim: number;
  /** Every vector, in any order. */
  iterate(): Iterable<VectorSourceChunk>;
  /** Exact vectors by photo id (ids not found are left out). */
  fetch(photoIds: readonly number[]): Map<number, Float32Array>;
  /** How many vectors iterate() will yield, if cheap to know (presizes the index). */
  count?(): number;
  /** A fingerprint of the source's content; a cache file is trusted only while it matches. */
  stamp?(): string | undefined;
  /** Every photo id with a vector, in any order (cheaper than iterate(); used by reconcile()). */
  ids?(): Iterable<number>;
  /**
   * A position in the source's write order. since(mark) yields every vector written after mark() was taken
   * (replacements included), and possibly some older ones: an index built from an earlier state catches up with
   * it (see VectorIndex.openInBackground).
   */
  mark?(): number;
  since?(mark: number): Iterable<VectorSourceChunk>;
  /**
   * A digest per storage chunk (chunk id -> digest of the ids it holds), for a source whose chunks below mark()
   * only ever lose vectors (found through ids()). With chunks(), an outdated cache catches up by re-reading only
   * the chunks written since its mark or whose digest changed (see VectorIndex.resume).
   */
  chunkDigests?(): Map<number, string>;
  /** The valid vectors of the given chunks. */
  chunks?(chunkIds: readonly number[]): Iterable<VectorSourceChunk>;
}

/**
 * What a cache file records of its source when saved: the stamp it is valid for, and what lets it catch up once
 * outdated (the mark and chunk digests, see VectorSource). Taken before the index's content is read, never after.
 */
export interface SourceState {
  stamp: string | undefined;
  mark?: number | undefined;
  digests?: Map<number, string> | undefined;
}

/** The source's state now (see SourceState). */
export function sourceState(source: VectorSource): SourceState {
  return { stamp: source.stamp?.(), mark: source.mark?.(), digests: source.chunkDigests?.() };
}

export function checkDim(dim: number): void {
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`invalid vector dimension ${dim}`);
}

export function checkChunk(chunk: VectorSourceChunk, dim: number): void {
  if (chunk.vectors.length !== chunk.photoIds.length * dim) {
    throw new Error(`source chunk has ${chunk.vectors.length} floats for ${chunk.photoIds.length} vectors of dimension ${dim}`);
  }
}
