import { describe, expect, it } from 'vitest';
import {
  ContractError,
  createClient,
  eventChannels,
  isRequestChannel,
  requestChannels,
  validate,
  validateRequest,
  type Transport,
} from '../../shared/contract';

describe('contract validators', () => {
  it('accept the documented payloads and normalise away absent optional fields', () => {
    expect(validateRequest('library.addFolder', { path: '/photos' })).toEqual({ path: '/photos' });
    expect(validateRequest('library.failures', {})).toEqual({});
    expect(validateRequest('library.failures', { folderId: 3, limit: 50 })).toEqual({ folderId: 3, limit: 50 });
    expect(validateRequest('app.status', undefined)).toBeUndefined();
    expect(validateRequest('app.status', null)).toBeUndefined();
  });

  it.each([
    ['library.addFolder', { path: 42 }, /must be a string/],
    ['library.addFolder', { path: '' }, /must not be empty/],
    ['library.addFolder', { path: '/a\0b' }, /NUL/],
    ['library.addFolder', { path: 'x'.repeat(5000) }, /longer than/],
    ['library.addFolder', { path: '/p', extra: 1 }, /unexpected field 'extra'/],
    ['library.addFolder', ['/p'], /must be an object/],
    ['library.removeFolder', { id: 1.5 }, /integer/],
    ['library.removeFolder', { id: 0 }, /between 1/],
    ['library.removeFolder', { id: '1' }, /integer/],
    ['library.failures', { limit: 1e9 }, /between/],
    ['app.status', { sneaky: true }, /takes no payload/],
  ] as const)('%s rejects %j', (channel, payload, message) => {
    expect(() => validateRequest(channel, payload)).toThrow(ContractError);
    expect(() => validateRequest(channel, payload)).toThrow(message);
  });

  it('refuses prototype keys as channels', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) expect(isRequestChannel(name)).toBe(false);
    expect(isRequestChannel('app.status')).toBe(true);
  });

  it('validates nested where-paths in messages', () => {
    const check = validate.object({ inner: validate.object({ n: validate.integer({ min: 0 }) }) });
    expect(() => check({ inner: { n: -1 } }, 'req')).toThrow('req.inner.n: must be between 0');
  });
});

describe('typed client', () => {
  it('has one method per request channel and routes calls and events through the transport', async () => {
    const calls: [string, unknown][] = [];
    const listeners = new Map<string, (payload: unknown) => void>();
    const transport: Transport = {
      invoke: async (channel, payload) => {
        calls.push([channel, payload]);
        return { echoed: channel };
      },
      subscribe: (channel, listener) => {
        listeners.set(channel, listener);
        return () => listeners.delete(channel);
      },
    };
    const client = createClient(transport);
    expect(Object.keys(client.api).sort()).toEqual([...requestChannels].sort());
    await expect(client.api['library.addFolder']({ path: '/p' })).resolves.toEqual({ echoed: 'library.addFolder' });
    expect(calls).toEqual([['library.addFolder', { path: '/p' }]]);
    const seen: unknown[] = [];
    const off = client.on('indexing.progress', (p) => seen.push(p));
    listeners.get('indexing.progress')!({ state: 'idle' });
    off();
    expect(seen).toEqual([{ state: 'idle' }]);
    expect(listeners.has('indexing.progress')).toBe(false);
    expect(eventChannels).toContain('indexing.progress');
  });
});
