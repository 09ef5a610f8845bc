import { describe, expect, it } from 'vitest';
import { buildMediaUrl, etagMatches, parseDesktopMediaUrl, parseWebMediaPath } from '../../shared/media-urls';

describe('media URLs', () => {
  it('build and parse back on both transports', () => {
    const desktop = buildMediaUrl('thumb', 12, { desktop: true, token: '' });
    expect(desktop).toBe('shoebox-media://thumb/12');
    expect(parseDesktopMediaUrl(desktop)).toEqual({ kind: 'thumb', photoId: 12 });
    const web = buildMediaUrl('photo', 7, { desktop: false, token: 'a b' });
    expect(web).toBe('/media/photo/7?token=a%20b');
    expect(parseWebMediaPath(new URL(web, 'http://127.0.0.1').pathname)).toEqual({ kind: 'photo', photoId: 7 });
  });

  it('refuse anything but a kind and a plain positive id', () => {
    expect(() => buildMediaUrl('thumb', 0, { desktop: true, token: '' })).toThrow('not a photo id');
    for (const path of ['/media/file/1', '/media/photo/01', '/media/photo/1e3', '/media/photo/-1', '/media/photo/1/2', '/media/photo/', '/media/photo/9007199254740993']) {
      expect(parseWebMediaPath(path), path).toBeNull();
    }
    for (const url of ['shoebox-media://photo/1?x=1', 'shoebox-media://photo:80/1', 'shoebox-media://other/1', 'file:///etc/passwd']) {
      expect(parseDesktopMediaUrl(url), url).toBeNull();
    }
  });

  it('match ETags the way If-None-Match lists them', () => {
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('W/"a"', '"a"')).toBe(true);
    expect(etagMatches('"b", "a"', '"a"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
    expect(etagMatches(undefined, '"a"')).toBe(false);
  });

  it('uses the app scheme in the desktop app and token-carrying same-origin paths in web mode', () => {
    expect(buildMediaUrl('thumb', 12, { desktop: true, token: 'ignored' })).toBe('shoebox-media://thumb/12');
    expect(buildMediaUrl('photo', 3, { desktop: true, token: '' })).toBe('shoebox-media://photo/3');
    expect(buildMediaUrl('thumb', 12, { desktop: false, token: 'a+b/c=' })).toBe('/media/thumb/12?token=a%2Bb%2Fc%3D');
    expect(buildMediaUrl('photo', 7, { desktop: false, token: 'tok' })).toBe('/media/photo/7?token=tok');
    expect(() => buildMediaUrl('thumb', 0, { desktop: true, token: '' })).toThrow();
  });
});
