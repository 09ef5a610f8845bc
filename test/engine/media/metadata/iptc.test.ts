import { describe, expect, it } from 'vitest';
import { parseIptc } from '../../../../electron/engine/media/metadata/iptc';

describe('parseIptc', () => {
  it('reads IPTC caption, keywords and date with its offset', () => {
    const dataset = (record: number, id: number, text: string): Buffer => {
      const body = Buffer.from(text, 'utf8');
      const head = Buffer.from([0x1c, record, id, body.length >> 8, body.length & 0xff]);
      return Buffer.concat([head, body]);
    };
    const iim = Buffer.concat([
      dataset(1, 90, '\x1b%G'),
      dataset(2, 25, 'beach'),
      dataset(2, 25, 'Zürich'),
      dataset(2, 55, '20220110'),
      dataset(2, 60, '151544-0400'),
      dataset(2, 120, 'Sunset over the lake'),
    ]);
    // As sharp returns it: Photoshop image resources with the IPTC block as resource 0x0404.
    const resource = Buffer.concat([Buffer.from('8BIM\x04\x04\0\0', 'latin1'), Buffer.alloc(4), iim]);
    resource.writeUInt32BE(iim.length, 8);
    const block = Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), resource]);
    const fields = parseIptc(block);
    expect(fields.description).toBe('Sunset over the lake');
    expect(fields.keywords).toEqual(['beach', 'Zürich']);
    expect(fields.takenAt).toBe('2022-01-10T15:15:44-04:00');
    expect(parseIptc(block.subarray(0, 40)).description).toBeNull();
  });
});
