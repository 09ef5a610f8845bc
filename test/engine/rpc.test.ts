import { describe, expect, it, vi } from 'vitest';
import type { MediaFile } from '../../electron/engine/media/media-service';
import { dispatchInternal } from '../../electron/engine/rpc';

describe('engine-internal requests', () => {
  const media = {
    resolve: vi.fn(async (): Promise<MediaFile | null> => null),
    photoPath: vi.fn(async (): Promise<string | null> => '/library/a.jpg'),
  };

  it.each([{ kind: 'media', media: 'thumb', photoId: '1' }, { kind: 'photoPath', photoId: -3 }, { kind: 'media', media: 'file', photoId: 1 }, null, 'x'])(
    'checks the shape again inside the engine: %j',
    async (request) => {
      const reply = await dispatchInternal({ media }, request);
      expect(reply).toHaveProperty('error');
      expect(media.resolve).not.toHaveBeenCalled();
      expect(media.photoPath).not.toHaveBeenCalled();
    },
  );

  it('answers a valid request', async () => {
    expect(await dispatchInternal({ media }, { kind: 'photoPath', photoId: 3 })).toEqual({ ok: '/library/a.jpg' });
    expect(media.photoPath).toHaveBeenCalledWith(3);
  });
});
