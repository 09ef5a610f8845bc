import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../electron/engine/models/manifest';
import { INSTALL_RECORD, ModelError, ModelManager } from '../../../electron/engine/models/model-manager';
import type { ModelAvailability, ModelDownloadProgress } from '../../../electron/engine/models/model-manager';
import type { FileBehaviour } from '../../support/model-file-server';
import { ModelFileServer } from '../../support/model-file-server';
import { TOY_MODEL_DIR, hasShared } from '../../support/shared-data';
import { TOY_FILES, toyFiles, toyManifest as toyModelManifest } from '../../support/toy-manifest';

const haveToy = hasShared(...TOY_FILES.map((f) => `models/toy-color-clip/${f}`));
const FAST = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function flipBits(buffer: Buffer, index: number, mask: number): void {
  buffer.writeUInt8(buffer.readUInt8(index) ^ mask, index);
}

async function rejection(promise: Promise<unknown>): Promise<ModelError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ModelError);
    return err as ModelError;
  }
  throw new Error('expected a ModelError');
}

describe.skipIf(!haveToy)('ModelManager', () => {
  let server: ModelFileServer;
  let dataDir: string;
  let toy: Record<(typeof TOY_FILES)[number], Buffer>;
  let prefix = '';
  let counter = 0;

  /** Serves the toy model under a fresh prefix and returns a manifest for it ('pinned': real sizes and SHA-256s). */
  function toyManifest(options: { pinned?: boolean; layout?: 'flat' | 'hf'; behaviour?: Partial<Record<string, FileBehaviour>> } = {}): ModelManifest {
    prefix = `/m${++counter}`;
    for (const name of toyFiles(options.layout)) server.serve(`${prefix}/${name}`, toy[name], options.behaviour?.[name] ?? {});
    return toyModelManifest({
      url: (name) => server.url(`${prefix}/${name}`),
      body: (name) => toy[name],
      pinned: options.pinned ?? true,
      ...(options.layout ? { layout: options.layout } : {}),
      normalisation: { mean: [0.1, 0.2, 0.3], std: [0.4, 0.5, 0.6] },
    });
  }

  function manager(manifest: ModelManifest, extra: { stallTimeoutMs?: number } = {}): ModelManager {
    return new ModelManager({ dataDir, manifest, retry: FAST, progressIntervalMs: 0, ...extra });
  }

  function expectToyInstalled(dir: string): void {
    for (const name of TOY_FILES) expect(readFileSync(path.join(dir, name)).equals(toy[name])).toBe(true);
  }

  beforeAll(async () => {
    server = await ModelFileServer.start();
    toy = {
      'vision_model.onnx': readFileSync(path.join(TOY_MODEL_DIR, 'vision_model.onnx')),
      'text_model.onnx': readFileSync(path.join(TOY_MODEL_DIR, 'text_model.onnx')),
      'preprocessor_config.json': readFileSync(path.join(TOY_MODEL_DIR, 'preprocessor_config.json')),
    };
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'shoebox-models-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('downloads a model, reports progress and availability changes, and then serves it from disk', async () => {
    const models = manager(toyManifest());
    const states: ModelAvailability['state'][] = [];
    models.onChange((id, availability) => {
      expect(id).toBe('toy');
      states.push(availability.state);
    });
    expect(models.availability('toy')).toEqual({ state: 'missing' });
    const progress: ModelDownloadProgress[] = [];
    const dir = await models.ensure('toy', { onProgress: (p) => progress.push(p) });

    expect(dir).toBe(path.join(dataDir, 'models', 'toy'));
    expectToyInstalled(dir);
    expect(models.availability('toy')).toEqual({ state: 'available', dir });
    expect(states[0]).toBe('downloading');
    expect(states.at(-1)).toBe('available');
    const total = TOY_FILES.reduce((sum, name) => sum + toy[name].length, 0);
    expect(progress.every((p) => p.totalBytes === total && p.modelId === 'toy' && p.fileCount === 3)).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.receivedBytes).toBeGreaterThanOrEqual(progress[i - 1]!.receivedBytes);
    expect(progress.at(-1)?.receivedBytes).toBe(total);

    const record = models.installRecord('toy');
    expect(record?.origin).toBe('download');
    expect(record?.files.map((f) => [f.path, f.trust, f.sha256])).toEqual(TOY_FILES.map((n) => [n, 'sha256', sha256(toy[n])]));
    expect((await readdir(dir)).sort()).toEqual([INSTALL_RECORD, ...TOY_FILES].sort());

    const before = server.requests.length;
    expect(await models.ensure('toy')).toBe(dir);
    expect(server.requests.length).toBe(before);
    expect(await models.resolve('toy')).toBe(dir);
  });

  it('shares one download between concurrent ensure() calls', async () => {
    const models = manager(toyManifest());
    const dirs = await Promise.all([models.ensure('toy'), models.ensure('toy'), models.ensure('toy')]);
    expect(new Set(dirs).size).toBe(1);
    for (const name of TOY_FILES) expect(server.requestsFor(`${prefix}/${name}`)).toHaveLength(1);
    expectToyInstalled(dirs[0]!);
  });

  it('never reports a half-downloaded model as available, and resumes it later', async () => {
    const manifest = toyManifest({ behaviour: { 'text_model.onnx': { stallAfter: { bytes: 10_000 } } } });
    const models = manager(manifest, { stallTimeoutMs: 60_000 });
    const controller = new AbortController();
    const seen: ModelAvailability[] = [];
    const error = await rejection(
      models.ensure('toy', {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.file === 'text_model.onnx' && p.receivedBytes > toy['vision_model.onnx'].length) {
            seen.push(models.availability('toy'));
            controller.abort();
          }
        },
      }),
    );
    expect(error.code).toBe('ABORTED');
    expect(seen[0]?.state).toBe('downloading');
    const dir = models.modelDir('toy');
    // The vision tower is complete and in place, the text tower is partial: still not available.
    expect(existsSync(path.join(dir, 'vision_model.onnx'))).toBe(true);
    expect(existsSync(path.join(dir, 'text_model.onnx.part'))).toBe(true);
    expect(existsSync(path.join(dir, INSTALL_RECORD))).toBe(false);
    expect(models.availability('toy')).toEqual({ state: 'missing' });
    expect((await rejection(models.resolve('toy'))).code).toBe('NOT_DOWNLOADED');
    // A fresh manager (app restart) picks up where the last one stopped.
    const again = manager(manifest);
    expect(again.availability('toy')).toEqual({ state: 'missing' });
    await again.ensure('toy');
    expectToyInstalled(dir);
    expect(server.requestsFor(`${prefix}/vision_model.onnx`)).toHaveLength(1);
    const textRequests = server.requestsFor(`${prefix}/text_model.onnx`);
    expect(textRequests).toHaveLength(2);
    expect(textRequests[1]?.range).toMatch(/^bytes=\d+-$/);
    expect(again.availability('toy').state).toBe('available');
  });

  it('keeps a shared download going when only one of its callers cancels', async () => {
    const models = manager(toyManifest({ behaviour: { 'vision_model.onnx': { stallAfter: { bytes: 10_000 } } } }), { stallTimeoutMs: 200 });
    const controller = new AbortController();
    const leaving = models.ensure('toy', {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.receivedBytes > 0) controller.abort();
      },
    });
    const staying = models.ensure('toy');
    expect((await rejection(leaving)).code).toBe('ABORTED');
    expectToyInstalled(await staying);
  });

  it('reports a 404 as a failed model with a clear reason, without retrying', async () => {
    const manifest = toyManifest({ behaviour: { 'text_model.onnx': { failWith: { status: 404 } } } });
    const models = manager(manifest);
    const error = await rejection(models.ensure('toy'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toMatch(/model "toy".*text_model\.onnx was not found on the server/);
    expect(server.requestsFor(`${prefix}/text_model.onnx`)).toHaveLength(1);
    const availability = models.availability('toy');
    expect(availability).toMatchObject({ state: 'failed', code: 'NOT_FOUND' });
    const resolveError = await rejection(models.resolve('toy'));
    expect(resolveError.code).toBe('NOT_DOWNLOADED');
    expect(resolveError.message).toContain('The last download failed');
  });

  it('rejects a corrupted download and leaves nothing of it in place', async () => {
    const corrupted = Buffer.from(toy['text_model.onnx']);
    flipBits(corrupted, 100, 0xff);
    const manifest = toyManifest();
    server.serve(`${prefix}/text_model.onnx`, corrupted);
    const models = manager(manifest);
    const error = await rejection(models.ensure('toy'));
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    const dir = models.modelDir('toy');
    const left = await readdir(dir);
    expect(left.filter((f) => f.startsWith('text_model'))).toEqual([]);
    expect(left).not.toContain(INSTALL_RECORD);
    expect(models.availability('toy')).toMatchObject({ state: 'failed', code: 'CHECKSUM_MISMATCH' });
  });

  it('trusts unpinned files on first use: length-checked, hash recorded and labelled', async () => {
    const models = manager(toyManifest({ pinned: false }));
    await models.ensure('toy');
    const record = models.installRecord('toy');
    expect(record?.files.map((f) => [f.trust, f.sha256, f.size])).toEqual(TOY_FILES.map((n) => ['tofu', sha256(toy[n]), toy[n].length]));
  });

  it('imports a model folder for offline use, verifying every pinned file', async () => {
    const models = manager(toyManifest());
    const dir = await models.importFolder('toy', TOY_MODEL_DIR);
    expectToyInstalled(dir);
    expect(models.availability('toy')).toEqual({ state: 'available', dir });
    expect(models.installRecord('toy')?.origin).toBe('import');
    expect(server.requests.filter((r) => r.path.startsWith(`${prefix}/`))).toHaveLength(0);
    const resolved = await models.resolveModel(dir);
    expect(resolved).toMatchObject({ dir, layout: 'flat', model: { id: 'toy' } });
  });

  it('rejects an import with a wrong file and keeps the existing install untouched', async () => {
    const models = manager(toyManifest());
    const dir = await models.importFolder('toy', TOY_MODEL_DIR);
    const source = await mkdtemp(path.join(os.tmpdir(), 'shoebox-import-'));
    try {
      await cp(TOY_MODEL_DIR, source, { recursive: true });
      const wrong = Buffer.from(toy['text_model.onnx']);
      flipBits(wrong, wrong.length - 1, 0x01);
      await writeFile(path.join(source, 'text_model.onnx'), wrong);
      const error = await rejection(models.importFolder('toy', source));
      expect(error.code).toBe('CHECKSUM_MISMATCH');
      expect(error.message).toContain('text_model.onnx');
      expectToyInstalled(dir);
      expect(models.availability('toy').state).toBe('available');
      expect((await readdir(path.join(dataDir, 'models'))).filter((n) => n.startsWith('.import'))).toEqual([]);

      await rm(path.join(source, 'vision_model.onnx'));
      const missing = await rejection(manager(toyManifest()).importFolder('toy', source));
      expect(missing.code).toBe('IMPORT_MISSING_FILE');
      expect(missing.message).toContain('vision_model.onnx');
    } finally {
      await rm(source, { recursive: true, force: true });
    }
  });

  it('imports loose files into an hf layout and writes the preprocessing the export lacks', async () => {
    const models = manager(toyManifest({ layout: 'hf' }));
    const dir = await models.importFolder('toy', TOY_MODEL_DIR);
    expect(readFileSync(path.join(dir, 'onnx', 'vision_model.onnx')).equals(toy['vision_model.onnx'])).toBe(true);
    const generated = JSON.parse(readFileSync(path.join(dir, 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
    expect(generated).toMatchObject({
      crop_size: 224,
      shortest_edge: 224,
      do_center_crop: true,
      resample: 3,
      image_mean: [0.1, 0.2, 0.3],
      image_std: [0.4, 0.5, 0.6],
      pad_token_id: 0,
    });
    expect(String(generated._generated_by)).toContain('Shoebox');
    expect((await models.resolveModel('toy')).layout).toBe('hf');
  });

  it('resolves folders as-is and ids only when available, with clear errors otherwise', async () => {
    const models = manager(toyManifest());
    expect(await models.resolveModel(TOY_MODEL_DIR)).toEqual({ dir: TOY_MODEL_DIR, layout: 'flat', model: null, record: null });
    const notDownloaded = await rejection(models.resolve('toy'));
    expect(notDownloaded.code).toBe('NOT_DOWNLOADED');
    expect(notDownloaded.message).toMatch(/not downloaded.*shoebox models download toy.*shoebox models import toy/);
    expect((await rejection(models.resolve('nope'))).code).toBe('UNKNOWN_MODEL');
    expect((await rejection(models.resolve('./no-such-folder'))).code).toBe('NOT_A_MODEL_FOLDER');
    expect((await rejection(models.resolve(path.join(TOY_MODEL_DIR, 'text_model.onnx')))).code).toBe('NOT_A_MODEL_FOLDER');
    expect((await rejection(models.resolve(dataDir))).message).toContain('is not a model folder');
    expect(server.requests.filter((r) => r.path.startsWith(`${prefix}/`))).toHaveLength(0);
  });

  it('treats unknown ids gracefully in availability() and exposes names for the UI', async () => {
    const models = manager(toyManifest());
    expect(models.availability('nope')).toMatchObject({ state: 'failed', code: 'UNKNOWN_MODEL' });
    expect((await rejection(models.ensure('nope'))).code).toBe('UNKNOWN_MODEL');
    expect(models.defaultId).toBe('toy');
    expect(models.displayName('toy')).toBe('Toy colour CLIP');
    expect(models.displayName('/some/folder')).toBe('/some/folder');
    expect(models.list().map((m) => [m.model.id, m.availability.state])).toEqual([['toy', 'missing']]);
  });

  it('notices missing or changed files and fetches only what is needed again', async () => {
    const models = manager(toyManifest());
    const dir = await models.importFolder('toy', TOY_MODEL_DIR);
    await rm(path.join(dir, 'text_model.onnx'));
    expect(models.availability('toy')).toEqual({ state: 'missing' });
    await models.ensure('toy');
    expect(server.requestsFor(`${prefix}/vision_model.onnx`)).toHaveLength(0);
    expect(server.requestsFor(`${prefix}/text_model.onnx`)).toHaveLength(1);
    expectToyInstalled(dir);

    // Same size, one byte flipped: the cheap availability check cannot see it, verify() can.
    const tampered = Buffer.from(toy['vision_model.onnx']);
    flipBits(tampered, 0, 0xff);
    await writeFile(path.join(dir, 'vision_model.onnx'), tampered);
    expect(models.availability('toy').state).toBe('available');
    const check = await models.verify('toy');
    expect(check.ok).toBe(false);
    expect(check.problems.join('\n')).toContain('vision_model.onnx');
    expect(models.availability('toy')).toEqual({ state: 'missing' });
    await models.ensure('toy');
    expectToyInstalled(dir);
    expect((await models.verify('toy')).ok).toBe(true);

    await models.remove('toy');
    expect(existsSync(dir)).toBe(false);
    expect(models.availability('toy')).toEqual({ state: 'missing' });
  });
});
