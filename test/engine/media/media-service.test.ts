import { copyFile, mkdir, mkdtemp, readFile, realpath, rm, stat, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../../electron/engine/catalog/catalog';
import { hashBuffer } from '../../../electron/engine/library/content-hash';
import { MediaService, sniffDisplayable, type MediaKind, type MediaRefusal } from '../../../electron/engine/media/media-service';
import { ThumbnailStore } from '../../../electron/engine/media/thumbnails';
import { hasShared, sharedPath } from '../../support/shared-data';

const FORMATS = 'data/robustness/formats';

describe.skipIf(!hasShared(FORMATS))('MediaService', () => {
  let dir: string;
  let lib: string;
  let outside: string;
  let catalog: Catalog;
  let thumbnails: ThumbnailStore;
  let media: MediaService;
  const refusals: Array<{ photoId: number; kind: MediaKind | 'path'; reason: MediaRefusal }> = [];
  let folderId: number;

  /** Puts a file in the catalog the way a scan does (size and mtime of what the path leads to). */
  async function catalogued(file: string, options: { thumbnail?: boolean } = {}): Promise<number> {
    const info = await stat(file);
    const { id } = catalog.photos.upsertScanned({ folderId, path: file, size: info.size, mtimeMs: info.mtimeMs });
    if (options.thumbnail) {
      const bytes = await readFile(file);
      const key = hashBuffer(bytes);
      const { data, info: raw } = await sharp(bytes).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
      await thumbnails.write(key, { pixels: data, width: raw.width, height: raw.height });
      catalog.photos.markIndexed(id, 'test-model', { contentHash: key, thumbnail: key, format: 'jpeg' });
    }
    return id;
  }

  async function place(source: string, name: string): Promise<string> {
    const target = path.join(lib, name);
    await copyFile(sharedPath(FORMATS, source), target);
    return target;
  }

  function lastRefusal(photoId: number): MediaRefusal | undefined {
    return refusals.filter((r) => r.photoId === photoId).at(-1)?.reason;
  }

  beforeAll(async () => {
    dir = await realpath(await mkdtemp(path.join(tmpdir(), 'shoebox-media-')));
    lib = path.join(dir, 'library');
    outside = path.join(dir, 'outside');
    await mkdir(lib);
    await mkdir(outside);
    catalog = Catalog.open(path.join(dir, 'catalog.sqlite'));
    folderId = catalog.folders.add(lib).id;
    catalog.embeddings.ensureModel('test-model', 4);
    thumbnails = new ThumbnailStore(path.join(dir, 'data', 'thumbnails'));
    media = new MediaService({ catalog, thumbnails, onRefused: (photoId, kind, reason) => refusals.push({ photoId, kind, reason }) });
  });

  afterAll(async () => {
    catalog?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['sharp/flowers.jpeg', 'image/jpeg'],
    ['pillow/hopper.png', 'image/png'],
    ['sharp/4.webp', 'image/webp'],
    ['pillow/hopper.gif', 'image/gif'],
    ['sharp/pitm.avif', 'image/avif'],
  ])('serves a browser-displayable original (%s) as it is, typed by its bytes', async (source, contentType) => {
    const file = await place(source, `as-is-${path.basename(source)}`);
    const id = await catalogued(file);
    const served = await media.resolve('photo', id);
    expect(served).toMatchObject({ kind: 'photo', contentType, converted: false });
    expect(Buffer.from(served!.data).equals(await readFile(file))).toBe(true);
    expect(served!.etag).toMatch(/^"p-[^"]+"$/);
    expect(await media.photoPath(id)).toBe(file);
  });

  it('converts a TIFF to an upright JPEG no longer than the cap, and caches the conversion', async () => {
    const file = await place('sharp/G31D.TIF', 'scan.tif');
    const id = await catalogued(file);
    const small = new MediaService({ catalog, thumbnails, maxConvertedSide: 300 });
    const served = await small.resolve('photo', id);
    expect(served).toMatchObject({ kind: 'photo', contentType: 'image/jpeg', converted: true });
    const meta = await sharp(served!.data).metadata();
    expect(meta.format).toBe('jpeg');
    const original = await sharp(file).metadata();
    expect(Math.max(meta.width, meta.height)).toBe(Math.min(300, Math.max(original.width, original.height)));
    expect(await small.resolve('photo', id)).toBe(served); // the cached copy
  });

  it('applies EXIF orientation when converting, and keeps transparency as WebP', async () => {
    const rotated = path.join(lib, 'rotated.tiff');
    await sharp({ create: { width: 40, height: 20, channels: 3, background: '#c04020' } })
      .withMetadata({ orientation: 6 })
      .tiff()
      .toFile(rotated);
    const served = await media.resolve('photo', await catalogued(rotated));
    const meta = await sharp(served!.data).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 20, 40]);

    const alpha = path.join(lib, 'alpha.tiff');
    await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } })
      .tiff({ compression: 'lzw' })
      .toFile(alpha);
    const transparent = await media.resolve('photo', await catalogued(alpha));
    expect(transparent?.contentType).toBe('image/webp');
    expect((await sharp(transparent!.data).metadata()).hasAlpha).toBe(true);
  });

  it('never serves HEIC bytes as they are: converted where this build decodes them, else nothing', async () => {
    const file = await place('heic_ianare/samplefilehub.heif', 'phone.heic');
    const served = await media.resolve('photo', await catalogued(file));
    if (served) expect(served).toMatchObject({ contentType: 'image/jpeg', converted: true });
  });

  it('refuses an SVG or a text file saved under a photo name', async () => {
    const svg = await place('sharp/check.svg', 'drawing.jpg');
    const svgId = await catalogued(svg);
    expect(await media.resolve('photo', svgId)).toBeNull();
    expect(lastRefusal(svgId)).toBe('undisplayable');
    const text = path.join(lib, 'notes.png');
    await writeFile(text, '<script>alert(1)</script>');
    const textId = await catalogued(text);
    expect(await media.resolve('photo', textId)).toBeNull();
    expect(lastRefusal(textId)).toBe('undisplayable');
  });

  it('serves the thumbnail the catalog row names, and nothing for a photo without one', async () => {
    const file = await place('sharp/flowers.jpeg', 'with-thumb.jpeg');
    const id = await catalogued(file, { thumbnail: true });
    const thumb = await media.resolve('thumb', id);
    const key = catalog.photos.get(id)!.thumbnail!;
    expect(thumb).toMatchObject({ kind: 'thumb', contentType: 'image/webp', etag: `"t-${key}"` });
    expect(Buffer.from(thumb!.data).equals(await readFile(thumbnails.pathFor(key)))).toBe(true);

    const bare = await catalogued(await place('pillow/hopper.png', 'no-thumb.png'));
    expect(await media.resolve('thumb', bare)).toBeNull();
    expect(lastRefusal(bare)).toBe('no-thumbnail');

    // A key whose file is gone (pruned) or that is not a content hash at all.
    catalog.db.prepare('UPDATE photos SET thumbnail = ? WHERE id = ?').run('ef'.repeat(32), bare);
    expect(await media.resolve('thumb', bare)).toBeNull();
    catalog.db.prepare('UPDATE photos SET thumbnail = ? WHERE id = ?').run('../../../../etc/passwd', bare);
    expect(await media.resolve('thumb', bare)).toBeNull();
    expect(lastRefusal(bare)).toBe('no-thumbnail');
  });

  it.each([0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2, 987_654])('refuses an id that is no photo: %s', async (id) => {
    for (const kind of ['thumb', 'photo'] as const) expect(await media.resolve(kind, id)).toBeNull();
    expect(await media.photoPath(id)).toBeNull();
  });

  it('refuses a photo whose file was replaced by a symlink to /etc/passwd', async () => {
    const file = await place('sharp/flowers.jpeg', 'victim.jpeg');
    const id = await catalogued(file, { thumbnail: true });
    await unlink(file);
    await symlink('/etc/passwd', file);
    expect(await media.resolve('photo', id)).toBeNull();
    expect(lastRefusal(id)).toBe('outside-library');
    expect(await media.photoPath(id)).toBeNull();
    // Its thumbnail is the engine's own file, and still fine to show.
    expect(await media.resolve('thumb', id)).not.toBeNull();
  });

  it('refuses a symlink out of the library even to a file with the catalogued size and mtime', async () => {
    const file = await place('sharp/flowers.jpeg', 'lookalike.jpeg');
    const id = await catalogued(file);
    const info = await stat(file);
    const secret = path.join(outside, 'secret.jpeg');
    await writeFile(secret, Buffer.alloc(info.size, 0x41));
    await utimes(secret, info.atime, info.mtime);
    await unlink(file);
    await symlink(secret, file);
    expect(await media.resolve('photo', id)).toBeNull();
    expect(lastRefusal(id)).toBe('outside-library');
  });

  it('refuses a file swapped for another library file (size and mtime differ from the row)', async () => {
    const a = await place('sharp/flowers.jpeg', 'swap-a.jpeg');
    const b = await place('pillow/hopper.png', 'swap-b.png');
    const id = await catalogued(a);
    await catalogued(b);
    await unlink(a);
    await symlink(b, a);
    expect(await media.resolve('photo', id)).toBeNull();
    expect(lastRefusal(id)).toBe('changed');
    // Rewritten in place: same path, new bytes.
    const c = await place('sharp/flowers.jpeg', 'rewritten.jpeg');
    const cId = await catalogued(c);
    await writeFile(c, 'not the photo any more');
    expect(await media.resolve('photo', cId)).toBeNull();
    expect(lastRefusal(cId)).toBe('changed');
  });

  it('refuses catalog paths with .. segments, even when they lead to a real image', async () => {
    await copyFile(sharedPath(FORMATS, 'sharp/flowers.jpeg'), path.join(outside, 'escape.jpeg'));
    const info = await stat(path.join(outside, 'escape.jpeg'));
    for (const sneaky of [`${lib}/../outside/escape.jpeg`, `${lib}/./../outside/escape.jpeg`, `${lib}//../outside/escape.jpeg`]) {
      const id = Number(
        catalog.db
          .prepare('INSERT INTO photos (folder_id, path, size, mtime_ms, added_at, updated_at) VALUES (?, ?, ?, ?, 0, 0) RETURNING id')
          .pluck()
          .get(folderId, sneaky, info.size, Math.trunc(info.mtimeMs)),
      );
      expect(await media.resolve('photo', id)).toBeNull();
      expect(lastRefusal(id)).toBe('bad-path');
      expect(await media.photoPath(id)).toBeNull();
    }
    // A clean path that is simply not under any library folder.
    const stray = Number(
      catalog.db
        .prepare('INSERT INTO photos (folder_id, path, size, mtime_ms, added_at, updated_at) VALUES (?, ?, ?, ?, 0, 0) RETURNING id')
        .pluck()
        .get(folderId, path.join(outside, 'escape.jpeg'), info.size, Math.trunc(info.mtimeMs)),
    );
    expect(await media.resolve('photo', stray)).toBeNull();
    expect(lastRefusal(stray)).toBe('outside-library');
  });

  it('refuses a deleted file, and a folder where the file was', async () => {
    const file = await place('sharp/flowers.jpeg', 'deleted.jpeg');
    const id = await catalogued(file);
    await unlink(file);
    expect(await media.resolve('photo', id)).toBeNull();
    expect(lastRefusal(id)).toBe('missing');
    expect(await media.photoPath(id)).toBeNull();
    await mkdir(file);
    expect(await media.resolve('photo', id)).toBeNull();
    expect(['not-a-file', 'changed']).toContain(lastRefusal(id));
  });

  it('follows symlinks that stay inside the library, and serves a library folder reached through a symlink', async () => {
    const real = await place('pillow/hopper.png', 'real.png');
    await mkdir(path.join(lib, 'albums'));
    const link = path.join(lib, 'albums', 'linked.png');
    await symlink(real, link);
    const id = await catalogued(link);
    expect((await media.resolve('photo', id))?.contentType).toBe('image/png');
    expect(await media.photoPath(id)).toBe(real);

    // Open/reveal hand the real path to the OS, which picks a program by its name: only photo names go out.
    const script = path.join(lib, 'install.sh');
    await writeFile(script, '#!/bin/sh\necho pwned\n');
    const disguised = path.join(lib, 'holiday.jpg');
    await symlink(script, disguised);
    const disguisedId = await catalogued(disguised);
    expect(await media.photoPath(disguisedId)).toBeNull();
    expect(lastRefusal(disguisedId)).toBe('not-a-photo-name');
    expect(await media.resolve('photo', disguisedId)).toBeNull();

    // A second library folder added by a symlinked path: its real path is what counts.
    const realFolder = path.join(dir, 'drive');
    await mkdir(realFolder);
    await copyFile(sharedPath(FORMATS, 'sharp/flowers.jpeg'), path.join(realFolder, 'on-drive.jpeg'));
    await symlink(realFolder, path.join(dir, 'drive-link'));
    const driveFolder = catalog.folders.add(path.join(dir, 'drive-link'));
    const onDrive = path.join(dir, 'drive-link', 'on-drive.jpeg');
    const info = await stat(onDrive);
    const driveId = catalog.photos.upsertScanned({ folderId: driveFolder.id, path: onDrive, size: info.size, mtimeMs: info.mtimeMs }).id;
    expect((await media.resolve('photo', driveId))?.contentType).toBe('image/jpeg');

    // Once that folder leaves the library, its photos' bytes are no longer served (even if a row lingered).
    catalog.db.prepare('UPDATE photos SET folder_id = ? WHERE id = ?').run(folderId, driveId);
    catalog.folders.remove(driveFolder.id);
    expect(await media.resolve('photo', driveId)).toBeNull();
    expect(lastRefusal(driveId)).toBe('outside-library');
  });
});

describe('sniffDisplayable', () => {
  it('recognises browser-safe image formats by their bytes and nothing else', () => {
    const bytes = (...parts: Array<string | number[]>) =>
      Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
    expect(sniffDisplayable(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffDisplayable(bytes([0x89], 'PNG\r\n\x1a\n'))).toBe('image/png');
    expect(sniffDisplayable(bytes('GIF89a'))).toBe('image/gif');
    expect(sniffDisplayable(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toBe('image/webp');
    expect(sniffDisplayable(bytes([0, 0, 0, 28], 'ftypavif'))).toBe('image/avif');
    expect(sniffDisplayable(bytes([0, 0, 0, 28], 'ftypheic'))).toBeNull();
    expect(sniffDisplayable(bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffDisplayable(bytes('II*\0'))).toBeNull(); // TIFF
    expect(sniffDisplayable(bytes('root:x:0:0'))).toBeNull();
    expect(sniffDisplayable(new Uint8Array())).toBeNull();
  });
});
