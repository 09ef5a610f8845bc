import { describe, expect, it } from 'vitest';
import type { AppStatus } from '../../shared/types';
import { downloadPercent, modelStatusLine } from '../../renderer/src/lib/format';

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
