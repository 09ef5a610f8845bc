import { describe, expect, it } from 'vitest';
import { bytesToBase64, dragHasFiles, fitWithin, isImageFile } from '../../renderer/src/lib/upload';

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
