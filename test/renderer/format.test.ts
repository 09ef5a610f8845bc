import { describe, expect, it } from 'vitest';
import type { AppStatus, FolderStatus, IndexingProgress } from '../../shared/types';
import {
  cameraName,
  downloadPercent,
  fileName,
  folderCountsText,
  folderWatchText,
  formatBytes,
  formatDimensions,
  formatEta,
  formatRate,
  modelStatusLine,
  parentFolder,
  photoDate,
  plural,
  progressPhase,
  progressText,
  relevanceLabel,
} from '../../renderer/src/lib/format';

describe('formatting', () => {
  it('counts, sizes, rates and times', () => {
    expect(plural(1, 'photo')).toBe('1 photo');
    expect(plural(12345, 'photo')).toBe('12,345 photos');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(3.5 * 1024 * 1024)).toBe('3.5 MB');
    expect(formatBytes(150 * 1024 * 1024)).toBe('150 MB');
    expect(formatEta(null)).toBe('');
    expect(formatEta(0.2)).toBe('almost done');
    expect(formatEta(42.1)).toBe('about 43 s left');
    expect(formatEta(185)).toBe('about 3 min left');
    expect(formatEta(7500)).toBe('about 2 h 5 min left');
    expect(formatRate(0)).toBe('');
    expect(formatRate(3.14)).toBe('3.1 photos/s');
    expect(formatRate(42.6)).toBe('43 photos/s');
  });

  it('dates from EXIF as written, else the file time', () => {
    expect(photoDate({ takenAt: '2019-07-14T16:03:00', mtimeMs: 0 })).toBe('14 Jul 2019');
    expect(photoDate({ takenAt: '2019-07-14T16:03:00', mtimeMs: 0 }, true)).toBe('14 Jul 2019, 16:03');
    const mtime = new Date(2021, 0, 2, 3, 4).getTime();
    expect(photoDate({ takenAt: null, mtimeMs: mtime }, true)).toBe('2 Jan 2021, 03:04');
  });

  it('cameras, dimensions and paths', () => {
    expect(cameraName({ cameraMake: 'Canon', cameraModel: 'Canon EOS 40D' })).toBe('Canon EOS 40D');
    expect(cameraName({ cameraMake: 'NIKON CORPORATION', cameraModel: 'NIKON D70' })).toBe('NIKON D70');
    expect(cameraName({ cameraMake: 'FUJIFILM', cameraModel: 'FinePix40i' })).toBe('FUJIFILM FinePix40i');
    expect(cameraName({ cameraMake: null, cameraModel: null })).toBe('');
    expect(formatDimensions({ width: 4000, height: 3000 })).toBe('4000 × 3000 (12.0 MP)');
    expect(formatDimensions({ width: 224, height: 224 })).toBe('224 × 224');
    expect(formatDimensions({ width: null, height: 3 })).toBe('');
    expect(parentFolder('/a/b/c.jpg')).toBe('/a/b');
    expect(fileName('C:\\x\\y.png')).toBe('y.png');
  });

  it('folder and indexing state in words', () => {
    const folder: FolderStatus = { id: 1, path: '/p', mode: 'polling', reason: 'inotify limit reached', scanning: false, photos: 120, indexed: 118, pending: 2, failed: 1 };
    expect(folderWatchText(folder)).toBe('Checking for changes every few seconds (inotify limit reached)');
    expect(folderWatchText({ ...folder, mode: 'watching' })).toBe('Watching for changes');
    expect(folderCountsText(folder)).toBe('118 of 120 photos indexed · 2 waiting · 1 could not be read');
    expect(folderCountsText({ ...folder, indexed: 120, pending: 0, failed: 0, scanning: true })).toBe('Scanning… · 120 photos, all indexed');
    expect(folderCountsText({ ...folder, photos: 0, indexed: 0, pending: 0, failed: 0 })).toBe('No photos found yet');
    const running: IndexingProgress = { state: 'running', pending: 40, indexed: 60, failed: 0, processedThisRun: 60, ratePerSecond: 20, etaSeconds: 2 };
    expect(progressPhase(running)).toBe('running');
    expect(progressText(running)).toBe('Indexing · 40 to go · 20 photos/s · about 2 s left');
    expect(progressText({ ...running, state: 'paused' })).toBe('Indexing paused · 40 waiting');
    expect(progressText({ ...running, state: 'idle', pending: 0 })).toBe('60 photos indexed');
    expect(progressPhase({ ...running, state: 'idle', pending: 0, indexed: 0 })).toBe('empty');
    // Work queued with no indexer running (the model is still downloading).
    expect(progressText({ ...running, state: 'idle' })).toBe('40 waiting to be indexed');
    expect(progressPhase(null)).toBe('empty');
    expect(relevanceLabel(0.9)).toBe('strong match');
    expect(relevanceLabel(0.1)).toBe('weak match');
    expect(relevanceLabel(null)).toBe('');
  });
});

const model = (patch: Partial<AppStatus['model']>): AppStatus['model'] => ({ id: 'clip-vit-b32', name: 'CLIP ViT-B/32', state: 'available', ...patch }) as AppStatus['model'];

describe('modelStatusLine', () => {
  it('says the model’s state, its reason, and the download’s percent', () => {
    expect(modelStatusLine(model({}))).toBe('CLIP ViT-B/32: available');
    expect(modelStatusLine(model({ state: 'failed', reason: 'checksum mismatch' }))).toBe('CLIP ViT-B/32: failed (checksum mismatch)');
    expect(modelStatusLine(model({ state: 'downloading', receivedBytes: 50, totalBytes: 200 }))).toBe('CLIP ViT-B/32: downloading 25%');
    expect(modelStatusLine(model({ state: 'downloading' }))).toBe('CLIP ViT-B/32: downloading');
  });
});

describe('downloadPercent', () => {
  it('is a whole percent, or null while the size is unknown', () => {
    expect(downloadPercent(null)).toBeNull();
    expect(downloadPercent({ id: 'm', state: 'downloading', receivedBytes: 5, totalBytes: null, bytesPerSecond: 0 })).toBeNull();
    expect(downloadPercent({ id: 'm', state: 'downloading', receivedBytes: 999, totalBytes: 1000, bytesPerSecond: 0 })).toBe(99);
  });
});
