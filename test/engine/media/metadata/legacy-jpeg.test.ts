import { describe, expect, it } from 'vitest';
import { readPhotoMetadata } from '../../../../electron/engine/media/metadata';

describe('pre-EXIF JPEG segments', () => {
  /** A JPEG holding one APP segment (`marker`) with `body`, and nothing else worth decoding. */
  const jpegWith = (marker: number, body: Buffer): Buffer => {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(body.length + 2);
    return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, marker]), length, body, Buffer.from([0xff, 0xd9])]);
  };

  it('reads an Olympus APP12 TimeDate', () => {
    const body = Buffer.from('OLYMPUS OPTICAL CO.,LTD.\r\n[picture info]\r\nTimeDate=909698819\r\nShutter=33363\r\n', 'latin1');
    expect(readPhotoMetadata({ file: jpegWith(0xec, body), format: 'jpeg' }).takenAt).toBe('1998-10-29T22:06:59');
  });

  it('does not get lost in a Canon CIFF heap whose records all point back at itself', () => {
    const count = 200;
    const heap = Buffer.alloc(2 + count * 10 + 4);
    heap.writeUInt16LE(count, 0);
    for (let i = 0; i < count; i++) {
      heap.writeUInt16LE(0x2801, 2 + i * 10); // a sub-heap...
      heap.writeUInt32LE(heap.length, 4 + i * 10); // ...the size of this heap...
      heap.writeUInt32LE(0, 8 + i * 10); // ...starting where this one does
    }
    heap.writeUInt32LE(0, heap.length - 4);
    const header = Buffer.concat([Buffer.from('II', 'latin1'), Buffer.alloc(4), Buffer.from('HEAPJPGM', 'latin1')]);
    header.writeUInt32LE(header.length, 2);
    expect(readPhotoMetadata({ file: jpegWith(0xe0, Buffer.concat([header, heap])), format: 'jpeg' }).takenAt).toBeNull();
  });
});
