import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelDecodeSize, modelImageInput, prepareImage } from '../../../electron/engine/clip/preprocess';
import { CLIP_DEFAULT_PREPROCESS } from '../../../electron/engine/clip/preprocess-config';
import type { PreprocessConfig } from '../../../electron/engine/clip/preprocess-config';
import type { DecodedPhoto } from '../../../electron/engine/indexing/types';
import { hashFile } from '../../../electron/engine/library/content-hash';
import { ImageDecodeError } from '../../../electron/engine/media/image-errors';
import type { ImageDecodeErrorCode } from '../../../electron/engine/media/image-errors';
import { SharpPhotoDecoder, decodeSizeFor } from '../../../electron/engine/media/photo-decoder';
import { ThumbnailStore } from '../../../electron/engine/media/thumbnails';
import type { RgbImage, ThumbnailWrite } from '../../../electron/engine/media/thumbnails';
import { hasShared, sharedPath } from '../../support/shared-data';
import { meanAbsDiff } from '../../support/math';

const CLIP = CLIP_DEFAULT_PREPROCESS;
const CLIP_INPUT = modelImageInput(CLIP);
const robustness = (...parts: string[]): string => sharedPath('data', 'robustness', ...parts);


/** Counts what the decoder asks of the store. */
class CountingStore extends ThumbnailStore {
  writes = 0;
  encoded = 0;
  override async write(key: string, image: RgbImage): Promise<ThumbnailWrite> {
    this.writes++;
    const result = await super.write(key, image);
    if (result.written) this.encoded++;
    return result;
  }
}

let dir: string;
let store: CountingStore;
let decoder: SharpPhotoDecoder;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'shoebox-decoder-'));
  store = new CountingStore(path.join(dir, 'thumbnails'));
  decoder = new SharpPhotoDecoder({ modelInput: CLIP_INPUT, thumbnails: store });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectDecodeError(promise: Promise<unknown>, code: ImageDecodeErrorCode, file: string, reason: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageDecodeError);
  const decodeError = error as ImageDecodeError;
  expect(decodeError.code).toBe(code);
  expect(decodeError.source).toBe(file);
  expect(decodeError.message.startsWith(`${file}: `)).toBe(true);
  expect(decodeError.message).toMatch(reason);
  expect(decodeError.message).not.toContain('<buffer>');
}

describe('decodeSizeFor', () => {
  const squash: PreprocessConfig = { ...CLIP, resizeMode: 'squash' };

  it('decodes small pictures at full size (the exact PIL resampler needs their pixels)', () => {
    expect(decodeSizeFor({ width: 500, height: 375 }, CLIP_INPUT)).toBeUndefined();
    expect(decodeSizeFor({ width: 224, height: 224 }, CLIP_INPUT)).toBeUndefined();
    expect(decodeSizeFor({ width: 13, height: 169 }, CLIP_INPUT)).toBeUndefined();
  });

  it("uses the model's own decode size when it covers the thumbnail (so the crop is prepareImage's)", () => {
    for (const upright of [{ width: 4000, height: 3000 }, { width: 3000, height: 4000 }, { width: 640, height: 480 }, { width: 1920, height: 1080 }]) {
      expect(decodeSizeFor(upright, CLIP_INPUT)).toEqual(modelDecodeSize(upright, CLIP));
    }
  });

  it('decodes near-square pictures and squash models at twice the model size, keeping the aspect ratio', () => {
    expect(decodeSizeFor({ width: 3000, height: 3000 }, CLIP_INPUT)).toEqual({ width: 448, height: 448 });
    expect(decodeSizeFor({ width: 3300, height: 3000 }, CLIP_INPUT)).toEqual({ width: 493, height: 448 });
    expect(decodeSizeFor({ width: 4000, height: 1000 }, modelImageInput(squash))).toEqual({ width: 1792, height: 448 });
    expect(decodeSizeFor({ width: 500, height: 460 }, CLIP_INPUT)).toEqual({ width: 487, height: 448 });
    expect(decodeSizeFor({ width: 300, height: 200 }, modelImageInput(squash))).toBeUndefined();
  });
});

describe.skipIf(!hasShared('data/robustness/manifest.tsv'))('SharpPhotoDecoder on real photos', () => {
  it('reads a camera photo: hash, upright size, date, camera, GPS, format, thumbnail, and the crop of prepareImage', async () => {
    const file = robustness('exif_gps_dates', 'ianare_gps', 'DSCN0010.jpg');
    const photo = await decoder.decode(file);
    const info = await stat(file);
    const hash = await hashFile(file);
    expect(photo.details).toEqual({
      contentHash: hash,
      width: 640,
      height: 480,
      takenAt: '2008-10-22T16:28:39',
      cameraMake: 'NIKON',
      cameraModel: 'COOLPIX P6000',
      gpsLat: expect.closeTo(43.4674483333333, 9) as number,
      gpsLon: expect.closeTo(11.8851266666639, 9) as number,
      format: 'jpeg',
      thumbnail: hash,
    });
    expect(photo.size).toBe(info.size);
    expect(photo.mtimeMs).toBe(info.mtimeMs);
    expect(photo.text).toEqual({ description: null, keywords: [] });

    const reference = await prepareImage(file, CLIP);
    expect(photo.image.size).toBe(224);
    expect([photo.image.sourceWidth, photo.image.sourceHeight, photo.image.format]).toEqual([640, 480, 'jpeg']);
    expect(Buffer.from(photo.image.pixels).equals(Buffer.from(reference.pixels))).toBe(true);

    const thumb = await sharp(store.pathFor(hash)).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['webp', 256, 192]);
  });

  it('gives the same crop as prepareImage for a small photo (full-size decode) and a rotated one', async () => {
    for (const file of [robustness('exif_gps_dates', 'immich', 'thompson-springs.jpg'), robustness('orientation', 'recurser_1800x1200', 'Portrait_6.jpg')]) {
      const photo = await decoder.decode(file);
      const reference = await prepareImage(file, CLIP);
      expect(Buffer.from(photo.image.pixels).equals(Buffer.from(reference.pixels)), file).toBe(true);
    }
    const portrait = await decoder.decode(robustness('orientation', 'recurser_1800x1200', 'Portrait_6.jpg'));
    expect([portrait.details.width, portrait.details.height]).toEqual([1200, 1800]);
    const thumb = await sharp(store.pathFor(portrait.details.contentHash)).metadata();
    expect([thumb.width, thumb.height]).toEqual([171, 256]);
  });

  it('keeps a near-square photo faithful: crop within a level of prepareImage, a sharp 256 x 256 thumbnail', async () => {
    const file = path.join(dir, 'square.jpg');
    await sharp(robustness('orientation', 'recurser_1800x1200', 'Landscape_1.jpg')).resize(1200, 1200).jpeg({ quality: 92 }).toFile(file);
    const photo = await decoder.decode(file);
    const reference = await prepareImage(file, CLIP);
    expect(meanAbsDiff(photo.image.pixels, reference.pixels)).toBeLessThan(1);
    const thumb = await sharp(store.pathFor(photo.details.contentHash)).raw().toBuffer({ resolveWithObject: true });
    expect([thumb.info.width, thumb.info.height]).toEqual([256, 256]);
    // WebP q80's own noise on this picture is 3.4 levels; a 224 px decode enlarged to 256 would be 7.8 levels off.
    const direct = await sharp(file).resize(256, 256).raw().toBuffer();
    expect(meanAbsDiff(thumb.data, direct)).toBeLessThan(4.5);
  });

  it("returns the photo's own text: description and keywords", async () => {
    const photo = await decoder.decode(robustness('exif_gps_dates', 'immich', 'thompson-springs.jpg'));
    expect(photo.text.description).toMatch(/Thompson Springs/);
    expect(photo.text.keywords).toContain('utah');
    expect(photo.details.takenAt).toBe('2022-01-10T15:15:44-04:00');
    expect(photo.details.gpsLat).toBeCloseTo(39.115, 6);
  });

  it('writes the thumbnail of a duplicate photo once', async () => {
    const original = robustness('exif_gps_dates', 'ianare_gps', 'DSCN0012.jpg');
    const copies = [path.join(dir, 'dup-a.jpg'), path.join(dir, 'dup-b.jpg'), path.join(dir, 'dup-c.jpg')];
    for (const copy of copies) await copyFile(original, copy);
    const before = store.encoded;
    const photos = await Promise.all(copies.map((copy) => decoder.decode(copy)));
    expect(new Set(photos.map((p) => p.details.thumbnail)).size).toBe(1);
    expect(store.encoded - before).toBe(1);
    const shard = path.dirname(store.pathFor(photos[0]!.details.contentHash));
    expect((await readdir(shard)).filter((name) => name.startsWith(photos[0]!.details.contentHash))).toHaveLength(1);
  });
});

describe('SharpPhotoDecoder on bad input', () => {
  let bad: string;
  beforeAll(async () => {
    bad = path.join(dir, 'bad');
    await mkdir(bad, { recursive: true });
  });

  it('names missing files, folders and empty files', async () => {
    const missing = path.join(bad, 'nope.jpg');
    await expectDecodeError(decoder.decode(missing), 'not-found', missing, /file not found/);
    const folder = path.join(bad, 'folder.jpg');
    await mkdir(folder);
    await expectDecodeError(decoder.decode(folder), 'unreadable', folder, /folder/);
    const empty = path.join(bad, 'empty.jpg');
    await writeFile(empty, '');
    await expectDecodeError(decoder.decode(empty), 'empty', empty, /empty \(0 bytes\)/);
  });

  it('says a text file with an image extension is not an image', async () => {
    const text = path.join(bad, 'notes.jpg');
    await writeFile(text, 'Shopping list: milk, eggs, bread.\nCall the plumber on Monday.\n');
    await expectDecodeError(decoder.decode(text), 'not-an-image', text, /not an image \(the file contains text\)/);
  });

  it.skipIf(!hasShared('data/robustness/manifest.tsv'))('says a truncated or damaged JPEG is truncated or damaged', async () => {
    const whole = readFileSync(robustness('exif_gps_dates', 'ianare_gps', 'DSCN0025.jpg'));
    const truncated = path.join(bad, 'half.jpg');
    await writeFile(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    await expectDecodeError(decoder.decode(truncated), 'truncated', truncated, /truncated/);
    const header = path.join(bad, 'header-only.jpg');
    await writeFile(header, whole.subarray(0, 300));
    const error = await decoder.decode(header).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect((error as ImageDecodeError).message).toMatch(new RegExp(`^${header.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\w`));
    const garbage = path.join(bad, 'noise.png');
    await writeFile(garbage, Buffer.concat([readFileSync(robustness('formats', 'pillow', 'hopper.png')).subarray(0, 64), Buffer.alloc(4096, 0x5a)]));
    await expectDecodeError(decoder.decode(garbage), 'corrupt', garbage, /damaged/);
  });

  it('refuses files over the size cap before reading them, and images over the pixel limit', async () => {
    const small = new SharpPhotoDecoder({ modelInput: CLIP_INPUT, thumbnails: store, maxFileBytes: 1000 });
    const file = path.join(bad, 'big.png');
    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#888', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toFile(file);
    await expectDecodeError(small.decode(file), 'too-large', file, /the file is \d+ KB, over the 1000 bytes limit for a photo/);
    const fewPixels = new SharpPhotoDecoder({ modelInput: CLIP_INPUT, thumbnails: store, maxInputPixels: 10_000 });
    await expectDecodeError(fewPixels.decode(file), 'too-large', file, /300 x 200 pixels/);
  });

  it('stops when aborted, with the abort reason rather than a decode error', async () => {
    const file = path.join(bad, 'ok.png');
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#36c' } }).png().toFile(file);
    const controller = new AbortController();
    controller.abort(new Error('indexing stopped'));
    await expect(decoder.decode(file, controller.signal)).rejects.toThrow('indexing stopped');
    // Same file, no signal: decodes (a 64 px picture keeps its size as a thumbnail).
    const photo = await decoder.decode(file);
    expect((await sharp(await readFile(store.pathFor(photo.details.contentHash))).metadata()).width).toBe(64);
  });
});

describe.skipIf(!hasShared('data/robustness/manifest.tsv'))('the whole robustness corpus through decode()', () => {
  it('each file decodes or throws ImageDecodeError, none hangs', async () => {
    const manifest = readFileSync(robustness('manifest.tsv'), 'utf8').trim().split('\n').slice(1);
    const files = manifest.map((line) => line.split('\t')[0]!);
    expect(files).toHaveLength(166);
    const PER_FILE_MS = 20_000;
    const outcomes = new Map<string, string>();
    const unexpected: string[] = [];
    const decoded: Array<[string, DecodedPhoto]> = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const file = files[next++]!;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${PER_FILE_MS} ms`)), PER_FILE_MS);
        });
        try {
          const photo = await Promise.race([decoder.decode(robustness(file)), timeout]);
          decoded.push([file, photo]);
          outcomes.set(file, 'decoded');
        } catch (error) {
          if (error instanceof ImageDecodeError) outcomes.set(file, error.code);
          else {
            outcomes.set(file, 'UNEXPECTED');
            unexpected.push(`${file}: ${String(error)}`);
          }
        } finally {
          clearTimeout(timer);
        }
      }
    };
    await Promise.all([worker(), worker()]);

    const table = new Map<string, string[]>();
    for (const [file, outcome] of outcomes) table.set(outcome, [...(table.get(outcome) ?? []), file]);
    const lines = [...table].sort((a, b) => b[1].length - a[1].length).map(([outcome, list]) =>
      `${outcome.padEnd(20)} ${String(list.length).padStart(4)}${outcome === 'decoded' ? '' : `  ${list.join(', ')}`}`);
    console.log(`robustness corpus through SharpPhotoDecoder.decode():\n${lines.join('\n')}`);

    expect(unexpected).toEqual([]);
    expect(outcomes.size).toBe(166);
    expect(outcomes.get('formats/pillow/hopper.bmp')).toBe('unsupported-format');
    expect(outcomes.get('formats/immich/IMG_2682.heic')).toBe('unsupported-format');
    expect(outcomes.get('corrupt/sharp/truncated.jpg')).toBe('truncated');
    expect(outcomes.get('size_extremes/sharp/giant-image.jpg')).toBe('decoded');
    expect(decoded.length).toBeGreaterThanOrEqual(145);
    for (const [file, photo] of decoded) {
      expect(photo.image.pixels.length, file).toBe(224 * 224 * 3);
      expect(photo.details.thumbnail, file).toBe(photo.details.contentHash);
      expect(photo.details.width! > 0 && photo.details.height! > 0, file).toBe(true);
    }
  });
});
