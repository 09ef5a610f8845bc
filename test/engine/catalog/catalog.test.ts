import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../electron/engine/catalog/catalog';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'shoebox-catalog-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function vector(photoId: number): Float32Array {
  const v = new Float32Array(16);
  v[photoId % 16] = 1;
  v[(photoId * 7) % 16]! += 0.5;
  return v;
}

describe('Catalog', () => {
  it('transaction commits, rolls back on throw, and nests', () => {
    const catalog = Catalog.open(path.join(dir, 'c.sqlite'));
    const lib = path.join(dir, 'Pictures');
    expect(() =>
      catalog.transaction(() => {
        catalog.folders.add(path.join(lib, 'a'));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(catalog.folders.list()).toEqual([]);

    const result = catalog.transaction(() => {
      catalog.folders.add(path.join(lib, 'a'));
      try {
        catalog.transaction(() => {
          catalog.folders.add(path.join(lib, 'b'));
          throw new Error('inner');
        });
      } catch {
        // only the inner savepoint rolls back
      }
      return 7;
    });
    expect(result).toBe(7);
    expect(catalog.folders.list().map((f) => path.basename(f.path))).toEqual(['a']);
    catalog.close();
  });

  it('saveResults writes vectors and states together and skips stale results', () => {
    const catalog = Catalog.open(path.join(dir, 'c.sqlite'));
    const folder = catalog.folders.add(path.join(dir, 'Pictures'));
    const recs = ['a', 'b', 'c', 'd', 'e'].map((n, i) => ({ folderId: folder.id, path: path.join(folder.path, `${n}.jpg`), size: 10, mtimeMs: i }));
    const [a, b, c, d, e] = catalog.photos.upsertMany(recs).map((r) => r.id) as [number, number, number, number, number];
    catalog.embeddings.ensureModel('m', 16);
    catalog.photos.delete(d); // deleted while being embedded
    catalog.photos.upsertScanned({ ...recs[2]!, size: 11 }); // c changed while being embedded

    const outcome = catalog.saveResults('m', {
      indexed: [
        { photoId: a, vector: vector(a), details: { contentHash: 'ha' }, expected: { size: 10, mtimeMs: 0 } },
        { photoId: c, vector: vector(c), details: { contentHash: 'hc' }, expected: { size: 10, mtimeMs: 2 } },
        { photoId: d, vector: vector(d), details: { contentHash: 'hd' } },
      ],
      failed: [{ photoId: b, reason: 'corrupt JPEG' }],
    });
    expect(outcome).toEqual({ saved: [a, b], skipped: [c, d] });
    expect(catalog.embeddings.count('m')).toBe(1);
    expect(catalog.photos.get(a)).toMatchObject({ state: 'indexed', embeddedModel: 'm', contentHash: 'ha' });
    expect(catalog.photos.get(b)).toMatchObject({ state: 'failed', failureReason: 'corrupt JPEG' });
    expect(catalog.photos.get(c)?.state).toBe('pending');
    // A second result for an already indexed photo changes nothing.
    const before = Array.from(catalog.embeddings.get('m', a)!);
    expect(catalog.saveResults('m', { indexed: [{ photoId: a, vector: vector(e), details: { contentHash: 'zz' } }] })).toEqual({ saved: [], skipped: [a] });
    expect(Array.from(catalog.embeddings.get('m', a)!)).toEqual(before);
    expect(catalog.embeddings.knn('m', vector(a), 1)[0]!.photoId).toBe(a);
    expect(catalog.photos.get(a)?.contentHash).toBe('ha');
    expect(catalog.findOrphans()).toEqual([]);
    expect(catalog.embeddings.findMissing()).toEqual([]);
    catalog.close();
  });

  it('a process killed mid-batch (kill -9) loses only the open transaction and resumes without duplicates', async () => {
    const file = path.join(dir, 'catalog.sqlite');
    const child = path.join(dir, 'child.mts');
    const catalogModule = pathToFileURL(path.join(repoRoot, 'electron/engine/catalog/catalog.ts')).href;
    writeFileSync(
      child,
      `
      import { writeSync } from 'node:fs';
      import { Catalog } from ${JSON.stringify(catalogModule)};
      const catalog = Catalog.open(${JSON.stringify(file)});
      const folder = catalog.folders.add(${JSON.stringify(path.join(dir, 'Pictures'))});
      catalog.photos.upsertMany(Array.from({ length: 200 }, (_, i) => ({ folderId: folder.id, path: folder.path + '/' + i + '.jpg', size: 1, mtimeMs: i })));
      catalog.embeddings.ensureModel('m', 16);
      const vector = (id) => { const v = new Float32Array(16); v[id % 16] = 1; v[(id * 7) % 16] += 0.5; return v; };
      const results = (rows) => ({ indexed: rows.map((p) => ({ photoId: p.id, vector: vector(p.id), details: { contentHash: 'h' + p.id }, expected: p })) });
      for (let batch = 1; ; batch++) {
        const rows = catalog.photos.listPending(10);
        if (batch === 6) {
          catalog.transaction(() => {
            catalog.saveResults('m', results(rows));
            writeSync(1, 'inside\\n');
            for (;;) {} // killed here, inside the open transaction
          });
        }
        catalog.saveResults('m', results(rows));
        writeSync(1, 'committed ' + batch + '\\n');
      }
      `,
    );
    const proc = spawn(process.execPath, ['--import', 'tsx', child], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('inside')) proc.kill('SIGKILL');
    });
    const signal = await exit;
    expect(err).toBe('');
    expect(signal).toBe('SIGKILL');
    expect(out).toContain('committed 5');
    expect(existsSync(`${file}-wal`)).toBe(true); // the commits live in the WAL, never checkpointed

    const catalog = Catalog.open(file);
    expect(catalog.integrityCheck()).toEqual([]);
    expect(catalog.photos.counts()).toEqual({ pending: 150, indexed: 50, failed: 0, total: 200 });
    expect(catalog.embeddings.count('m')).toBe(50);
    expect(catalog.findOrphans()).toEqual([]);
    expect(catalog.embeddings.findMissing()).toEqual([]);

    // Resume: the queue is exactly the unfinished work.
    const indexedBefore = new Set(catalog.photos.listInFolder(1).filter((p) => p.state === 'indexed').map((p) => p.id));
    for (;;) {
      const rows = catalog.photos.listPending(32);
      if (rows.length === 0) break;
      expect(rows.some((r) => indexedBefore.has(r.id))).toBe(false);
      const outcome = catalog.saveResults('m', {
        indexed: rows.map((p) => ({ photoId: p.id, vector: vector(p.id), details: { contentHash: `h${p.id}` }, expected: p })),
      });
      expect(outcome.skipped).toEqual([]);
    }
    expect(catalog.embeddings.markComplete('m')).toBe(true);
    expect(catalog.photos.counts()).toEqual({ pending: 0, indexed: 200, failed: 0, total: 200 });
    expect(catalog.embeddings.count('m')).toBe(200);
    const ids = [...catalog.embeddings.iterate('m')].flatMap((c) => c.photoIds);
    expect(new Set(ids).size).toBe(200);
    catalog.close();
  });
});
