import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ZeroVectorError } from '../../math/vectors';
import { CodeMemory, MAX_WIDE, SLOT_UNIT, roundUp } from './code-memory';
import { IdTable, checkPhotoId } from './id-table';
import { buildInWorker } from './index-background';
import { rerank } from './rerank';
import type { SearchHit } from './rerank';
import { PARALLEL_SCAN_MIN, estimateSlots, scanCandidates } from './scan';
import { SearchWorkers } from './search-workers';
import { SnapshotReader, writeSnapshot } from './snapshot-file';
import { Rotation, TwoBitEncoder } from './two-bit-codes';
import { VectorFile } from './vector-file';
import { checkChunk, checkDim, sourceState } from './vector-source';
import type { SourceState, VectorSource, VectorSourceChunk } from './vector-source';

/*
 * In-memory vector search over a model's vectors, built from (and kept in step with) the catalog's vec0 table.
 *
 * Per photo it holds a 2-bit code of the vector (two bit planes; see two-bit-codes.ts), one float factor, the
 * photo id and a share of an id -> slot hash table (id-table.ts). A query
 *   1. scans every code with WebAssembly SIMD kernels (scan.ts, fastscan-wasm.ts): one sums table lookups, one
 *      turns the sums into estimates and passes on only those above a threshold - which starts at a floor
 *      estimated from a sample of the codes, so that few are passed on from the start. The scan is bound by
 *      memory, so from SIGN_SCAN_MIN vectors it reads only the sign plane and refines the best few thousand with
 *      their rows of the low plane (a third kernel); below that it reads both planes in one pass (code-memory.ts).
 *      From PARALLEL_SCAN_MIN vectors a helper thread scans beside the calling one, each taking the next batch of
 *      blocks until none is left;
 *   2. re-ranks the best estimates exactly (rerank.ts), with full-precision vectors read by offset from a float32
 *      file beside the cache (vector-file.ts) - or, without a cache file, fetched from the source (vec0 point
 *      lookups, slow) - stopping once the remaining estimates cannot reach the k-th best exact score.
 * Scores returned are exact cosines; only the choice of candidates is approximate. What it costs and how much it
 * finds: `npm run bench -- search`.
 *
 * Slots: every vector has a slot (its position in the codes and in the vector file). A removed photo's slot stays
 * empty until the next rebuild; a replaced vector is rewritten in its slot.
 */

export interface VectorIndexOptions {
  /**
   * Cache path. The index keeps `<file>` (a snapshot of the codes, written by save(); see snapshot-file.ts) and
   * `<file>.vectors` (the full-precision vectors used for re-ranking, written as vectors arrive). Without it
   * nothing touches the disk and re-ranking fetches vectors from the source.
   */
  file?: string;
  /** The most candidates re-ranked exactly per query (it usually stops earlier). */
  rerank?: number;
  /** Size from which the index uses the split layout (tuning and tests; default 250k). */
  signScanMin?: number;
  /**
   * Most helper threads (each adds some V8 heap): default 1 from 64k vectors and 3 from 250k; 0 keeps every
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

export type IndexOrigin = 'built' | 'cache' | 'resumed';

const SEED = 0x5eb0c5;
/** Vectors the centre is averaged over; a smaller index re-centres as it grows past 2x its sample. */
const CENTRE_SAMPLE = 16384;
/** The size from which the index uses the split layout (see code-memory.ts). */
const SIGN_SCAN_MIN = 250_000;
/** The most candidates one query re-ranks. */
const MAX_RERANK = 8192;

export class VectorIndex {
  readonly dim: number;
  /** How this index came to be: built from the source, loaded from the cache file, or loaded and caught up (resume). */
  origin: IndexOrigin = 'built';

  private readonly rotation: Rotation;
  private encoder: TwoBitEncoder;
  private readonly memory: CodeMemory;
  /** Slots in use (live or emptied); new vectors go to slot `slots`. */
  private slots = 0;
  private live = 0;
  private readonly table = new IdTable();
  private centreSamples: number;
  private readonly scratch: Float32Array;
  private workers: SearchWorkers | undefined;
  /** Whether re-ranking reads have come from the disk (see rerank.ts). */
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
    if (this.encoder.planeBytes > 256) throw new Error(`dimension ${source.dim} is too large for the search index (max 2048)`);
    this.centreSamples = centreSamples;
    this.memory = new CodeMemory(this.encoder.planeBytes);
    this.scratch = new Float32Array(source.dim);
  }

  /** Builds the index from every vector of `source` (synchronous; see `npm run bench -- search`, "build from catalog"). */
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
   * open() without blocking this thread for the build: a matching cache file is loaded here, else a worker thread
   * opens the catalog file read-only, builds the index and writes the cache files, and this thread loads them.
   * Changes to the vectors committed meanwhile are then caught up with (see VectorSource.since), so the index
   * reflects the catalog as of when the promise resolves; later changes go to add()/remove() as usual.
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
   * An outdated cache file brought up to date, rather than a build from scratch (e.g. after the app was killed
   * before it saved, or after the CLI indexed photos; see `npm run bench -- search`, "outdated cache caught up"):
   * the file is loaded whatever its stamp, the photos the source no longer has are removed, and only the chunks
   * written since the file's mark or whose digests differ are read again (see SourceState), then it is saved.
   * Undefined - build instead - when the file or the source cannot do this, when the source's newest chunk is older
   * than the file's (a table recreated, a catalog restored), or when most chunks changed anyway.
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
    index.removeAllBut(Int32Array.from(source.ids()).sort());
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
    const reader = SnapshotReader.open(options.file);
    if (!reader) return undefined;
    let vectorFile: VectorFile | undefined;
    try {
      const { header } = reader;
      const { slots, live } = header;
      if (header.dim !== source.dim || header.seed !== SEED) return undefined;
      const centre = new Float32Array(source.dim);
      if (!reader.readCentre(new Uint8Array(centre.buffer)) || !accept(header.stamp)) return undefined;
      vectorFile = VectorFile.open(`${options.file}.vectors`, source.dim);
      if (!vectorFile || vectorFile.buildId !== header.buildId || vectorFile.records() < slots) return undefined;

      const index = new VectorIndex(source, centre, header.centreSamples, options, vectorFile);
      index.memory.split = header.split;
      index.reserve(slots);
      const { memory } = index;
      const ok = reader.readBody({
        ids: new Uint8Array(index.table.ids.buffer, 0, slots * 4),
        factors: memory.factorBytes(slots),
        codes: memory.codes(slots),
        lows: memory.lows(slots),
      });
      if (!ok) return undefined;
      if (onSaved) {
        const state = reader.readTrailer();
        if (!state) return undefined;
        onSaved(state);
      }
      index.slots = slots;
      const ids = index.table.ids;
      let counted = 0;
      for (let s = 0; s < slots; s++) {
        const id = ids[s]!;
        if (id < 0) {
          memory.factors[s] = NaN;
          continue;
        }
        index.table.insert(id, s);
        counted++;
      }
      if (counted !== live) return undefined;
      index.live = live;
      index.maybeSplit(slots);
      index.origin = 'cache';
      index.cacheStamp = header.stamp;
      vectorFile = undefined; // owned by the index now
      return index;
    } finally {
      reader.close();
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
   * Helper threads add V8 heap of their own on top (see VectorIndexOptions.threads); not counted here.
   */
  memoryBytes(): number {
    return (
      this.memory.byteLength +
      this.table.byteLength +
      (this.workers?.bufferBytes ?? 0) +
      this.encoder.centre.byteLength +
      this.rotation.padded * 4 * 3
    );
  }

  /** Whether the index holds a vector for `photoId`. */
  has(photoId: number): boolean {
    return this.table.slotOf(photoId) >= 0;
  }

  /**
   * The stored vectors (unit length) of those of `photoIds` the index holds, for work on a page of results such as
   * grouping near-duplicates or MMR. They are read from the vector file in slot order, consecutive slots in one
   * read; without a cache file they are fetched from the source.
   */
  vectors(photoIds: readonly number[]): Map<number, Float32Array> {
    const { dim } = this;
    const found: { id: number; slot: number }[] = [];
    const seen = new Set<number>();
    for (const id of photoIds) {
      if (seen.has(id) || !this.has(id)) continue;
      seen.add(id);
      found.push({ id, slot: this.table.find(id) });
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
    const rerankLimit = Math.min(MAX_RERANK, Math.max(k, options.rerank ?? this.options.rerank ?? defaultRerank(this.live, k)));
    const { allowed, filter } = options;
    const scanSource = this.scanSource();

    // A small allowed set (a folder, a date range) is cheaper to estimate directly than to scan for.
    if (allowed && allowed.size <= Math.max(rerankLimit, this.slots / 64)) {
      const slots: number[] = [];
      for (const id of allowed) {
        const slot = this.table.slotOf(id);
        if (slot >= 0 && (!filter || filter(id))) slots.push(slot);
      }
      return rerank(this.rerankSource(), q, estimateSlots(scanSource, q, slots, rerankLimit), k);
    }
    return rerank(this.rerankSource(), q, scanCandidates(scanSource, q, rerankLimit, allowed, filter, options.wide), k);
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
    const slot = this.table.slotOf(photoId);
    if (slot < 0) return false;
    this.table.delete(photoId);
    this.table.ids[slot] = -1;
    this.memory.factors[slot] = NaN;
    this.live--;
    return true;
  }

  /**
   * Brings the index back in line with the source after changes it was not told about - photos deleted by a
   * folder removal's cascade, vectors written by another process: removes ids the source no longer has and adds
   * the ones it lacks (their vectors fetched by id). A vector replaced behind its back is not detected (same id):
   * pass replacements to add().
   */
  reconcile(): { added: number; removed: number } {
    const listed = this.source.ids ? Array.from(this.source.ids()) : this.allSourceIds();
    const removed = this.removeAllBut(Int32Array.from(listed).sort());
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
   * Writes the codes snapshot to the cache file (atomically: temp file + rename), stamped with the source's
   * current stamp. Call it when the index reflects the catalog (every change since the last save was passed to
   * add/remove); a later open() trusts the file only while the catalog's stamp still matches.
   */
  save(state: SourceState = sourceState(this.source)): void {
    const file = this.options.file;
    if (!file || !this.vectorFile) throw new Error('this index has no cache file');
    const { stamp } = state;
    const { memory, slots } = this;
    const { centre } = this.encoder;
    writeSnapshot(
      file,
      {
        dim: this.dim,
        seed: SEED,
        slots,
        live: this.live,
        centreSamples: this.centreSamples,
        buildId: this.vectorFile.buildId,
        stamp: stamp ?? '',
        split: memory.split,
      },
      {
        centre: new Uint8Array(centre.buffer, centre.byteOffset, this.dim * 4),
        ids: new Uint8Array(this.table.ids.buffer, 0, slots * 4),
        factors: memory.factorBytes(slots),
        codes: memory.codes(slots),
        lows: memory.lows(slots),
      },
      state,
    );
    this.cacheStamp = stamp;
  }

  /** Closes the vector file. The index must not be used afterwards. */
  close(): void {
    this.workers?.close();
    this.workers = undefined;
    this.vectorFile?.close();
    this.vectorFile = undefined;
  }

  // ---- keeping in step with the source ---------------------------------------------------------------------------

  /**
   * After loading a snapshot of the source taken at `mark` (see VectorSource.mark): removes what the source no
   * longer has, and re-adds every vector written since (new ones and replacements alike). Without marks, reconcile().
   */
  private catchUp(mark: number | undefined): void {
    if (mark === undefined || !this.source.since) {
      this.reconcile();
      return;
    }
    this.removeAllBut(Int32Array.from(this.source.ids ? this.source.ids() : this.allSourceIds()).sort());
    for (const chunk of this.source.since(mark)) {
      checkChunk(chunk, this.dim);
      this.addChunk(chunk);
    }
  }

  /** Removes every photo not in `present` (sorted); returns how many. */
  private removeAllBut(present: Int32Array): number {
    const { ids } = this.table;
    let removed = 0;
    for (let s = 0; s < this.slots; s++) {
      const id = ids[s]!;
      if (id >= 0 && !sortedHas(present, id)) removed += this.remove(id) ? 1 : 0;
    }
    return removed;
  }

  private allSourceIds(): number[] {
    const ids: number[] = [];
    for (const chunk of this.source.iterate()) for (const id of chunk.photoIds) ids.push(Number(id));
    return ids;
  }

  // ---- what the search modules read ------------------------------------------------------------------------------

  private scanSource(): Parameters<typeof scanCandidates>[0] {
    return { memory: this.memory, ids: this.table, rotation: this.rotation, slots: this.slots, live: this.live, helpers: () => this.helpers() };
  }

  private rerankSource(): Parameters<typeof rerank>[0] {
    return {
      dim: this.dim,
      ids: this.table,
      memory: this.memory,
      vectorFile: this.vectorFile,
      source: this.source,
      scratch: this.scratch,
      helpers: () => this.helpers(),
      readsAreSlow: () => (this.slowReads = true),
    };
  }

  /**
   * Starts the helper threads this index's size calls for now, rather than on the first search, and resolves once
   * they take jobs: a thread takes a moment to start, and until then searches run on the calling thread alone.
   */
  async startHelpers(): Promise<void> {
    await this.helpers()?.ready();
  }

  /**
   * The helper threads for this size (undefined: none), started on first use: 1 from PARALLEL_SCAN_MIN vectors
   * (it scans beside this thread) and 3 from SIGN_SCAN_MIN, or 3 at any size once re-ranking has been seen to read
   * from the disk rather than the page cache (see rerank.ts): reads in flight at once are what helps then.
   */
  private helpers(): SearchWorkers | undefined {
    const cap = this.options.threads ?? 3;
    const { split } = this.memory;
    const forScan = this.slots < PARALLEL_SCAN_MIN ? 0 : split ? 3 : 1;
    const wanted = Math.min(cap, Math.max(forScan, this.slowReads ? 3 : 0));
    const scanPairs = split ? MAX_WIDE : MAX_RERANK;
    if (this.workers && (this.workers.size > wanted || this.workers.scanPairs !== scanPairs)) {
      this.workers.close();
      this.workers = undefined;
    }
    if (wanted > 0) {
      this.workers ??= new SearchWorkers(this.memory.wasm.memory, wanted, this.vectorFile?.path, this.dim, scanPairs);
      // A helper still starting takes no part: its job is taken back (see SearchWorkers.finish).
      this.workers.grow(wanted);
    }
    return this.workers;
  }

  // ---- storage ---------------------------------------------------------------------------------------------------

  private addChunk(chunk: VectorSourceChunk): void {
    const { dim, memory } = this;
    const count = chunk.photoIds.length;
    const units = new Float32Array(count * dim);
    const slots = new Int32Array(count);
    this.reserve(this.slots + count);
    this.maybeSplit(this.slots + count);
    const { ids } = this.table;
    for (let i = 0; i < count; i++) {
      const id = Number(chunk.photoIds[i]);
      checkPhotoId(id);
      unitInto(chunk.vectors, i * dim, dim, units, i * dim);
      let slot = this.table.find(id);
      if (slot < 0) {
        slot = this.slots++;
        this.table.insert(id, slot);
        this.live++;
      }
      slots[i] = slot;
      ids[slot] = id;
      memory.factors[slot] = memory.encode(this.encoder, units, i * dim, slot);
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

  /** Grows every per-slot structure to hold `slots` slots. */
  private reserve(slots: number): void {
    const old = this.memory.capacity;
    if (slots <= old) return;
    const capacity = roundUp(Math.max(slots, old > 0 ? Math.ceil(old * 1.125) : 0), SLOT_UNIT);
    this.memory.grow(capacity);
    this.table.grow(capacity, this.slots);
  }

  /** Switches to the split layout once `slots` reaches the threshold (see code-memory.ts). */
  private maybeSplit(slots: number): void {
    if (this.memory.split || slots < (this.options.signScanMin ?? SIGN_SCAN_MIN)) return;
    this.memory.splitLayout(this.slots);
  }

  /** Re-centres on the vectors held now (a library that grew from a handful of photos). */
  private recentre(): void {
    if (!this.vectorFile) {
      this.centreSamples = Number.POSITIVE_INFINITY;
      return;
    }
    const { dim, memory } = this;
    const { ids } = this.table;
    const v = this.scratch;
    const centre = new Float64Array(dim);
    for (let s = 0; s < this.slots; s++) {
      if (ids[s]! < 0) continue;
      this.vectorFile.read(s, v);
      for (let i = 0; i < dim; i++) centre[i]! += v[i]!;
    }
    this.encoder = new TwoBitEncoder(this.rotation, Float32Array.from(centre, (x) => x / this.live));
    for (let s = 0; s < this.slots; s++) {
      if (ids[s]! < 0) continue;
      this.vectorFile.read(s, v);
      memory.factors[s] = memory.encode(this.encoder, v, 0, s);
    }
    this.centreSamples = this.live;
  }
}

/** The most candidates a query may re-rank (it usually stops well before). */
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

/**
 * to[at..] = the unit vector of from[offset..offset + dim). It divides by the length rather than multiplying by its
 * inverse (math/vectors.ts normalize), as the codes in existing cache files were made; a zero or non-finite vector
 * throws ZeroVectorError.
 */
function unitInto(from: Float32Array, offset: number, dim: number, to: Float32Array, at: number): void {
  let sum = 0;
  for (let i = 0; i < dim; i++) sum += from[offset + i]! * from[offset + i]!;
  const length = Math.sqrt(sum);
  if (!Number.isFinite(length) || length === 0) throw new ZeroVectorError('vector must be finite and non-zero');
  for (let i = 0; i < dim; i++) to[at + i] = from[offset + i]! / length;
}

function unit(v: Float32Array): Float32Array {
  const out = new Float32Array(v.length);
  unitInto(v, 0, v.length, out, 0);
  return out;
}
