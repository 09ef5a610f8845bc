import { describe, expect, it } from 'vitest';
import { buildMediaUrl } from '../../renderer/src/lib/media';

describe('media URLs', () => {
  it('uses the app scheme in the desktop app and token-carrying same-origin paths in web mode', () => {
    expect(buildMediaUrl('thumb', 12, { desktop: true, token: 'ignored' })).toBe('shoebox-media://thumb/12');
    expect(buildMediaUrl('photo', 3, { desktop: true, token: '' })).toBe('shoebox-media://photo/3');
    expect(buildMediaUrl('thumb', 12, { desktop: false, token: 'a+b/c=' })).toBe('/media/thumb/12?token=a%2Bb%2Fc%3D');
    expect(buildMediaUrl('photo', 7, { desktop: false, token: 'tok' })).toBe('/media/photo/7?token=tok');
    expect(() => buildMediaUrl('thumb', 0, { desktop: true, token: '' })).toThrow();
  });
});
