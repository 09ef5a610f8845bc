import os from 'node:os';
import { asError, errorMessage } from '@shared/errors';
import type { IndexingProgress } from '@shared/types';
import type { Catalog, FailedResult, IndexedResult, SaveOutcome } from '../catalog/catalog';
import type { PendingPhoto, QueueCursor } from '../catalog/photo-repository';
import { ImageDecodeError } from '../media/image-errors';
import type { PreparedImage } from '../clip/preprocess';
import { RateMeter } from './rate-meter';
import type { DecodedPhoto, IndexScheduler, PhotoDecoder, PhotoText } from './types';

/** What the indexer needs of a model (ClipModel fits): batched, L2-normalised image embeddings and their width. */
export interface ImageEmbedder {
  embedImages(images: readonly PreparedImage[]): Promise<Float32Array[]>;
  dim(): Promise<number>;
}

export interface IndexerOptions {
  catalog: Catalog;
  model: ImageEmbedder;
  /** The catalog's id for this model's vectors; it must change whenever the weights do. */
  modelId: string;
  decoder: PhotoDecoder;
  /** Embedding width, if known: spares ClipModel.dim() loading the text tower just to learn it. */
  dim?: number;
  /** Photos per inference call and per catalog transaction. */
  batchSize?: number;
  /** Files decoded at once. Default: the number of cores. */
  decodeConcurrency?: number;
  /** Called with the progress at most every progressIntervalMs, and at once when the state changes. */
  onProgress?: (progress: IndexingProgress) => void;
  progressIntervalMs?: number;
  /**
   * When photos are left pending after a pass (a file changed while it was read, the model failed, the catalog was
   * busy), the next pass starts after this long even if nobody calls wake().
   */
  retryDelayMs?: number;
  /** Problems that are not one photo's fault (the model or the catalog failing); indexing carries on or retries. */
  onError?: (error: Error) => void;
}

export const DEFAULT_BATCH_SIZE = 16;
const DEFAULT_PROGRESS_INTERVAL_MS = 250;
const DEFAULT_RETRY_DELAY_MS = 10_000;
/** stop() waits this long at most for cancelled decodes to return (a hung network drive must not block quitting). */
const STOP_DECODE_WAIT_MS = 2000;

type DecodeOutcome =
  | { kind: 'decoded'; decoded: DecodedPhoto }
  | { kind: 'failed'; reason: string }
  /** Cancelled (folder removed, pause, stop): nothing to record. */
  | { kind: 'dropped' };

/** One photo on its way through the pipeline; `outcome` never rejects. */
interface Slot {
  photo: PendingPhoto;
  abort: AbortController;
  outcome: Promise<DecodeOutcome>;
}

/** Another model became the catalog's active one: this indexer must not switch it back (wake() is ignored). */
class SupersededError extends Error {
  override readonly name = 'SupersededError';
}

/** The model failed for a whole batch, or the catalog refused it: not the photos' fault, so none is marked failed. */
class BatchError extends Error {
  override readonly name = 'BatchError';
}

/**
 * Turns pending photos into vectors. The queue is the catalog's (photos.state = 'pending', newest files first); the
 * indexer holds no state that must survive a crash: every batch is saved in one transaction, so after a kill a photo
 * is either indexed with its vector or still pending, and starting again simply lists what is pending.
 *
 * Pipeline: decodes run `decodeConcurrency` at a time into a queue of at most two batches, while the batch taken
 * before them is on the model, so decoding batch N+1 overlaps inference of batch N, and memory stays bounded by
 * three batches of 224x224 crops whatever the library's size.
 */
export class Indexer implements IndexScheduler {
  private readonly catalog: Catalog;
  private readonly model: ImageEmbedder;
  private readonly modelId: string;
  private readonly decoder: PhotoDecoder;
  private readonly knownDim: number | undefined;
  private readonly batchSize: number;
  private readonly maxAhead: number;
  private readonly pageSize: number;
  private readonly decodeConcurrency: number;
  private readonly onProgress: ((progress: IndexingProgress) => void) | undefined;
  private readonly progressIntervalMs: number;
  private readonly retryDelayMs: number;
  private readonly onError: ((error: Error) => void) | undefined;

  private state: IndexingProgress['state'] = 'idle';
  private loop: Promise<void> | null = null;
  private ready: Promise<void> = Promise.resolve();
  private paused = false;
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private batchDone: Promise<void> = Promise.resolve();

  // The current pass over the queue: a cursor into listPending and the ids it has handed out.
  private cursor: QueueCursor | undefined;
  private page: PendingPhoto[] = [];
  private exhausted = false;
  private tried = new Set<number>();
  private wokenDuringPass = false;
  private newPassNeeded = false;

  /** Decoding or decoded, oldest first: at most maxAhead. */
  private queue: Slot[] = [];
  /** The batch on the model / being saved. */
  private current: Slot[] = [];
  /** Ids in the queue or the current batch: never handed out twice. */
  private readonly inFlight = new Set<number>();
  /** Folders being removed: their photos are neither taken nor saved again. Folder ids are never reused. */
  private readonly cancelledFolders = new Set<number>();
  private readonly outstandingDecodes = new Set<Promise<DecodeOutcome>>();
  private activeDecodes = 0;
  private readonly decodeWaiters: Array<() => void> = [];

  private processed = 0;
  private readonly meter = new RateMeter();
  private lastEmitAt = -Infinity;
  private emitTimer: NodeJS.Timeout | null = null;
  private lastErrorMessage: string | null = null;

  constructor(options: IndexerOptions) {
    this.catalog = options.catalog;
    this.model = options.model;
    this.modelId = options.modelId;
    this.decoder = options.decoder;
    this.knownDim = options.dim;
    this.batchSize = positiveInteger(options.batchSize ?? DEFAULT_BATCH_SIZE, 'batchSize');
    this.maxAhead = 2 * this.batchSize;
    this.pageSize = Math.max(64, 2 * this.maxAhead);
    this.decodeConcurrency = positiveInteger(options.decodeConcurrency ?? os.availableParallelism(), 'decodeConcurrency');
    this.onProgress = options.onProgress;
    this.progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
    this.retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.onError = options.onError;
  }

  /** The last problem reported through onError (model or catalog failure), or null. */
  get lastError(): string | null {
    return this.lastErrorMessage;
  }

  /**
   * Registers the model with the catalog (ensureModel) and starts working through the queue in the background.
   * Resolves once that has happened. Never rejects, so `void indexer.start()` is safe: a model that cannot load is
   * reported through onError / lastError, and the next wake() tries again.
   */
  start(): Promise<void> {
    if (this.loop) return this.ready;
    this.stopping = false;
    const setUp = this.setUp();
    this.ready = setUp.then(() => undefined);
    const loop = setUp
      .then((ok) => (ok ? this.run() : undefined))
      .finally(() => {
        if (this.loop === loop) this.loop = null;
      });
    this.loop = loop;
    return this.ready;
  }

  /** New pending work exists: start, or make sure the current pass is followed by another that sees it. */
  wake(): void {
    if (this.stopping) return;
    if (!this.loop) {
      void this.start();
      return;
    }
    this.wokenDuringPass = true;
    if (!this.paused) this.notify();
  }

  /**
   * Drops the folder's queued and decoding work at once, and guarantees that no result for it is saved from now on
   * (the batch on the model is filtered right before its save, in the same synchronous step as the save).
   */
  cancelFolder(folderId: number): void {
    this.cancelledFolders.add(folderId);
    for (const slot of this.current) if (slot.photo.folderId === folderId) slot.abort.abort();
    this.queue = this.queue.filter((slot) => {
      if (slot.photo.folderId !== folderId) return true;
      slot.abort.abort();
      this.inFlight.delete(slot.photo.id);
      return false;
    });
    this.page = this.page.filter((p) => p.folderId !== folderId);
  }

  /** Stops taking work: the batch on the model is finished and saved (the promise resolves then); queued work is dropped. */
  pause(): Promise<void> {
    if (!this.paused) {
      this.paused = true;
      this.dropQueue();
      this.setState('paused');
      this.notify();
    }
    return this.batchDone;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.newPassNeeded = true;
    // Until the loop takes a batch the indexer is not working; if there is nothing to do it stays idle.
    this.setState('idle');
    if (this.loop) this.notify();
  }

  /** Clean shutdown: queued work is dropped, the batch on the model is finished and saved, then this resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.dropQueue();
    this.clearRetry();
    this.notify();
    await this.loop;
    await this.settleDecodes(STOP_DECODE_WAIT_MS);
    if (this.emitTimer) clearTimeout(this.emitTimer);
    this.emitTimer = null;
    this.setState('idle');
  }

  progress(): IndexingProgress {
    const counts = this.catalog.photos.counts();
    const rate = this.state === 'running' ? this.meter.rate() : 0;
    return {
      state: this.state,
      pending: counts.pending,
      indexed: counts.indexed,
      failed: counts.failed,
      processedThisRun: this.processed,
      ratePerSecond: Math.round(rate * 100) / 100,
      etaSeconds: this.state === 'running' && rate > 0 ? Math.ceil(counts.pending / rate) : null,
    };
  }

  // ---- the loop ----

  private async setUp(): Promise<boolean> {
    try {
      const dim = this.knownDim ?? this.catalog.embeddings.getModel(this.modelId)?.dim ?? (await this.model.dim());
      this.catalog.embeddings.ensureModel(this.modelId, dim);
      return true;
    } catch (error) {
      this.report(error);
      return false;
    }
  }

  private async run(): Promise<void> {
    try {
      this.startPass();
      while (!this.stopping) {
        if (this.paused) {
          this.setState('paused');
          await this.waitForSignal();
          continue;
        }
        if (this.newPassNeeded) this.startPass();
        this.fill();
        const batch = this.queue.splice(0, this.batchSize);
        if (batch.length === 0) {
          // The pass found nothing more. Work that arrived meanwhile may sit above the cursor: look again.
          if (this.wokenDuringPass) {
            this.startPass();
            continue;
          }
          this.finishPass();
          await this.waitForSignal();
          this.newPassNeeded = true;
          continue;
        }
        this.setState('running');
        this.fill();
        const ok = await this.runBatch(batch);
        if (!ok) {
          // Model or catalog trouble: leave the photos pending and try again later rather than fail them all.
          this.dropQueue();
          this.setState('idle');
          this.scheduleRetry();
          await this.waitForSignal();
          this.newPassNeeded = true;
        }
      }
    } catch (error) {
      // A bug or a closed catalog: never an unhandled rejection; wake() starts a new loop.
      if (error instanceof SupersededError) this.stopping = true;
      this.report(error);
      this.dropQueue();
      this.setState('idle');
    }
  }

  /** Aborted decodes still running: let them finish (or give up waiting after timeoutMs). */
  private async settleDecodes(timeoutMs: number): Promise<void> {
    if (this.outstandingDecodes.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.all(this.outstandingDecodes), timeout]);
    clearTimeout(timer);
  }

  private startPass(): void {
    // Another indexer switched the catalog to a different model: this one's vectors would all be refused.
    if (this.catalog.embeddings.activeModel()?.id !== this.modelId) {
      throw new SupersededError(`model ${this.modelId} is no longer the catalog's active model; this indexer stops`);
    }
    this.cursor = undefined;
    this.page = [];
    this.exhausted = false;
    this.tried = new Set();
    this.wokenDuringPass = false;
    this.newPassNeeded = false;
  }

  /** Queue empty: mark the model complete if nothing is pending, else come back for what is left later. */
  private finishPass(): void {
    if (this.catalog.photos.counts().pending === 0) this.catalog.embeddings.markComplete(this.modelId);
    else this.scheduleRetry();
    // Always tell: a caller waiting for "idle, nothing pending" must hear it even if the pass found no work.
    if (this.state === 'idle') this.emitProgress(true);
    else this.setState('idle');
  }

  /** Starts decodes until maxAhead photos are queued or the pass has none left. */
  private fill(): void {
    while (!this.paused && !this.stopping && this.queue.length < this.maxAhead) {
      const photo = this.nextPending();
      if (!photo) return;
      this.queue.push(this.startDecode(photo));
    }
  }

  private nextPending(): PendingPhoto | undefined {
    for (;;) {
      const photo = this.page.shift();
      if (photo) {
        // tried: a photo whose save was skipped (file changed) is read again next pass, not again and again now.
        if (this.inFlight.has(photo.id) || this.tried.has(photo.id) || this.cancelledFolders.has(photo.folderId)) continue;
        this.tried.add(photo.id);
        this.inFlight.add(photo.id);
        return photo;
      }
      if (this.exhausted) return undefined;
      const rows = this.catalog.photos.listPending(this.pageSize, this.cursor);
      if (rows.length < this.pageSize) this.exhausted = true;
      const last = rows[rows.length - 1];
      if (last) this.cursor = { mtimeMs: last.mtimeMs, id: last.id };
      this.page = rows;
    }
  }

  private startDecode(photo: PendingPhoto): Slot {
    const abort = new AbortController();
    const outcome = this.decode(photo, abort.signal);
    this.outstandingDecodes.add(outcome);
    void outcome.then(() => this.outstandingDecodes.delete(outcome));
    return { photo, abort, outcome };
  }

  private async decode(photo: PendingPhoto, signal: AbortSignal): Promise<DecodeOutcome> {
    await this.acquireDecodePermit();
    try {
      if (signal.aborted) return { kind: 'dropped' };
      const decoded = await this.decoder.decode(photo.path, signal);
      return signal.aborted ? { kind: 'dropped' } : { kind: 'decoded', decoded };
    } catch (error) {
      if (signal.aborted) return { kind: 'dropped' };
      return { kind: 'failed', reason: failureReason(error) };
    } finally {
      this.releaseDecodePermit();
    }
  }

  private async acquireDecodePermit(): Promise<void> {
    if (this.activeDecodes < this.decodeConcurrency) {
      this.activeDecodes++;
      return;
    }
    // The releasing decode hands its permit straight over (activeDecodes stays the same).
    await new Promise<void>((resolve) => this.decodeWaiters.push(resolve));
  }

  private releaseDecodePermit(): void {
    const next = this.decodeWaiters.shift();
    if (next) next();
    else this.activeDecodes--;
  }

  /** Embeds and saves one batch. False when the model or the catalog failed for the whole batch. */
  private async runBatch(batch: Slot[]): Promise<boolean> {
    this.current = batch;
    let done: () => void = () => undefined;
    this.batchDone = new Promise((resolve) => (done = resolve));
    try {
      const outcome = await this.embedAndSave(batch);
      this.processed += outcome.saved.length;
      this.meter.record(outcome.saved.length);
      this.emitProgress(false);
      return true;
    } catch (error) {
      if (!(error instanceof BatchError)) throw error;
      this.report(error);
      return false;
    } finally {
      for (const slot of batch) this.inFlight.delete(slot.photo.id);
      this.current = [];
      done();
    }
  }

  private async embedAndSave(batch: Slot[]): Promise<SaveOutcome> {
    const outcomes = await Promise.all(batch.map((slot) => slot.outcome));
    const failed: FailedResult[] = [];
    const indexed: IndexedResult[] = [];
    const texts = new Map<number, PhotoText>();
    const toEmbed: Array<{ photo: PendingPhoto; decoded: DecodedPhoto }> = [];
    batch.forEach((slot, i) => {
      const outcome = outcomes[i]!;
      const { photo } = slot;
      if (outcome.kind === 'dropped' || this.cancelledFolders.has(photo.folderId)) return;
      if (outcome.kind === 'failed') {
        // The version we were asked about: if the row changed since, the failure is stale and the photo stays queued.
        failed.push({ photoId: photo.id, reason: outcome.reason, expected: { size: photo.size, mtimeMs: photo.mtimeMs } });
        return;
      }
      const { decoded } = outcome;
      texts.set(photo.id, decoded.text);
      // A copy of a photo already embedded with this model: same bytes, same vector, no inference.
      const existing = this.vectorForContent(decoded.details.contentHash);
      if (existing) indexed.push(indexedResult(photo.id, decoded, existing));
      else toEmbed.push({ photo, decoded });
    });

    if (toEmbed.length > 0) {
      // Copies inside the batch are embedded once.
      const slotOf = new Map<string, number>();
      const images: PreparedImage[] = [];
      for (const { decoded } of toEmbed) {
        if (!slotOf.has(decoded.details.contentHash)) {
          slotOf.set(decoded.details.contentHash, images.length);
          images.push(decoded.image);
        }
      }
      const vectors = await this.embed(images);
      for (const { photo, decoded } of toEmbed) {
        const vector = vectors[slotOf.get(decoded.details.contentHash)!]!;
        if (vector instanceof Error) {
          failed.push({ photoId: photo.id, reason: `the model could not process this photo: ${vector.message}`, expected: version(decoded) });
        } else if (!usable(vector)) {
          failed.push({ photoId: photo.id, reason: 'the model produced no usable embedding for this photo', expected: version(decoded) });
        } else {
          indexed.push(indexedResult(photo.id, decoded, vector));
        }
      }
    }

    // Folders cancelled while the model ran. Nothing can interleave between this filter and the save below: both
    // are synchronous, so once cancelFolder() returns no result for the folder is written.
    const folderOf = new Map(batch.map((slot) => [slot.photo.id, slot.photo.folderId]));
    const live = (id: number): boolean => !this.cancelledFolders.has(folderOf.get(id)!);
    return this.save(indexed.filter((r) => live(r.photoId)), failed.filter((r) => live(r.photoId)), texts);
  }

  /** One transaction: vectors, state flips, and the text the files carry. */
  private save(indexed: IndexedResult[], failed: FailedResult[], texts: Map<number, PhotoText>): SaveOutcome {
    if (indexed.length === 0 && failed.length === 0) return { saved: [], skipped: [] };
    try {
      return this.catalog.transaction(() => {
        const outcome = this.catalog.saveResults(this.modelId, { indexed, failed });
        const saved = new Set(outcome.saved);
        for (const r of indexed) {
          const text = texts.get(r.photoId);
          if (!saved.has(r.photoId) || !text) continue;
          // Only what the file says: an empty field must not wipe text the user typed in.
          const update: { description?: string; keywords?: string } = {};
          if (text.description) update.description = text.description;
          if (text.keywords.length > 0) update.keywords = text.keywords.join(', ');
          if (update.description !== undefined || update.keywords !== undefined) this.catalog.photos.setUserText(r.photoId, update);
        }
        return outcome;
      });
    } catch (error) {
      throw new BatchError(`could not save indexing results: ${errorMessage(error)}`, { cause: error });
    }
  }

  /**
   * Vectors in input order; an Error in place of a vector for a photo the model failed on by itself.
   * Throws BatchError when nothing in the batch can be embedded (the model is broken, not the photos).
   */
  private async embed(images: PreparedImage[]): Promise<Array<Float32Array | Error>> {
    let batchError: unknown;
    try {
      const vectors = await this.model.embedImages(images);
      if (vectors.length !== images.length) throw new Error(`the model returned ${vectors.length} vectors for ${images.length} images`);
      return vectors;
    } catch (error) {
      batchError = error;
    }
    if (images.length === 1) throw new BatchError(`the model failed: ${errorMessage(batchError)}`, { cause: batchError });
    // One by one, to tell a photo the model chokes on from a model that fails on everything.
    const results: Array<Float32Array | Error> = [];
    for (const image of images) {
      try {
        const [vector] = await this.model.embedImages([image]);
        results.push(vector ?? new Error('the model returned no vector'));
      } catch (error) {
        results.push(asError(error));
      }
    }
    if (results.every((r) => r instanceof Error)) throw new BatchError(`the model failed: ${errorMessage(batchError)}`, { cause: batchError });
    return results;
  }

  private vectorForContent(contentHash: string): Float32Array | undefined {
    for (const photo of this.catalog.photos.findByContentHash(contentHash)) {
      if (photo.state !== 'indexed' || photo.embeddedModel !== this.modelId) continue;
      const vector = this.catalog.embeddings.get(this.modelId, photo.id);
      if (vector) return vector;
    }
    return undefined;
  }

  // ---- plumbing ----

  private dropQueue(): void {
    for (const slot of this.queue) {
      slot.abort.abort();
      this.inFlight.delete(slot.photo.id);
    }
    this.queue = [];
    this.page = [];
    // The dropped photos are above the cursor now: the next batch must come from a fresh pass.
    this.newPassNeeded = true;
  }

  private waitForSignal(): Promise<void> {
    return new Promise((resolve) => (this.wakeUp = resolve));
  }

  private notify(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = null;
    wakeUp?.();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopping) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.wake();
    }, this.retryDelayMs);
    // A pending retry must not keep a CLI process alive.
    this.retryTimer.unref();
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private setState(state: IndexingProgress['state']): void {
    if (state === this.state) return;
    if (state === 'running') {
      this.meter.reset();
      this.clearRetry();
    }
    this.state = state;
    this.emitProgress(true);
  }

  private emitProgress(force: boolean): void {
    if (!this.onProgress) return;
    const now = performance.now();
    const due = this.lastEmitAt + this.progressIntervalMs;
    if (force || now >= due) {
      if (this.emitTimer) clearTimeout(this.emitTimer);
      this.emitTimer = null;
      this.lastEmitAt = now;
      try {
        this.onProgress(this.progress());
      } catch (error) {
        this.report(error);
      }
    } else if (!this.emitTimer) {
      // Trailing emit, so the last change inside an interval is not lost.
      this.emitTimer = setTimeout(() => {
        this.emitTimer = null;
        this.emitProgress(true);
      }, due - now);
      this.emitTimer.unref();
    }
  }

  private report(error: unknown): void {
    const err = asError(error);
    this.lastErrorMessage = err.message;
    try {
      this.onError?.(err);
    } catch {
      // A failing error handler must not take the loop down.
    }
  }
}

/** What a person reads in the failures list, which shows the path beside it: the decoder's reason without the path. */
export function failureReason(error: unknown): string {
  if (error instanceof ImageDecodeError) {
    const prefix = `${error.source}: `;
    return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  }
  return `could not read this photo: ${errorMessage(error)}`;
}

function indexedResult(photoId: number, decoded: DecodedPhoto, vector: Float32Array): IndexedResult {
  return { photoId, vector, details: decoded.details, expected: version(decoded) };
}

function version(decoded: DecodedPhoto): { size: number; mtimeMs: number } {
  return { size: decoded.size, mtimeMs: decoded.mtimeMs };
}

/** The catalog refuses NaN, Infinity and the zero vector (no direction); catch them per photo, not per batch. */
function usable(vector: Float32Array): boolean {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  return Number.isFinite(sum) && sum > 0;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
