import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { FastScanModule } from './fastscan-wasm';
import { instantiateFastScan } from './fastscan-wasm';
import { buildInWorker } from './index-background';
import { SearchWorkers } from './search-workers';
import { Rotation, TwoBitEncoder, queryTables } from './two-bit-codes';
import type { QueryTables, ScanTables } from './two-bit-codes';
import { VectorFile } from './vector-file';

export { catalogVectorSource } from './catalog-vector-source';

/*
 * In-memory vector search over a model's vectors, built from (and kept in step with) the catalog's vec0 table.
 *
 * Per photo it holds a 2-bit code of the vector (128 bytes at 512-d, two bit planes; see two-bit-codes.ts), one
 * float factor, the photo id and a share of an id -> slot hash table: ~145 bytes. A query
 *   1. scans every code with WebAssembly SIMD kernels (fastscan-wasm.ts): one sums table lookups, one turns the
 *      sums into estimates and passes on only those above a threshold - which starts at a floor estimated from a
 *      sample of the codes (see sampleFloor), so that few are passed on from the start. The scan is bound by
 *      memory, so from SIGN_SCAN_MIN vectors it reads only the sign plane (64 bytes per photo) and refines the
 *      best few thousand with their rows of the low plane (a third kernel); below that it reads both planes in
 *      one pass. From PARALLEL_SCAN_MIN vectors a helper thread scans beside the calling one, each taking the
 *      next batch of blocks until none is left;
 *   2. re-ranks the best estimates exactly, with full-precision vectors read by offset from a float32 file beside
 *      the cache (vector-file.ts; several threads read at once, see search-workers.ts) - or, without a cache file,
 *      fetched from the source (vec0 point lookups, slow) - stopping once the remaining estimates cannot reach the
 *      k-th best exact score (see STOP_SIGMAS).
 * Scores returned are exact cosines; only the choice of candidates is approximate (recall@50 ~0.99+).
 *
 * At 1M photos (512-d, the 2-core dev box) a top-50 query costs ~20 ms of CPU, shared by two threads: ~13 the
 * sign scan (64 MB read), ~3 turning sums into estimates and keeping the best, ~3.5 the refinement, ~1.5
 * re-ranking ~600 candidates from the page cache; with the vector file evicted from the page cache, those reads
 * wait ~15-25 ms on the disk instead.
 *
 * Slots: every vector has a slot (its position in the codes and in the vector file). A removed photo's slot stays
 * empty until the next rebuild; a replaced vector is rewritten in its slot.
 */

export interface SearchHit {
  photoId: number;
  /** Cosine similarity between the query and the photo's stored vector (exact). */
  score: number;
}

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
   * it (see openInBackground).
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

export interface VectorIndexOptions {
  /**
   * Cache path. The index keeps `<file>` (a snapshot of the codes, written by save()) and `<file>.vectors` (the
   * full-precision vectors used for re-ranking, written as vectors arrive). Without it nothing touches the disk
   * and re-ranking fetches vectors from the source.
   */
  file?: string;
  /** The most candidates re-ranked exactly per query (it usually stops earlier). */
  rerank?: number;
  /** Size from which the index uses the split layout (tuning and tests; default 250k). */
  signScanMin?: number;
  /**
   * Most helper threads (each ~9 MB of V8 heap): default 1 from 64k vectors and 3 from 250k; 0 keeps every
   * search on the calling thread.
   */
  threads?: number;
}

export interface BackgroundOpenOptions extends VectorIndexOptions {
  /** The cache path: the worker writes the cache files there and this thread loads them. */
  file: string;
  /** The catalog's SQLite file, which the worker opens read-only. */
  catalogFile: string;
  /** The model whose vectors to index (its vec0 table). */
  modelId: string;
  /** A better-sqlite3 binary built for this runtime (Electron's ABI), as for Catalog.open. */
  nativeBinding?: string;
  /** Stops a build in progress (the worker is terminated) and rejects. */
  signal?: AbortSignal;
}

export interface SearchOptions {
  /** Only photos for which this returns true. */
  filter?: (photoId: number) => boolean;
  /** Only photos in this set. */
  allowed?: ReadonlySet<number>;
  /** Overrides the index's re-rank limit for this query. */
  rerank?: number;
  /** Overrides how many 1-bit estimates the scan keeps for the 2-bit refinement (tuning). */
  wide?: number;
}

const SEED = 0x5eb0c5;
/** Vectors the centre is averaged over; a smaller index re-centres as it grows past 2x its sample. */
const CENTRE_SAMPLE = 16384;
/**
 * Wasm memory: query tables, the kernel's sums, the selected (slot, estimate) pairs, scratch, then per slot (for
 * `capacity` slots): the codes, the low plane (split layout), the factors, a bitmap of allowed slots, and last the
 * refine kernel's tables and lists (split layout). They move up when the capacity grows.
 */
const LUT_AT = 0;
const QUERY_AT = 16384;
/** Per scanning thread t (0 = caller, 1 = helper): the kernel's sums and the selected pairs. */
const outAt = (t: number): number => 24576 + t * 32768;
const pickAt = (t: number): number => 90112 + t * 131072;
/** Re-rank reads, after the scan (so over the helper's pick area): slots (i32) and scores (f64). */
const SLOTS_AT = 221184;
const SCORES_AT = 253952;
/** 64 bytes per scanning thread for the select kernel. */
const scratchAt = (t: number): number => 352256 + t * 64;
const CODES_AT = 356352;
const PAGE = 65536;
/** Blocks (of 16 vectors) per kernel call: 1024 * 32 bytes of sums, up to 16384 selected pairs of 8 bytes. */
const BATCH_BLOCKS = 1024;
/**
 * Two layouts. Below SIGN_SCAN_MIN slots ("joint") a block of 16 vectors holds their sign plane then their low
 * plane, and one scan over both gives 2-bit estimates. From it ("split") the blocks hold the sign plane only and
 * the low plane is a separate row-major array: the scan reads half the bytes (it is memory-bandwidth bound), keeps
 * max(2 * rerank, WIDE_PER_ROOT * sqrt(size)) 1-bit estimates, and their 2-bit estimates come from one 64-byte
 * row each. An index switches from joint to split in memory when it grows past the threshold.
 */
const SIGN_SCAN_MIN = 250_000;
const WIDE_PER_ROOT = 12;
const MAX_WIDE = 65536;
/** The most candidates one query re-ranks. */
const MAX_RERANK = 8192;
/**
 * From this many vectors helper threads join in: one scans beside the calling thread, and re-rank reads of
 * PARALLEL_READ_MIN or more are shared by all of them (see search-workers.ts).
 */
const PARALLEL_SCAN_MIN = 65_536;
const PARALLEL_READ_MIN = 48;
/** Re-rank candidates per run a thread takes (see score()), and the time per read that means the disk. */
const READ_RUN = 4;
const SLOW_READ_MS = 0.025;
/** The scan's starting threshold (see sampleFloor): pairs of blocks sampled, and the margin over what is kept. */
const SAMPLE_PAIRS = 64;
const FLOOR_MARGIN = 3;
/**
 * Re-ranking stops at the first candidate whose estimate, corrected by the mean estimate error seen so far, is
 * more than STOP_SIGMAS standard deviations of that error below the k-th best exact score.
 */
const STOP_SIGMAS = 3.5;
/** Slots are allocated in units of 32 vectors (the kernel takes blocks in pairs). */
const SLOT_UNIT = 32;
const MAX_PHOTO_ID = 0x7fffffff;

const SNAPSHOT_MAGIC = 'SBXINDX\0';
const SNAPSHOT_VERSION = 5;

export type IndexOrigin = 'built' | 'cache' | 'resumed';

export class VectorIndex {
  readonly dim: number;
  /** How this index came to be: built from the source, loaded from the cache file, or loaded and caught up (resume). */
  origin: IndexOrigin = 'built';

  private readonly rotation: Rotation;
  private encoder: TwoBitEncoder;
  /** Bytes per vector in each bit plane. */
  private readonly planeBytes: number;
  /** The layout (see SIGN_SCAN_MIN): split keeps the low plane row-major at lowsAt(capacity). */
  private split = false;
  private readonly wasm: FastScanModule;
  private mem: Uint8Array;
  private capacity = 0;
  /** Slots in use (live or emptied); new vectors go to slot `slots`. */
  private slots = 0;
  private live = 0;
  private ids = new Int32Array(0);
  /** A view of the wasm memory at factorsAt(capacity). */
  private factors = new Float32Array(0);
  private table = new Int32Array(16);
  private centreSamples: number;
  private readonly scratch: Float32Array;
  private workers: SearchWorkers | undefined;
  /** Whether re-ranking reads have come from the disk (see score()). */
  private slowReads = false;
  private cacheStamp: string | undefined;

  private constructor(
    private readonly source: VectorSource,
    centre: Float32Array,
    centreSamples: number,
    private readonly options: VectorIndexOptions,
    private vectorFile: VectorFile | undefined,
  ) {
    this.dim = source.dim;
    this.rotation = new Rotation(source.dim, SEED);
    this.encoder = new TwoBitEncoder(this.rotation, centre);
    this.planeBytes = this.encoder.planeBytes;
    if (this.planeBytes > 256) throw new Error(`dimension ${source.dim} is too large for the search index (max 2048)`);
    this.centreSamples = centreSamples;
    this.wasm = instantiateFastScan(1);
    this.mem = new Uint8Array(this.wasm.memory.buffer);
    this.scratch = new Float32Array(source.dim);
  }

  /** Builds the index from every vector of `source` (synchronous: ~15 s per million from the catalog). */
  static build(source: VectorSource, options: VectorIndexOptions = {}): VectorIndex {
    checkDim(source.dim);
    // Before reading anything: the cache may then hold newer content than its state says, never older.
    const state = sourceState(source);
    const expected = source.count?.() ?? 0;
    if (options.file) mkdirSync(path.dirname(options.file), { recursive: true });
    const tmp = options.file ? `${options.file}.vectors.tmp` : undefined;
    const file = tmp ? VectorFile.create(tmp, source.dim) : undefined;
    try {
      let index: VectorIndex | undefined;
      const held: VectorSourceChunk[] = [];
      let heldCount = 0;
      const start = (): VectorIndex => {
        const created = new VectorIndex(source, meanOf(held, source.dim), heldCount, options, file);
        created.reserve(Math.max(expected, heldCount));
        created.maybeSplit(Math.max(expected, heldCount));
        for (const chunk of held.splice(0)) created.addChunk(chunk);
        return created;
      };
      for (const chunk of source.iterate()) {
        checkChunk(chunk, source.dim);
        if (index) {
          index.addChunk(chunk);
        } else {
          held.push(chunk);
          heldCount += chunk.photoIds.length;
          if (heldCount >= CENTRE_SAMPLE) index = start();
        }
      }
      index ??= start();
      if (options.file && file) {
        file.rename(`${options.file}.vectors`);
        index.save(state);
      }
      return index;
    } catch (error) {
      file?.close();
      if (tmp) rmSync(tmp, { force: true });
      throw error;
    }
  }

  /**
   * Loads the cache file when it matches the source (same stamp, dimension and vector file), else brings it up to
   * date (resume) or builds and writes it. Without options.file this is build().
   */
  static open(source: VectorSource, options: VectorIndexOptions = {}): VectorIndex {
    if (options.file) {
      const file = { ...options, file: options.file };
      const loaded = VectorIndex.load(source, file) ?? VectorIndex.resume(source, file);
      if (loaded) return loaded;
    }
    return VectorIndex.build(source, options);
  }

  /**
   * open() without blocking this thread for the build: a matching cache file is loaded here (~0.15 s per million),
   * else a worker thread opens the catalog file read-only, builds the index and writes the cache files, and this
   * thread loads them. Changes to the vectors committed meanwhile are then caught up with (see VectorSource.since),
   * so the index reflects the catalog as of when the promise resolves; later changes go to add()/remove() as usual.
   * `source` (the catalog's, on this thread) serves stamps, reconcile() and re-ranking without a vector file.
   * Rejects for a source without a stamp (not sqlite-vec 0.1's layout): use open() there.
   */
  static async openInBackground(source: VectorSource, options: BackgroundOpenOptions): Promise<VectorIndex> {
    const { catalogFile, modelId, nativeBinding, signal, ...indexOptions } = options;
    checkDim(source.dim);
    const before = source.stamp?.();
    if (before === undefined) throw new Error('this vector source cannot be indexed in the background (it has no stamp); use VectorIndex.open');
    const cached = VectorIndex.readCache(source, indexOptions, (stamp) => stamp === before);
    if (cached) return cached;
    const built = await buildInWorker({ catalogFile, modelId, nativeBinding, file: indexOptions.file, signScanMin: indexOptions.signScanMin }, signal);
    // Synchronous from here on, so no change committed on this thread can fall between the catch-up and the caller.
    const now = source.stamp?.();
    const index = VectorIndex.readCache(source, indexOptions, (stamp) => stamp === built.stamp || stamp === now);
    if (!index) throw new Error(`the index built in the background (${indexOptions.file}) could not be loaded`);
    index.origin = built.origin;
    if (now !== index.cacheStamp) {
      index.catchUp(built.mark);
      if (now !== undefined) index.save();
    }
    return index;
  }

  /** The cached index if it is valid for `source` now, else undefined. */
  static load(source: VectorSource, options: VectorIndexOptions & { file: string }): VectorIndex | undefined {
    checkDim(source.dim);
    if (!existsSync(options.file)) return undefined;
    const stamp = source.stamp?.();
    if (stamp === undefined) return undefined;
    return VectorIndex.readCache(source, options, (saved) => saved === stamp);
  }

  /**
   * An outdated cache file brought up to date, rather than a build from scratch (~1 s instead of ~2 min at a
   * million photos, e.g. after the app was killed before it saved, or after the CLI indexed photos): the file is
   * loaded whatever its stamp, the photos the source no longer has are removed, and only the chunks written since
   * the file's mark or whose digests differ are read again (see SourceState), then it is saved. Undefined - build instead - when the file or the source cannot do this, when the source's newest chunk
   * is older than the file's (a table recreated, a catalog restored), or when most chunks changed anyway.
   */
  static resume(source: VectorSource, options: VectorIndexOptions & { file: string }): VectorIndex | undefined {
    checkDim(source.dim);
    if (!source.chunkDigests || !source.chunks || !source.ids || !source.mark) return undefined;
    const now = sourceState(source);
    let saved: SourceState | undefined;
    const index = VectorIndex.readCache(source, options, () => true, (state) => (saved = state));
    if (!index) return undefined;
    const before = saved;
    const dirty = now.digests && before?.digests && before.mark !== undefined && now.mark !== undefined && now.mark >= before.mark
      ? [...now.digests].filter(([chunk, digest]) => chunk >= before.mark! || before.digests!.get(chunk) !== digest).map(([chunk]) => chunk)
      : undefined;
    if (!dirty || dirty.length > now.digests!.size / 2) {
      index.close();
      return undefined;
    }
    const present = Int32Array.from(source.ids()).sort();
    for (let s = 0; s < index.slots; s++) {
      const id = index.ids[s]!;
      if (id >= 0 && !sortedHas(present, id)) index.remove(id);
    }
    for (const chunk of source.chunks(dirty)) {
      checkChunk(chunk, index.dim);
      index.addChunk(chunk);
    }
    index.origin = 'resumed';
    index.save(now);
    return index;
  }

  /** The cache file's index if `accept` takes its stamp (and the vector file matches it), else undefined. */
  private static readCache(
    source: VectorSource,
    options: VectorIndexOptions & { file: string },
    accept: (stamp: string) => boolean,
    onSaved?: (saved: SourceState) => void,
  ): VectorIndex | undefined {
    if (!existsSync(options.file)) return undefined;
    const fd = openSync(options.file, 'r');
    let vectorFile: VectorFile | undefined;
    try {
      const fixed = Buffer.alloc(48);
      if (readSync(fd, fixed, 0, 48, 0) !== 48 || fixed.toString('latin1', 0, 8) !== SNAPSHOT_MAGIC) return undefined;
      if (fixed.readUInt32LE(8) !== SNAPSHOT_VERSION || fixed.readUInt32LE(12) !== source.dim || fixed.readUInt32LE(16) !== SEED) return undefined;
      const slots = fixed.readUInt32LE(20);
      const live = fixed.readUInt32LE(24);
      const centreSamples = fixed.readUInt32LE(28);
      const buildId = fixed.toString('hex', 32, 40);
      const stampBytes = fixed.readUInt32LE(40);
      const split = fixed.readUInt32LE(44) === 1;
      const headerBytes = align8(48 + stampBytes);
      const header = Buffer.alloc(headerBytes + source.dim * 4);
      if (readSync(fd, header, 0, header.length, 0) !== header.length) return undefined;
      const stamp = header.toString('utf8', 48, 48 + stampBytes);
      if (!accept(stamp)) return undefined;
      vectorFile = VectorFile.open(`${options.file}.vectors`, source.dim);
      if (!vectorFile || vectorFile.buildId !== buildId || vectorFile.records() < slots) return undefined;
      const centre = new Float32Array(source.dim);
      new Uint8Array(centre.buffer).set(header.subarray(headerBytes, headerBytes + source.dim * 4));

      const index = new VectorIndex(source, centre, centreSamples, options, vectorFile);
      index.split = split;
      index.reserve(slots);
      let at = header.length;
      const readInto = (target: Uint8Array): boolean => {
        let done = 0;
        while (done < target.length) {
          const got = readSync(fd, target, done, target.length - done, at + done);
          if (got <= 0) return false;
          done += got;
        }
        at += target.length;
        return true;
      };
      const blocks = roundUp(slots, SLOT_UNIT) / 16;
      const ok =
        readInto(new Uint8Array(index.ids.buffer, 0, slots * 4)) &&
        readInto(new Uint8Array(index.factors.buffer, index.factors.byteOffset, slots * 4)) &&
        readInto(index.mem.subarray(CODES_AT, CODES_AT + blocks * index.blockBytes)) &&
        (!split || readInto(index.mem.subarray(index.lowsAt(index.capacity), index.lowsAt(index.capacity) + slots * index.planeBytes)));
      if (!ok) return undefined;
      if (onSaved) {
        const length = Buffer.alloc(4);
        const text = readInto(length) ? Buffer.alloc(length.readUInt32LE(0)) : undefined;
        if (!text || !readInto(text)) return undefined;
        onSaved(parseTrailer(text.toString('utf8'), stamp));
      }
      index.slots = slots;
      let counted = 0;
      for (let s = 0; s < slots; s++) {
        const id = index.ids[s]!;
        if (id < 0) {
          index.factors[s] = NaN;
          continue;
        }
        index.tableInsert(id, s);
        counted++;
      }
      if (counted !== live) return undefined;
      index.live = live;
      index.maybeSplit(slots);
      index.origin = 'cache';
      index.cacheStamp = stamp;
      vectorFile = undefined; // owned by the index now
      return index;
    } finally {
      closeSync(fd);
      vectorFile?.close();
    }
  }

  /** Live vectors. */
  get size(): number {
    return this.live;
  }

  /** The source stamp the cache file was last saved with or loaded at (undefined: never saved). */
  get stamp(): string | undefined {
    return this.cacheStamp;
  }

  /**
   * Resident bytes of the search structures (wasm memory with codes and factors, ids, hash table, low plane).
   * Helper threads add ~9 MB each of V8 heap on top (see VectorIndexOptions.threads); not counted here.
   */
  memoryBytes(): number {
    return (
      this.wasm.memory.buffer.byteLength +
      this.ids.byteLength +
      (this.workers?.bufferBytes ?? 0) +
      this.table.byteLength +
      this.encoder.centre.byteLength +
      this.rotation.padded * 4 * 3
    );
  }

  /** Whether the index holds a vector for `photoId`. */
  has(photoId: number): boolean {
    return Number.isInteger(photoId) && photoId >= 0 && photoId <= MAX_PHOTO_ID && this.tableFind(photoId) >= 0;
  }

  /**
   * The stored vectors (unit length) of those of `photoIds` the index holds, for work on a page of results such as
   * grouping near-duplicates or MMR. They are read from the vector file in slot order, consecutive slots in one
   * read (~3 us per vector from the page cache); without a cache file they are fetched from the source.
   */
  vectors(photoIds: readonly number[]): Map<number, Float32Array> {
    const { dim } = this;
    const found: { id: number; slot: number }[] = [];
    const seen = new Set<number>();
    for (const id of photoIds) {
      if (seen.has(id) || !this.has(id)) continue;
      seen.add(id);
      found.push({ id, slot: this.tableFind(id) });
    }
    const out = new Map<number, Float32Array>();
    if (!this.vectorFile) {
      for (const [id, vector] of this.source.fetch(found.map((f) => f.id))) {
        if (vector.length === dim) out.set(id, unit(vector));
      }
      return out;
    }
    found.sort((a, b) => a.slot - b.slot);
    const all = new Float32Array(found.length * dim);
    for (let run = 0, i = 1; i <= found.length; i++) {
      if (i < found.length && found[i]!.slot === found[i - 1]!.slot + 1) continue;
      this.vectorFile.readRun(found[run]!.slot, i - run, all.subarray(run * dim, i * dim));
      run = i;
    }
    found.forEach(({ id }, i) => out.set(id, all.subarray(i * dim, (i + 1) * dim)));
    return out;
  }

  /** The best `k` photos for `query` by cosine similarity, best first. */
  search(query: Float32Array, k: number, options: SearchOptions = {}): SearchHit[] {
    if (query.length !== this.dim) throw new Error(`query has ${query.length} dimensions; the index has ${this.dim}`);
    if (!Number.isInteger(k) || k < 0) throw new Error('k must be a non-negative integer');
    const q = unit(query);
    if (k === 0 || this.live === 0) return [];
    const rerank = Math.min(MAX_RERANK, Math.max(k, options.rerank ?? this.options.rerank ?? defaultRerank(this.live, k)));
    const { allowed, filter } = options;

    // A small allowed set (a folder, a date range) is cheaper to estimate directly than to scan for.
    if (allowed && allowed.size <= Math.max(rerank, this.slots / 64)) {
      const slots: number[] = [];
      for (const id of allowed) {
        const slot = Number.isInteger(id) && id >= 0 && id <= MAX_PHOTO_ID ? this.tableFind(id) : -1;
        if (slot >= 0 && (!filter || filter(id))) slots.push(slot);
      }
      return this.exact(q, this.estimate(q, slots, rerank), k);
    }
    return this.exact(q, this.candidates(q, rerank, allowed, filter, options.wide), k);
  }

  /** Adds or replaces the vector of `photoId` (normalised to unit length, as the catalog stores it). */
  add(photoId: number, vector: Float32Array): void {
    checkPhotoId(photoId);
    if (vector.length !== this.dim) throw new Error(`vector has ${vector.length} dimensions; the index has ${this.dim}`);
    this.addChunk({ photoIds: [photoId], vectors: vector });
    if (this.centreSamples < CENTRE_SAMPLE && this.live >= 2 * Math.max(this.centreSamples, 512)) this.recentre();
  }

  /** Removes the vector of `photoId`; false if the index had none. */
  remove(photoId: number): boolean {
    if (!Number.isInteger(photoId) || photoId < 0 || photoId > MAX_PHOTO_ID) return false;
    const slot = this.tableFind(photoId);
    if (slot < 0) return false;
    this.tableDelete(photoId);
    this.ids[slot] = -1;
    this.factors[slot] = NaN;
    this.live--;
    return true;
  }

  /**
   * Brings the index back in line with the source after changes it was not told about - photos deleted by a
   * folder removal's cascade, vectors written by another process: removes ids the source no longer has and adds
   * the ones it lacks (their vectors fetched by id). A vector replaced behind its back is not detected (same id):
   * pass replacements to add(). About 0.1 s per million photos plus the fetches.
   */
  reconcile(): { added: number; removed: number } {
    const listed = this.source.ids ? Array.from(this.source.ids()) : this.allSourceIds();
    const present = Int32Array.from(listed).sort();
    let removed = 0;
    for (let s = 0; s < this.slots; s++) {
      const id = this.ids[s]!;
      if (id >= 0 && !sortedHas(present, id)) removed += this.remove(id) ? 1 : 0;
    }
    const missing = listed.filter((id) => !this.has(id));
    let added = 0;
    for (let i = 0; i < missing.length; i += 1024) {
      const vectors = this.source.fetch(missing.slice(i, i + 1024));
      for (const [id, vector] of vectors) {
        this.add(id, vector);
        added++;
      }
    }
    return { added, removed };
  }

  /**
   * After loading a snapshot of the source taken at `mark` (see VectorSource.mark): removes what the source no
   * longer has, and re-adds every vector written since (new ones and replacements alike). Without marks, reconcile().
   */
  private catchUp(mark: number | undefined): void {
    if (mark === undefined || !this.source.since) {
      this.reconcile();
      return;
    }
    const present = Int32Array.from(this.source.ids ? this.source.ids() : this.allSourceIds()).sort();
    for (let s = 0; s < this.slots; s++) {
      const id = this.ids[s]!;
      if (id >= 0 && !sortedHas(present, id)) this.remove(id);
    }
    for (const chunk of this.source.since(mark)) {
      checkChunk(chunk, this.dim);
      this.addChunk(chunk);
    }
  }

  private allSourceIds(): number[] {
    const ids: number[] = [];
    for (const chunk of this.source.iterate()) for (const id of chunk.photoIds) ids.push(Number(id));
    return ids;
  }

  /**
   * Writes the codes snapshot to the cache file (atomically: temp file + rename), stamped with the source's
   * current stamp. Call it when the index reflects the catalog (every change since the last save was passed to
   * add/remove); a later open() trusts the file only while the catalog's stamp still matches.
   */
  save(state: SourceState = sourceState(this.source)): void {
    const file = this.options.file;
    if (!file || !this.vectorFile) throw new Error('this index has no cache file');
    const { stamp } = state;
    const stampText = Buffer.from(stamp ?? '', 'utf8');
    const headerBytes = align8(48 + stampText.length);
    const header = Buffer.alloc(headerBytes);
    header.write(SNAPSHOT_MAGIC, 0, 'latin1');
    header.writeUInt32LE(SNAPSHOT_VERSION, 8);
    header.writeUInt32LE(this.dim, 12);
    header.writeUInt32LE(SEED, 16);
    header.writeUInt32LE(this.slots, 20);
    header.writeUInt32LE(this.live, 24);
    header.writeUInt32LE(Math.min(this.centreSamples, 0xffffffff), 28);
    header.write(this.vectorFile.buildId, 32, 'hex');
    header.writeUInt32LE(stampText.length, 40);
    header.writeUInt32LE(this.split ? 1 : 0, 44);
    stampText.copy(header, 48);
    const blocks = roundUp(this.slots, SLOT_UNIT) / 16;
    const parts = [
      header,
      new Uint8Array(this.encoder.centre.buffer, this.encoder.centre.byteOffset, this.dim * 4),
      new Uint8Array(this.ids.buffer, 0, this.slots * 4),
      new Uint8Array(this.factors.buffer, this.factors.byteOffset, this.slots * 4),
      this.mem.subarray(CODES_AT, CODES_AT + blocks * this.blockBytes),
      this.mem.subarray(this.lowsAt(this.capacity), this.lowsAt(this.capacity) + (this.split ? this.slots * this.planeBytes : 0)),
      trailer(state),
    ];
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      let at = 0;
      for (const part of parts) {
        let done = 0;
        while (done < part.length) done += writeSync(fd, part, done, part.length - done, at + done);
        at += part.length;
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    this.cacheStamp = stamp;
  }

  /** Closes the vector file. The index must not be used afterwards. */
  close(): void {
    this.workers?.close();
    this.workers = undefined;
    this.vectorFile?.close();
    this.vectorFile = undefined;
  }

  // ---- candidates ------------------------------------------------------------------------------------------------

  /** The `count` best 2-bit estimates among accepted photos (see SIGN_SCAN_MIN for the two layouts). */
  private candidates(
    q: Float32Array,
    count: number,
    allowed: ReadonlySet<number> | undefined,
    accept: ((id: number) => boolean) | undefined,
    wide?: number,
  ): Candidates {
    const tables = queryTables(this.rotation, q, maxEntry);
    const factorsAt = this.factorsAt(this.capacity);
    const usedBlocks = roundUp(this.slots, SLOT_UNIT) / 16;
    const { ids } = this;
    const scan = this.split ? tables.sign : tables.full;
    const best = this.split
      ? new Survivors(Math.min(this.slots, MAX_WIDE, wide ?? Math.max(2 * count, Math.ceil(WIDE_PER_ROOT * Math.sqrt(this.slots)))))
      : new TopK(count);
    const keep = best instanceof Survivors ? best.keep : count;
    this.mem.set(scan.lut, LUT_AT);
    // An allowed set becomes a bitmap the kernel checks, so every thread can filter by it.
    const allowedAt = allowed ? this.allowedAt(this.capacity) : 0;
    if (allowed) {
      this.mem.fill(0, allowedAt, allowedAt + this.capacity / 8);
      for (const id of allowed) {
        const slot = Number.isInteger(id) && id >= 0 && id <= MAX_PHOTO_ID ? this.tableFind(id) : -1;
        if (slot >= 0) this.mem[allowedAt + (slot >> 3)]! |= 1 << (slot & 7);
      }
    }
    const scanned = this.split ? this.planeBytes : 2 * this.planeBytes;
    const { floor, acceptance } = this.sampleFloor(scan, keep, allowedAt, accept);
    const picks = new Int32Array(this.wasm.memory.buffer, pickAt(0), BATCH_BLOCKS * 32);
    const estimates = new Float32Array(this.wasm.memory.buffer, pickAt(0), BATCH_BLOCKS * 32);
    // A helper scans beside this thread. It cannot call a filter function (that lives here), so it keeps more
    // estimates, as many more as the filter rejects in the sample, and they are filtered here; a filter that
    // rejects most photos leaves the scan to this thread.
    const helper = acceptance >= 0.5 && this.slots >= PARALLEL_SCAN_MIN ? this.helpers() : undefined;
    if (helper) {
      helper.startScan({
        codesAt: CODES_AT,
        firstBlock: 0,
        blocks: usedBlocks,
        lutAt: LUT_AT,
        outAt: outAt(1),
        pickAt: pickAt(1),
        factorsAt,
        scanned,
        blockBytes: this.blockBytes,
        scale: scan.scale,
        bias: scan.bias,
        keep: Math.min(helper.scanPairs, Math.ceil(keep / acceptance)),
        batch: BATCH_BLOCKS,
        allowedAt,
        threshold: floor,
        scratchAt: scratchAt(1),
      });
    }
    let batch = 0;
    for (;;) {
      const b0 = (helper ? helper.claimScan() : batch++) * BATCH_BLOCKS;
      if (b0 >= usedBlocks) break;
      const blocks = Math.min(BATCH_BLOCKS, usedBlocks - b0);
      this.wasm.scan(CODES_AT + b0 * this.blockBytes, blocks, LUT_AT, outAt(0), scanned, this.blockBytes);
      // Only estimates above the threshold come back (Math.fround: the kernel compares in float32).
      const threshold = Math.max(best.threshold, floor);
      const picked = this.wasm.select(outAt(0), factorsAt, blocks * 16, b0 * 16, scan.scale, scan.bias, Math.fround(threshold), pickAt(0), allowedAt, scratchAt(0));
      for (let i = 0; i < picked; i++) {
        const slot = picks[2 * i]!;
        const estimate = estimates[2 * i + 1]!;
        if (estimate <= best.threshold || (accept && !accept(ids[slot]!))) continue;
        best.add(estimate, slot);
      }
    }
    if (helper) {
      const theirs = helper.scanResults(helper.finish(0));
      for (let i = 0; i < theirs.slots.length / 2; i++) {
        const estimate = theirs.estimates[2 * i + 1]!;
        const slot = theirs.slots[2 * i]!;
        if (estimate > best.threshold && (!accept || accept(ids[slot]!))) best.add(estimate, slot);
      }
    }
    if (best instanceof TopK) return best.sorted();
    const kept = best.finish();
    return this.refine(best.items, best.values, kept, tables, count);
  }

  /**
   * A floor for the scan's threshold: the estimate ~FLOOR_MARGIN times `keep` accepted photos are expected to
   * beat, from the estimates of SAMPLE_PAIRS pairs of blocks spread over the index (-Infinity where the sample
   * cannot tell). Without it the threshold only rises as the scan finds better estimates, and the early part of the
   * scan passes most of its estimates on to be sorted out. Also the share of sampled photos the filter accepts.
   */
  private sampleFloor(scan: ScanTables, keep: number, allowedAt: number, accept: ((id: number) => boolean) | undefined): { floor: number; acceptance: number } {
    const pairs = roundUp(this.slots, SLOT_UNIT) / 32;
    const samples = Math.min(SAMPLE_PAIRS, pairs);
    const factorsAt = this.factorsAt(this.capacity);
    const scanned = this.split ? this.planeBytes : 2 * this.planeBytes;
    const picks = new Int32Array(this.wasm.memory.buffer, pickAt(0), 64);
    const estimates = new Float32Array(this.wasm.memory.buffer, pickAt(0), 64);
    const found: number[] = [];
    let live = 0;
    let passed = 0;
    for (let j = 0; j < samples; j++) {
      const pair = Math.floor((j * pairs) / samples);
      this.wasm.scan(CODES_AT + pair * 2 * this.blockBytes, 2, LUT_AT, outAt(0), scanned, this.blockBytes);
      const picked = this.wasm.select(outAt(0), factorsAt, 32, pair * 32, scan.scale, scan.bias, -Infinity, pickAt(0), allowedAt, scratchAt(0));
      for (let s = pair * 32; s < pair * 32 + 32; s++) live += this.ids[s]! >= 0 ? 1 : 0;
      passed += picked;
      for (let i = 0; i < picked; i++) if (!accept || accept(this.ids[picks[2 * i]!]!)) found.push(estimates[2 * i + 1]!);
    }
    const acceptance = accept ? (passed > 0 ? found.length / passed : 0) : 1;
    // The rank, among the accepted samples, that FLOOR_MARGIN * keep accepted photos of the whole index beat.
    const rank = Math.ceil((FLOOR_MARGIN * keep * live) / Math.max(1, this.live));
    if (rank < 8 || rank >= found.length) return { floor: -Infinity, acceptance };
    return { floor: kthLargest(Float32Array.from(found), rank), acceptance };
  }

  /** The `count` best 2-bit estimates among `slots`, scanning only their pairs of blocks. */
  private estimate(q: Float32Array, slots: number[], count: number): Candidates {
    const tables = queryTables(this.rotation, q, maxEntry);
    const scan = this.split ? tables.sign : tables.full;
    this.mem.set(scan.lut, LUT_AT);
    const sorted = Int32Array.from(slots).sort();
    const sums = new Uint16Array(this.wasm.memory.buffer, outAt(0), 32);
    const scanned = this.split ? this.planeBytes : 2 * this.planeBytes;
    const estimates = new Float32Array(sorted.length);
    let pair = -1;
    sorted.forEach((slot, i) => {
      if (slot >> 5 !== pair) {
        pair = slot >> 5;
        this.wasm.scan(CODES_AT + pair * 2 * this.blockBytes, 2, LUT_AT, outAt(0), scanned, this.blockBytes);
      }
      estimates[i] = this.factors[slot]! * (scan.scale * sums[laneOf(slot)]! + scan.bias);
    });
    if (this.split) return this.refine(sorted, estimates, sorted.length, tables, count);
    const top = new TopK(count);
    sorted.forEach((slot, i) => {
      if (estimates[i]! > top.threshold) top.add(estimates[i]!, slot);
    });
    return top.sorted();
  }

  /**
   * The `count` best 2-bit estimates of slots[0..n) given their 1-bit estimates (split layout):
   * factor * (2<s,q> + 2<l,q> - sum q), where factor * <s,q> is the 1-bit estimate and <l,q> comes from the
   * slot's row of the low plane (summed by the refine kernel).
   */
  private refine(slots: Int32Array, signEstimates: Float32Array, n: number, tables: QueryTables, count: number): Candidates {
    const { lowTables, total } = tables;
    const at = this.refineAt(this.capacity);
    const slotsAt = at + lowTables.byteLength;
    const sumsAt = slotsAt + MAX_WIDE * 4;
    new Float32Array(this.wasm.memory.buffer, at, lowTables.length).set(lowTables);
    new Int32Array(this.wasm.memory.buffer, slotsAt, n).set(slots.subarray(0, n));
    this.wasm.refine(this.lowsAt(this.capacity), this.planeBytes, slotsAt, n, at, sumsAt);
    const lows = new Float32Array(this.wasm.memory.buffer, sumsAt, n);
    const refined = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const factor = this.factors[slots[i]!]!;
      refined[i] = factor > 0 ? 2 * signEstimates[i]! + factor * (2 * lows[i]! - total) : 0;
    }
    return largest(refined, slots, n, count);
  }

  /**
   * The helper threads for this size (undefined: none), started on first use: 1 from PARALLEL_SCAN_MIN vectors
   * (it scans beside this thread) and 3 from SIGN_SCAN_MIN, or 3 at any size once re-ranking has been seen to read
   * from the disk rather than the page cache (see score()): reads in flight at once are what helps then.
   */
  private helpers(): SearchWorkers | undefined {
    const cap = this.options.threads ?? 3;
    const forScan = this.slots < PARALLEL_SCAN_MIN ? 0 : this.split ? 3 : 1;
    const wanted = Math.min(cap, Math.max(forScan, this.slowReads ? 3 : 0));
    const scanPairs = this.split ? MAX_WIDE : MAX_RERANK;
    if (this.workers && (this.workers.size > wanted || this.workers.scanPairs !== scanPairs)) {
      this.workers.close();
      this.workers = undefined;
    }
    if (wanted > 0) {
      this.workers ??= new SearchWorkers(this.wasm.memory, wanted, this.vectorFile?.path, this.dim, scanPairs);
      // A helper still starting takes no part: its job is taken back (see SearchWorkers.finish).
      this.workers.grow(wanted);
    }
    return this.workers;
  }

  /**
   * Exact cosines for the candidates, best estimates first, in two rounds: the first 2k (at least 200), then - from
   * the error between estimates and exact scores seen in round one - only those that could still beat the k-th
   * best (see STOP_SIGMAS).
   */
  private exact(q: Float32Array, candidates: Candidates, k: number): SearchHit[] {
    const { slots, estimates } = candidates;
    const first = Math.min(slots.length, Math.max(2 * k, 200));
    const scores = new Float64Array(slots.length).fill(NaN);
    this.score(q, slots, 0, first, scores);
    let end = first;
    if (first < slots.length) {
      let sum = 0;
      let sum2 = 0;
      let seen = 0;
      const best: number[] = [];
      for (let i = 0; i < first; i++) {
        if (Number.isNaN(scores[i]!)) continue;
        const error = scores[i]! - estimates[i]!;
        sum += error;
        sum2 += error * error;
        seen++;
        best.push(scores[i]!);
      }
      best.sort((a, b) => b - a);
      const kth = best.length >= k ? best[k - 1]! : -Infinity;
      const mean = seen > 0 ? sum / seen : 0;
      const spread = seen > 1 ? Math.sqrt(Math.max(0, sum2 / seen - mean * mean)) : Infinity;
      while (end < slots.length && estimates[end]! + mean + STOP_SIGMAS * spread >= kth) end++;
      this.score(q, slots, first, end, scores);
    }
    const hits: SearchHit[] = [];
    for (let i = 0; i < end; i++) if (!Number.isNaN(scores[i]!)) hits.push({ photoId: this.ids[slots[i]!]!, score: scores[i]! });
    hits.sort((a, b) => b.score - a.score || a.photoId - b.photoId);
    return hits.slice(0, k);
  }

  /** scores[i] = cosine(q, vector of slots[i]) for i in [from, to); NaN where the source no longer has it. */
  private score(q: Float32Array, slots: number[], from: number, to: number, scores: Float64Array): void {
    if (to <= from) return;
    if (!this.vectorFile) {
      const ids = slots.slice(from, to).map((s) => this.ids[s]!);
      const vectors = this.source.fetch(ids);
      ids.forEach((id, i) => {
        const v = vectors.get(id);
        if (v) scores[from + i] = dot(q, v) / norm(v);
      });
      return;
    }
    // Ascending file offsets. With helpers every thread takes the next run of READ_RUN candidates until none is
    // left, so a thread stuck on a slow read (a page not in the cache) holds up only its run.
    const order = Array.from({ length: to - from }, (_, i) => from + i).sort((a, b) => slots[a]! - slots[b]!);
    const count = order.length;
    const helpers = count >= PARALLEL_READ_MIN ? this.helpers() : undefined;
    const v = this.scratch;
    const started = performance.now();
    let mine = 0;
    const noteSpeed = (): void => {
      // From the page cache a read takes 2-5 us, from the disk ~100: then more threads should read at once.
      if (mine >= 16 && (performance.now() - started) / mine > SLOW_READ_MS) this.slowReads = true;
    };
    if (!helpers) {
      for (const i of order) {
        this.vectorFile.read(slots[i]!, v);
        scores[i] = dot(q, v);
      }
      mine = count;
      noteSpeed();
      return;
    }
    new Int32Array(this.wasm.memory.buffer, SLOTS_AT, count).set(order.map((i) => slots[i]!));
    new Float32Array(this.wasm.memory.buffer, QUERY_AT, this.dim).set(q);
    const shared = new Float64Array(this.wasm.memory.buffer, SCORES_AT, count);
    helpers.startRead({ slotsAt: SLOTS_AT, count, queryAt: QUERY_AT, scoresAt: SCORES_AT, run: READ_RUN });
    for (;;) {
      const first = helpers.claimRead() * READ_RUN;
      if (first >= count) break;
      for (let j = first; j < Math.min(first + READ_RUN, count); j++) {
        this.vectorFile.read(slots[order[j]!]!, v);
        shared[j] = dot(q, v);
        mine++;
      }
    }
    noteSpeed();
    for (let h = 0; h < helpers.size; h++) helpers.finish(h);
    for (let j = 0; j < count; j++) scores[order[j]!] = shared[j]!;
  }

  // ---- storage ---------------------------------------------------------------------------------------------------

  private addChunk(chunk: VectorSourceChunk): void {
    const { dim } = this;
    const count = chunk.photoIds.length;
    const units = new Float32Array(count * dim);
    const slots = new Int32Array(count);
    this.reserve(this.slots + count);
    this.maybeSplit(this.slots + count);
    for (let i = 0; i < count; i++) {
      const id = Number(chunk.photoIds[i]);
      checkPhotoId(id);
      unitInto(chunk.vectors, i * dim, dim, units, i * dim);
      let slot = this.tableFind(id);
      if (slot < 0) {
        slot = this.slots++;
        this.tableInsert(id, slot);
        this.live++;
      }
      slots[i] = slot;
      this.ids[slot] = id;
      this.factors[slot] = this.encodeAt(units, i * dim, slot);
    }
    if (this.vectorFile) {
      // Consecutive slots go to the file in one write.
      let run = 0;
      for (let i = 1; i <= count; i++) {
        if (i < count && slots[i] === slots[i - 1]! + 1) continue;
        this.vectorFile.write(slots[run]!, units.subarray(run * dim, i * dim));
        run = i;
      }
    }
  }

  private encodeAt(vectors: Float32Array, offset: number, slot: number): number {
    const at = CODES_AT + (slot >> 4) * this.blockBytes + (slot & 15);
    return this.split
      ? this.encoder.encode(vectors, offset, this.mem, at, 16, this.mem, this.lowsAt(this.capacity) + slot * this.planeBytes, 1)
      : this.encoder.encode(vectors, offset, this.mem, at, 16, this.mem, at + 16 * this.planeBytes, 16);
  }

  /** Bytes of a block of 16 vectors in the wasm memory. */
  private get blockBytes(): number {
    return (this.split ? 16 : 32) * this.planeBytes;
  }

  /** Where the low plane starts (split layout: planeBytes per slot, row-major), after the codes. */
  private lowsAt(capacity: number): number {
    return CODES_AT + (capacity / 16) * this.blockBytes;
  }

  private factorsAt(capacity: number): number {
    return this.lowsAt(capacity) + (this.split ? capacity * this.planeBytes : 0);
  }

  /** A scratch bitmap of allowed slots (one bit per slot), after the factors. */
  private allowedAt(capacity: number): number {
    return this.factorsAt(capacity) + capacity * 4;
  }

  /** The refine kernel's tables (1 KiB per byte of a plane), then its slots and results (split layout). */
  private refineAt(capacity: number): number {
    return roundUp(this.allowedAt(capacity) + capacity / 8, 16);
  }

  private memoryEnd(capacity: number): number {
    return this.refineAt(capacity) + (this.split ? this.planeBytes * 1024 + MAX_WIDE * 8 : 0);
  }

  /** Grows the wasm memory to hold `bytes` (the views are renewed by the caller). */
  private growTo(bytes: number): void {
    const needPages = Math.ceil(bytes / PAGE);
    const havePages = this.wasm.memory.buffer.byteLength / PAGE;
    if (needPages > havePages) this.wasm.memory.grow(needPages - havePages);
    this.mem = new Uint8Array(this.wasm.memory.buffer);
  }

  /** Grows every per-slot structure to hold `slots` slots. */
  private reserve(slots: number): void {
    if (slots <= this.capacity) return;
    const old = this.capacity;
    const capacity = roundUp(Math.max(slots, old > 0 ? Math.ceil(old * 1.125) : 0), SLOT_UNIT);
    this.growTo(this.memoryEnd(capacity));
    // The regions move up past the larger ones below them, the highest first (copyWithin handles the overlap).
    this.mem.copyWithin(this.factorsAt(capacity), this.factorsAt(old), this.factorsAt(old) + old * 4);
    if (this.split) this.mem.copyWithin(this.lowsAt(capacity), this.lowsAt(old), this.lowsAt(old) + old * this.planeBytes);
    this.factors = new Float32Array(this.wasm.memory.buffer, this.factorsAt(capacity), capacity);
    this.factors.fill(NaN, old);
    const ids = new Int32Array(capacity).fill(-1);
    ids.set(this.ids);
    this.ids = ids;
    this.capacity = capacity;
    // Hash table at most ~77% full (capacity * 1.3 entries of 4 bytes: ~5 bytes per photo).
    const size = Math.max(16, Math.ceil(capacity * 1.3));
    if (size > this.table.length) {
      this.table = new Int32Array(size);
      for (let s = 0; s < this.slots; s++) if (this.ids[s]! >= 0) this.tableInsert(this.ids[s]!, s);
    }
  }

  /**
   * Switches to the split layout once `slots` reaches the threshold (see SIGN_SCAN_MIN): the low planes move out
   * of the blocks into a row-major array after them, and the sign planes close up. The codes take as many bytes
   * as before, so the factors stay where they are.
   */
  private maybeSplit(slots: number): void {
    if (this.split || slots < (this.options.signScanMin ?? SIGN_SCAN_MIN)) return;
    const { planeBytes, capacity } = this;
    const joint = 32 * planeBytes;
    const lows = new Uint8Array(capacity * planeBytes);
    for (let s = 0; s < this.slots; s++) {
      const at = CODES_AT + (s >> 4) * joint + planeBytes * 16 + (s & 15);
      for (let p = 0; p < planeBytes; p++) lows[s * planeBytes + p] = this.mem[at + p * 16]!;
    }
    this.split = true;
    this.growTo(this.memoryEnd(capacity));
    for (let b = 0; b < capacity / 16; b++) {
      this.mem.copyWithin(CODES_AT + b * 16 * planeBytes, CODES_AT + b * joint, CODES_AT + b * joint + 16 * planeBytes);
    }
    this.mem.set(lows, this.lowsAt(capacity));
    this.factors = new Float32Array(this.wasm.memory.buffer, this.factorsAt(capacity), capacity);
  }

  /** Re-centres on the vectors held now (a library that grew from a handful of photos). */
  private recentre(): void {
    if (!this.vectorFile) {
      this.centreSamples = Number.POSITIVE_INFINITY;
      return;
    }
    const { dim } = this;
    const v = this.scratch;
    const centre = new Float64Array(dim);
    for (let s = 0; s < this.slots; s++) {
      if (this.ids[s]! < 0) continue;
      this.vectorFile.read(s, v);
      for (let i = 0; i < dim; i++) centre[i]! += v[i]!;
    }
    this.encoder = new TwoBitEncoder(this.rotation, Float32Array.from(centre, (x) => x / this.live));
    for (let s = 0; s < this.slots; s++) {
      if (this.ids[s]! < 0) continue;
      this.vectorFile.read(s, v);
      this.factors[s] = this.encodeAt(v, 0, s);
    }
    this.centreSamples = this.live;
  }

  // ---- id -> slot: open addressing with linear probing, entries are slot + 1 (0 = empty) ----------------------

  /** Fibonacci hashing scaled to the table size (any size, not only powers of two). */
  private home(id: number): number {
    return Math.floor(((Math.imul(id, 0x9e3779b1) >>> 0) * this.table.length) / 4294967296);
  }

  private tableFind(id: number): number {
    const { table } = this;
    for (let i = this.home(id); ; i = i + 1 === table.length ? 0 : i + 1) {
      const entry = table[i]!;
      if (entry === 0) return -1;
      if (this.ids[entry - 1] === id) return entry - 1;
    }
  }

  private tableInsert(id: number, slot: number): void {
    const { table } = this;
    let i = this.home(id);
    while (table[i] !== 0) i = i + 1 === table.length ? 0 : i + 1;
    table[i] = slot + 1;
  }

  /** Deletes by shifting later entries of the probe run back (no tombstones). */
  private tableDelete(id: number): void {
    const { table } = this;
    const next = (i: number): number => (i + 1 === table.length ? 0 : i + 1);
    let i = this.home(id);
    while (table[i] !== 0 && this.ids[table[i]! - 1] !== id) i = next(i);
    if (table[i] === 0) return;
    let hole = i;
    for (let j = next(hole); table[j] !== 0; j = next(j)) {
      const want = this.home(this.ids[table[j]! - 1]!);
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < want && want <= j : hole < want || want <= j;
      if (!stays) {
        table[hole] = table[j]!;
        hole = j;
      }
    }
    table[hole] = 0;
  }
}

/**
 * At least the `keep` largest values added (often a few more), without a heap: values go to a buffer of 4x that
 * size; when it fills, the keep-th largest becomes the threshold and everything below it is dropped.
 */
class Survivors {
  readonly values: Float32Array;
  readonly items: Int32Array;
  /** Values at or below this can no longer make it. */
  threshold = -Infinity;
  private size = 0;

  constructor(readonly keep: number) {
    this.values = new Float32Array(2 * keep);
    this.items = new Int32Array(2 * keep);
  }

  add(value: number, item: number): void {
    if (value <= this.threshold) return;
    if (this.size === this.values.length) this.shrink();
    this.values[this.size] = value;
    this.items[this.size++] = item;
  }

  /** Compacts to the survivors; returns how many (values/items[0..n)). */
  finish(): number {
    if (this.size > this.keep) this.shrink();
    return this.size;
  }

  private shrink(): void {
    this.threshold = kthLargest(this.values.slice(0, this.size), this.keep);
    let n = 0;
    // Ties at the threshold are dropped, so the buffer always frees room.
    for (let i = 0; i < this.size; i++) {
      if (this.values[i]! > this.threshold) {
        this.values[n] = this.values[i]!;
        this.items[n++] = this.items[i]!;
      }
    }
    this.size = n;
  }
}

/** The k-th largest value (Hoare's quickselect; reorders `values`). */
function kthLargest(values: Float32Array | Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const want = values.length - k; // index in ascending order
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return values[want]!;
  }
  return values[want]!;
}

/** A bounded min-heap: the `capacity` largest estimates seen. */
class TopK {
  private readonly values: Float64Array;
  private readonly items: Int32Array;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.values = new Float64Array(capacity);
    this.items = new Int32Array(capacity);
  }

  /** The smallest kept value, or -Infinity while there is room: smaller values are not kept. */
  get threshold(): number {
    return this.size < this.capacity ? -Infinity : this.values[0]!;
  }

  add(value: number, item: number): void {
    const { values, items } = this;
    let i: number;
    if (this.size < this.capacity) {
      // Sift up from the end.
      i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (values[parent]! <= value) break;
        values[i] = values[parent]!;
        items[i] = items[parent]!;
        i = parent;
      }
    } else {
      // Replace the root and sift down.
      i = 0;
      const n = this.size;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && values[child + 1]! < values[child]!) child++;
        if (values[child]! >= value) break;
        values[i] = values[child]!;
        items[i] = items[child]!;
        i = child;
      }
    }
    values[i] = value;
    items[i] = item;
  }

  /** The kept items, best first (empties the heap). */
  sorted(): Candidates {
    const slots = new Array<number>(this.size);
    const estimates = new Array<number>(this.size);
    const { values, items } = this;
    // Pop the minimum into the last free place, then sift the former last entry down from the root.
    for (let n = this.size; n > 0; n--) {
      slots[n - 1] = items[0]!;
      estimates[n - 1] = values[0]!;
      const value = values[n - 1]!;
      const item = items[n - 1]!;
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n - 1) break;
        if (child + 1 < n - 1 && values[child + 1]! < values[child]!) child++;
        if (values[child]! >= value) break;
        values[i] = values[child]!;
        items[i] = items[child]!;
        i = child;
      }
      values[i] = value;
      items[i] = item;
    }
    this.size = 0;
    return { slots, estimates };
  }
}

/** The `count` largest of values[0..n) with their items, largest first (a selection, then a sort of the few). */
function largest(values: Float64Array, items: Int32Array, n: number, count: number): Candidates {
  const threshold = n > count ? kthLargest(values.slice(0, n), count) : -Infinity;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (values[i]! > threshold) order.push(i);
  // Ties at the threshold fill what is left.
  for (let i = 0; i < n && order.length < count; i++) if (values[i] === threshold) order.push(i);
  order.sort((a, b) => values[b]! - values[a]!);
  return { slots: order.map((i) => items[i]!), estimates: order.map((i) => values[i]!) };
}

/** Candidate slots with their estimates (without the query's constant <centre, q>), best first. */
interface Candidates {
  slots: number[];
  estimates: number[];
}

/** The most candidates a query may re-rank (it usually stops well before: see STOP_SIGMAS). */
function defaultRerank(size: number, k: number): number {
  return Math.min(size, Math.max(16 * k, Math.min(2048, Math.ceil(3 * Math.sqrt(size)))));
}

function sortedHas(sorted: Int32Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Where a slot's sum lands in the kernel's output for its pair of blocks (even vectors first, see the kernel). */
function laneOf(slot: number): number {
  const v = slot & 15;
  return ((slot >> 4) & 1) * 16 + (v & 1 ? 8 + (v >> 1) : v >> 1);
}

/** The largest table entry for a kernel pass over `bytesPerVector` bytes (see fastscan-wasm.ts). */
function maxEntry(bytesPerVector: number): number {
  return Math.min(127, Math.floor(65535 / (2 * bytesPerVector)));
}

function checkDim(dim: number): void {
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`invalid vector dimension ${dim}`);
}

function checkChunk(chunk: VectorSourceChunk, dim: number): void {
  if (chunk.vectors.length !== chunk.photoIds.length * dim) {
    throw new Error(`source chunk has ${chunk.vectors.length} floats for ${chunk.photoIds.length} vectors of dimension ${dim}`);
  }
}

function checkPhotoId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_PHOTO_ID) throw new Error(`photo id ${id} is out of range for the search index`);
}

function meanOf(chunks: readonly VectorSourceChunk[], dim: number): Float32Array {
  const sum = new Float64Array(dim);
  const v = new Float32Array(dim);
  let count = 0;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.photoIds.length; i++) {
      unitInto(chunk.vectors, i * dim, dim, v, 0);
      for (let j = 0; j < dim; j++) sum[j]! += v[j]!;
      count++;
    }
  }
  return Float32Array.from(sum, (x) => (count > 0 ? x / count : 0));
}

function unitInto(from: Float32Array, offset: number, dim: number, to: Float32Array, at: number): void {
  let sum = 0;
  for (let i = 0; i < dim; i++) sum += from[offset + i]! * from[offset + i]!;
  const length = Math.sqrt(sum);
  if (!Number.isFinite(length) || length === 0) throw new Error('vector must be finite and non-zero');
  for (let i = 0; i < dim; i++) to[at + i] = from[offset + i]! / length;
}

function unit(v: Float32Array): Float32Array {
  const out = new Float32Array(v.length);
  unitInto(v, 0, v.length, out, 0);
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function norm(v: Float32Array): number {
  return Math.sqrt(dot(v, v));
}

function roundUp(n: number, unitSize: number): number {
  return Math.ceil(n / unitSize) * unitSize;
}

function align8(n: number): number {
  return roundUp(n, 8);
}

/** The end of a cache file: what lets it catch up once outdated (see SourceState), as length-prefixed JSON. */
function trailer(state: SourceState): Uint8Array {
  const json = JSON.stringify({ mark: state.mark ?? null, digests: state.digests ? [...state.digests] : null });
  const text = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(4 + text.length);
  out.writeUInt32LE(text.length, 0);
  text.copy(out, 4);
  return out;
}

function parseTrailer(json: string, stamp: string): SourceState {
  try {
    const parsed = JSON.parse(json) as { mark?: unknown; digests?: unknown };
    const mark = typeof parsed.mark === 'number' ? parsed.mark : undefined;
    const entries = Array.isArray(parsed.digests) ? parsed.digests : undefined;
    const valid = entries?.every((e) => Array.isArray(e) && typeof e[0] === 'number' && typeof e[1] === 'string');
    return { stamp, mark, digests: valid ? new Map(entries as [number, string][]) : undefined };
  } catch {
    return { stamp };
  }
}
