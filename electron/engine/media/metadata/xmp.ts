import { SaxesParser } from 'saxes';
import type { SaxesTagNS } from 'saxes';
import type { SidecarFields } from './fields';
import { cleanText, decodeText, meaningfulDescription, normaliseDate, uniqueKeywords, validPosition } from './normalise';

/*
 * XMP: an RDF/XML packet, read with a namespace-aware SAX parser (saxes). Properties are matched by namespace URI
 * and local name, never by prefix: a packet may bind any prefix to Dublin Core (`xmlns:foo=".../dc/elements/1.1/"`
 * then `foo:description`), or use a default namespace. A prefix the packet uses without declaring it (some writers
 * do) falls back to its conventional namespace.
 *
 * The parser does not read a DTD's entity declarations, so custom entities are never expanded (no "billion
 * laughs"); a reference to one stays as its literal text. Malformed XML is reported to an error handler that lets
 * parsing go on, so a damaged packet yields the properties completed before (and after) the damage.
 */

/** XMP larger than this is only read this far (descriptive properties come first in every writer we know). */
const MAX_XMP_CHARS = 1024 * 1024;
/** Parse errors tolerated before giving up on a packet: a run of garbage must not cost an error object per byte. */
const MAX_PARSE_ERRORS = 1000;
/**
 * Deepest element nesting read (real packets nest under 20 deep). The parser looks a prefix up through every open
 * element, so an unbounded depth would make a hostile packet cost quadratic time.
 */
const MAX_DEPTH = 256;
/** Items read from one Alt, Bag or Seq. */
const MAX_ITEMS = 500;
/** Text kept per property or item; longer values are cut (descriptions are cut further by the normaliser). */
const MAX_VALUE_CHARS = 64 * 1024;

const NAMESPACE = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dc: 'http://purl.org/dc/elements/1.1/',
  xmp: 'http://ns.adobe.com/xap/1.0/',
  exif: 'http://ns.adobe.com/exif/1.0/',
  photoshop: 'http://ns.adobe.com/photoshop/1.0/',
  x: 'adobe:ns:meta/',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

/** Namespaces for prefixes a packet uses without declaring them. */
const CONVENTIONAL_PREFIXES: Readonly<Record<string, string>> = {
  rdf: NAMESPACE.rdf,
  dc: NAMESPACE.dc,
  xmp: NAMESPACE.xmp,
  xap: NAMESPACE.xmp,
  exif: NAMESPACE.exif,
  photoshop: NAMESPACE.photoshop,
  x: NAMESPACE.x,
};

/** The properties read, by the name used below. */
const PROPERTIES = {
  description: [NAMESPACE.dc, 'description'],
  title: [NAMESPACE.dc, 'title'],
  headline: [NAMESPACE.photoshop, 'Headline'],
  subject: [NAMESPACE.dc, 'subject'],
  dateTimeOriginal: [NAMESPACE.exif, 'DateTimeOriginal'],
  dateCreated: [NAMESPACE.photoshop, 'DateCreated'],
  createDate: [NAMESPACE.xmp, 'CreateDate'],
  dateTimeDigitized: [NAMESPACE.exif, 'DateTimeDigitized'],
  gpsLatitude: [NAMESPACE.exif, 'GPSLatitude'],
  gpsLongitude: [NAMESPACE.exif, 'GPSLongitude'],
} as const;

type PropertyName = keyof typeof PROPERTIES;

const PROPERTY_BY_KEY = new Map<string, PropertyName>(
  (Object.entries(PROPERTIES) as Array<[PropertyName, readonly [string, string]]>).map(([name, [uri, local]]) => [`${uri} ${local}`, name]),
);

function propertyOf(uri: string | undefined, local: string | undefined): PropertyName | undefined {
  return uri && local ? PROPERTY_BY_KEY.get(`${uri} ${local}`) : undefined;
}

interface Item {
  tag: SaxesTagNS;
  language: string | null;
  text: string;
}

/** An element property being read: its whole text, and its rdf:li items when it is an Alt, Bag or Seq. */
interface OpenProperty {
  name: PropertyName;
  tag: SaxesTagNS;
  text: string;
  items: Item[];
  item: Item | null;
}

function appendCapped(text: string, more: string): string {
  return text.length >= MAX_VALUE_CHARS ? text : (text + more).slice(0, MAX_VALUE_CHARS);
}

/** Thrown from a handler to stop reading a hostile packet (mostly errors, or nested too deep). */
class StopReading extends Error {}

/**
 * The values of each property: from an attribute (`exif:DateTimeOriginal="..."` on rdf:Description) when there is
 * one, else from the first complete element (simple text, or the items of an Alt, Bag or Seq; in an Alt the
 * x-default language first). Never throws.
 */
function readProperties(xml: string): Map<PropertyName, string[]> {
  const fromAttributes = new Map<PropertyName, string>();
  const fromElements = new Map<PropertyName, string[]>();
  const open: OpenProperty[] = [];
  const started = new Set<PropertyName>();

  const parser = new SaxesParser({ xmlns: true, fragment: true, position: false, resolvePrefix: (prefix: string) => CONVENTIONAL_PREFIXES[prefix] });
  let errors = 0;
  parser.on('error', () => {
    if (++errors >= MAX_PARSE_ERRORS) throw new StopReading();
  });
  let depth = 0;
  parser.on('opentag', (tag) => {
    if (++depth > MAX_DEPTH) throw new StopReading();
    for (const attribute of Object.values(tag.attributes)) {
      const name = propertyOf(attribute.uri, attribute.local);
      if (name !== undefined && !fromAttributes.has(name)) fromAttributes.set(name, attribute.value);
    }
    if (tag.uri === NAMESPACE.rdf && tag.local === 'li') {
      for (const property of open) {
        if (property.item === null && property.items.length < MAX_ITEMS) {
          const language = tag.attributes['xml:lang'];
          property.item = { tag, language: language?.uri === NAMESPACE.xml ? language.value : null, text: '' };
        }
      }
    }
    const name = propertyOf(tag.uri, tag.local);
    if (name !== undefined && !started.has(name)) {
      started.add(name);
      open.push({ name, tag, text: '', items: [], item: null });
    }
  });
  const onText = (text: string): void => {
    for (const property of open) {
      property.text = appendCapped(property.text, text);
      if (property.item) property.item.text = appendCapped(property.item.text, text);
    }
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag) => {
    depth--;
    for (let i = open.length - 1; i >= 0; i--) {
      const property = open[i]!;
      if (property.item?.tag === tag) {
        property.items.push(property.item);
        property.item = null;
      }
      if (property.tag === tag) {
        fromElements.set(property.name, elementValues(property));
        open.splice(i, 1);
      }
    }
  });

  try {
    parser.write(xml).close();
  } catch {
    // StopReading, or anything unexpected: keep what was read so far.
  }

  const values = new Map<PropertyName, string[]>(fromElements);
  for (const [name, value] of fromAttributes) values.set(name, [value]);
  return values;
}

function elementValues(property: OpenProperty): string[] {
  if (property.items.length === 0) return [property.text];
  const isDefault = (item: Item): boolean => item.language === 'x-default';
  return [...property.items.filter(isDefault), ...property.items.filter((item) => !isDefault(item))].map((item) => item.text);
}

/** XMP GPS text: 'DDD,MM.mmmmN' or 'DDD,MM,SSN' (or plain signed decimal). */
function xmpCoordinate(raw: string | undefined, negative: string): number | null {
  const text = cleanText(raw);
  if (!text) return null;
  const match = /^(\d{1,3}),(\d{1,2}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?([NSEW])$/i.exec(text);
  if (match) {
    const value = Number(match[1]) + Number(match[2]) / 60 + Number(match[3] ?? 0) / 3600;
    return match[4]!.toUpperCase() === negative ? -value : value;
  }
  const decimal = Number(text);
  return /^[+-]?\d+(\.\d+)?$/.test(text) && Number.isFinite(decimal) ? decimal : null;
}

/** dc:description (or dc:title, photoshop:Headline), dc:subject keywords, the capture date and GPS from an XMP packet. */
export function parseXmp(packet: Uint8Array | string | null | undefined): SidecarFields {
  const out: SidecarFields = { takenAt: null, description: null, keywords: [], gpsLat: null, gpsLon: null };
  if (!packet || packet.length === 0) return out;
  try {
    const full = typeof packet === 'string' ? packet : decodeText(packet.subarray(0, MAX_XMP_CHARS));
    // Writers pad packets with NULs, which are not XML characters.
    let end = Math.min(full.length, MAX_XMP_CHARS);
    while (end > 0 && full.charCodeAt(end - 1) === 0) end--;
    const xml = full.slice(0, end);
    const values = readProperties(xml);
    const first = (name: PropertyName): string | null => values.get(name)?.[0] ?? null;
    out.description =
      meaningfulDescription(first('description')) ?? meaningfulDescription(first('title')) ?? meaningfulDescription(first('headline'));
    out.keywords = uniqueKeywords((values.get('subject') ?? []).flatMap((value) => value.split(/[;,]/)));
    for (const name of ['dateTimeOriginal', 'dateCreated', 'createDate', 'dateTimeDigitized'] as const) {
      out.takenAt = normaliseDate(first(name), null, { allowDateOnly: true });
      if (out.takenAt) break;
    }
    const position = validPosition(xmpCoordinate(first('gpsLatitude') ?? undefined, 'S'), xmpCoordinate(first('gpsLongitude') ?? undefined, 'W'));
    out.gpsLat = position.gpsLat;
    out.gpsLon = position.gpsLon;
  } catch {
    // readProperties never throws; this only guards the normalisers against the unexpected.
  }
  return out;
}
