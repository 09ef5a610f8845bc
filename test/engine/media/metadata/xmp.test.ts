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
      expect(() => parseXmp(packet)).not.toThrow();
    }
    // A hang guard, not a speed target: a quadratic reader takes close to a minute on these packets.
  }, 15_000);


  const EMPTY = { takenAt: null, description: null, keywords: [], gpsLat: null, gpsLon: null };
  /** A packet with the usual wrapper; `body` goes inside rdf:Description, `attributes` on it. */
  const packet = (body: string, attributes = '', namespaces = DEFAULT_NAMESPACES): string =>
    `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">` +
    `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" ${namespaces} ${attributes}>` +
    `${body}</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;

  it('matches properties by namespace, not by prefix: a re-bound prefix is read, a borrowed one is not', () => {
    const rebound = packet(
      '<foo:description><rdf:Alt><rdf:li xml:lang="x-default">Harbour at dawn</rdf:li></rdf:Alt></foo:description>' +
        '<foo:subject><rdf:Bag><rdf:li>boats</rdf:li></rdf:Bag></foo:subject>',
      'bar:CreateDate="2017-03-04T05:06:07"',
      'xmlns:foo="http://purl.org/dc/elements/1.1/" xmlns:bar="http://ns.adobe.com/xap/1.0/"',
    );
    expect(parseXmp(rebound)).toMatchObject({ description: 'Harbour at dawn', keywords: ['boats'], takenAt: '2017-03-04T05:06:07' });
    // `dc:` bound to another vocabulary is not Dublin Core.
    const borrowed = packet('<dc:description>Not a caption</dc:description>', '', 'xmlns:dc="http://example.com/not-dublin-core/"');
    expect(parseXmp(borrowed).description).toBeNull();
  });

  it('reads elements in a default namespace; unprefixed attributes are in no namespace', () => {
    const xml = packet(
      '<description xmlns="http://purl.org/dc/elements/1.1/"><rdf:Alt><rdf:li xml:lang="x-default">Default namespace</rdf:li></rdf:Alt></description>',
      'title="not dc"',
    );
    expect(parseXmp(xml).description).toBe('Default namespace');
    expect(parseXmp(packet('', 'title="not dc"')).description).toBeNull();
  });

  it('reads dc:title as an rdf:Alt (x-default first) and dc:subject as an rdf:Bag, as elements or attributes', () => {
    const alt = packet(
      '<dc:title><rdf:Alt><rdf:li xml:lang="de">Hafen</rdf:li><rdf:li xml:lang="x-default">Harbour</rdf:li></rdf:Alt></dc:title>' +
        '<dc:subject><rdf:Bag><rdf:li>sea</rdf:li><rdf:li>boat; harbour</rdf:li><rdf:li>Sea</rdf:li></rdf:Bag></dc:subject>',
    );
    expect(parseXmp(alt)).toMatchObject({ description: 'Harbour', keywords: ['sea', 'boat', 'harbour'] });
    // Without x-default the first language is taken; a description beats a title.
    const noDefault = packet(
      '<dc:title><rdf:Alt><rdf:li xml:lang="de">Hafen</rdf:li><rdf:li xml:lang="fr">Port</rdf:li></rdf:Alt></dc:title>',
    );
    expect(parseXmp(noDefault).description).toBe('Hafen');
    expect(parseXmp(packet('<dc:title>A title</dc:title>', 'dc:description="A description"')).description).toBe('A description');
  });

  it.each([
    ['exif:DateTimeOriginal="2019-07-14T16:03:22+02:00"', '2019-07-14T16:03:22+02:00'],
    ['xmp:CreateDate="2018-01-02T03:04:05"', '2018-01-02T03:04:05'],
    ['photoshop:DateCreated="2016-05-06"', '2016-05-06T00:00:00'],
  ])('reads the capture date %s', (attribute, expected) => {
    expect(parseXmp(packet('', attribute)).takenAt).toBe(expected);
  });

  it('prefers exif:DateTimeOriginal over photoshop:DateCreated over xmp:CreateDate, elements or attributes', () => {
    const xml = packet(
      '<exif:DateTimeOriginal>2010-10-10T10:10:10</exif:DateTimeOriginal><photoshop:DateCreated>2011-11-11</photoshop:DateCreated>',
      'xmp:CreateDate="2012-12-12T12:12:12"',
    );
    expect(parseXmp(xml).takenAt).toBe('2010-10-10T10:10:10');
    expect(parseXmp(packet('<photoshop:DateCreated>2011-11-11</photoshop:DateCreated>', 'xmp:CreateDate="2012-12-12T12:12:12"')).takenAt).toBe(
      '2011-11-11T00:00:00',
    );
  });

  it('reads GPS in XMP form (degrees, decimal minutes, hemisphere), as elements too, and drops (0, 0)', () => {
    const xml = packet('<exif:GPSLatitude>48,51.3972N</exif:GPSLatitude><exif:GPSLongitude>2,17,40.5E</exif:GPSLongitude>');
    const fields = parseXmp(xml);
    expect(fields.gpsLat).toBeCloseTo(48 + 51.3972 / 60, 8);
    expect(fields.gpsLon).toBeCloseTo(2 + 17 / 60 + 40.5 / 3600, 8);
    expect(parseXmp(packet('', 'exif:GPSLatitude="33,51.59S" exif:GPSLongitude="151,12.5W"')).gpsLat).toBeCloseTo(-(33 + 51.59 / 60), 8);
    expect(parseXmp(packet('', 'exif:GPSLatitude="0,0.0N" exif:GPSLongitude="0,0.0E"'))).toMatchObject({ gpsLat: null, gpsLon: null });
  });

  it('never throws on malformed XML, and keeps the properties read before (and after) the damage', () => {
    const damaged = packet('<dc:description>Before the damage</dc:description><dc:subject><rdf:Bag><rdf:li>one</rdf:li><rdf:li>two<</rdf:Bag>');
    expect(() => parseXmp(damaged)).not.toThrow();
    expect(parseXmp(damaged).description).toBe('Before the damage');
    // Cut short in the middle of an element: the finished properties count, the unfinished one does not.
    const full = packet('<dc:title>Finished</dc:title><dc:description>Unfinished text that goes on</dc:description>');
    const cut = full.slice(0, full.indexOf('goes on'));
    expect(parseXmp(cut).description).toBe('Finished');
    for (const bad of ['<', '<<>>', '<a b=>', '</x:xmpmeta>', '<?xpacket', '<!DOCTYPE', '<![CDATA[', '&#xFFFFFFFF;', '\0\0\0', 'plain text']) {
      expect(() => parseXmp(bad), bad).not.toThrow();
      expect(parseXmp(bad), bad).toEqual(EMPTY);
    }
    expect(parseXmp(Buffer.from([0xff, 0xfe, 0x00, 0x3c, 0x00]))).toEqual(EMPTY);
  });

  it('does not expand custom entities (no billion laughs); predefined and numeric references are decoded', () => {
    const levels = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i <= 9; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    const bomb = `<?xml version="1.0"?><!DOCTYPE x:xmpmeta [${levels.join('')}]>` + packet('<dc:description>Caption &lol9; end</dc:description>');
    const fields = parseXmp(bomb);
    expect(fields.description ?? '').not.toContain('lollol');
    expect((fields.description ?? '').length).toBeLessThan(100);
    expect(parseXmp(packet('<dc:description>Fish &amp; chips &#x263A; &#233;</dc:description>')).description).toBe('Fish & chips ☺ é');
  });
});

const DEFAULT_NAMESPACES = [
  'xmlns:dc="http://purl.org/dc/elements/1.1/"',
  'xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
  'xmlns:exif="http://ns.adobe.com/exif/1.0/"',
  'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"',
].join(' ');
