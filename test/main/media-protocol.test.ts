import { describe, expect, it } from 'vitest';
import { parseDesktopMediaUrl, type MediaKind } from '../../shared/media-urls';
import type { MediaFile } from '../../electron/engine/host';
import { handleMediaRequest, MEDIA_SCHEME_PRIVILEGES } from '../../electron/main/media-protocol';

describe('shoebox-media:// scheme', () => {
  const jpeg: MediaFile = {
    kind: 'photo',
    contentType: 'image/jpeg',
    data: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]),
    etag: '"p-7-x"',
    converted: false,
  };

  function serve(url: string, init: { method?: string; headers?: Record<string, string> } = {}, file: MediaFile | null = jpeg) {
    const asked: Array<[MediaKind, number]> = [];
    const response = handleMediaRequest(
      { url, method: init.method ?? 'GET', headers: new Headers(init.headers) },
      async (kind, id) => {
        asked.push([kind, id]);
        return file;
      },
    );
    return { response, asked };
  }

  it('is registered as a standard, secure, fetchable scheme that does not bypass CSP', () => {
    expect(MEDIA_SCHEME_PRIVILEGES).toEqual({ standard: true, secure: true, supportFetchAPI: true, bypassCSP: false });
  });

  it('answers a photo id with the engine\'s bytes and safe headers', async () => {
    const { response, asked } = serve('shoebox-media://photo/7');
    const res = await response;
    expect(asked).toEqual([['photo', 7]]);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(jpeg.data);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'content-type': 'image/jpeg',
      'content-length': '4',
      etag: '"p-7-x"',
      'x-content-type-options': 'nosniff',
    });
    expect(res.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(parseDesktopMediaUrl('shoebox-media://thumb/12')).toEqual({ kind: 'thumb', photoId: 12 });
  });

  it('answers 304 to a matching validator, 404 when the engine has nothing, 405 to other methods', async () => {
    expect((await serve('shoebox-media://photo/7', { headers: { 'if-none-match': '"p-7-x"' } }).response).status).toBe(304);
    expect((await serve('shoebox-media://thumb/7', {}, null).response).status).toBe(404);
    expect((await serve('shoebox-media://thumb/7', { method: 'POST' }).response).status).toBe(405);
    const odd = await serve('shoebox-media://photo/7', {}, { ...jpeg, contentType: 'text/html' }).response;
    expect(odd.status).toBe(500);
  });

  it.each([
    'shoebox-media://thumb/../../etc/passwd',
    'shoebox-media://thumb/%2e%2e/%2e%2e/etc/passwd',
    'shoebox-media://photo/..%2f..%2fetc%2fpasswd',
    'shoebox-media://photo/1%00',
    'shoebox-media://photo/%31',
    'shoebox-media://photo/0',
    'shoebox-media://photo/-1',
    'shoebox-media://photo/01',
    'shoebox-media://photo/1e3',
    'shoebox-media://photo/9007199254740993',
    'shoebox-media://photo/1/2',
    'shoebox-media://photo/1?x=/etc/passwd',
    'shoebox-media://photo:80/1',
    'shoebox-media://user@photo/1',
    'shoebox-media://file/etc/passwd',
    'shoebox-media:///etc/passwd',
    'file:///etc/passwd',
    'shoebox-media://photo/',
  ])('answers 400 without asking the engine: %s', async (url) => {
    const { response, asked } = serve(url);
    expect((await response).status).toBe(400);
    expect(asked).toEqual([]);
  });
});
