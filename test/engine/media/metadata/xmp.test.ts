import { describe, expect, it } from 'vitest';
import { parseXmp } from '../../../../electron/engine/media/metadata/xmp';

describe('parseXmp', () => {
  it('reads descriptions, keywords, dates and GPS from element and attribute forms', () => {
    const xmp = `<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>
      <rdf:Description rdf:about="" exif:DateTimeOriginal="2012-06-29T09:29:00-04:00" exif:GPSLatitude="43,28.0468N" exif:GPSLongitude="11,53.10760W">
        <dc:description><rdf:Alt><rdf:li xml:lang="fr">Un chat</rdf:li><rdf:li xml:lang="x-default">A cat &amp; a &quot;dog&quot; &#x263A;</rdf:li></rdf:Alt></dc:description>
        <dc:subject><rdf:Bag><rdf:li>cat</rdf:li><rdf:li>Dog</rdf:li><rdf:li>cat</rdf:li></rdf:Bag></dc:subject>
      </rdf:Description></rdf:RDF></x:xmpmeta>`;
    const fields = parseXmp(Buffer.from(xmp));
    expect(fields.description).toBe('A cat & a "dog" ☺');
    expect(fields.keywords).toEqual(['cat', 'Dog']);
    expect(fields.takenAt).toBe('2012-06-29T09:29:00-04:00');
    expect(fields.gpsLat).toBeCloseTo(43 + 28.0468 / 60, 8);
    expect(fields.gpsLon).toBeCloseTo(-(11 + 53.1076 / 60), 8);
    expect(parseXmp('<not xml')).toEqual({ takenAt: null, description: null, keywords: [], gpsLat: null, gpsLon: null });
    expect(parseXmp('<dc:title/><dc:titleX>no</dc:titleX>').description).toBeNull();
    expect(parseXmp('<rdf:Description dc:title="As an attribute"/>').description).toBe('As an attribute');
    expect(parseXmp('<dc:titleX>no</dc:titleX><dc:title>\n  A <b>bold</b> title </dc:title>').description).toBe('A bold title');
  });

  it('stays linear on hostile packets (unclosed tags, runs of "<", no closing quotes)', () => {
    const hostile = [
      '<dc:description>'.repeat(60_000),
      '<'.repeat(1_000_000),
      '<dc:subject><rdf:Bag>' + '<rdf:li>'.repeat(100_000) + '</dc:subject>',
      ' dc:description="'.repeat(50_000),
      '<dc:description>' + '<rdf:li>x'.repeat(100_000) + '</dc:description>',
    ];
    for (const packet of hostile) {
      const started = performance.now();
      expect(() => parseXmp(packet)).not.toThrow();
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });

});
