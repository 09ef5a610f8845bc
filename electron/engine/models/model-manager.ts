import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { DownloadError, downloadFile, sha256File } from './downloader';
import type { DownloadErrorCode, DownloadProgress, RetryOptions } from './downloader';
import {
  MODEL_LAYOUTS,
  describeLayout,
  findModel,
  loadManifest,
  satisfiesLayout,
  verificationPolicy,
} from './manifest';
import type { ModelEntry, ModelFile, ModelLayout, ModelManifest, VerificationPolicy } from './manifest';

export type ModelAvailability =
  | { state: 'available'; dir: string }
  | { state: 'missing' }
  | { state: 'downloading'; receivedBytes: number; totalBytes: number | null; bytesPerSecond: number }
  | { state: 'failed'; reason: string; code: string };

/** Progress of a whole model: bytes over all its files, plus which file is on the wire. */
export interface ModelDownloadProgress extends DownloadProgress {
  modelId: string;
  file: string;
  fileIndex: number;
  fileCount: number;
}

export interface InstalledFile {
  path: string;
  size: number;
  /** Always the hash of the bytes we hold; with trust 'size+tofu' or 'tofu' it was recorded on first use, not checked against a source. */
  sha256: string;
  trust: VerificationPolicy;
  url: string | null;
}

/** `<model dir>/.shoebox-model.json`, written last: its presence (and agreement with the files) is what makes a model available. */
export interface InstallRecord {
  formatVersion: 1;
  id: string;
  origin: 'download' | 'import';
  installedAt: string;
  files: InstalledFile[];
}

export interface ResolvedModel {
  dir: string;
  layout: ModelLayout;
  /** The manifest entry: when resolved by id, or for a folder that holds a Shoebox install record. */
  model: ModelEntry | null;
  record: InstallRecord | null;
}

export type ModelErrorCode =
  | DownloadErrorCode
  | 'UNKNOWN_MODEL'
  | 'NOT_DOWNLOADED'
  | 'DOWNLOADING'
  | 'NOT_A_MODEL_FOLDER'
  | 'IMPORT_MISSING_FILE'
  | 'BUSY';

export class ModelError extends Error {
  readonly code: ModelErrorCode;
  readonly modelId: string | null;

  constructor(code: ModelErrorCode, message: string, modelId: string | null, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ModelError';
    this.code = code;
    this.modelId = modelId;
  }
}

export interface ModelManagerOptions {
  /** Shoebox's data folder; models live in `<dataDir>/models/<id>/`. */
  dataDir: string;
  manifest?: ModelManifest;
  fetchImpl?: typeof fetch;
  retry?: RetryOptions;
  stallTimeoutMs?: number;
  progressIntervalMs?: number;
}

export interface EnsureOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ModelDownloadProgress) => void;
}

export type AvailabilityListener = (id: string, availability: ModelAvailability) => void;

export const INSTALL_RECORD = '.shoebox-model.json';

interface Job {
  controller: AbortController;
  callers: number;
  listeners: Set<(p: ModelDownloadProgress) => void>;
  progress: { receivedBytes: number; totalBytes: number | null; bytesPerSecond: number };
  promise: Promise<string>;
}

export class ModelManager {
  readonly modelsDir: string;
  readonly manifest: ModelManifest;
  private readonly jobs = new Map<string, Job>();
  private readonly busy = new Set<string>();
  private readonly failures = new Map<string, { reason: string; code: string }>();
  private readonly listeners = new Set<AvailabilityListener>();

  constructor(private readonly options: ModelManagerOptions) {
    this.modelsDir = path.join(path.resolve(options.dataDir), 'models');
    this.manifest = options.manifest ?? loadManifest();
  }

  /** The folder a manifest model lives in (whether or not it is there yet). */
  modelDir(id: string): string {
    return path.join(this.modelsDir, this.model(id).id);
  }

  /** Never reports a half-downloaded or half-imported model as available: that needs the install record, written last. */
  availability(id: string): ModelAvailability {
    const model = findModel(this.manifest, id);
    if (!model) return { state: 'failed', code: 'UNKNOWN_MODEL', reason: unknownModelMessage(this.manifest, id) };
    const job = this.jobs.get(id);
    if (job) return { state: 'downloading', ...job.progress };
    const failure = this.failures.get(id);
    if (failure) return { state: 'failed', ...failure };
    return this.installedRecord(model) ? { state: 'available', dir: this.modelDir(id) } : { state: 'missing' };
  }

  /** Every manifest model with its availability, for a model picker. */
  list(): Array<{ model: ModelEntry; availability: ModelAvailability }> {
    return this.manifest.models.map((model) => ({ model, availability: this.availability(model.id) }));
  }

  /** Called on every availability change, including download progress. Returns an unsubscribe function. */
  onChange(listener: AvailabilityListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The manifest's default model id. */
  get defaultId(): string {
    return this.manifest.default;
  }

  /** A model's display name; the argument itself when it is not a manifest id (e.g. a folder). */
  displayName(idOrDir: string): string {
    return findModel(this.manifest, idOrDir)?.name ?? idOrDir;
  }

  /** The install record of an available model (file hashes: store the vision file's with the vectors), else null. */
  installRecord(id: string): InstallRecord | null {
    return this.installedRecord(this.model(id));
  }

  /**
   * Downloads the model unless it is already available and returns its folder. Concurrent calls share one download;
   * a caller's signal only detaches that caller, and the download stops when every caller has left.
   */
  async ensure(id: string, options: EnsureOptions = {}): Promise<string> {
    const model = this.model(id);
    if (options.signal?.aborted) throw this.aborted(id);
    if (!this.jobs.has(id) && this.installedRecord(model)) return this.modelDir(id);
    if (!this.jobs.has(id) && this.busy.has(id)) throw this.busyError(model, 'being imported or checked');
    const job = this.jobs.get(id) ?? this.startJob(model);
    return new Promise<string>((resolve, reject) => {
      let settled = false;
      const listener = options.onProgress ? (p: ModelDownloadProgress) => options.onProgress?.(p) : null;
      const leave = () => {
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        if (listener) job.listeners.delete(listener);
        job.callers--;
      };
      const onAbort = () => {
        if (settled) return;
        leave();
        if (job.callers > 0) return reject(this.aborted(id));
        // The last caller stops the download and waits for it to wind down, so availability() is settled on return.
        job.controller.abort();
        const rejectAborted = () => reject(this.aborted(id));
        job.promise.then(rejectAborted, rejectAborted);
      };
      job.callers++;
      if (listener) job.listeners.add(listener);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      job.promise.then(
        (dir) => {
          if (settled) return;
          leave();
          resolve(dir);
        },
        (err: unknown) => {
          if (settled) return;
          leave();
          reject(err);
        },
      );
    });
  }

  /**
   * For offline users: copies the model's files from a local folder (same relative paths as the layout, or all files
   * side by side), checking each pinned SHA-256 and size, then installs them in one step. A file that fails leaves
   * any existing install untouched.
   */
  async importFolder(id: string, sourceDir: string): Promise<string> {
    const model = this.model(id);
    if (this.jobs.has(id) || this.busy.has(id)) throw this.busyError(model, this.jobs.has(id) ? 'downloading' : 'being imported or checked');
    this.busy.add(id);
    try {
      const source = path.resolve(expandHome(sourceDir));
      const st = await stat(source).catch(() => null);
      if (!st?.isDirectory()) {
        throw new ModelError('NOT_A_MODEL_FOLDER', `Cannot import model "${model.id}": ${source} is not a folder.`, id);
      }
      const located: Array<{ file: ModelFile; from: string }> = [];
      const missing: string[] = [];
      for (const file of model.files) {
        const candidates = [path.join(source, ...file.path.split('/')), path.join(source, path.posix.basename(file.path))];
        let found: string | null = null;
        for (const candidate of candidates) {
          if ((await stat(candidate).catch(() => null))?.isFile()) {
            found = candidate;
            break;
          }
        }
        if (found) located.push({ file, from: found });
        else missing.push(file.path);
      }
      if (missing.length > 0) {
        throw new ModelError(
          'IMPORT_MISSING_FILE',
          `Cannot import model "${model.id}" from ${source}: missing ${missing.join(', ')} (expected ${model.files.map((f) => f.path).join(', ')}).`,
          id,
        );
      }

      await mkdir(this.modelsDir, { recursive: true });
      // Stage beside the destination so the final moves are renames on one file system.
      const staging = await mkdtemp(path.join(this.modelsDir, `.import-${model.id}-`));
      try {
        const installed: InstalledFile[] = [];
        for (const { file, from } of located) {
          const staged = path.join(staging, ...file.path.split('/'));
          await mkdir(path.dirname(staged), { recursive: true });
          const { sha256, size } = await copyAndHash(from, staged);
          if (file.size !== null && size !== file.size) {
            throw new ModelError(
              'SIZE_MISMATCH',
              `${from} has ${size} bytes but model "${model.id}" expects ${file.size} for ${file.path}: it is a different file.`,
              id,
            );
          }
          if (file.sha256 !== null && sha256 !== file.sha256) {
            throw new ModelError(
              'CHECKSUM_MISMATCH',
              `${from} is not the expected ${file.path} for model "${model.id}" (SHA-256 ${sha256}, expected ${file.sha256}).`,
              id,
            );
          }
          installed.push({ path: file.path, size, sha256, trust: verificationPolicy(file), url: null });
        }
        const dir = this.modelDir(id);
        await mkdir(dir, { recursive: true });
        await rm(path.join(dir, INSTALL_RECORD), { force: true });
        for (const file of model.files) {
          const final = path.join(dir, ...file.path.split('/'));
          await mkdir(path.dirname(final), { recursive: true });
          await rename(path.join(staging, ...file.path.split('/')), final);
          await rm(`${final}.part`, { force: true });
          await rm(`${final}.part.json`, { force: true });
        }
        await writeGeneratedPreprocessorConfig(dir, model);
        await writeRecord(dir, { formatVersion: 1, id: model.id, origin: 'import', installedAt: new Date().toISOString(), files: installed });
        this.failures.delete(id);
        return dir;
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    } finally {
      this.busy.delete(id);
      this.emit(id);
    }
  }

  /** The model folder to open for `--model`-style input: see resolveModel. */
  async resolve(idOrDir: string): Promise<string> {
    return (await this.resolveModel(idOrDir)).dir;
  }

  /**
   * A path (absolute, or containing a separator, or starting with '.' or '~') is used as-is and must be a model folder.
   * Anything else is a manifest id that must already be available: resolving never downloads.
   */
  async resolveModel(idOrDir: string): Promise<ResolvedModel> {
    const looksLikePath = path.isAbsolute(idOrDir) || /[\\/]/.test(idOrDir) || idOrDir.startsWith('.') || idOrDir.startsWith('~');
    const model = looksLikePath ? undefined : findModel(this.manifest, idOrDir);
    if (model) {
      const availability = this.availability(model.id);
      if (availability.state === 'available') {
        return { dir: availability.dir, layout: model.layout, model, record: this.installRecord(model.id) };
      }
      if (availability.state === 'downloading') {
        const pct = availability.totalBytes ? ` (${Math.floor((100 * availability.receivedBytes) / availability.totalBytes)}% done)` : '';
        throw new ModelError('DOWNLOADING', `Model "${model.id}" is still downloading${pct}; wait for it to finish.`, model.id);
      }
      const lastFailure = availability.state === 'failed' ? ` The last download failed: ${availability.reason}` : '';
      throw new ModelError(
        'NOT_DOWNLOADED',
        `Model "${model.id}" (${model.name}) is not downloaded: run \`shoebox models download ${model.id}\` (needs the internet once), ` +
          `or copy its files from another computer and run \`shoebox models import ${model.id} <folder>\`.${lastFailure}`,
        model.id,
      );
    }
    const dir = path.resolve(expandHome(idOrDir));
    const st = await stat(dir).catch(() => null);
    if (!st) {
      if (!looksLikePath) {
        throw new ModelError('UNKNOWN_MODEL', `${unknownModelMessage(this.manifest, idOrDir)}, and there is no folder of that name.`, null);
      }
      throw new ModelError('NOT_A_MODEL_FOLDER', `The model folder ${dir} does not exist.`, null);
    }
    if (!st.isDirectory()) throw new ModelError('NOT_A_MODEL_FOLDER', `${dir} is a file, not a model folder.`, null);
    const layout = await detectModelLayout(dir);
    if (!layout) {
      throw new ModelError(
        'NOT_A_MODEL_FOLDER',
        `${dir} is not a model folder: expected ${MODEL_LAYOUTS.map((l) => `${describeLayout(l)} (${l})`).join(', or ')}.`,
        null,
      );
    }
    const record = readRecord(dir);
    return { dir, layout, model: record ? (findModel(this.manifest, record.id) ?? null) : null, record };
  }

  /**
   * Re-hashes an installed model against its install record and the manifest (a "repair" check for a model that fails
   * to load). Anything wrong makes the model unavailable, so ensure() fetches the bad files again.
   */
  async verify(id: string): Promise<{ ok: boolean; problems: string[] }> {
    const model = this.model(id);
    if (this.jobs.has(id) || this.busy.has(id)) throw this.busyError(model, this.jobs.has(id) ? 'downloading' : 'being imported or checked');
    this.busy.add(id);
    try {
      const dir = this.modelDir(id);
      const record = readRecord(dir);
      if (!record) return { ok: false, problems: [`model "${id}" is not installed`] };
      const problems: string[] = [];
      for (const file of model.files) {
        const entry = record.files.find((f) => f.path === file.path);
        const actual = await sha256File(path.join(dir, ...file.path.split('/'))).catch(() => null);
        if (!entry || !actual) problems.push(`${file.path} is missing`);
        else if (actual.sha256 !== (file.sha256 ?? entry.sha256)) problems.push(`${file.path} has changed on disk (SHA-256 ${actual.sha256})`);
        else if (actual.size !== entry.size) problems.push(`${file.path} has ${actual.size} bytes, expected ${entry.size}`);
      }
      if (problems.length > 0) await rm(path.join(dir, INSTALL_RECORD), { force: true });
      return { ok: problems.length === 0, problems };
    } finally {
      this.busy.delete(id);
      this.emit(id);
    }
  }

  /** Deletes a model's folder (downloaded, imported or partial). */
  async remove(id: string): Promise<void> {
    const model = this.model(id);
    if (this.jobs.has(id) || this.busy.has(id)) throw this.busyError(model, this.jobs.has(id) ? 'downloading' : 'being imported or checked');
    await rm(this.modelDir(id), { recursive: true, force: true });
    this.failures.delete(id);
    this.emit(id);
  }

  private model(id: string): ModelEntry {
    const model = findModel(this.manifest, id);
    if (!model) throw new ModelError('UNKNOWN_MODEL', `${unknownModelMessage(this.manifest, id)}.`, null);
    return model;
  }

  private aborted(id: string): ModelError {
    return new ModelError('ABORTED', `The download of model "${id}" was cancelled.`, id);
  }

  private busyError(model: ModelEntry, what: string): ModelError {
    return new ModelError('BUSY', `Model "${model.id}" is ${what} right now; try again when that has finished.`, model.id);
  }

  private emit(id: string): void {
    if (this.listeners.size === 0) return;
    const availability = this.availability(id);
    for (const listener of this.listeners) {
      try {
        listener(id, availability);
      } catch {
        // a broken listener must not break the download
      }
    }
  }

  /** The record, if it is present and agrees with the manifest and with the files' sizes on disk (cheap: no hashing). */
  private installedRecord(model: ModelEntry): InstallRecord | null {
    const dir = path.join(this.modelsDir, model.id);
    const record = readRecord(dir);
    if (!record || record.id !== model.id) return null;
    for (const file of model.files) {
      const entry = record.files.find((f) => f.path === file.path);
      if (!entry) return null;
      if (file.sha256 !== null && entry.sha256 !== file.sha256) return null;
      if (file.size !== null && entry.size !== file.size) return null;
      const st = statSync(path.join(dir, ...file.path.split('/')), { throwIfNoEntry: false });
      if (!st?.isFile() || st.size !== entry.size) return null;
    }
    return record;
  }

  private startJob(model: ModelEntry): Job {
    const job: Job = {
      controller: new AbortController(),
      callers: 0,
      listeners: new Set(),
      progress: { receivedBytes: 0, totalBytes: sumOrNull(model.files.map((f) => f.size)), bytesPerSecond: 0 },
      promise: Promise.resolve(''),
    };
    this.jobs.set(model.id, job);
    this.failures.delete(model.id);
    job.promise = this.download(model, job).then(
      (dir) => {
        this.jobs.delete(model.id);
        this.emit(model.id);
        return dir;
      },
      (err: unknown) => {
        this.jobs.delete(model.id);
        const error = toModelError(err, model);
        if (error.code !== 'ABORTED') this.failures.set(model.id, { reason: error.message, code: error.code });
        this.emit(model.id);
        throw error;
      },
    );
    // Every caller may have left (aborted) before the end; the rejection is still handled.
    job.promise.catch(() => undefined);
    this.emit(model.id);
    return job;
  }

  private async download(model: ModelEntry, job: Job): Promise<string> {
    const dir = this.modelDir(model.id);
    await mkdir(dir, { recursive: true });
    // From here on the folder is "in progress" until the new record is written.
    await rm(path.join(dir, INSTALL_RECORD), { force: true });
    const sizes = model.files.map((f) => f.size);
    const done = model.files.map(() => 0);
    const report = (index: number, bytesPerSecond: number) => {
      job.progress = { receivedBytes: done.reduce((a, b) => a + b, 0), totalBytes: sumOrNull(sizes), bytesPerSecond };
      const file = model.files[index]?.path ?? '';
      for (const listener of job.listeners) {
        try {
          listener({ ...job.progress, modelId: model.id, file, fileIndex: index, fileCount: model.files.length });
        } catch {
          // a broken progress callback must not break the download
        }
      }
      this.emit(model.id);
    };

    const installed: InstalledFile[] = [];
    for (const [index, file] of model.files.entries()) {
      if (job.controller.signal.aborted) throw this.aborted(model.id);
      const dest = path.join(dir, ...file.path.split('/'));
      const kept = await keepExisting(dest, file);
      if (kept) {
        installed.push(kept);
        sizes[index] = kept.size;
        done[index] = kept.size;
        report(index, 0);
        continue;
      }
      const result = await downloadFile({
        url: file.url,
        dest,
        expectedSize: file.size,
        expectedSha256: file.sha256,
        signal: job.controller.signal,
        fetchImpl: this.options.fetchImpl,
        retry: this.options.retry,
        stallTimeoutMs: this.options.stallTimeoutMs,
        progressIntervalMs: this.options.progressIntervalMs,
        label: file.path,
        onProgress: (p) => {
          done[index] = p.receivedBytes;
          if (p.totalBytes !== null) sizes[index] = p.totalBytes;
          report(index, p.bytesPerSecond);
        },
      });
      installed.push({ path: file.path, size: result.size, sha256: result.sha256, trust: verificationPolicy(file), url: file.url });
      sizes[index] = result.size;
      done[index] = result.size;
    }
    await writeGeneratedPreprocessorConfig(dir, model);
    await writeRecord(dir, { formatVersion: 1, id: model.id, origin: 'download', installedAt: new Date().toISOString(), files: installed });
    return dir;
  }
}

/** Which layout a folder has, or null when it is not a model folder. */
export async function detectModelLayout(dir: string): Promise<ModelLayout | null> {
  const listing: string[] = [];
  for (const sub of ['', 'onnx', 'visual', 'textual']) {
    const names = await readdir(path.join(dir, sub)).catch(() => [] as string[]);
    for (const name of names) listing.push(sub ? `${sub}/${name}` : name);
  }
  for (const layout of ['flat', 'hf', 'openclip'] as const) {
    if (satisfiesLayout(layout, listing)) return layout;
  }
  return null;
}

/** A completed file from an earlier, interrupted run, if it still matches what the manifest pins. */
async function keepExisting(dest: string, file: ModelFile): Promise<InstalledFile | null> {
  const st = await stat(dest).catch(() => null);
  if (!st?.isFile()) return null;
  if (file.size !== null && st.size !== file.size) {
    await rm(dest, { force: true });
    return null;
  }
  const { sha256, size } = await sha256File(dest);
  if (file.sha256 !== null && sha256 !== file.sha256) {
    await rm(dest, { force: true });
    return null;
  }
  // Unpinned files only ever reach their final name after a verified download, so the hash is recorded as found.
  return { path: file.path, size, sha256, trust: verificationPolicy(file), url: file.url };
}

function readRecord(dir: string): InstallRecord | null {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path.join(dir, INSTALL_RECORD), 'utf8'));
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const r = data as Partial<InstallRecord>;
  if (r.formatVersion !== 1 || typeof r.id !== 'string' || !Array.isArray(r.files)) return null;
  const filesOk = r.files.every(
    (f: Partial<InstalledFile>) => typeof f.path === 'string' && typeof f.size === 'number' && typeof f.sha256 === 'string',
  );
  return filesOk ? (data as InstallRecord) : null;
}

async function writeRecord(dir: string, record: InstallRecord): Promise<void> {
  const file = path.join(dir, INSTALL_RECORD);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(tmp, file);
}

async function copyAndHash(from: string, to: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(createReadStream(from), tap, createWriteStream(to));
  return { sha256: hash.digest('hex'), size };
}

function toModelError(err: unknown, model: ModelEntry): ModelError {
  if (err instanceof ModelError) return err;
  if (err instanceof DownloadError) {
    if (err.code === 'ABORTED') return new ModelError('ABORTED', `The download of model "${model.id}" was cancelled.`, model.id, err);
    return new ModelError(err.code, `Could not download model "${model.id}" (${model.name}): ${err.message}`, model.id, err);
  }
  return new ModelError('IO', `Could not install model "${model.id}": ${(err as Error).message}`, model.id, err);
}

function unknownModelMessage(manifest: ModelManifest, id: string): string {
  return `Unknown model "${id}" (known models: ${manifest.models.map((m) => m.id).join(', ')})`;
}

/**
 * The CLIP loader reads preprocessing from `preprocessor_config.json` and falls back to OpenAI CLIP's when there is
 * none, which is wrong for e.g. MobileCLIP. For an hf/flat model whose files include no such config, write one from
 * the manifest so the folder describes itself. Labelled so nobody mistakes it for the publisher's file.
 */
async function writeGeneratedPreprocessorConfig(dir: string, model: ModelEntry): Promise<void> {
  if (model.layout === 'openclip' || model.files.some((f) => f.path === PREPROCESSOR_CONFIG)) return;
  const p = model.preprocess;
  const config = {
    _generated_by: 'Shoebox, from models/manifest.json (the published export has no preprocessor_config.json)',
    crop_size: p.size,
    shortest_edge: p.size,
    do_center_crop: p.resizeMode === 'crop',
    resample: PIL_RESAMPLE_CODES[p.interpolation],
    do_normalize: true,
    image_mean: [...p.mean],
    image_std: [...p.std],
    context_length: model.contextLength,
    ...(model.padTokenId !== null ? { pad_token_id: model.padTokenId } : {}),
  };
  const file = path.join(dir, PREPROCESSOR_CONFIG);
  await writeFile(`${file}.tmp`, `${JSON.stringify(config, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

const PREPROCESSOR_CONFIG = 'preprocessor_config.json';
const PIL_RESAMPLE_CODES: Record<ModelEntry['preprocess']['interpolation'], number> = { nearest: 0, lanczos: 1, bilinear: 2, bicubic: 3 };

function sumOrNull(values: ReadonlyArray<number | null>): number | null {
  let sum = 0;
  for (const v of values) {
    if (v === null) return null;
    sum += v;
  }
  return sum;
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') || p.startsWith('~\\') ? path.join(os.homedir(), p.slice(1)) : p;
}
