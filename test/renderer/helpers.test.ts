import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FolderStatus, IndexingProgress } from '../../shared/types';
import { debounce, Latest } from '../../renderer/src/lib/debounce';
import {
  cameraName,
  fileName,
  folderCountsText,
  folderWatchText,
  formatBytes,
  formatDimensions,
  formatEta,
  formatRate,
  parentFolder,
  photoDate,
  plural,
  progressPhase,
  progressText,
  relevanceLabel,
} from '../../renderer/src/lib/format';
import { buildMediaUrl } from '../../renderer/src/lib/media';
import { isPhotoAction, photoMenuItems } from '../../renderer/src/lib/menu';
import { ToastQueue } from '../../renderer/src/lib/toasts';
import { bytesToBase64, dragHasFiles, fitWithin, isImageFile } from '../../renderer/src/lib/upload';

describe('media URLs', () => {
  it('uses the app scheme in the desktop app and token-carrying same-origin paths in web mode', () => {
    expect(buildMediaUrl('thumb', 12, { desktop: true, token: 'ignored' })).toBe('shoebox-media://thumb/12');
    expect(buildMediaUrl('photo', 3, { desktop: true, token: '' })).toBe('shoebox-media://photo/3');
    expect(buildMediaUrl('thumb', 12, { desktop: false, token: 'a+b/c=' })).toBe('/media/thumb/12?token=a%2Bb%2Fc%3D');
    expect(buildMediaUrl('photo', 7, { desktop: false, token: 'tok' })).toBe('/media/photo/7?token=tok');
    expect(() => buildMediaUrl('thumb', 0, { desktop: true, token: '' })).toThrow();
  });
});

describe('debounce and Latest', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs once with the last arguments after the quiet time; flush and cancel', () => {
    const calls: string[] = [];
    const d = debounce((s: string) => calls.push(s), 150);
    d('a');
    d('b');
    vi.advanceTimersByTime(149);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['b']);
    d('c');
    expect(d.pending()).toBe(true);
    d.flush();
    expect(calls).toEqual(['b', 'c']);
    d('d');
    d.cancel();
    vi.advanceTimersByTime(500);
    expect(calls).toEqual(['b', 'c']);
    d.flush();
    expect(calls).toEqual(['b', 'c']);
  });

  it('only the latest ticket is current', () => {
    const latest = new Latest();
    const a = latest.begin();
    const b = latest.begin();
    expect(latest.isCurrent(a)).toBe(false);
    expect(latest.isCurrent(b)).toBe(true);
    latest.invalidate();
    expect(latest.isCurrent(b)).toBe(false);
  });
});

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

describe('context menu items', () => {
  it('leaves out Open and Show in folder outside the desktop app', () => {
    expect(photoMenuItems({ desktop: false }).map((i) => i.label)).toEqual(['Find similar', 'Describe', 'Search with this photo + text', 'Copy path']);
    expect(photoMenuItems({ desktop: true }).map((i) => i.id)).toEqual(['similar', 'describe', 'compose', 'open', 'reveal', 'copy']);
    expect(isPhotoAction('copy')).toBe(true);
    expect(isPhotoAction('delete')).toBe(false);
  });
});

describe('uploads', () => {
  it('recognises images by type or extension and encodes bytes as base64', () => {
    expect(isImageFile({ type: 'image/heic', name: 'x' })).toBe(true);
    expect(isImageFile({ type: 'text/plain', name: 'x.jpg' })).toBe(false);
    expect(isImageFile({ type: '', name: 'IMG_1.HEIC' })).toBe(true);
    expect(isImageFile({ type: '', name: 'notes.txt' })).toBe(false);
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    expect(bytesToBase64(new Uint8Array())).toBe('');
    expect(fitWithin(4000, 3000, 1024)).toEqual({ width: 1024, height: 768 });
    expect(fitWithin(800, 600, 1024)).toEqual({ width: 800, height: 600 });
    expect(dragHasFiles(['text/plain', 'Files'])).toBe(true);
    expect(dragHasFiles(['text/uri-list'])).toBe(false);
    expect(dragHasFiles(undefined)).toBe(false);
  });
});

describe('toasts', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows a few at a time, replaces repeats and expires them', () => {
    const toasts = new ToastQueue(2);
    const seen: number[] = [];
    toasts.onChange((items) => seen.push(items.length));
    toasts.push('a');
    toasts.push('b');
    toasts.push('c');
    expect(toasts.items.map((t) => t.text)).toEqual(['b', 'c']);
    toasts.push('b', 'error');
    expect(toasts.items.map((t) => t.text)).toEqual(['c', 'b']);
    vi.advanceTimersByTime(4000);
    expect(toasts.items.map((t) => t.text)).toEqual(['b']);
    vi.advanceTimersByTime(5000);
    expect(toasts.items).toEqual([]);
    expect(seen.at(-1)).toBe(0);
  });
});
