import { describe, expect, it } from 'vitest';
import { cameraLabel, normaliseDate } from '../../../../electron/engine/media/metadata/normalise';

describe('normaliseDate', () => {
  it.each([
    ['2019:07:14 16:03:22', null, '2019-07-14T16:03:22'],
    ['2019:07:14 16:03:22', '+02:00', '2019-07-14T16:03:22+02:00'],
    ['2019:07:14 16:03:22', '-0430', '2019-07-14T16:03:22-04:30'],
    ['2019-07-14T16:03:22.45Z', null, '2019-07-14T16:03:22+00:00'],
    ['2019-07-14T16:03:22-04:00', '+09:00', '2019-07-14T16:03:22-04:00'],
    ['2019:07:14 16:03', null, '2019-07-14T16:03:00'],
    ['2019:07:14 16:03:22\0\0', '   :  ', '2019-07-14T16:03:22'],
    ['2016:02:29 00:00:00', null, '2016-02-29T00:00:00'],
  ])('%s (offset %s) -> %s', (input, offset, expected) => {
    expect(normaliseDate(input, offset)).toBe(expected);
  });

  it.each(['0000:00:00 00:00:00', '    :  :     :  :  ', '2015:02:29 10:00:00', '2019:13:01 10:00:00', '2019:01:01 24:00:00', '2019:01:01', 'yesterday', ''])(
    'rejects %j',
    (input) => {
      expect(normaliseDate(input)).toBeNull();
    },
  );

  it('accepts a date without a time only where asked (XMP, IPTC)', () => {
    expect(normaliseDate('2019-07-14', null, { allowDateOnly: true })).toBe('2019-07-14T00:00:00');
  });
});

describe('cameraLabel', () => {
  it('does not repeat the make when the model starts with it', () => {
    expect(cameraLabel('Canon', 'Canon EOS 40D')).toBe('Canon EOS 40D');
    expect(cameraLabel('NIKON CORPORATION', 'NIKON D70')).toBe('NIKON D70');
    expect(cameraLabel('FUJIFILM', 'X-T2')).toBe('FUJIFILM X-T2');
    expect(cameraLabel(' Apple\0', null)).toBe('Apple');
    expect(cameraLabel(null, null)).toBeNull();
  });
});
