import { describe, expect, it } from 'vitest';
import { readPhotoMetadata } from '../../../../electron/engine/media/metadata';
import { parseExif } from '../../../../electron/engine/media/metadata/tiff';

// ---- A tiny TIFF/EXIF writer, so edge cases can be built byte by byte ----

type Value =
  | { type: 'ascii'; text: string }
  | { type: 'short'; values: number[] }
  | { type: 'long'; values: number[] }
  | { type: 'rational'; values: Array<[number, number]> }
  | { type: 'srational'; values: Array<[number, number]> }
  | { type: 'undefined'; bytes: number[] }
  | { type: 'raw'; tiffType: number; count: number; field: number };

interface IfdSpec {
  entries: Array<[number, Value]>;
  next?: number;
}

const TYPE_CODE = { ascii: 2, short: 3, long: 4, rational: 5, srational: 10, undefined: 7 } as const;

/**
 * Lays out IFDs one after another from offset 8, values after each IFD. `pointers` maps a tag to the index of the IFD
 * it points to (filled in once offsets are known). Returns 'Exif\0\0' + TIFF, like sharp's metadata().exif.
 */
function buildExif(little: boolean, ifds: IfdSpec[], pointers: Record<number, number> = {}, options: { prefix?: boolean } = {}): Uint8Array {
  const valueBytes = (value: Value): number[] => {
    const out: number[] = [];
    const push16 = (n: number): void => void (little ? out.push(n & 0xff, (n >> 8) & 0xff) : out.push((n >> 8) & 0xff, n & 0xff));
    const push32 = (n: number): void => {
      const u = n >>> 0;
      const bytes = [(u >>> 24) & 0xff, (u >>> 16) & 0xff, (u >>> 8) & 0xff, u & 0xff];
      out.push(...(little ? bytes.reverse() : bytes));
    };
    switch (value.type) {
      case 'ascii':
        for (const b of Buffer.from(value.text + '\0', 'latin1')) out.push(b);
        break;
      case 'short':
        value.values.forEach(push16);
        break;
      case 'long':
        value.values.forEach(push32);
        break;
      case 'rational':
      case 'srational':
        for (const [n, d] of value.values) {
          push32(n);
          push32(d);
        }
        break;
      case 'undefined':
        out.push(...value.bytes);
        break;
      case 'raw':
        break;
    }
    return out;
  };
  // First pass: offsets of each IFD.
  const offsets: number[] = [];
  let at = 8;
  for (const ifd of ifds) {
    offsets.push(at);
    const data = ifd.entries.reduce((sum, [, v]) => {
      const n = valueBytes(v).length;
      return sum + (n > 4 ? n + (n % 2) : 0);
    }, 0);
    at += 2 + ifd.entries.length * 12 + 4 + data;
  }
  const buffer = Buffer.alloc(at);
  const w16 = (o: number, n: number): void => void (little ? buffer.writeUInt16LE(n, o) : buffer.writeUInt16BE(n, o));
  const w32 = (o: number, n: number): void => void (little ? buffer.writeUInt32LE(n >>> 0, o) : buffer.writeUInt32BE(n >>> 0, o));
  buffer.write(little ? 'II' : 'MM', 0, 'latin1');
  w16(2, 42);
  w32(4, offsets[0] ?? 0);
  ifds.forEach((ifd, i) => {
    const base = offsets[i]!;
    w16(base, ifd.entries.length);
    let data = base + 2 + ifd.entries.length * 12 + 4;
    ifd.entries.forEach(([tag, value], k) => {
      const e = base + 2 + k * 12;
      w16(e, tag);
      if (value.type === 'raw') {
        w16(e + 2, value.tiffType);
        w32(e + 4, value.count);
        w32(e + 8, value.field);
        return;
      }
      const bytes = valueBytes(value);
      const count = value.type === 'ascii' ? bytes.length : value.type === 'undefined' ? bytes.length : value.values.length;
      w16(e + 2, TYPE_CODE[value.type]);
      w32(e + 4, count);
      if (tag in pointers) {
        w32(e + 8, offsets[pointers[tag]!]!);
      } else if (bytes.length <= 4) {
        Buffer.from(bytes).copy(buffer, e + 8);
      } else {
        w32(e + 8, data);
        Buffer.from(bytes).copy(buffer, data);
        data += bytes.length + (bytes.length % 2);
      }
    });
    w32(base + 2 + ifd.entries.length * 12, ifd.next ?? 0);
  });
  return options.prefix === false ? buffer : Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), buffer]);
}

const ascii = (text: string): Value => ({ type: 'ascii', text });
const pointer: Value = { type: 'long', values: [0] };

/** IFD0 + EXIF IFD + GPS IFD with typical camera values. */
function cameraBlock(little: boolean, gps: Array<[number, Value]> = standardGps(), extra: Array<[number, Value]> = []): Uint8Array {
  return buildExif(
    little,
    [
      {
        entries: [
          [0x010e, ascii('Kids on the beach at sunset')],
          [0x010f, ascii('Canon\0\0\0 ')],
          [0x0110, ascii('  Canon EOS 40D  ')],
          [0x0112, { type: 'short', values: [6] }],
          [0x0132, ascii('2020:01:01 10:00:00')],
          [0x8769, pointer],
          [0x8825, pointer],
          ...extra,
        ],
      },
      { entries: [[0x9003, ascii('2019:07:14 16:03:22')], [0x9011, ascii('+02:00')]] },
      { entries: gps },
    ],
    { 0x8769: 1, 0x8825: 2 },
  );
}

function standardGps(): Array<[number, Value]> {
  return [
    [1, ascii('S')],
    [2, { type: 'rational', values: [[33, 1], [51, 1], [3540, 100]] }],
    [3, ascii('W')],
    [4, { type: 'rational', values: [[151, 1], [12, 1], [3000, 100]] }],
  ];
}

describe('parseExif on hand-built blocks', () => {
  for (const little of [true, false]) {
    const order = little ? 'little-endian (II)' : 'big-endian (MM)';

    it(`reads exact values from a ${order} block`, () => {
      const fields = parseExif(cameraBlock(little));
      expect(fields.make).toBe('Canon');
      expect(fields.model).toBe('Canon EOS 40D');
      expect(fields.orientation).toBe(6);
      expect(fields.dateTimeOriginal).toBe('2019:07:14 16:03:22+02:00');
      expect(fields.description).toBe('Kids on the beach at sunset');
      expect(fields.gpsLat).toBeCloseTo(-(33 + 51 / 60 + 35.4 / 3600), 10);
      expect(fields.gpsLon).toBeCloseTo(-(151 + 12 / 60 + 30 / 3600), 10);
      const merged = readPhotoMetadata({ exif: cameraBlock(little) });
      expect(merged.takenAt).toBe('2019-07-14T16:03:22+02:00');
      expect(merged.cameraMake).toBe('Canon');
      expect(merged.cameraModel).toBe('Canon EOS 40D');
    });

    it(`reads a bare TIFF header without the Exif prefix (${order}, as WebP stores it)`, () => {
      const bare = buildExif(little, [{ entries: [[0x010f, ascii('NIKON')]] }], {}, { prefix: false });
      expect(parseExif(bare).make).toBe('NIKON');
    });

    it(`survives a loop in the IFD chain (${order})`, () => {
      // IFD0 points to itself as its EXIF IFD and as its next IFD; the EXIF IFD's GPS pointer points back to IFD0.
      const block = buildExif(
        little,
        [
          { entries: [[0x010f, ascii('Loop')], [0x8769, pointer]], next: 8 },
          { entries: [[0x9003, ascii('2001:02:03 04:05:06')], [0x8825, pointer]], next: 8 },
        ],
        { 0x8769: 1, 0x8825: 0 },
      );
      const fields = parseExif(block);
      expect(fields.make).toBe('Loop');
      expect(fields.dateTimeOriginal).toBe('2001:02:03 04:05:06');
      expect(fields.gpsLat).toBeNull();

      const selfLoop = buildExif(little, [{ entries: [[0x010f, ascii('Self')], [0x8769, pointer], [0x8825, pointer]] }], { 0x8769: 0, 0x8825: 0 });
      expect(parseExif(selfLoop).make).toBe('Self');
    });
  }

  it('handles zero denominators: 0/0 minutes count as 0, n/0 makes the coordinate unknown', () => {
    const zeroZero = cameraBlock(true, [
      [1, ascii('N')],
      [2, { type: 'rational', values: [[48, 1], [0, 0], [0, 0]] }],
      [3, ascii('E')],
      [4, { type: 'rational', values: [[2, 1], [30, 1], [0, 0]] }],
    ]);
    expect(parseExif(zeroZero).gpsLat).toBe(48);
    expect(parseExif(zeroZero).gpsLon).toBe(2.5);

    const divideByZero = cameraBlock(true, [
      [1, ascii('N')],
      [2, { type: 'rational', values: [[48, 0], [1, 1], [0, 1]] }],
      [3, ascii('E')],
      [4, { type: 'rational', values: [[2, 1], [30, 0], [0, 1]] }],
    ]);
    expect(parseExif(divideByZero).gpsLat).toBeNull();
    expect(parseExif(divideByZero).gpsLon).toBeNull();
  });

  it('rejects out-of-range coordinates and (0, 0)', () => {
    const outOfRange = cameraBlock(true, [
      [1, ascii('N')],
      [2, { type: 'rational', values: [[91, 1], [0, 1], [0, 1]] }],
      [3, ascii('E')],
      [4, { type: 'rational', values: [[181, 1], [0, 1], [0, 1]] }],
    ]);
    expect(parseExif(outOfRange).gpsLat).toBeNull();
    expect(parseExif(outOfRange).gpsLon).toBeNull();

    const nullIsland = cameraBlock(true, [
      [1, ascii('N')],
      [2, { type: 'rational', values: [[0, 1], [0, 1], [0, 1]] }],
      [3, ascii('E')],
      [4, { type: 'rational', values: [[0, 1], [0, 1], [0, 1]] }],
    ]);
    expect(readPhotoMetadata({ exif: nullIsland })).toMatchObject({ gpsLat: null, gpsLon: null });
  });

  it('reads signed degrees without a reference, and a missing reference as north/east', () => {
    const signed = cameraBlock(false, [
      [2, { type: 'srational', values: [[-12, 1], [30, 1], [0, 1]] }],
      [4, { type: 'rational', values: [[45, 1], [0, 1], [0, 1]] }],
    ]);
    expect(parseExif(signed).gpsLat).toBe(-12.5);
    expect(parseExif(signed).gpsLon).toBe(45);
  });

  it('falls back from an impossible DateTimeOriginal to DateTimeDigitized, then DateTime', () => {
    const build = (original: string, digitized?: string): Uint8Array =>
      buildExif(
        true,
        [
          { entries: [[0x0132, ascii('2020:01:01 10:00:00')], [0x8769, pointer]] },
          { entries: [[0x9003, ascii(original)], ...(digitized ? ([[0x9004, ascii(digitized)]] as Array<[number, Value]>) : [])] },
        ],
        { 0x8769: 1 },
      );
    expect(readPhotoMetadata({ exif: build('0000:00:00 00:00:00', '2018:03:04 05:06:07') }).takenAt).toBe('2018-03-04T05:06:07');
    expect(readPhotoMetadata({ exif: build('    :  :     :  :  ') }).takenAt).toBe('2020-01-01T10:00:00');
    expect(readPhotoMetadata({ exif: build('2019:02:30 10:00:00') }).takenAt).toBe('2020-01-01T10:00:00');
  });

  it('ignores camera boilerplate and blank descriptions', () => {
    const descriptionOf = (text: string): string | null =>
      parseExif(buildExif(true, [{ entries: [[0x010e, ascii(text)], [0x0110, ascii('Canon EOS 40D')]] }])).description;
    for (const junk of ['OLYMPUS DIGITAL CAMERA', 'KODAK Digital Still Camera', 'SONY DSC', '          ', '', 'Exif_JPEG_PICTURE', 'Canon EOS 40D', '0000']) {
      expect(descriptionOf(junk), junk).toBeNull();
    }
    expect(descriptionOf('  My new digital camera on the kitchen table ')).toBe('My new digital camera on the kitchen table');
  });

  it('reads Windows XP keywords and title (UCS-2)', () => {
    const ucs2 = (text: string): Value => ({ type: 'undefined', bytes: [...Buffer.from(text + '\0', 'utf16le')] });
    const block = buildExif(false, [{ entries: [[0x9c9b, ucs2('Grand-mère à Paris')], [0x9c9e, ucs2('family; paris;Family')]] }]);
    const fields = parseExif(block);
    expect(fields.description).toBe('Grand-mère à Paris');
    expect(fields.keywords).toEqual(['family', 'paris']);
    // UserComment in UNICODE follows the block's byte order.
    const comment = (little: boolean): Uint8Array => {
      const text = Buffer.from('Ça va? 日本', 'utf16le');
      if (!little) text.swap16();
      const value: Value = { type: 'undefined', bytes: [...Buffer.from('UNICODE\0', 'latin1'), ...text] };
      return buildExif(little, [{ entries: [[0x8769, pointer]] }, { entries: [[0x9286, value]] }], { 0x8769: 1 });
    };
    expect(parseExif(comment(true)).description).toBe('Ça va? 日本');
    expect(parseExif(comment(false)).description).toBe('Ça va? 日本');
  });

  it('follows an EXIF pointer stored with the wrong type, like exiftool', () => {
    const block = buildExif(true, [
      { entries: [[0x8769, { type: 'raw', tiffType: 2, count: 4, field: 26 }]] },
      { entries: [[0x9003, ascii('2013:07:05 03:18:27')]] },
    ]);
    expect(parseExif(block).dateTimeOriginal).toBe('2013:07:05 03:18:27');
  });

  it('skips values with huge counts or offsets past the end, and keeps the rest', () => {
    const block = buildExif(true, [
      {
        entries: [
          [0x010e, { type: 'raw', tiffType: 2, count: 0xffffffff, field: 8 }],
          [0x010f, { type: 'raw', tiffType: 2, count: 40, field: 0x7fffffff }],
          [0x0110, ascii('Model X')],
          [0x8769, { type: 'raw', tiffType: 4, count: 1, field: 0xfffffff0 }],
          [0x8825, { type: 'raw', tiffType: 4, count: 1, field: 3 }],
        ],
      },
    ]);
    const fields = parseExif(block);
    expect(fields.model).toBe('Model X');
    expect(fields.make).toBeNull();
    expect(fields.description).toBeNull();
    expect(fields.dateTimeOriginal).toBeNull();
  });

  it('reads an IFD whose entry count runs past the end of the block', () => {
    const block = Buffer.from(buildExif(true, [{ entries: [[0x010f, ascii('Pentax')], [0x0110, ascii('K10D')]] }]));
    block.writeUInt16LE(0xffff, 6 + 8); // IFD0's entry count
    expect(parseExif(block).make).toBe('Pentax');
  });

  it('never throws on any truncation or corruption of a block', () => {
    const blocks = [cameraBlock(true), cameraBlock(false)];
    let random = 12345;
    const next = (): number => (random = (random * 1103515245 + 12345) % 2 ** 31);
    for (const block of blocks) {
      for (let length = 0; length <= block.length; length++) expect(() => parseExif(block.subarray(0, length))).not.toThrow();
      for (let trial = 0; trial < 2000; trial++) {
        const damaged = Uint8Array.from(block);
        for (let k = 0; k < 4; k++) damaged[6 + (next() % (damaged.length - 6))] = next() % 256;
        expect(() => readPhotoMetadata({ exif: damaged })).not.toThrow();
      }
    }
    expect(parseExif(Buffer.from('Exif\0\0\xff\xff\xff\xff', 'latin1')).make).toBeNull();
    expect(parseExif(new Uint8Array(0)).make).toBeNull();
    expect(parseExif(undefined).make).toBeNull();
  });
});
