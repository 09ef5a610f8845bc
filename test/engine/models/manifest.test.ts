import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ManifestError,
  defaultModel,
  describeLayout,
  loadManifest,
  parseManifest,
  requireModel,
  satisfiesLayout,
  verificationPolicy,
} from '../../../electron/engine/models/manifest';
import type { FactStatus } from '../../../electron/engine/models/manifest';
import { hasShared, sharedPath } from '../../support/shared-data';

/** A small valid manifest to break in different ways. */
function validManifest(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    default: 'toy',
    models: [
      {
        id: 'toy',
        name: 'Toy',
        layout: 'flat',
        embeddingDim: 512,
        contextLength: 77,
        tokenizer: 'clip-bpe',
        padTokenId: 0,
        licence: 'CC0',
        preprocess: { size: 224, resizeMode: 'crop', interpolation: 'bicubic', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
        status: { embeddingDim: 'confirmed' },
        files: [
          { path: 'vision_model.onnx', role: 'vision', url: 'http://127.0.0.1/v.onnx', size: 10, sha256: 'a'.repeat(64), status: { size: '3P', sha256: 'confirmed' } },
          { path: 'text_model.onnx', role: 'text', url: 'http://127.0.0.1/t.onnx', size: null, sha256: null, status: { size: 'unconfirmed', sha256: 'unconfirmed' } },
          { path: 'preprocessor_config.json', role: 'preprocess', url: 'http://127.0.0.1/p.json', size: 5, sha256: null },
        ],
      },
    ],
  };
}

type Mutable = Record<string, unknown> & { models: Array<Record<string, unknown> & { files: Array<Record<string, unknown>> }> };

/** Applies `change` to a fresh valid manifest and returns the validation issues. */
function issuesAfter(change: (m: Mutable) => void): string[] {
  const manifest = validManifest() as Mutable;
  change(manifest);
  try {
    parseManifest(manifest, 'test manifest');
  } catch (err) {
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as ManifestError).code).toBe('INVALID_MANIFEST');
    expect((err as ManifestError).message).toContain('test manifest is invalid');
    return (err as ManifestError).issues;
  }
  throw new Error('expected the manifest to be rejected');
}

describe('bundled models/manifest.json', () => {
  const manifest = loadManifest();

  it('loads, validates and names a default model that every layout rule accepts', () => {
    expect(defaultModel(manifest).id).toBe('clip-vit-b32');
    expect(new Set(manifest.models.map((m) => m.id)).size).toBe(manifest.models.length);
    for (const model of manifest.models) {
      expect(satisfiesLayout(model.layout, model.files.map((f) => f.path)), `${model.id}: ${describeLayout(model.layout)}`).toBe(true);
      expect(model.files.every((f) => f.url.startsWith('https://'))).toBe(true);
    }
  });

  it('pins every Hugging Face download to a commit unless no source gave one', () => {
    for (const model of manifest.models) {
      for (const file of model.files) {
        const revision = file.url.match(/\/resolve\/([^/]+)\//)?.[1];
        expect(revision === 'main' || /^[0-9a-f]{40}$/.test(revision ?? ''), file.url).toBe(true);
      }
    }
  });

  it('has a verification policy for every file, including trust-on-first-use ones', () => {
    const policies = manifest.models.flatMap((m) => m.files.map((f) => verificationPolicy(f)));
    expect(policies).toContain('sha256');
    expect(policies).toContain('tofu');
    for (const model of manifest.models) {
      for (const file of model.files) {
        if (file.sha256 === null) expect(file.status.sha256, `${model.id} ${file.path}`).toBe('unconfirmed');
        if (file.size === null) expect(file.status.size, `${model.id} ${file.path}`).toBe('unconfirmed');
      }
    }
  });

  describe.skipIf(!hasShared('models/manifest-facts.json'))('agrees with ../shared/models/manifest-facts.json', () => {
    interface FactsFile {
      path: string;
      bytes: number | string;
      bytes_status: string;
      sha256: string;
      sha256_status: string;
    }
    interface FactsModel {
      repo: string;
      embedding_dim: { value: number; status: string };
      files?: FactsFile[];
    }
    const facts = JSON.parse(readFileSync(sharedPath('models', 'manifest-facts.json'), 'utf8')) as { models: FactsModel[] };
    const statusOf = (s: string): FactStatus => (s === 'third_party_pin' ? '3P' : (s as FactStatus));

    it('never carries a checksum, size or status that the facts do not give', () => {
      let checked = 0;
      for (const model of manifest.models) {
        const source = facts.models.find((m) => m.repo === model.repo);
        expect(source, model.repo).toBeDefined();
        for (const file of model.files) {
          const fact = source?.files?.find((f) => f.path === file.path);
          expect(fact, `${model.id} ${file.path}`).toBeDefined();
          if (!fact) continue;
          expect(file.sha256, `${model.id} ${file.path} sha256`).toBe(fact.sha256_status === 'unconfirmed' ? null : fact.sha256);
          expect(file.size, `${model.id} ${file.path} size`).toBe(typeof fact.bytes === 'number' ? fact.bytes : null);
          expect(file.status).toEqual({ size: statusOf(fact.bytes_status), sha256: statusOf(fact.sha256_status) });
          expect(file.url).toContain(`huggingface.co/${model.repo}/resolve/`);
          checked++;
        }
        expect(model.embeddingDim).toBe(source?.embedding_dim.value);
        expect(model.status.embeddingDim).toBe(statusOf(source?.embedding_dim.status ?? ''));
      }
      expect(checked).toBeGreaterThan(10);
    });
  });
});

describe('manifest validation', () => {
  it('accepts the valid sample and looks models up by id', () => {
    const manifest = parseManifest(validManifest());
    expect(requireModel(manifest, 'toy').files).toHaveLength(3);
    expect(verificationPolicy(manifest.models[0]!.files[2]!)).toBe('size+tofu');
    try {
      requireModel(manifest, 'nope');
      throw new Error('expected a throw');
    } catch (err) {
      expect(err).toMatchObject({ code: 'UNKNOWN_MODEL' });
      expect((err as Error).message).toContain('known models: toy');
    }
  });

  it('rejects a manifest that is not an object or has the wrong version', () => {
    expect(() => parseManifest([])).toThrow(ManifestError);
    expect(issuesAfter((m) => (m.schemaVersion = 2))).toEqual(['schemaVersion: must be 1 (got 2)']);
  });

  it('names the exact entry and field of a bad checksum or size', () => {
    expect(issuesAfter((m) => (m.models[0]!.files[0]!.sha256 = 'XYZ'))).toEqual([
      'models[0] (toy).files[0].sha256: must be 64 lower-case hex characters or null (got "XYZ")',
    ]);
    expect(issuesAfter((m) => (m.models[0]!.files[0]!.size = -5))[0]).toMatch(/^models\[0\] \(toy\)\.files\[0\]\.size: must be a positive integer or null/);
    expect(issuesAfter((m) => delete m.models[0]!.files[1]!.sha256)[0]).toContain('files[1].sha256: is required');
  });

  it('refuses invented values: an unconfirmed checksum must be null, a null one cannot be confirmed', () => {
    expect(issuesAfter((m) => (m.models[0]!.files[0]!.status = { sha256: 'unconfirmed' }))[0]).toContain('an unconfirmed sha256 must be null');
    expect(issuesAfter((m) => (m.models[0]!.files[1]!.status = { size: 'confirmed' }))[0]).toContain("a missing value can only be 'unconfirmed'");
    expect(issuesAfter((m) => (m.models[0]!.files[0]!.status = { sha256: 'maybe' }))[0]).toContain('must be one of confirmed, 3P, derived, unconfirmed');
    expect(issuesAfter((m) => (m.models[0]!.status = { colour: 'confirmed' }))[0]).toContain('status.colour: is not a field that carries a status');
  });

  it('rejects paths that escape the model folder and non-HTTP URLs', () => {
    expect(issuesAfter((m) => (m.models[0]!.files[2]!.path = '../preprocessor_config.json')).join('\n')).toContain('must be a relative POSIX path');
    expect(issuesAfter((m) => (m.models[0]!.files[2]!.path = '/etc/preprocessor_config.json')).join('\n')).toContain('must be a relative POSIX path');
    expect(issuesAfter((m) => (m.models[0]!.files[0]!.url = 'ftp://example.com/v.onnx'))[0]).toContain('must be an http(s) URL');
  });

  it('checks the layout, the roles and the preprocessing', () => {
    expect(issuesAfter((m) => (m.models[0]!.layout = 'zip'))[0]).toContain("layout: must be one of 'hf', 'openclip', 'flat'");
    expect(issuesAfter((m) => m.models[0]!.files.splice(1, 1))).toEqual([
      "models[0] (toy).files: layout 'flat' needs text_model.onnx but no file matches",
      "models[0] (toy).files: must have exactly one file with role 'text' (found 0)",
    ]);
    expect(issuesAfter((m) => (m.models[0]!.layout = 'hf')).join('\n')).toContain("layout 'hf' needs onnx/vision_model*.onnx");
    expect(issuesAfter((m) => ((m.models[0]!.preprocess as Record<string, unknown>).mean = [0.5, 0.5]))[0]).toContain('preprocess.mean: must be an array of 3 numbers');
    expect(issuesAfter((m) => ((m.models[0]!.preprocess as Record<string, unknown>).std = [1, 0, 1]))[0]).toContain('preprocess.std: must be an array of 3 positive numbers');
  });

  it('rejects duplicate ids, a default that does not exist, and reports every problem at once', () => {
    expect(issuesAfter((m) => m.models.push(structuredClone(m.models[0]!)))).toEqual(['models: id "toy" is used twice']);
    expect(issuesAfter((m) => (m.default = 'other'))).toEqual(['default: names "other", which is not a model in this manifest']);
    const many = issuesAfter((m) => {
      m.models[0]!.id = 'Bad Id';
      m.models[0]!.embeddingDim = 0;
      m.models[0]!.tokenizer = 'sentencepiece';
    });
    expect(many.length).toBeGreaterThanOrEqual(3);
    expect(many.join('\n')).toMatch(/id: must be 1-64 characters[\s\S]*embeddingDim[\s\S]*tokenizer: must be one of 'clip-bpe'/);
  });

  it('reports an unreadable or malformed manifest file clearly', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shoebox-manifest-'));
    try {
      const file = path.join(dir, 'manifest.json');
      await writeFile(file, '{ "schemaVersion": 1, ');
      expect(() => loadManifest(file)).toThrow(/is not valid JSON/);
      expect(() => loadManifest(path.join(dir, 'missing.json'))).toThrow(/cannot read the model manifest/);
      await writeFile(file, JSON.stringify(validManifest()));
      expect(loadManifest(file).default).toBe('toy');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
