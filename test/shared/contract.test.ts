import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ContractError,
  createClient,
  eventChannels,
  isRequestChannel,
  requestChannels,
  requestValidator,
  validate,
  validateRequest,
  type ReplyOf,
  type RequestChannel,
  type RequestOf,
  type Transport,
} from '../../shared/contract';
import type { FolderStatus, SearchQuery, Settings } from '../../shared/types';
import { isObjectValidator, type ArrayValidator, type OptionalValidator, type Validator } from '../../shared/validate';

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

/** Every field present, optional ones included, all the way down: a payload that exercises its whole type. */
type Full<T> = T extends readonly (infer U)[]
  ? Full<U>[]
  : T extends object
    ? { [K in keyof T]-?: Full<Exclude<T[K], undefined>> }
    : T;

/**
 * One payload per request channel with every field its TYPE has. The compiler holds this table to the types (a
 * missing field or an extra one does not type-check), and the test below holds the validators to the same fields,
 * so a type and its validator cannot drift apart. Channels without a payload take undefined.
 */
const fullPayloads: { [C in RequestChannel]: Full<RequestOf<C>> } = {
  'app.status': undefined,
  'model.download': undefined,
  'library.folders': undefined,
  'library.addFolder': { path: '/photos' },
  'library.removeFolder': { id: 1 },
  'library.failures': { folderId: 2, limit: 50 },
  'indexing.status': undefined,
  'indexing.pause': undefined,
  'indexing.resume': undefined,
  'indexing.retryFailed': { folderId: 3 },
  'search.query': {
    text: 'beach -people',
    photoIds: [1, 2],
    imageIds: ['u1'],
    textWeight: 0.4,
    filters: { folderIds: [1], takenFrom: '2019-07', takenTo: '2019-08-14', formats: ['jpeg'], camera: 'Pixel' },
    sort: 'date-asc',
    offset: 100,
    limit: 50,
    threshold: 0.2,
    relevantOnly: false,
    diversify: true,
    groupDuplicates: false,
    useText: true,
  },
  'search.uploadImage': { data: 'aGVsbG8=', name: 'ref.png' },
  'photos.get': { id: 4 },
  'photos.describe': { id: 4, imageId: 'u1', k: 5 },
  'photos.setNote': { id: 4, note: 'grandma' },
  'photos.open': { id: 4 },
  'photos.reveal': { id: 4 },
  'labels.list': undefined,
  'labels.add': { text: 'grandma' },
  'labels.remove': { text: 'grandma' },
  'settings.get': undefined,
  'settings.update': { threshold: 0.1, textFusion: true, diversify: false, groupDuplicates: true, provider: 'cpu', threads: 2, model: 'clip-vit-b32' },
  'library.chooseFolder': undefined,
};

/** Differences between the fields a validator accepts and the fields of a full sample, nested objects included. */
function fieldDifferences(check: Validator<unknown>, sample: unknown, where: string): string[] {
  const inner = (v: Validator<unknown>): Validator<unknown> => {
    const unwrapped = 'inner' in v ? (v as OptionalValidator<unknown>).inner : v;
    return 'item' in unwrapped ? inner((unwrapped as ArrayValidator<unknown>).item) : unwrapped;
  };
  const target = inner(check);
  if (!isObjectValidator(target)) return [];
  const value = Array.isArray(sample) ? sample[0] : sample;
  if (typeof value !== 'object' || value === null) return [`${where}: the type has no fields but the validator has ${Object.keys(target.shape).join(', ')}`];
  const typeFields = Object.keys(value);
  const validatorFields = Object.keys(target.shape);
  const problems = [
    ...typeFields.filter((f) => !validatorFields.includes(f)).map((f) => `${where}.${f}: in the type, not in the validator`),
    ...validatorFields.filter((f) => !typeFields.includes(f)).map((f) => `${where}.${f}: in the validator, not in the type`),
  ];
  for (const field of validatorFields.filter((f) => typeFields.includes(f))) {
    problems.push(...fieldDifferences(target.shape[field]!, (value as Record<string, unknown>)[field], `${where}.${field}`));
  }
  return problems;
}

describe('payload types and validators agree', () => {
  it.each(requestChannels)('%s: the validator accepts exactly the fields of the type', (channel) => {
    const sample: unknown = fullPayloads[channel];
    const check = requestValidator(channel);
    if (sample === undefined) {
      expect(isObjectValidator(check)).toBe(false);
      expect(validateRequest(channel, undefined)).toBeUndefined();
      return;
    }
    expect(fieldDifferences(check, sample, channel)).toEqual([]);
    // A full payload passes unchanged: every field of the type is one the validator keeps.
    expect(validateRequest(channel, sample)).toEqual(sample);
  });

  it('names the field when a validator and its type differ', () => {
    const withExtra = validate.object({ path: validate.string(), depth: validate.optional(validate.integer()) });
    expect(fieldDifferences(withExtra, { path: '/p' }, 'x')).toEqual(['x.depth: in the validator, not in the type']);
    const nested = validate.object({ filters: validate.optional(validate.object({ camera: validate.string() })) });
    expect(fieldDifferences(nested, { filters: { camera: 'a', lens: 'b' } }, 'q')).toEqual(['q.filters.lens: in the type, not in the validator']);
  });

  it('derives the named payload types from the validators', () => {
    expectTypeOf<RequestOf<'search.query'>>().toEqualTypeOf<SearchQuery>();
    expectTypeOf<RequestOf<'settings.update'>>().toEqualTypeOf<Partial<Settings>>();
    expectTypeOf<RequestOf<'library.addFolder'>>().toEqualTypeOf<{ path: string }>();
    expectTypeOf<RequestOf<'app.status'>>().toEqualTypeOf<void>();
    expectTypeOf<ReplyOf<'library.chooseFolder'>>().toEqualTypeOf<FolderStatus | null>();
  });
});
