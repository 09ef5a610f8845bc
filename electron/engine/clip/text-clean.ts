/**
 * The text cleaning that OpenAI CLIP's SimpleTokenizer applies before BPE, reproduced without Python:
 *
 *   basic_clean(text)      = html.unescape(html.unescape(ftfy.fix_text(text))).strip()
 *   whitespace_clean(text) = regex.sub(r'\s+', ' ', text).strip()
 *   encode(text)           uses whitespace_clean(basic_clean(text)).lower()
 *
 * `fixText` is a port of ftfy 6.3.1's `fix_text` with its default configuration (ftfy is Copyright 2023
 * Robyn Speer, Apache-2.0; the character tables and the mojibake heuristic below are taken from it).
 * `htmlUnescape` is Python's `html.unescape`, with the full HTML5 entity table.
 * Python's notions of whitespace differ from JavaScript's, so the character sets are spelled out.
 */

/** Python `str.isspace()` / `re` `\s`: what `str.strip()` removes. */
const PY_SPACE = '\\t-\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** The `regex` module's `\s` (Unicode White_Space), which CLIP's tokenizer uses. JS `\s` adds U+FEFF, lacks U+0085. */
export const CLIP_SPACE = '\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const WHITESPACE_RUN_RE = new RegExp(`[${CLIP_SPACE}]+`, 'gu');
/** Text that every ftfy step and html.unescape leave unchanged: printable ASCII, tab, LF, FF, without `&`. */
const PLAIN_ASCII_RE = /^[\t\n\f\x20-\x25\x27-\x7e]*$/;

/** The full cleaning: what CLIP's tokenizer splits into words. */
export function clipCleanText(text: string): string {
  return whitespaceClean(basicClean(text)).toLowerCase();
}

/** CLIP's `basic_clean`: ftfy, HTML unescaping twice, strip. */
export function basicClean(text: string): string {
  if (PLAIN_ASCII_RE.test(text)) return pyStrip(text);
  return pyStrip(htmlUnescape(htmlUnescape(fixText(text))));
}

/** CLIP's `whitespace_clean`: whitespace runs become one space, then strip. */
export function whitespaceClean(text: string): string {
  return pyStrip(text.replace(WHITESPACE_RUN_RE, ' '));
}

function isPySpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Python `str.strip()` with no arguments. */
export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPySpace(text.charCodeAt(start))) start++;
  while (end > start && isPySpace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

// ---------------------------------------------------------------------------------------------------------------
// Python's html.unescape

const CHARREF_RE = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

/** Python `html.unescape`: numeric references with the HTML5 fix-ups, and named ones (also without `;`). */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF_RE, (_match, ref: string) => replaceCharref(ref));
}

function replaceCharref(ref: string): string {
  if (ref.charCodeAt(0) === 0x23 /* # */) {
    const hex = ref[1] === 'x' || ref[1] === 'X';
    // parseInt stops at the optional ';'; huge values come back as large floats or Infinity, still > 0x10ffff.
    const num = hex ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    const fixedUp = invalidCharref(num);
    if (fixedUp !== undefined) return fixedUp;
    if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
    if (isInvalidCodepoint(num)) return '';
    return String.fromCodePoint(num);
  }
  const entities = tables().html5;
  const whole = entities.get(ref);
  if (whole !== undefined) return whole;
  // The longest known prefix wins ("&notit;" is "¬it;"), as the HTML5 standard says.
  for (let x = ref.length - 1; x > 1; x--) {
    const value = entities.get(ref.slice(0, x));
    if (value !== undefined) return value + ref.slice(x);
  }
  return '&' + ref;
}

/** html._invalid_charrefs: NUL, CR and the C1 range read as Windows-1252. */
function invalidCharref(num: number): string | undefined {
  if (num === 0) return '\ufffd';
  if (num === 0x0d) return '\r';
  if (num >= 0x80 && num <= 0x9f) return sloppy1252(num);
  return undefined;
}

/** html._invalid_codepoints: controls and noncharacters, which decode to nothing. */
function isInvalidCodepoint(num: number): boolean {
  return (
    (num >= 0x1 && num <= 0x8) ||
    num === 0xb ||
    (num >= 0xe && num <= 0x1f) ||
    (num >= 0x7f && num <= 0x9f) ||
    (num >= 0xfdd0 && num <= 0xfdef) ||
    (num & 0xfffe) === 0xfffe
  );
}

/** The character that byte 0x80..0x9F stands for in ftfy's sloppy Windows-1252. */
function sloppy1252(byte: number): string {
  return CHARMAPS['sloppy-windows-1252'].charAt(byte - 0x80);
}

// ---------------------------------------------------------------------------------------------------------------
// ftfy.fix_text

const MAX_DECODE_LENGTH = 1_000_000;

/** ftfy.fix_text(text) with the default TextFixerConfig. */
export function fixText(text: string): string {
  let unescape = true; // "auto": on until a segment contains '<'
  let out = '';
  let pos = 0;
  // Lines are fixed independently (ftfy cuts after each '\n'), so one line's mojibake cannot taint another.
  while (pos < text.length) {
    let cut = text.indexOf('\n', pos) + 1;
    if (cut === 0) cut = text.length;
    if (cut - pos > MAX_DECODE_LENGTH) cut = pos + MAX_DECODE_LENGTH;
    const segment = text.slice(pos, cut);
    if (unescape && segment.includes('<')) unescape = false;
    out += fixSegment(segment, unescape);
    pos = cut;
  }
  return out;
}

/** ftfy.fix_and_explain without the explanation: apply every fixer until nothing changes. */
function fixSegment(segment: string, unescape: boolean): string {
  let text = segment;
  for (;;) {
    const before = text;
    if (unescape) text = ftfyUnescapeHtml(text);
    text = fixEncoding(text);
    text = fixC1Controls(text);
    text = fixLatinLigatures(text);
    text = fixCharacterWidth(text);
    text = uncurlQuotes(text);
    text = fixLineBreaks(text);
    text = fixSurrogates(text);
    text = removeTerminalEscapes(text);
    text = removeControlChars(text);
    text = text.normalize('NFC');
    if (text === before) return text;
  }
}

const FTFY_ENTITY_RE = /&#?[0-9A-Za-z]{1,24};/g;

/** ftfy.fixes.unescape_html: only entities that end in ';', plus all-caps ones such as &EACUTE;. */
function ftfyUnescapeHtml(text: string): string {
  if (!text.includes('&')) return text;
  const entities = tables().ftfyEntities;
  return text.replace(FTFY_ENTITY_RE, (match) => {
    const value = entities.get(match);
    if (value !== undefined) return value;
    if (match.startsWith('&#')) {
      const unescaped = htmlUnescape(match);
      return unescaped.includes(';') ? match : unescaped;
    }
    return match;
  });
}

// eslint-disable-next-line no-control-regex -- ASCII includes the controls
const ASCII_RE = /^[\x00-\x7f]*$/;

/** ftfy.fix_encoding: undo mojibake one layer at a time. */
export function fixEncoding(text: string): string {
  for (;;) {
    const fixed = fixEncodingOneStep(text);
    if (fixed === text) return text;
    text = fixed;
  }
}

function fixEncodingOneStep(text: string): string {
  if (text.length === 0 || ASCII_RE.test(text) || !isBad(text)) return text;
  const t = tables();
  let latin1Possible = false;
  // Most mojibake is UTF-8 that was decoded with a single-byte encoding: re-encode and decode as UTF-8.
  for (const charmap of t.charmaps) {
    let bytes = charmap.encode(text);
    if (bytes === undefined) continue;
    if (charmap.name === 'latin-1') latin1Possible = true;
    if (charmap.name !== 'macroman' && ALTERED_UTF8_RE.test(bytes)) bytes = restoreByteA0(bytes);
    if (charmap.sloppy) bytes = bytes.replace(LOSSY_UTF8_RE, '\xef\xbf\xbd');
    const decoded = bytes.includes('\xed') || bytes.includes('\xc0') ? decodeUtf8Variants(bytes) : decodeUtf8(bytes);
    if (decoded !== undefined) return decoded;
  }
  // Fix UTF-8 mojibake embedded in otherwise fine text.
  if (t.utf8DetectorTest.test(text)) {
    const fixed = decodeInconsistentUtf8(text);
    if (fixed !== text) return fixed;
  }
  // ftfy compares against 'windows-1252', a name its list never holds, so Latin-1 text with C1 controls is
  // always re-read as strict Windows-1252 here.
  if (latin1Possible) {
    const fixed = decodeStrictWindows1252(text);
    if (fixed !== undefined && fixed !== text) return fixed;
  }
  if (C1_TEST_RE.test(text)) return fixC1Controls(text);
  return text;
}

/** ftfy.badness.is_bad: does the text contain character sequences that are very likely mojibake? */
export function isBad(text: string): boolean {
  return tables().badness.test(text);
}

function decodeInconsistentUtf8(text: string): string {
  return text.replace(tables().utf8Detector, (substr) =>
    substr.length < text.length && isBad(substr) ? fixEncoding(substr) : substr,
  );
}

// Byte strings below are "binary strings": one char per byte, U+0000..U+00FF.

/** "Ã " as a word is almost always "à" with its U+00A0 turned into a space; keep the space after it. */
const A_GRAVE_WORD_RE = /\xc3 (?! |quele|quela|quilo|s )/g;
/** UTF-8 sequences that would be valid if a 0xA0 byte had not been turned into a space. */
const ALTERED_UTF8_SOURCE = [
  String.raw`[\xc2\xc3\xc5\xce\xd0\xd9] `,
  String.raw`[\xe2\xe3] [\x80-\x84\x86-\x9f\xa1-\xbf]`,
  String.raw`[\xe0-\xe3][\x80-\x84\x86-\x9f\xa1-\xbf] `,
  String.raw`\xf0 [\x80-\xbf][\x80-\xbf]`,
  String.raw`\xf0[\x80-\xbf] [\x80-\xbf]`,
  String.raw`\xf0[\x80-\xbf][\x80-\xbf] `,
].join('|');
const ALTERED_UTF8_RE = new RegExp(ALTERED_UTF8_SOURCE);
const ALTERED_UTF8_GLOBAL_RE = new RegExp(ALTERED_UTF8_SOURCE, 'g');
/** UTF-8 sequences with a byte lost to U+FFFD (encoded as 0x1A by the sloppy codecs) or '?'. */
const LOSSY_UTF8_RE = new RegExp(
  [
    String.raw`[\xc2-\xdf]\x1a`,
    String.raw`[\xc2-\xc3]\?`,
    String.raw`\xed[\xa0-\xaf][\x1a?]\xed[\xb0-\xbf][\x1a?\x80-\xbf]`,
    String.raw`\xed[\xa0-\xaf][\x1a?\x80-\xbf]\xed[\xb0-\xbf][\x1a?]`,
    String.raw`[\xe0-\xef][\x1a?][\x1a\x80-\xbf]`,
    String.raw`[\xe0-\xef][\x1a\x80-\xbf][\x1a?]`,
    String.raw`[\xf0-\xf4][\x1a?][\x1a\x80-\xbf][\x1a\x80-\xbf]`,
    String.raw`[\xf0-\xf4][\x1a\x80-\xbf][\x1a?][\x1a\x80-\xbf]`,
    String.raw`[\xf0-\xf4][\x1a\x80-\xbf][\x1a\x80-\xbf][\x1a?]`,
    String.raw`\x1a`,
  ].join('|'),
  'g',
);

function restoreByteA0(bytes: string): string {
  return bytes
    .replace(A_GRAVE_WORD_RE, '\xc3\xa0 ')
    .replace(ALTERED_UTF8_GLOBAL_RE, (match) => match.replaceAll(' ', '\xa0'));
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 (Python's 'utf-8' codec); undefined where it would raise. */
function decodeUtf8(bytes: string): string | undefined {
  try {
    return utf8Decoder.decode(Buffer.from(bytes, 'latin1'));
  } catch {
    return undefined;
  }
}

/** ftfy's 'utf-8-variants' codec: UTF-8 that also accepts CESU-8 surrogate pairs and Java's 0xC0 0x80 for NUL. */
function decodeUtf8Variants(bytes: string): string | undefined {
  let out = '';
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes.charCodeAt(i);
    let special: string | undefined;
    let length = 0;
    if (b === 0xc0 && bytes.charCodeAt(i + 1) === 0x80) {
      special = '\0';
      length = 2;
    } else if (b === 0xed && isCesu8At(bytes, i)) {
      const codepoint =
        ((bytes.charCodeAt(i + 1) & 0x0f) << 16) +
        ((bytes.charCodeAt(i + 2) & 0x3f) << 10) +
        ((bytes.charCodeAt(i + 4) & 0x0f) << 6) +
        (bytes.charCodeAt(i + 5) & 0x3f) +
        0x10000;
      special = String.fromCodePoint(codepoint);
      length = 6;
    }
    if (special === undefined) {
      i++;
      continue;
    }
    const before = decodeUtf8(bytes.slice(start, i));
    if (before === undefined) return undefined;
    out += before + special;
    i += length;
    start = i;
  }
  const rest = decodeUtf8(bytes.slice(start));
  return rest === undefined ? undefined : out + rest;
}

function isCesu8At(bytes: string, i: number): boolean {
  if (i + 6 > bytes.length) return false;
  const inRange = (offset: number, low: number, high: number): boolean => {
    const b = bytes.charCodeAt(i + offset);
    return b >= low && b <= high;
  };
  return (
    inRange(1, 0xa0, 0xaf) &&
    inRange(2, 0x80, 0xbf) &&
    inRange(3, 0xed, 0xed) &&
    inRange(4, 0xb0, 0xbf) &&
    inRange(5, 0x80, 0xbf)
  );
}

/** Latin-1 bytes read as strict Windows-1252 (whose 0x81 0x8D 0x8F 0x90 0x9D are undefined). */
function decodeStrictWindows1252(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80 || code > 0x9f) {
      out += text[i];
      continue;
    }
    if (code === 0x81 || code === 0x8d || code === 0x8f || code === 0x90 || code === 0x9d) return undefined;
    out += sloppy1252(code);
  }
  return out;
}

const C1_TEST_RE = /[\x80-\x9f]/;
const C1_RE = /[\x80-\x9f]/g;

/** Leftover C1 controls are Windows-1252 characters, as web browsers read them. */
function fixC1Controls(text: string): string {
  if (!C1_TEST_RE.test(text)) return text;
  return text.replace(C1_RE, (c) => sloppy1252(c.charCodeAt(0)));
}

const LIGATURES: Readonly<Record<string, string>> = {
  '\u0132': 'IJ',
  '\u0133': 'ij',
  '\u0149': '\u02bcn',
  '\u01f1': 'DZ',
  '\u01f2': 'Dz',
  '\u01f3': 'dz',
  '\u01c4': 'D\u017d',
  '\u01c5': 'D\u017e',
  '\u01c6': 'd\u017e',
  '\u01c7': 'LJ',
  '\u01c8': 'Lj',
  '\u01c9': 'lj',
  '\u01ca': 'NJ',
  '\u01cb': 'Nj',
  '\u01cc': 'nj',
  '\ufb00': 'ff',
  '\ufb01': 'fi',
  '\ufb02': 'fl',
  '\ufb03': 'ffi',
  '\ufb04': 'ffl',
  '\ufb05': '\u017ft',
  '\ufb06': 'st',
};
const LIGATURE_RE = /[\u0132\u0133\u0149\u01c4-\u01cc\u01f1-\u01f3\ufb00-\ufb06]/g;

/** Latin typographic ligatures and legacy digraphs become plain letters. */
function fixLatinLigatures(text: string): string {
  return text.replace(LIGATURE_RE, (c) => LIGATURES[c] ?? c);
}

const WIDTH_RE = /[\u3000\uff01-\uffef]/g;

/** Fullwidth ASCII, halfwidth katakana and the ideographic space take their usual width (by NFKC). */
function fixCharacterWidth(text: string): string {
  return text.replace(WIDTH_RE, (c) => (c === '\u3000' ? ' ' : c.normalize('NFKC')));
}

/** ftfy's default straightens curly quotes, so "it’s" tokenises like "it's". */
function uncurlQuotes(text: string): string {
  return text.replace(/[\u02bc\u2018-\u201b]/g, "'").replace(/[\u201c-\u201f]/g, '"');
}

function fixLineBreaks(text: string): string {
  return text.replace(/\r\n|[\r\u2028\u2029\x85]/g, '\n');
}

/** Unpaired UTF-16 surrogates become U+FFFD (paired ones are already whole characters in JS). */
function fixSurrogates(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** ANSI colour escapes. Python's \d is any Unicode decimal digit. */
function removeTerminalEscapes(text: string): string {
  if (!text.includes('\x1b')) return text;
  // eslint-disable-next-line no-control-regex -- ESC starts the sequence
  return text.replace(/\x1b\[((?:\p{Nd}|;)*)([a-zA-Z])/gu, '');
}

function removeControlChars(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing controls is the point
  return text.replace(/[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g, '');
}

// ---------------------------------------------------------------------------------------------------------------
// Tables, built on first use so importing this module stays cheap.

interface Charmap {
  name: string;
  /** The ftfy "sloppy-*" codecs pass unassigned bytes through as the same code point and map 0x1A to U+FFFD. */
  sloppy: boolean;
  /** `text.encode(name)` as a binary string, or undefined where the text does not fit the encoding. */
  encode(text: string): string | undefined;
}

interface Tables {
  html5: Map<string, string>;
  ftfyEntities: Map<string, string>;
  charmaps: Charmap[];
  badness: RegExp;
  utf8Detector: RegExp;
  utf8DetectorTest: RegExp;
}

let cachedTables: Tables | undefined;

function tables(): Tables {
  return (cachedTables ??= buildTables());
}

function buildTables(): Tables {
  const html5 = new Map<string, string>();
  for (const item of HTML5_ENTITY_DATA.split(' ')) {
    const eq = item.indexOf('=');
    html5.set(item.slice(0, eq) + ';', item.slice(eq + 1));
  }
  for (const name of LEGACY_ENTITY_NAMES.split(' ')) {
    const value = html5.get(name + ';');
    if (value !== undefined) html5.set(name, value);
  }

  // ftfy also decodes all-caps spellings of lower-case entities, where that reading is unambiguous.
  const ftfyEntities = new Map<string, string>();
  for (const [name, value] of html5) {
    if (!name.endsWith(';')) continue;
    ftfyEntities.set('&' + name, value);
  }
  for (const [name, value] of html5) {
    if (!name.endsWith(';') || name !== name.toLowerCase()) continue;
    const upper = '&' + name.toUpperCase();
    if (!ftfyEntities.has(upper) && htmlUnescapeWith(html5, upper) === upper) {
      ftfyEntities.set(upper, value.toUpperCase());
    }
  }

  const charmaps = Object.entries(CHARMAPS).map(([name, table]) => makeCharmap(name, table));
  const utf8Detector = buildUtf8Detector();
  return {
    html5,
    ftfyEntities,
    charmaps,
    badness: buildBadnessRegex(),
    utf8Detector,
    utf8DetectorTest: new RegExp(utf8Detector.source, 'u'),
  };
}

/** htmlUnescape against a given table, for building the tables themselves. */
function htmlUnescapeWith(html5: Map<string, string>, text: string): string {
  return text.replace(CHARREF_RE, (_match, ref: string) => {
    if (ref.startsWith('#')) return replaceCharref(ref);
    const whole = html5.get(ref);
    if (whole !== undefined) return whole;
    for (let x = ref.length - 1; x > 1; x--) {
      const value = html5.get(ref.slice(0, x));
      if (value !== undefined) return value + ref.slice(x);
    }
    return '&' + ref;
  });
}

function makeCharmap(name: string, table: string): Charmap {
  const decode = table.slice(0, 128);
  const encodeMap = new Map<number, number>();
  for (let i = 0; i < 128; i++) encodeMap.set(decode.charCodeAt(i), 0x80 + i);
  encodeMap.set(table.charCodeAt(128), 0x1a);
  return {
    name,
    sloppy: name.startsWith('sloppy-'),
    encode(text: string): string | undefined {
      const bytes: number[] = new Array<number>(text.length);
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        // Bytes 0x00-0x7F are ASCII in every one of these encodings, except 0x1A (see above).
        const byte = code < 0x80 && code !== 0x1a ? code : encodeMap.get(code);
        if (byte === undefined) return undefined;
        bytes[i] = byte;
      }
      return Buffer.from(bytes).toString('latin1');
    },
  };
}

/** ftfy.badness.BADNESS_RE: juxtapositions of characters that are far likelier in mojibake than in real text. */
function buildBadnessRegex(): RegExp {
  const { common, c1, bad, law, currency, numeric, kaomoji, box } = CATEGORIES;
  const start = CATEGORIES.startPunctuation;
  const end = CATEGORIES.endPunctuation;
  const upper = CATEGORIES.upperAccented;
  const lower = CATEGORIES.lowerAccented;
  const upperCommon = CATEGORIES.upperCommon;
  const lowerCommon = CATEGORIES.lowerCommon;
  const space = `[${PY_SPACE}]`;
  const word = '[\\p{L}\\p{N}_]'; // Python's Unicode \w
  const latinAfterLead = '\u20ac\u0153\u0160\u0161\u00a2\u00a3\u0178\u017e\u00a0\u00ad\u00ae\u00a9\u00b0\u00b7\u00bb\u2013\u2014\u00b4';
  const arabic = `[${common}${currency}${bad}${numeric}${start}\u0178\u0160\u00ae\u00b0\u00b5\u00bb]`;
  const alternatives = [
    `[${c1}]`,
    `[${bad}${lower}${upper}${box}${start}${end}${currency}${numeric}${law}][${bad}]`,
    `[a-zA-Z][${lowerCommon}${upperCommon}][${bad}]`,
    `[${bad}][${lower}${upper}${box}${start}${end}${currency}${numeric}${law}]`,
    `[${lower}${lowerCommon}${box}${end}${currency}${numeric}][${upper}]`,
    `[${box}${end}${currency}${numeric}][${lower}]`,
    `[${lower}${box}${end}][${currency}]`,
    `${space}[${upper}][${currency}]`,
    `[${upper}${box}][${numeric}${law}]`,
    `[${lower}${upper}${box}${currency}${end}][${start}][${numeric}]`,
    `[${lower}${upper}${currency}${numeric}${box}${law}][${end}][${start}]`,
    `[${currency}${numeric}${box}][${start}]`,
    `[a-z][${upper}][${start}${currency}]`,
    `[${box}][${kaomoji}]`,
    `[${lower}${upper}${currency}${numeric}${start}${end}${law}][${box}]`,
    `[${box}][${end}]`,
    `[${lower}${upper}][${start}${end}]${word}`,
    // the ligature œ when not followed by an unaccented Latin letter
    `[\u0152\u0153][^A-Za-z]`,
    // degree signs after capital letters
    `[${upper}]\u00b0`,
    // common Windows-1252 two-character mojibake not covered above
    `[\u00c2\u00c3\u00ce\u00d0][${latinAfterLead}${start}${end}]`,
    `\u00d7[\u00b2\u00b3]`,
    // Windows-1252 mojibake of Arabic: four characters, since it includes the 'common' ones
    `[\u00d8\u00d9]${arabic}[\u00d8\u00d9]${arabic}`,
    // Windows-1252 mojibake starting three-character sequences of some South Asian scripts
    `\u00e0[\u00b2\u00b5\u00b9\u00bc\u00bd\u00be]`,
    // MacRoman mojibake
    `\u221a[\u00b1\u2202\u2020\u2260\u00ae\u2122\u00b4\u2264\u2265\u00a5\u00b5\u00f8]`,
    `\u2248[\u00b0\u00a2]`,
    `\u201a\u00c4[\u00ec\u00ee\u00ef\u00f2\u00f4\u00fa\u00f9\u00fb\u2020\u00b0\u00a2\u03c0]`,
    `\u201a[\u00e2\u00f3][\u00e0\u00e4\u00b0\u00ea]`,
    // Windows-1251 mojibake of U+2000-range characters, of Latin-1, and layered on Latin-1 mojibake
    `\u0432\u0402`,
    `[\u0412\u0413\u0420\u0421][${c1}${bad}${start}${end}${currency}\u00b0\u00b5][\u0412\u0413\u0420\u0421]`,
    `\u0413\u045e\u0412\u0402\u0412[^\\n][A-Za-z ]`, // Python's '.' excludes only '\n'
    // Windows-1252 encodings of 'à', 'á' and U+00A0 itself
    `\u00c3[\u00a0\u00a1]`,
    `[a-z]${space}?[\u00c3\u00c2][ ]`,
    `^[\u00c3\u00c2][ ]`,
    // Â before a character it encodes together with
    `[a-z.,?!${end}]\u00c2[ ${start}${end}]`,
    // Windows-1253 mojibake
    `\u03b2\u20ac[\u2122\u00a0\u0386\u00ad\u00ae\u00b0]`,
    `[\u0392\u0393\u039e\u039f][${c1}${bad}${start}${end}${currency}\u00b0][\u0392\u0393\u039e\u039f]`,
    // Windows-1257 mojibake
    `\u0101\u20ac`,
  ];
  return new RegExp(alternatives.join('|'), 'u');
}

/** ftfy.chardata.UTF8_DETECTOR_RE: runs of what look like UTF-8 sequences read in a single-byte encoding. */
function buildUtf8Detector(): RegExp {
  const { utf8FirstOf2, utf8FirstOf3, utf8FirstOf4, utf8Continuation, utf8ContinuationStrict } = UTF8_CLUES;
  const cont = `[${utf8Continuation}]`;
  const sequence = `[${utf8FirstOf2}]${cont}|[${utf8FirstOf3}]${cont}{2}|[${utf8FirstOf4}]${cont}{3}`;
  // Not right after a strict continuation character, so a few characters inside a bigger garble are left alone.
  return new RegExp(`(?<![${utf8ContinuationStrict}])(?:${sequence})+`, 'gu');
}

// ---------------------------------------------------------------------------------------------------------------
// Data. HTML5 entities are Python's html.entities.html5 (name=value, names without ';'); the legacy names are the
// ones also recognised without ';'. Charmaps give bytes 0x80..0xFF then 0x1A. Categories and clues are ftfy's.

const HTML5_ENTITY_DATA = [
  'Aacute=\u00c1 aacute=\u00e1 Abreve=\u0102 abreve=\u0103 ac=\u223e acd=\u223f acE=\u223e\u0333 Acirc=\u00c2',
  'acirc=\u00e2 acute=\u00b4 Acy=\u0410 acy=\u0430 AElig=\u00c6 aelig=\u00e6 af=\u2061 Afr=\u{1d504}',
  'afr=\u{1d51e} Agrave=\u00c0 agrave=\u00e0 alefsym=\u2135 aleph=\u2135 Alpha=\u0391 alpha=\u03b1 Amacr=\u0100',
  'amacr=\u0101 amalg=\u2a3f AMP=& amp=& And=\u2a53 and=\u2227 andand=\u2a55 andd=\u2a5c andslope=\u2a58',
  'andv=\u2a5a ang=\u2220 ange=\u29a4 angle=\u2220 angmsd=\u2221 angmsdaa=\u29a8 angmsdab=\u29a9 angmsdac=\u29aa',
  'angmsdad=\u29ab angmsdae=\u29ac angmsdaf=\u29ad angmsdag=\u29ae angmsdah=\u29af angrt=\u221f angrtvb=\u22be',
  'angrtvbd=\u299d angsph=\u2222 angst=\u00c5 angzarr=\u237c Aogon=\u0104 aogon=\u0105 Aopf=\u{1d538}',
  'aopf=\u{1d552} ap=\u2248 apacir=\u2a6f apE=\u2a70 ape=\u224a apid=\u224b apos=\' ApplyFunction=\u2061',
  'approx=\u2248 approxeq=\u224a Aring=\u00c5 aring=\u00e5 Ascr=\u{1d49c} ascr=\u{1d4b6} Assign=\u2254 ast=*',
  'asymp=\u2248 asympeq=\u224d Atilde=\u00c3 atilde=\u00e3 Auml=\u00c4 auml=\u00e4 awconint=\u2233 awint=\u2a11',
  'backcong=\u224c backepsilon=\u03f6 backprime=\u2035 backsim=\u223d backsimeq=\u22cd Backslash=\u2216',
  'Barv=\u2ae7 barvee=\u22bd Barwed=\u2306 barwed=\u2305 barwedge=\u2305 bbrk=\u23b5 bbrktbrk=\u23b6 bcong=\u224c',
  'Bcy=\u0411 bcy=\u0431 bdquo=\u201e becaus=\u2235 Because=\u2235 because=\u2235 bemptyv=\u29b0 bepsi=\u03f6',
  'bernou=\u212c Bernoullis=\u212c Beta=\u0392 beta=\u03b2 beth=\u2136 between=\u226c Bfr=\u{1d505} bfr=\u{1d51f}',
  'bigcap=\u22c2 bigcirc=\u25ef bigcup=\u22c3 bigodot=\u2a00 bigoplus=\u2a01 bigotimes=\u2a02 bigsqcup=\u2a06',
  'bigstar=\u2605 bigtriangledown=\u25bd bigtriangleup=\u25b3 biguplus=\u2a04 bigvee=\u22c1 bigwedge=\u22c0',
  'bkarow=\u290d blacklozenge=\u29eb blacksquare=\u25aa blacktriangle=\u25b4 blacktriangledown=\u25be',
  'blacktriangleleft=\u25c2 blacktriangleright=\u25b8 blank=\u2423 blk12=\u2592 blk14=\u2591 blk34=\u2593',
  'block=\u2588 bne==\u20e5 bnequiv=\u2261\u20e5 bNot=\u2aed bnot=\u2310 Bopf=\u{1d539} bopf=\u{1d553} bot=\u22a5',
  'bottom=\u22a5 bowtie=\u22c8 boxbox=\u29c9 boxDL=\u2557 boxDl=\u2556 boxdL=\u2555 boxdl=\u2510 boxDR=\u2554',
  'boxDr=\u2553 boxdR=\u2552 boxdr=\u250c boxH=\u2550 boxh=\u2500 boxHD=\u2566 boxHd=\u2564 boxhD=\u2565',
  'boxhd=\u252c boxHU=\u2569 boxHu=\u2567 boxhU=\u2568 boxhu=\u2534 boxminus=\u229f boxplus=\u229e',
  'boxtimes=\u22a0 boxUL=\u255d boxUl=\u255c boxuL=\u255b boxul=\u2518 boxUR=\u255a boxUr=\u2559 boxuR=\u2558',
  'boxur=\u2514 boxV=\u2551 boxv=\u2502 boxVH=\u256c boxVh=\u256b boxvH=\u256a boxvh=\u253c boxVL=\u2563',
  'boxVl=\u2562 boxvL=\u2561 boxvl=\u2524 boxVR=\u2560 boxVr=\u255f boxvR=\u255e boxvr=\u251c bprime=\u2035',
  'Breve=\u02d8 breve=\u02d8 brvbar=\u00a6 Bscr=\u212c bscr=\u{1d4b7} bsemi=\u204f bsim=\u223d bsime=\u22cd',
  'bsol=\\ bsolb=\u29c5 bsolhsub=\u27c8 bull=\u2022 bullet=\u2022 bump=\u224e bumpE=\u2aae bumpe=\u224f',
  'Bumpeq=\u224e bumpeq=\u224f Cacute=\u0106 cacute=\u0107 Cap=\u22d2 cap=\u2229 capand=\u2a44 capbrcup=\u2a49',
  'capcap=\u2a4b capcup=\u2a47 capdot=\u2a40 CapitalDifferentialD=\u2145 caps=\u2229\ufe00 caret=\u2041',
  'caron=\u02c7 Cayleys=\u212d ccaps=\u2a4d Ccaron=\u010c ccaron=\u010d Ccedil=\u00c7 ccedil=\u00e7 Ccirc=\u0108',
  'ccirc=\u0109 Cconint=\u2230 ccups=\u2a4c ccupssm=\u2a50 Cdot=\u010a cdot=\u010b cedil=\u00b8 Cedilla=\u00b8',
  'cemptyv=\u29b2 cent=\u00a2 CenterDot=\u00b7 centerdot=\u00b7 Cfr=\u212d cfr=\u{1d520} CHcy=\u0427 chcy=\u0447',
  'check=\u2713 checkmark=\u2713 Chi=\u03a7 chi=\u03c7 cir=\u25cb circ=\u02c6 circeq=\u2257',
  'circlearrowleft=\u21ba circlearrowright=\u21bb circledast=\u229b circledcirc=\u229a circleddash=\u229d',
  'CircleDot=\u2299 circledR=\u00ae circledS=\u24c8 CircleMinus=\u2296 CirclePlus=\u2295 CircleTimes=\u2297',
  'cirE=\u29c3 cire=\u2257 cirfnint=\u2a10 cirmid=\u2aef cirscir=\u29c2 ClockwiseContourIntegral=\u2232',
  'CloseCurlyDoubleQuote=\u201d CloseCurlyQuote=\u2019 clubs=\u2663 clubsuit=\u2663 Colon=\u2237 colon=:',
  'Colone=\u2a74 colone=\u2254 coloneq=\u2254 comma=, commat=@ comp=\u2201 compfn=\u2218 complement=\u2201',
  'complexes=\u2102 cong=\u2245 congdot=\u2a6d Congruent=\u2261 Conint=\u222f conint=\u222e',
  'ContourIntegral=\u222e Copf=\u2102 copf=\u{1d554} coprod=\u2210 Coproduct=\u2210 COPY=\u00a9 copy=\u00a9',
  'copysr=\u2117 CounterClockwiseContourIntegral=\u2233 crarr=\u21b5 Cross=\u2a2f cross=\u2717 Cscr=\u{1d49e}',
  'cscr=\u{1d4b8} csub=\u2acf csube=\u2ad1 csup=\u2ad0 csupe=\u2ad2 ctdot=\u22ef cudarrl=\u2938 cudarrr=\u2935',
  'cuepr=\u22de cuesc=\u22df cularr=\u21b6 cularrp=\u293d Cup=\u22d3 cup=\u222a cupbrcap=\u2a48 CupCap=\u224d',
  'cupcap=\u2a46 cupcup=\u2a4a cupdot=\u228d cupor=\u2a45 cups=\u222a\ufe00 curarr=\u21b7 curarrm=\u293c',
  'curlyeqprec=\u22de curlyeqsucc=\u22df curlyvee=\u22ce curlywedge=\u22cf curren=\u00a4 curvearrowleft=\u21b6',
  'curvearrowright=\u21b7 cuvee=\u22ce cuwed=\u22cf cwconint=\u2232 cwint=\u2231 cylcty=\u232d Dagger=\u2021',
  'dagger=\u2020 daleth=\u2138 Darr=\u21a1 dArr=\u21d3 darr=\u2193 dash=\u2010 Dashv=\u2ae4 dashv=\u22a3',
  'dbkarow=\u290f dblac=\u02dd Dcaron=\u010e dcaron=\u010f Dcy=\u0414 dcy=\u0434 DD=\u2145 dd=\u2146',
  'ddagger=\u2021 ddarr=\u21ca DDotrahd=\u2911 ddotseq=\u2a77 deg=\u00b0 Del=\u2207 Delta=\u0394 delta=\u03b4',
  'demptyv=\u29b1 dfisht=\u297f Dfr=\u{1d507} dfr=\u{1d521} dHar=\u2965 dharl=\u21c3 dharr=\u21c2',
  'DiacriticalAcute=\u00b4 DiacriticalDot=\u02d9 DiacriticalDoubleAcute=\u02dd DiacriticalGrave=`',
  'DiacriticalTilde=\u02dc diam=\u22c4 Diamond=\u22c4 diamond=\u22c4 diamondsuit=\u2666 diams=\u2666 die=\u00a8',
  'DifferentialD=\u2146 digamma=\u03dd disin=\u22f2 div=\u00f7 divide=\u00f7 divideontimes=\u22c7 divonx=\u22c7',
  'DJcy=\u0402 djcy=\u0452 dlcorn=\u231e dlcrop=\u230d dollar=$ Dopf=\u{1d53b} dopf=\u{1d555} Dot=\u00a8',
  'dot=\u02d9 DotDot=\u20dc doteq=\u2250 doteqdot=\u2251 DotEqual=\u2250 dotminus=\u2238 dotplus=\u2214',
  'dotsquare=\u22a1 doublebarwedge=\u2306 DoubleContourIntegral=\u222f DoubleDot=\u00a8 DoubleDownArrow=\u21d3',
  'DoubleLeftArrow=\u21d0 DoubleLeftRightArrow=\u21d4 DoubleLeftTee=\u2ae4 DoubleLongLeftArrow=\u27f8',
  'DoubleLongLeftRightArrow=\u27fa DoubleLongRightArrow=\u27f9 DoubleRightArrow=\u21d2 DoubleRightTee=\u22a8',
  'DoubleUpArrow=\u21d1 DoubleUpDownArrow=\u21d5 DoubleVerticalBar=\u2225 DownArrow=\u2193 Downarrow=\u21d3',
  'downarrow=\u2193 DownArrowBar=\u2913 DownArrowUpArrow=\u21f5 DownBreve=\u0311 downdownarrows=\u21ca',
  'downharpoonleft=\u21c3 downharpoonright=\u21c2 DownLeftRightVector=\u2950 DownLeftTeeVector=\u295e',
  'DownLeftVector=\u21bd DownLeftVectorBar=\u2956 DownRightTeeVector=\u295f DownRightVector=\u21c1',
  'DownRightVectorBar=\u2957 DownTee=\u22a4 DownTeeArrow=\u21a7 drbkarow=\u2910 drcorn=\u231f drcrop=\u230c',
  'Dscr=\u{1d49f} dscr=\u{1d4b9} DScy=\u0405 dscy=\u0455 dsol=\u29f6 Dstrok=\u0110 dstrok=\u0111 dtdot=\u22f1',
  'dtri=\u25bf dtrif=\u25be duarr=\u21f5 duhar=\u296f dwangle=\u29a6 DZcy=\u040f dzcy=\u045f dzigrarr=\u27ff',
  'Eacute=\u00c9 eacute=\u00e9 easter=\u2a6e Ecaron=\u011a ecaron=\u011b ecir=\u2256 Ecirc=\u00ca ecirc=\u00ea',
  'ecolon=\u2255 Ecy=\u042d ecy=\u044d eDDot=\u2a77 Edot=\u0116 eDot=\u2251 edot=\u0117 ee=\u2147 efDot=\u2252',
  'Efr=\u{1d508} efr=\u{1d522} eg=\u2a9a Egrave=\u00c8 egrave=\u00e8 egs=\u2a96 egsdot=\u2a98 el=\u2a99',
  'Element=\u2208 elinters=\u23e7 ell=\u2113 els=\u2a95 elsdot=\u2a97 Emacr=\u0112 emacr=\u0113 empty=\u2205',
  'emptyset=\u2205 EmptySmallSquare=\u25fb emptyv=\u2205 EmptyVerySmallSquare=\u25ab emsp13=\u2004 emsp14=\u2005',
  'emsp=\u2003 ENG=\u014a eng=\u014b ensp=\u2002 Eogon=\u0118 eogon=\u0119 Eopf=\u{1d53c} eopf=\u{1d556}',
  'epar=\u22d5 eparsl=\u29e3 eplus=\u2a71 epsi=\u03b5 Epsilon=\u0395 epsilon=\u03b5 epsiv=\u03f5 eqcirc=\u2256',
  'eqcolon=\u2255 eqsim=\u2242 eqslantgtr=\u2a96 eqslantless=\u2a95 Equal=\u2a75 equals== EqualTilde=\u2242',
  'equest=\u225f Equilibrium=\u21cc equiv=\u2261 equivDD=\u2a78 eqvparsl=\u29e5 erarr=\u2971 erDot=\u2253',
  'Escr=\u2130 escr=\u212f esdot=\u2250 Esim=\u2a73 esim=\u2242 Eta=\u0397 eta=\u03b7 ETH=\u00d0 eth=\u00f0',
  'Euml=\u00cb euml=\u00eb euro=\u20ac excl=! exist=\u2203 Exists=\u2203 expectation=\u2130 ExponentialE=\u2147',
  'exponentiale=\u2147 fallingdotseq=\u2252 Fcy=\u0424 fcy=\u0444 female=\u2640 ffilig=\ufb03 fflig=\ufb00',
  'ffllig=\ufb04 Ffr=\u{1d509} ffr=\u{1d523} filig=\ufb01 FilledSmallSquare=\u25fc FilledVerySmallSquare=\u25aa',
  'fjlig=fj flat=\u266d fllig=\ufb02 fltns=\u25b1 fnof=\u0192 Fopf=\u{1d53d} fopf=\u{1d557} ForAll=\u2200',
  'forall=\u2200 fork=\u22d4 forkv=\u2ad9 Fouriertrf=\u2131 fpartint=\u2a0d frac12=\u00bd frac13=\u2153',
  'frac14=\u00bc frac15=\u2155 frac16=\u2159 frac18=\u215b frac23=\u2154 frac25=\u2156 frac34=\u00be',
  'frac35=\u2157 frac38=\u215c frac45=\u2158 frac56=\u215a frac58=\u215d frac78=\u215e frasl=\u2044 frown=\u2322',
  'Fscr=\u2131 fscr=\u{1d4bb} gacute=\u01f5 Gamma=\u0393 gamma=\u03b3 Gammad=\u03dc gammad=\u03dd gap=\u2a86',
  'Gbreve=\u011e gbreve=\u011f Gcedil=\u0122 Gcirc=\u011c gcirc=\u011d Gcy=\u0413 gcy=\u0433 Gdot=\u0120',
  'gdot=\u0121 gE=\u2267 ge=\u2265 gEl=\u2a8c gel=\u22db geq=\u2265 geqq=\u2267 geqslant=\u2a7e ges=\u2a7e',
  'gescc=\u2aa9 gesdot=\u2a80 gesdoto=\u2a82 gesdotol=\u2a84 gesl=\u22db\ufe00 gesles=\u2a94 Gfr=\u{1d50a}',
  'gfr=\u{1d524} Gg=\u22d9 gg=\u226b ggg=\u22d9 gimel=\u2137 GJcy=\u0403 gjcy=\u0453 gl=\u2277 gla=\u2aa5',
  'glE=\u2a92 glj=\u2aa4 gnap=\u2a8a gnapprox=\u2a8a gnE=\u2269 gne=\u2a88 gneq=\u2a88 gneqq=\u2269 gnsim=\u22e7',
  'Gopf=\u{1d53e} gopf=\u{1d558} grave=` GreaterEqual=\u2265 GreaterEqualLess=\u22db GreaterFullEqual=\u2267',
  'GreaterGreater=\u2aa2 GreaterLess=\u2277 GreaterSlantEqual=\u2a7e GreaterTilde=\u2273 Gscr=\u{1d4a2}',
  'gscr=\u210a gsim=\u2273 gsime=\u2a8e gsiml=\u2a90 GT=> Gt=\u226b gt=> gtcc=\u2aa7 gtcir=\u2a7a gtdot=\u22d7',
  'gtlPar=\u2995 gtquest=\u2a7c gtrapprox=\u2a86 gtrarr=\u2978 gtrdot=\u22d7 gtreqless=\u22db gtreqqless=\u2a8c',
  'gtrless=\u2277 gtrsim=\u2273 gvertneqq=\u2269\ufe00 gvnE=\u2269\ufe00 Hacek=\u02c7 hairsp=\u200a half=\u00bd',
  'hamilt=\u210b HARDcy=\u042a hardcy=\u044a hArr=\u21d4 harr=\u2194 harrcir=\u2948 harrw=\u21ad Hat=^',
  'hbar=\u210f Hcirc=\u0124 hcirc=\u0125 hearts=\u2665 heartsuit=\u2665 hellip=\u2026 hercon=\u22b9 Hfr=\u210c',
  'hfr=\u{1d525} HilbertSpace=\u210b hksearow=\u2925 hkswarow=\u2926 hoarr=\u21ff homtht=\u223b',
  'hookleftarrow=\u21a9 hookrightarrow=\u21aa Hopf=\u210d hopf=\u{1d559} horbar=\u2015 HorizontalLine=\u2500',
  'Hscr=\u210b hscr=\u{1d4bd} hslash=\u210f Hstrok=\u0126 hstrok=\u0127 HumpDownHump=\u224e HumpEqual=\u224f',
  'hybull=\u2043 hyphen=\u2010 Iacute=\u00cd iacute=\u00ed ic=\u2063 Icirc=\u00ce icirc=\u00ee Icy=\u0418',
  'icy=\u0438 Idot=\u0130 IEcy=\u0415 iecy=\u0435 iexcl=\u00a1 iff=\u21d4 Ifr=\u2111 ifr=\u{1d526} Igrave=\u00cc',
  'igrave=\u00ec ii=\u2148 iiiint=\u2a0c iiint=\u222d iinfin=\u29dc iiota=\u2129 IJlig=\u0132 ijlig=\u0133',
  'Im=\u2111 Imacr=\u012a imacr=\u012b image=\u2111 ImaginaryI=\u2148 imagline=\u2110 imagpart=\u2111',
  'imath=\u0131 imof=\u22b7 imped=\u01b5 Implies=\u21d2 in=\u2208 incare=\u2105 infin=\u221e infintie=\u29dd',
  'inodot=\u0131 Int=\u222c int=\u222b intcal=\u22ba integers=\u2124 Integral=\u222b intercal=\u22ba',
  'Intersection=\u22c2 intlarhk=\u2a17 intprod=\u2a3c InvisibleComma=\u2063 InvisibleTimes=\u2062 IOcy=\u0401',
  'iocy=\u0451 Iogon=\u012e iogon=\u012f Iopf=\u{1d540} iopf=\u{1d55a} Iota=\u0399 iota=\u03b9 iprod=\u2a3c',
  'iquest=\u00bf Iscr=\u2110 iscr=\u{1d4be} isin=\u2208 isindot=\u22f5 isinE=\u22f9 isins=\u22f4 isinsv=\u22f3',
  'isinv=\u2208 it=\u2062 Itilde=\u0128 itilde=\u0129 Iukcy=\u0406 iukcy=\u0456 Iuml=\u00cf iuml=\u00ef',
  'Jcirc=\u0134 jcirc=\u0135 Jcy=\u0419 jcy=\u0439 Jfr=\u{1d50d} jfr=\u{1d527} jmath=\u0237 Jopf=\u{1d541}',
  'jopf=\u{1d55b} Jscr=\u{1d4a5} jscr=\u{1d4bf} Jsercy=\u0408 jsercy=\u0458 Jukcy=\u0404 jukcy=\u0454',
  'Kappa=\u039a kappa=\u03ba kappav=\u03f0 Kcedil=\u0136 kcedil=\u0137 Kcy=\u041a kcy=\u043a Kfr=\u{1d50e}',
  'kfr=\u{1d528} kgreen=\u0138 KHcy=\u0425 khcy=\u0445 KJcy=\u040c kjcy=\u045c Kopf=\u{1d542} kopf=\u{1d55c}',
  'Kscr=\u{1d4a6} kscr=\u{1d4c0} lAarr=\u21da Lacute=\u0139 lacute=\u013a laemptyv=\u29b4 lagran=\u2112',
  'Lambda=\u039b lambda=\u03bb Lang=\u27ea lang=\u27e8 langd=\u2991 langle=\u27e8 lap=\u2a85 Laplacetrf=\u2112',
  'laquo=\u00ab Larr=\u219e lArr=\u21d0 larr=\u2190 larrb=\u21e4 larrbfs=\u291f larrfs=\u291d larrhk=\u21a9',
  'larrlp=\u21ab larrpl=\u2939 larrsim=\u2973 larrtl=\u21a2 lat=\u2aab lAtail=\u291b latail=\u2919 late=\u2aad',
  'lates=\u2aad\ufe00 lBarr=\u290e lbarr=\u290c lbbrk=\u2772 lbrace={ lbrack=[ lbrke=\u298b lbrksld=\u298f',
  'lbrkslu=\u298d Lcaron=\u013d lcaron=\u013e Lcedil=\u013b lcedil=\u013c lceil=\u2308 lcub={ Lcy=\u041b',
  'lcy=\u043b ldca=\u2936 ldquo=\u201c ldquor=\u201e ldrdhar=\u2967 ldrushar=\u294b ldsh=\u21b2 lE=\u2266',
  'le=\u2264 LeftAngleBracket=\u27e8 LeftArrow=\u2190 Leftarrow=\u21d0 leftarrow=\u2190 LeftArrowBar=\u21e4',
  'LeftArrowRightArrow=\u21c6 leftarrowtail=\u21a2 LeftCeiling=\u2308 LeftDoubleBracket=\u27e6',
  'LeftDownTeeVector=\u2961 LeftDownVector=\u21c3 LeftDownVectorBar=\u2959 LeftFloor=\u230a',
  'leftharpoondown=\u21bd leftharpoonup=\u21bc leftleftarrows=\u21c7 LeftRightArrow=\u2194 Leftrightarrow=\u21d4',
  'leftrightarrow=\u2194 leftrightarrows=\u21c6 leftrightharpoons=\u21cb leftrightsquigarrow=\u21ad',
  'LeftRightVector=\u294e LeftTee=\u22a3 LeftTeeArrow=\u21a4 LeftTeeVector=\u295a leftthreetimes=\u22cb',
  'LeftTriangle=\u22b2 LeftTriangleBar=\u29cf LeftTriangleEqual=\u22b4 LeftUpDownVector=\u2951',
  'LeftUpTeeVector=\u2960 LeftUpVector=\u21bf LeftUpVectorBar=\u2958 LeftVector=\u21bc LeftVectorBar=\u2952',
  'lEg=\u2a8b leg=\u22da leq=\u2264 leqq=\u2266 leqslant=\u2a7d les=\u2a7d lescc=\u2aa8 lesdot=\u2a7f',
  'lesdoto=\u2a81 lesdotor=\u2a83 lesg=\u22da\ufe00 lesges=\u2a93 lessapprox=\u2a85 lessdot=\u22d6',
  'lesseqgtr=\u22da lesseqqgtr=\u2a8b LessEqualGreater=\u22da LessFullEqual=\u2266 LessGreater=\u2276',
  'lessgtr=\u2276 LessLess=\u2aa1 lesssim=\u2272 LessSlantEqual=\u2a7d LessTilde=\u2272 lfisht=\u297c',
  'lfloor=\u230a Lfr=\u{1d50f} lfr=\u{1d529} lg=\u2276 lgE=\u2a91 lHar=\u2962 lhard=\u21bd lharu=\u21bc',
  'lharul=\u296a lhblk=\u2584 LJcy=\u0409 ljcy=\u0459 Ll=\u22d8 ll=\u226a llarr=\u21c7 llcorner=\u231e',
  'Lleftarrow=\u21da llhard=\u296b lltri=\u25fa Lmidot=\u013f lmidot=\u0140 lmoust=\u23b0 lmoustache=\u23b0',
  'lnap=\u2a89 lnapprox=\u2a89 lnE=\u2268 lne=\u2a87 lneq=\u2a87 lneqq=\u2268 lnsim=\u22e6 loang=\u27ec',
  'loarr=\u21fd lobrk=\u27e6 LongLeftArrow=\u27f5 Longleftarrow=\u27f8 longleftarrow=\u27f5',
  'LongLeftRightArrow=\u27f7 Longleftrightarrow=\u27fa longleftrightarrow=\u27f7 longmapsto=\u27fc',
  'LongRightArrow=\u27f6 Longrightarrow=\u27f9 longrightarrow=\u27f6 looparrowleft=\u21ab looparrowright=\u21ac',
  'lopar=\u2985 Lopf=\u{1d543} lopf=\u{1d55d} loplus=\u2a2d lotimes=\u2a34 lowast=\u2217 lowbar=_',
  'LowerLeftArrow=\u2199 LowerRightArrow=\u2198 loz=\u25ca lozenge=\u25ca lozf=\u29eb lpar=( lparlt=\u2993',
  'lrarr=\u21c6 lrcorner=\u231f lrhar=\u21cb lrhard=\u296d lrm=\u200e lrtri=\u22bf lsaquo=\u2039 Lscr=\u2112',
  'lscr=\u{1d4c1} Lsh=\u21b0 lsh=\u21b0 lsim=\u2272 lsime=\u2a8d lsimg=\u2a8f lsqb=[ lsquo=\u2018 lsquor=\u201a',
  'Lstrok=\u0141 lstrok=\u0142 LT=< Lt=\u226a lt=< ltcc=\u2aa6 ltcir=\u2a79 ltdot=\u22d6 lthree=\u22cb',
  'ltimes=\u22c9 ltlarr=\u2976 ltquest=\u2a7b ltri=\u25c3 ltrie=\u22b4 ltrif=\u25c2 ltrPar=\u2996 lurdshar=\u294a',
  'luruhar=\u2966 lvertneqq=\u2268\ufe00 lvnE=\u2268\ufe00 macr=\u00af male=\u2642 malt=\u2720 maltese=\u2720',
  'Map=\u2905 map=\u21a6 mapsto=\u21a6 mapstodown=\u21a7 mapstoleft=\u21a4 mapstoup=\u21a5 marker=\u25ae',
  'mcomma=\u2a29 Mcy=\u041c mcy=\u043c mdash=\u2014 mDDot=\u223a measuredangle=\u2221 MediumSpace=\u205f',
  'Mellintrf=\u2133 Mfr=\u{1d510} mfr=\u{1d52a} mho=\u2127 micro=\u00b5 mid=\u2223 midast=* midcir=\u2af0',
  'middot=\u00b7 minus=\u2212 minusb=\u229f minusd=\u2238 minusdu=\u2a2a MinusPlus=\u2213 mlcp=\u2adb mldr=\u2026',
  'mnplus=\u2213 models=\u22a7 Mopf=\u{1d544} mopf=\u{1d55e} mp=\u2213 Mscr=\u2133 mscr=\u{1d4c2} mstpos=\u223e',
  'Mu=\u039c mu=\u03bc multimap=\u22b8 mumap=\u22b8 nabla=\u2207 Nacute=\u0143 nacute=\u0144 nang=\u2220\u20d2',
  'nap=\u2249 napE=\u2a70\u0338 napid=\u224b\u0338 napos=\u0149 napprox=\u2249 natur=\u266e natural=\u266e',
  'naturals=\u2115 nbsp=\u00a0 nbump=\u224e\u0338 nbumpe=\u224f\u0338 ncap=\u2a43 Ncaron=\u0147 ncaron=\u0148',
  'Ncedil=\u0145 ncedil=\u0146 ncong=\u2247 ncongdot=\u2a6d\u0338 ncup=\u2a42 Ncy=\u041d ncy=\u043d ndash=\u2013',
  'ne=\u2260 nearhk=\u2924 neArr=\u21d7 nearr=\u2197 nearrow=\u2197 nedot=\u2250\u0338 NegativeMediumSpace=\u200b',
  'NegativeThickSpace=\u200b NegativeThinSpace=\u200b NegativeVeryThinSpace=\u200b nequiv=\u2262 nesear=\u2928',
  'nesim=\u2242\u0338 NestedGreaterGreater=\u226b NestedLessLess=\u226a NewLine=\u000a nexist=\u2204',
  'nexists=\u2204 Nfr=\u{1d511} nfr=\u{1d52b} ngE=\u2267\u0338 nge=\u2271 ngeq=\u2271 ngeqq=\u2267\u0338',
  'ngeqslant=\u2a7e\u0338 nges=\u2a7e\u0338 nGg=\u22d9\u0338 ngsim=\u2275 nGt=\u226b\u20d2 ngt=\u226f ngtr=\u226f',
  'nGtv=\u226b\u0338 nhArr=\u21ce nharr=\u21ae nhpar=\u2af2 ni=\u220b nis=\u22fc nisd=\u22fa niv=\u220b',
  'NJcy=\u040a njcy=\u045a nlArr=\u21cd nlarr=\u219a nldr=\u2025 nlE=\u2266\u0338 nle=\u2270 nLeftarrow=\u21cd',
  'nleftarrow=\u219a nLeftrightarrow=\u21ce nleftrightarrow=\u21ae nleq=\u2270 nleqq=\u2266\u0338',
  'nleqslant=\u2a7d\u0338 nles=\u2a7d\u0338 nless=\u226e nLl=\u22d8\u0338 nlsim=\u2274 nLt=\u226a\u20d2',
  'nlt=\u226e nltri=\u22ea nltrie=\u22ec nLtv=\u226a\u0338 nmid=\u2224 NoBreak=\u2060 NonBreakingSpace=\u00a0',
  'Nopf=\u2115 nopf=\u{1d55f} Not=\u2aec not=\u00ac NotCongruent=\u2262 NotCupCap=\u226d',
  'NotDoubleVerticalBar=\u2226 NotElement=\u2209 NotEqual=\u2260 NotEqualTilde=\u2242\u0338 NotExists=\u2204',
  'NotGreater=\u226f NotGreaterEqual=\u2271 NotGreaterFullEqual=\u2267\u0338 NotGreaterGreater=\u226b\u0338',
  'NotGreaterLess=\u2279 NotGreaterSlantEqual=\u2a7e\u0338 NotGreaterTilde=\u2275 NotHumpDownHump=\u224e\u0338',
  'NotHumpEqual=\u224f\u0338 notin=\u2209 notindot=\u22f5\u0338 notinE=\u22f9\u0338 notinva=\u2209 notinvb=\u22f7',
  'notinvc=\u22f6 NotLeftTriangle=\u22ea NotLeftTriangleBar=\u29cf\u0338 NotLeftTriangleEqual=\u22ec',
  'NotLess=\u226e NotLessEqual=\u2270 NotLessGreater=\u2278 NotLessLess=\u226a\u0338',
  'NotLessSlantEqual=\u2a7d\u0338 NotLessTilde=\u2274 NotNestedGreaterGreater=\u2aa2\u0338',
  'NotNestedLessLess=\u2aa1\u0338 notni=\u220c notniva=\u220c notnivb=\u22fe notnivc=\u22fd NotPrecedes=\u2280',
  'NotPrecedesEqual=\u2aaf\u0338 NotPrecedesSlantEqual=\u22e0 NotReverseElement=\u220c NotRightTriangle=\u22eb',
  'NotRightTriangleBar=\u29d0\u0338 NotRightTriangleEqual=\u22ed NotSquareSubset=\u228f\u0338',
  'NotSquareSubsetEqual=\u22e2 NotSquareSuperset=\u2290\u0338 NotSquareSupersetEqual=\u22e3',
  'NotSubset=\u2282\u20d2 NotSubsetEqual=\u2288 NotSucceeds=\u2281 NotSucceedsEqual=\u2ab0\u0338',
  'NotSucceedsSlantEqual=\u22e1 NotSucceedsTilde=\u227f\u0338 NotSuperset=\u2283\u20d2 NotSupersetEqual=\u2289',
  'NotTilde=\u2241 NotTildeEqual=\u2244 NotTildeFullEqual=\u2247 NotTildeTilde=\u2249 NotVerticalBar=\u2224',
  'npar=\u2226 nparallel=\u2226 nparsl=\u2afd\u20e5 npart=\u2202\u0338 npolint=\u2a14 npr=\u2280 nprcue=\u22e0',
  'npre=\u2aaf\u0338 nprec=\u2280 npreceq=\u2aaf\u0338 nrArr=\u21cf nrarr=\u219b nrarrc=\u2933\u0338',
  'nrarrw=\u219d\u0338 nRightarrow=\u21cf nrightarrow=\u219b nrtri=\u22eb nrtrie=\u22ed nsc=\u2281 nsccue=\u22e1',
  'nsce=\u2ab0\u0338 Nscr=\u{1d4a9} nscr=\u{1d4c3} nshortmid=\u2224 nshortparallel=\u2226 nsim=\u2241',
  'nsime=\u2244 nsimeq=\u2244 nsmid=\u2224 nspar=\u2226 nsqsube=\u22e2 nsqsupe=\u22e3 nsub=\u2284',
  'nsubE=\u2ac5\u0338 nsube=\u2288 nsubset=\u2282\u20d2 nsubseteq=\u2288 nsubseteqq=\u2ac5\u0338 nsucc=\u2281',
  'nsucceq=\u2ab0\u0338 nsup=\u2285 nsupE=\u2ac6\u0338 nsupe=\u2289 nsupset=\u2283\u20d2 nsupseteq=\u2289',
  'nsupseteqq=\u2ac6\u0338 ntgl=\u2279 Ntilde=\u00d1 ntilde=\u00f1 ntlg=\u2278 ntriangleleft=\u22ea',
  'ntrianglelefteq=\u22ec ntriangleright=\u22eb ntrianglerighteq=\u22ed Nu=\u039d nu=\u03bd num=# numero=\u2116',
  'numsp=\u2007 nvap=\u224d\u20d2 nVDash=\u22af nVdash=\u22ae nvDash=\u22ad nvdash=\u22ac nvge=\u2265\u20d2',
  'nvgt=>\u20d2 nvHarr=\u2904 nvinfin=\u29de nvlArr=\u2902 nvle=\u2264\u20d2 nvlt=<\u20d2 nvltrie=\u22b4\u20d2',
  'nvrArr=\u2903 nvrtrie=\u22b5\u20d2 nvsim=\u223c\u20d2 nwarhk=\u2923 nwArr=\u21d6 nwarr=\u2196 nwarrow=\u2196',
  'nwnear=\u2927 Oacute=\u00d3 oacute=\u00f3 oast=\u229b ocir=\u229a Ocirc=\u00d4 ocirc=\u00f4 Ocy=\u041e',
  'ocy=\u043e odash=\u229d Odblac=\u0150 odblac=\u0151 odiv=\u2a38 odot=\u2299 odsold=\u29bc OElig=\u0152',
  'oelig=\u0153 ofcir=\u29bf Ofr=\u{1d512} ofr=\u{1d52c} ogon=\u02db Ograve=\u00d2 ograve=\u00f2 ogt=\u29c1',
  'ohbar=\u29b5 ohm=\u03a9 oint=\u222e olarr=\u21ba olcir=\u29be olcross=\u29bb oline=\u203e olt=\u29c0',
  'Omacr=\u014c omacr=\u014d Omega=\u03a9 omega=\u03c9 Omicron=\u039f omicron=\u03bf omid=\u29b6 ominus=\u2296',
  'Oopf=\u{1d546} oopf=\u{1d560} opar=\u29b7 OpenCurlyDoubleQuote=\u201c OpenCurlyQuote=\u2018 operp=\u29b9',
  'oplus=\u2295 Or=\u2a54 or=\u2228 orarr=\u21bb ord=\u2a5d order=\u2134 orderof=\u2134 ordf=\u00aa ordm=\u00ba',
  'origof=\u22b6 oror=\u2a56 orslope=\u2a57 orv=\u2a5b oS=\u24c8 Oscr=\u{1d4aa} oscr=\u2134 Oslash=\u00d8',
  'oslash=\u00f8 osol=\u2298 Otilde=\u00d5 otilde=\u00f5 Otimes=\u2a37 otimes=\u2297 otimesas=\u2a36 Ouml=\u00d6',
  'ouml=\u00f6 ovbar=\u233d OverBar=\u203e OverBrace=\u23de OverBracket=\u23b4 OverParenthesis=\u23dc par=\u2225',
  'para=\u00b6 parallel=\u2225 parsim=\u2af3 parsl=\u2afd part=\u2202 PartialD=\u2202 Pcy=\u041f pcy=\u043f',
  'percnt=% period=. permil=\u2030 perp=\u22a5 pertenk=\u2031 Pfr=\u{1d513} pfr=\u{1d52d} Phi=\u03a6 phi=\u03c6',
  'phiv=\u03d5 phmmat=\u2133 phone=\u260e Pi=\u03a0 pi=\u03c0 pitchfork=\u22d4 piv=\u03d6 planck=\u210f',
  'planckh=\u210e plankv=\u210f plus=+ plusacir=\u2a23 plusb=\u229e pluscir=\u2a22 plusdo=\u2214 plusdu=\u2a25',
  'pluse=\u2a72 PlusMinus=\u00b1 plusmn=\u00b1 plussim=\u2a26 plustwo=\u2a27 pm=\u00b1 Poincareplane=\u210c',
  'pointint=\u2a15 Popf=\u2119 popf=\u{1d561} pound=\u00a3 Pr=\u2abb pr=\u227a prap=\u2ab7 prcue=\u227c',
  'prE=\u2ab3 pre=\u2aaf prec=\u227a precapprox=\u2ab7 preccurlyeq=\u227c Precedes=\u227a PrecedesEqual=\u2aaf',
  'PrecedesSlantEqual=\u227c PrecedesTilde=\u227e preceq=\u2aaf precnapprox=\u2ab9 precneqq=\u2ab5',
  'precnsim=\u22e8 precsim=\u227e Prime=\u2033 prime=\u2032 primes=\u2119 prnap=\u2ab9 prnE=\u2ab5 prnsim=\u22e8',
  'prod=\u220f Product=\u220f profalar=\u232e profline=\u2312 profsurf=\u2313 prop=\u221d Proportion=\u2237',
  'Proportional=\u221d propto=\u221d prsim=\u227e prurel=\u22b0 Pscr=\u{1d4ab} pscr=\u{1d4c5} Psi=\u03a8',
  'psi=\u03c8 puncsp=\u2008 Qfr=\u{1d514} qfr=\u{1d52e} qint=\u2a0c Qopf=\u211a qopf=\u{1d562} qprime=\u2057',
  'Qscr=\u{1d4ac} qscr=\u{1d4c6} quaternions=\u210d quatint=\u2a16 quest=? questeq=\u225f QUOT=" quot="',
  'rAarr=\u21db race=\u223d\u0331 Racute=\u0154 racute=\u0155 radic=\u221a raemptyv=\u29b3 Rang=\u27eb',
  'rang=\u27e9 rangd=\u2992 range=\u29a5 rangle=\u27e9 raquo=\u00bb Rarr=\u21a0 rArr=\u21d2 rarr=\u2192',
  'rarrap=\u2975 rarrb=\u21e5 rarrbfs=\u2920 rarrc=\u2933 rarrfs=\u291e rarrhk=\u21aa rarrlp=\u21ac rarrpl=\u2945',
  'rarrsim=\u2974 Rarrtl=\u2916 rarrtl=\u21a3 rarrw=\u219d rAtail=\u291c ratail=\u291a ratio=\u2236',
  'rationals=\u211a RBarr=\u2910 rBarr=\u290f rbarr=\u290d rbbrk=\u2773 rbrace=} rbrack=] rbrke=\u298c',
  'rbrksld=\u298e rbrkslu=\u2990 Rcaron=\u0158 rcaron=\u0159 Rcedil=\u0156 rcedil=\u0157 rceil=\u2309 rcub=}',
  'Rcy=\u0420 rcy=\u0440 rdca=\u2937 rdldhar=\u2969 rdquo=\u201d rdquor=\u201d rdsh=\u21b3 Re=\u211c real=\u211c',
  'realine=\u211b realpart=\u211c reals=\u211d rect=\u25ad REG=\u00ae reg=\u00ae ReverseElement=\u220b',
  'ReverseEquilibrium=\u21cb ReverseUpEquilibrium=\u296f rfisht=\u297d rfloor=\u230b Rfr=\u211c rfr=\u{1d52f}',
  'rHar=\u2964 rhard=\u21c1 rharu=\u21c0 rharul=\u296c Rho=\u03a1 rho=\u03c1 rhov=\u03f1 RightAngleBracket=\u27e9',
  'RightArrow=\u2192 Rightarrow=\u21d2 rightarrow=\u2192 RightArrowBar=\u21e5 RightArrowLeftArrow=\u21c4',
  'rightarrowtail=\u21a3 RightCeiling=\u2309 RightDoubleBracket=\u27e7 RightDownTeeVector=\u295d',
  'RightDownVector=\u21c2 RightDownVectorBar=\u2955 RightFloor=\u230b rightharpoondown=\u21c1',
  'rightharpoonup=\u21c0 rightleftarrows=\u21c4 rightleftharpoons=\u21cc rightrightarrows=\u21c9',
  'rightsquigarrow=\u219d RightTee=\u22a2 RightTeeArrow=\u21a6 RightTeeVector=\u295b rightthreetimes=\u22cc',
  'RightTriangle=\u22b3 RightTriangleBar=\u29d0 RightTriangleEqual=\u22b5 RightUpDownVector=\u294f',
  'RightUpTeeVector=\u295c RightUpVector=\u21be RightUpVectorBar=\u2954 RightVector=\u21c0 RightVectorBar=\u2953',
  'ring=\u02da risingdotseq=\u2253 rlarr=\u21c4 rlhar=\u21cc rlm=\u200f rmoust=\u23b1 rmoustache=\u23b1',
  'rnmid=\u2aee roang=\u27ed roarr=\u21fe robrk=\u27e7 ropar=\u2986 Ropf=\u211d ropf=\u{1d563} roplus=\u2a2e',
  'rotimes=\u2a35 RoundImplies=\u2970 rpar=) rpargt=\u2994 rppolint=\u2a12 rrarr=\u21c9 Rrightarrow=\u21db',
  'rsaquo=\u203a Rscr=\u211b rscr=\u{1d4c7} Rsh=\u21b1 rsh=\u21b1 rsqb=] rsquo=\u2019 rsquor=\u2019 rthree=\u22cc',
  'rtimes=\u22ca rtri=\u25b9 rtrie=\u22b5 rtrif=\u25b8 rtriltri=\u29ce RuleDelayed=\u29f4 ruluhar=\u2968',
  'rx=\u211e Sacute=\u015a sacute=\u015b sbquo=\u201a Sc=\u2abc sc=\u227b scap=\u2ab8 Scaron=\u0160 scaron=\u0161',
  'sccue=\u227d scE=\u2ab4 sce=\u2ab0 Scedil=\u015e scedil=\u015f Scirc=\u015c scirc=\u015d scnap=\u2aba',
  'scnE=\u2ab6 scnsim=\u22e9 scpolint=\u2a13 scsim=\u227f Scy=\u0421 scy=\u0441 sdot=\u22c5 sdotb=\u22a1',
  'sdote=\u2a66 searhk=\u2925 seArr=\u21d8 searr=\u2198 searrow=\u2198 sect=\u00a7 semi=; seswar=\u2929',
  'setminus=\u2216 setmn=\u2216 sext=\u2736 Sfr=\u{1d516} sfr=\u{1d530} sfrown=\u2322 sharp=\u266f SHCHcy=\u0429',
  'shchcy=\u0449 SHcy=\u0428 shcy=\u0448 ShortDownArrow=\u2193 ShortLeftArrow=\u2190 shortmid=\u2223',
  'shortparallel=\u2225 ShortRightArrow=\u2192 ShortUpArrow=\u2191 shy=\u00ad Sigma=\u03a3 sigma=\u03c3',
  'sigmaf=\u03c2 sigmav=\u03c2 sim=\u223c simdot=\u2a6a sime=\u2243 simeq=\u2243 simg=\u2a9e simgE=\u2aa0',
  'siml=\u2a9d simlE=\u2a9f simne=\u2246 simplus=\u2a24 simrarr=\u2972 slarr=\u2190 SmallCircle=\u2218',
  'smallsetminus=\u2216 smashp=\u2a33 smeparsl=\u29e4 smid=\u2223 smile=\u2323 smt=\u2aaa smte=\u2aac',
  'smtes=\u2aac\ufe00 SOFTcy=\u042c softcy=\u044c sol=/ solb=\u29c4 solbar=\u233f Sopf=\u{1d54a} sopf=\u{1d564}',
  'spades=\u2660 spadesuit=\u2660 spar=\u2225 sqcap=\u2293 sqcaps=\u2293\ufe00 sqcup=\u2294 sqcups=\u2294\ufe00',
  'Sqrt=\u221a sqsub=\u228f sqsube=\u2291 sqsubset=\u228f sqsubseteq=\u2291 sqsup=\u2290 sqsupe=\u2292',
  'sqsupset=\u2290 sqsupseteq=\u2292 squ=\u25a1 Square=\u25a1 square=\u25a1 SquareIntersection=\u2293',
  'SquareSubset=\u228f SquareSubsetEqual=\u2291 SquareSuperset=\u2290 SquareSupersetEqual=\u2292',
  'SquareUnion=\u2294 squarf=\u25aa squf=\u25aa srarr=\u2192 Sscr=\u{1d4ae} sscr=\u{1d4c8} ssetmn=\u2216',
  'ssmile=\u2323 sstarf=\u22c6 Star=\u22c6 star=\u2606 starf=\u2605 straightepsilon=\u03f5 straightphi=\u03d5',
  'strns=\u00af Sub=\u22d0 sub=\u2282 subdot=\u2abd subE=\u2ac5 sube=\u2286 subedot=\u2ac3 submult=\u2ac1',
  'subnE=\u2acb subne=\u228a subplus=\u2abf subrarr=\u2979 Subset=\u22d0 subset=\u2282 subseteq=\u2286',
  'subseteqq=\u2ac5 SubsetEqual=\u2286 subsetneq=\u228a subsetneqq=\u2acb subsim=\u2ac7 subsub=\u2ad5',
  'subsup=\u2ad3 succ=\u227b succapprox=\u2ab8 succcurlyeq=\u227d Succeeds=\u227b SucceedsEqual=\u2ab0',
  'SucceedsSlantEqual=\u227d SucceedsTilde=\u227f succeq=\u2ab0 succnapprox=\u2aba succneqq=\u2ab6',
  'succnsim=\u22e9 succsim=\u227f SuchThat=\u220b Sum=\u2211 sum=\u2211 sung=\u266a sup1=\u00b9 sup2=\u00b2',
  'sup3=\u00b3 Sup=\u22d1 sup=\u2283 supdot=\u2abe supdsub=\u2ad8 supE=\u2ac6 supe=\u2287 supedot=\u2ac4',
  'Superset=\u2283 SupersetEqual=\u2287 suphsol=\u27c9 suphsub=\u2ad7 suplarr=\u297b supmult=\u2ac2 supnE=\u2acc',
  'supne=\u228b supplus=\u2ac0 Supset=\u22d1 supset=\u2283 supseteq=\u2287 supseteqq=\u2ac6 supsetneq=\u228b',
  'supsetneqq=\u2acc supsim=\u2ac8 supsub=\u2ad4 supsup=\u2ad6 swarhk=\u2926 swArr=\u21d9 swarr=\u2199',
  'swarrow=\u2199 swnwar=\u292a szlig=\u00df Tab=\u0009 target=\u2316 Tau=\u03a4 tau=\u03c4 tbrk=\u23b4',
  'Tcaron=\u0164 tcaron=\u0165 Tcedil=\u0162 tcedil=\u0163 Tcy=\u0422 tcy=\u0442 tdot=\u20db telrec=\u2315',
  'Tfr=\u{1d517} tfr=\u{1d531} there4=\u2234 Therefore=\u2234 therefore=\u2234 Theta=\u0398 theta=\u03b8',
  'thetasym=\u03d1 thetav=\u03d1 thickapprox=\u2248 thicksim=\u223c ThickSpace=\u205f\u200a thinsp=\u2009',
  'ThinSpace=\u2009 thkap=\u2248 thksim=\u223c THORN=\u00de thorn=\u00fe Tilde=\u223c tilde=\u02dc',
  'TildeEqual=\u2243 TildeFullEqual=\u2245 TildeTilde=\u2248 times=\u00d7 timesb=\u22a0 timesbar=\u2a31',
  'timesd=\u2a30 tint=\u222d toea=\u2928 top=\u22a4 topbot=\u2336 topcir=\u2af1 Topf=\u{1d54b} topf=\u{1d565}',
  'topfork=\u2ada tosa=\u2929 tprime=\u2034 TRADE=\u2122 trade=\u2122 triangle=\u25b5 triangledown=\u25bf',
  'triangleleft=\u25c3 trianglelefteq=\u22b4 triangleq=\u225c triangleright=\u25b9 trianglerighteq=\u22b5',
  'tridot=\u25ec trie=\u225c triminus=\u2a3a TripleDot=\u20db triplus=\u2a39 trisb=\u29cd tritime=\u2a3b',
  'trpezium=\u23e2 Tscr=\u{1d4af} tscr=\u{1d4c9} TScy=\u0426 tscy=\u0446 TSHcy=\u040b tshcy=\u045b Tstrok=\u0166',
  'tstrok=\u0167 twixt=\u226c twoheadleftarrow=\u219e twoheadrightarrow=\u21a0 Uacute=\u00da uacute=\u00fa',
  'Uarr=\u219f uArr=\u21d1 uarr=\u2191 Uarrocir=\u2949 Ubrcy=\u040e ubrcy=\u045e Ubreve=\u016c ubreve=\u016d',
  'Ucirc=\u00db ucirc=\u00fb Ucy=\u0423 ucy=\u0443 udarr=\u21c5 Udblac=\u0170 udblac=\u0171 udhar=\u296e',
  'ufisht=\u297e Ufr=\u{1d518} ufr=\u{1d532} Ugrave=\u00d9 ugrave=\u00f9 uHar=\u2963 uharl=\u21bf uharr=\u21be',
  'uhblk=\u2580 ulcorn=\u231c ulcorner=\u231c ulcrop=\u230f ultri=\u25f8 Umacr=\u016a umacr=\u016b uml=\u00a8',
  'UnderBar=_ UnderBrace=\u23df UnderBracket=\u23b5 UnderParenthesis=\u23dd Union=\u22c3 UnionPlus=\u228e',
  'Uogon=\u0172 uogon=\u0173 Uopf=\u{1d54c} uopf=\u{1d566} UpArrow=\u2191 Uparrow=\u21d1 uparrow=\u2191',
  'UpArrowBar=\u2912 UpArrowDownArrow=\u21c5 UpDownArrow=\u2195 Updownarrow=\u21d5 updownarrow=\u2195',
  'UpEquilibrium=\u296e upharpoonleft=\u21bf upharpoonright=\u21be uplus=\u228e UpperLeftArrow=\u2196',
  'UpperRightArrow=\u2197 Upsi=\u03d2 upsi=\u03c5 upsih=\u03d2 Upsilon=\u03a5 upsilon=\u03c5 UpTee=\u22a5',
  'UpTeeArrow=\u21a5 upuparrows=\u21c8 urcorn=\u231d urcorner=\u231d urcrop=\u230e Uring=\u016e uring=\u016f',
  'urtri=\u25f9 Uscr=\u{1d4b0} uscr=\u{1d4ca} utdot=\u22f0 Utilde=\u0168 utilde=\u0169 utri=\u25b5 utrif=\u25b4',
  'uuarr=\u21c8 Uuml=\u00dc uuml=\u00fc uwangle=\u29a7 vangrt=\u299c varepsilon=\u03f5 varkappa=\u03f0',
  'varnothing=\u2205 varphi=\u03d5 varpi=\u03d6 varpropto=\u221d vArr=\u21d5 varr=\u2195 varrho=\u03f1',
  'varsigma=\u03c2 varsubsetneq=\u228a\ufe00 varsubsetneqq=\u2acb\ufe00 varsupsetneq=\u228b\ufe00',
  'varsupsetneqq=\u2acc\ufe00 vartheta=\u03d1 vartriangleleft=\u22b2 vartriangleright=\u22b3 Vbar=\u2aeb',
  'vBar=\u2ae8 vBarv=\u2ae9 Vcy=\u0412 vcy=\u0432 VDash=\u22ab Vdash=\u22a9 vDash=\u22a8 vdash=\u22a2',
  'Vdashl=\u2ae6 Vee=\u22c1 vee=\u2228 veebar=\u22bb veeeq=\u225a vellip=\u22ee Verbar=\u2016 verbar=|',
  'Vert=\u2016 vert=| VerticalBar=\u2223 VerticalLine=| VerticalSeparator=\u2758 VerticalTilde=\u2240',
  'VeryThinSpace=\u200a Vfr=\u{1d519} vfr=\u{1d533} vltri=\u22b2 vnsub=\u2282\u20d2 vnsup=\u2283\u20d2',
  'Vopf=\u{1d54d} vopf=\u{1d567} vprop=\u221d vrtri=\u22b3 Vscr=\u{1d4b1} vscr=\u{1d4cb} vsubnE=\u2acb\ufe00',
  'vsubne=\u228a\ufe00 vsupnE=\u2acc\ufe00 vsupne=\u228b\ufe00 Vvdash=\u22aa vzigzag=\u299a Wcirc=\u0174',
  'wcirc=\u0175 wedbar=\u2a5f Wedge=\u22c0 wedge=\u2227 wedgeq=\u2259 weierp=\u2118 Wfr=\u{1d51a} wfr=\u{1d534}',
  'Wopf=\u{1d54e} wopf=\u{1d568} wp=\u2118 wr=\u2240 wreath=\u2240 Wscr=\u{1d4b2} wscr=\u{1d4cc} xcap=\u22c2',
  'xcirc=\u25ef xcup=\u22c3 xdtri=\u25bd Xfr=\u{1d51b} xfr=\u{1d535} xhArr=\u27fa xharr=\u27f7 Xi=\u039e',
  'xi=\u03be xlArr=\u27f8 xlarr=\u27f5 xmap=\u27fc xnis=\u22fb xodot=\u2a00 Xopf=\u{1d54f} xopf=\u{1d569}',
  'xoplus=\u2a01 xotime=\u2a02 xrArr=\u27f9 xrarr=\u27f6 Xscr=\u{1d4b3} xscr=\u{1d4cd} xsqcup=\u2a06',
  'xuplus=\u2a04 xutri=\u25b3 xvee=\u22c1 xwedge=\u22c0 Yacute=\u00dd yacute=\u00fd YAcy=\u042f yacy=\u044f',
  'Ycirc=\u0176 ycirc=\u0177 Ycy=\u042b ycy=\u044b yen=\u00a5 Yfr=\u{1d51c} yfr=\u{1d536} YIcy=\u0407 yicy=\u0457',
  'Yopf=\u{1d550} yopf=\u{1d56a} Yscr=\u{1d4b4} yscr=\u{1d4ce} YUcy=\u042e yucy=\u044e Yuml=\u0178 yuml=\u00ff',
  'Zacute=\u0179 zacute=\u017a Zcaron=\u017d zcaron=\u017e Zcy=\u0417 zcy=\u0437 Zdot=\u017b zdot=\u017c',
  'zeetrf=\u2128 ZeroWidthSpace=\u200b Zeta=\u0396 zeta=\u03b6 Zfr=\u2128 zfr=\u{1d537} ZHcy=\u0416 zhcy=\u0436',
  'zigrarr=\u21dd Zopf=\u2124 zopf=\u{1d56b} Zscr=\u{1d4b5} zscr=\u{1d4cf} zwj=\u200d zwnj=\u200c',
].join(' ');
const LEGACY_ENTITY_NAMES = [
  'Aacute aacute Acirc acirc acute AElig aelig Agrave agrave AMP amp Aring aring Atilde atilde Auml auml brvbar',
  'Ccedil ccedil cedil cent COPY copy curren deg divide Eacute eacute Ecirc ecirc Egrave egrave ETH eth Euml euml',
  'frac12 frac14 frac34 GT gt Iacute iacute Icirc icirc iexcl Igrave igrave iquest Iuml iuml laquo LT lt macr',
  'micro middot nbsp not Ntilde ntilde Oacute oacute Ocirc ocirc Ograve ograve ordf ordm Oslash oslash Otilde',
  'otilde Ouml ouml para plusmn pound QUOT quot raquo REG reg sect shy sup1 sup2 sup3 szlig THORN thorn times',
  'Uacute uacute Ucirc ucirc Ugrave ugrave uml Uuml uuml Yacute yacute yen yuml',
].join(' ');
const CHARMAPS = {
  'latin-1':
    '\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f' +
    '\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009a\u009b\u009c\u009d\u009e\u009f' +
    '\u00a0\u00a1\u00a2\u00a3\u00a4\u00a5\u00a6\u00a7\u00a8\u00a9\u00aa\u00ab\u00ac\u00ad\u00ae\u00af' +
    '\u00b0\u00b1\u00b2\u00b3\u00b4\u00b5\u00b6\u00b7\u00b8\u00b9\u00ba\u00bb\u00bc\u00bd\u00be\u00bf' +
    '\u00c0\u00c1\u00c2\u00c3\u00c4\u00c5\u00c6\u00c7\u00c8\u00c9\u00ca\u00cb\u00cc\u00cd\u00ce\u00cf' +
    '\u00d0\u00d1\u00d2\u00d3\u00d4\u00d5\u00d6\u00d7\u00d8\u00d9\u00da\u00db\u00dc\u00dd\u00de\u00df' +
    '\u00e0\u00e1\u00e2\u00e3\u00e4\u00e5\u00e6\u00e7\u00e8\u00e9\u00ea\u00eb\u00ec\u00ed\u00ee\u00ef' +
    '\u00f0\u00f1\u00f2\u00f3\u00f4\u00f5\u00f6\u00f7\u00f8\u00f9\u00fa\u00fb\u00fc\u00fd\u00fe\u00ff' +
    '\u001a',
  'sloppy-windows-1252':
    '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
    '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178' +
    '\u00a0\u00a1\u00a2\u00a3\u00a4\u00a5\u00a6\u00a7\u00a8\u00a9\u00aa\u00ab\u00ac\u00ad\u00ae\u00af' +
    '\u00b0\u00b1\u00b2\u00b3\u00b4\u00b5\u00b6\u00b7\u00b8\u00b9\u00ba\u00bb\u00bc\u00bd\u00be\u00bf' +
    '\u00c0\u00c1\u00c2\u00c3\u00c4\u00c5\u00c6\u00c7\u00c8\u00c9\u00ca\u00cb\u00cc\u00cd\u00ce\u00cf' +
    '\u00d0\u00d1\u00d2\u00d3\u00d4\u00d5\u00d6\u00d7\u00d8\u00d9\u00da\u00db\u00dc\u00dd\u00de\u00df' +
    '\u00e0\u00e1\u00e2\u00e3\u00e4\u00e5\u00e6\u00e7\u00e8\u00e9\u00ea\u00eb\u00ec\u00ed\u00ee\u00ef' +
    '\u00f0\u00f1\u00f2\u00f3\u00f4\u00f5\u00f6\u00f7\u00f8\u00f9\u00fa\u00fb\u00fc\u00fd\u00fe\u00ff' +
    '\ufffd',
  'sloppy-windows-1251':
    '\u0402\u0403\u201a\u0453\u201e\u2026\u2020\u2021\u20ac\u2030\u0409\u2039\u040a\u040c\u040b\u040f' +
    '\u0452\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u0098\u2122\u0459\u203a\u045a\u045c\u045b\u045f' +
    '\u00a0\u040e\u045e\u0408\u00a4\u0490\u00a6\u00a7\u0401\u00a9\u0404\u00ab\u00ac\u00ad\u00ae\u0407' +
    '\u00b0\u00b1\u0406\u0456\u0491\u00b5\u00b6\u00b7\u0451\u2116\u0454\u00bb\u0458\u0405\u0455\u0457' +
    '\u0410\u0411\u0412\u0413\u0414\u0415\u0416\u0417\u0418\u0419\u041a\u041b\u041c\u041d\u041e\u041f' +
    '\u0420\u0421\u0422\u0423\u0424\u0425\u0426\u0427\u0428\u0429\u042a\u042b\u042c\u042d\u042e\u042f' +
    '\u0430\u0431\u0432\u0433\u0434\u0435\u0436\u0437\u0438\u0439\u043a\u043b\u043c\u043d\u043e\u043f' +
    '\u0440\u0441\u0442\u0443\u0444\u0445\u0446\u0447\u0448\u0449\u044a\u044b\u044c\u044d\u044e\u044f' +
    '\ufffd',
  'sloppy-windows-1250':
    '\u20ac\u0081\u201a\u0083\u201e\u2026\u2020\u2021\u0088\u2030\u0160\u2039\u015a\u0164\u017d\u0179' +
    '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u0098\u2122\u0161\u203a\u015b\u0165\u017e\u017a' +
    '\u00a0\u02c7\u02d8\u0141\u00a4\u0104\u00a6\u00a7\u00a8\u00a9\u015e\u00ab\u00ac\u00ad\u00ae\u017b' +
    '\u00b0\u00b1\u02db\u0142\u00b4\u00b5\u00b6\u00b7\u00b8\u0105\u015f\u00bb\u013d\u02dd\u013e\u017c' +
    '\u0154\u00c1\u00c2\u0102\u00c4\u0139\u0106\u00c7\u010c\u00c9\u0118\u00cb\u011a\u00cd\u00ce\u010e' +
    '\u0110\u0143\u0147\u00d3\u00d4\u0150\u00d6\u00d7\u0158\u016e\u00da\u0170\u00dc\u00dd\u0162\u00df' +
    '\u0155\u00e1\u00e2\u0103\u00e4\u013a\u0107\u00e7\u010d\u00e9\u0119\u00eb\u011b\u00ed\u00ee\u010f' +
    '\u0111\u0144\u0148\u00f3\u00f4\u0151\u00f6\u00f7\u0159\u016f\u00fa\u0171\u00fc\u00fd\u0163\u02d9' +
    '\ufffd',
  'sloppy-windows-1253':
    '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u0088\u2030\u008a\u2039\u008c\u008d\u008e\u008f' +
    '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u0098\u2122\u009a\u203a\u009c\u009d\u009e\u009f' +
    '\u00a0\u0385\u0386\u00a3\u00a4\u00a5\u00a6\u00a7\u00a8\u00a9\u00aa\u00ab\u00ac\u00ad\u00ae\u2015' +
    '\u00b0\u00b1\u00b2\u00b3\u0384\u00b5\u00b6\u00b7\u0388\u0389\u038a\u00bb\u038c\u00bd\u038e\u038f' +
    '\u0390\u0391\u0392\u0393\u0394\u0395\u0396\u0397\u0398\u0399\u039a\u039b\u039c\u039d\u039e\u039f' +
    '\u03a0\u03a1\u00d2\u03a3\u03a4\u03a5\u03a6\u03a7\u03a8\u03a9\u03aa\u03ab\u03ac\u03ad\u03ae\u03af' +
    '\u03b0\u03b1\u03b2\u03b3\u03b4\u03b5\u03b6\u03b7\u03b8\u03b9\u03ba\u03bb\u03bc\u03bd\u03be\u03bf' +
    '\u03c0\u03c1\u03c2\u03c3\u03c4\u03c5\u03c6\u03c7\u03c8\u03c9\u03ca\u03cb\u03cc\u03cd\u03ce\u00ff' +
    '\ufffd',
  'sloppy-windows-1254':
    '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u008e\u008f' +
    '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u009e\u0178' +
    '\u00a0\u00a1\u00a2\u00a3\u00a4\u00a5\u00a6\u00a7\u00a8\u00a9\u00aa\u00ab\u00ac\u00ad\u00ae\u00af' +
    '\u00b0\u00b1\u00b2\u00b3\u00b4\u00b5\u00b6\u00b7\u00b8\u00b9\u00ba\u00bb\u00bc\u00bd\u00be\u00bf' +
    '\u00c0\u00c1\u00c2\u00c3\u00c4\u00c5\u00c6\u00c7\u00c8\u00c9\u00ca\u00cb\u00cc\u00cd\u00ce\u00cf' +
    '\u011e\u00d1\u00d2\u00d3\u00d4\u00d5\u00d6\u00d7\u00d8\u00d9\u00da\u00db\u00dc\u0130\u015e\u00df' +
    '\u00e0\u00e1\u00e2\u00e3\u00e4\u00e5\u00e6\u00e7\u00e8\u00e9\u00ea\u00eb\u00ec\u00ed\u00ee\u00ef' +
    '\u011f\u00f1\u00f2\u00f3\u00f4\u00f5\u00f6\u00f7\u00f8\u00f9\u00fa\u00fb\u00fc\u0131\u015f\u00ff' +
    '\ufffd',
  'sloppy-windows-1257':
    '\u20ac\u0081\u201a\u0083\u201e\u2026\u2020\u2021\u0088\u2030\u008a\u2039\u008c\u00a8\u02c7\u00b8' +
    '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u0098\u2122\u009a\u203a\u009c\u00af\u02db\u009f' +
    '\u00a0\u00a1\u00a2\u00a3\u00a4\u00a5\u00a6\u00a7\u00d8\u00a9\u0156\u00ab\u00ac\u00ad\u00ae\u00c6' +
    '\u00b0\u00b1\u00b2\u00b3\u00b4\u00b5\u00b6\u00b7\u00f8\u00b9\u0157\u00bb\u00bc\u00bd\u00be\u00e6' +
    '\u0104\u012e\u0100\u0106\u00c4\u00c5\u0118\u0112\u010c\u00c9\u0179\u0116\u0122\u0136\u012a\u013b' +
    '\u0160\u0143\u0145\u00d3\u014c\u00d5\u00d6\u00d7\u0172\u0141\u015a\u016a\u00dc\u017b\u017d\u00df' +
    '\u0105\u012f\u0101\u0107\u00e4\u00e5\u0119\u0113\u010d\u00e9\u017a\u0117\u0123\u0137\u012b\u013c' +
    '\u0161\u0144\u0146\u00f3\u014d\u00f5\u00f6\u00f7\u0173\u0142\u015b\u016b\u00fc\u017c\u017e\u02d9' +
    '\ufffd',
  'iso-8859-2':
    '\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f' +
    '\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009a\u009b\u009c\u009d\u009e\u009f' +
    '\u00a0\u0104\u02d8\u0141\u00a4\u013d\u015a\u00a7\u00a8\u0160\u015e\u0164\u0179\u00ad\u017d\u017b' +
    '\u00b0\u0105\u02db\u0142\u00b4\u013e\u015b\u02c7\u00b8\u0161\u015f\u0165\u017a\u02dd\u017e\u017c' +
    '\u0154\u00c1\u00c2\u0102\u00c4\u0139\u0106\u00c7\u010c\u00c9\u0118\u00cb\u011a\u00cd\u00ce\u010e' +
    '\u0110\u0143\u0147\u00d3\u00d4\u0150\u00d6\u00d7\u0158\u016e\u00da\u0170\u00dc\u00dd\u0162\u00df' +
    '\u0155\u00e1\u00e2\u0103\u00e4\u013a\u0107\u00e7\u010d\u00e9\u0119\u00eb\u011b\u00ed\u00ee\u010f' +
    '\u0111\u0144\u0148\u00f3\u00f4\u0151\u00f6\u00f7\u0159\u016f\u00fa\u0171\u00fc\u00fd\u0163\u02d9' +
    '\u001a',
  'macroman':
    '\u00c4\u00c5\u00c7\u00c9\u00d1\u00d6\u00dc\u00e1\u00e0\u00e2\u00e4\u00e3\u00e5\u00e7\u00e9\u00e8' +
    '\u00ea\u00eb\u00ed\u00ec\u00ee\u00ef\u00f1\u00f3\u00f2\u00f4\u00f6\u00f5\u00fa\u00f9\u00fb\u00fc' +
    '\u2020\u00b0\u00a2\u00a3\u00a7\u2022\u00b6\u00df\u00ae\u00a9\u2122\u00b4\u00a8\u2260\u00c6\u00d8' +
    '\u221e\u00b1\u2264\u2265\u00a5\u00b5\u2202\u2211\u220f\u03c0\u222b\u00aa\u00ba\u03a9\u00e6\u00f8' +
    '\u00bf\u00a1\u00ac\u221a\u0192\u2248\u2206\u00ab\u00bb\u2026\u00a0\u00c0\u00c3\u00d5\u0152\u0153' +
    '\u2013\u2014\u201c\u201d\u2018\u2019\u00f7\u25ca\u00ff\u0178\u2044\u20ac\u2039\u203a\ufb01\ufb02' +
    '\u2021\u00b7\u201a\u201e\u2030\u00c2\u00ca\u00c1\u00cb\u00c8\u00cd\u00ce\u00cf\u00cc\u00d3\u00d4' +
    '\uf8ff\u00d2\u00da\u00db\u00d9\u0131\u02c6\u02dc\u00af\u02d8\u02d9\u02da\u00b8\u02dd\u02db\u02c7' +
    '\u001a',
  'cp437':
    '\u00c7\u00fc\u00e9\u00e2\u00e4\u00e0\u00e5\u00e7\u00ea\u00eb\u00e8\u00ef\u00ee\u00ec\u00c4\u00c5' +
    '\u00c9\u00e6\u00c6\u00f4\u00f6\u00f2\u00fb\u00f9\u00ff\u00d6\u00dc\u00a2\u00a3\u00a5\u20a7\u0192' +
    '\u00e1\u00ed\u00f3\u00fa\u00f1\u00d1\u00aa\u00ba\u00bf\u2310\u00ac\u00bd\u00bc\u00a1\u00ab\u00bb' +
    '\u2591\u2592\u2593\u2502\u2524\u2561\u2562\u2556\u2555\u2563\u2551\u2557\u255d\u255c\u255b\u2510' +
    '\u2514\u2534\u252c\u251c\u2500\u253c\u255e\u255f\u255a\u2554\u2569\u2566\u2560\u2550\u256c\u2567' +
    '\u2568\u2564\u2565\u2559\u2558\u2552\u2553\u256b\u256a\u2518\u250c\u2588\u2584\u258c\u2590\u2580' +
    '\u03b1\u00df\u0393\u03c0\u03a3\u03c3\u00b5\u03c4\u03a6\u0398\u03a9\u03b4\u221e\u03c6\u03b5\u2229' +
    '\u2261\u00b1\u2265\u2264\u2320\u2321\u00f7\u2248\u00b0\u2219\u00b7\u221a\u207f\u00b2\u25a0\u00a0' +
    '\u001a',
};
const CATEGORIES = {
  common:
    '\u00a0\u00ad\u00b7\u00b4\u2013\u2014\u2015\u2026\u2019',
  c1:
    '\u0080-\u009f',
  bad:
    '\u00a6\u00a4\u00a8\u00ac\u00af\u00b8\u0192\u02c6\u02c7\u02d8\u02db\u02dc\u2020\u2021\u2030\u2310' +
    '\u25ca\ufffd\u00aa\u00ba',
  law:
    '\u00b6\u00a7',
  currency:
    '\u00a2\u00a3\u00a5\u20a7\u20ac',
  startPunctuation:
    '\u00a1\u00ab\u00bf\u00a9\u0384\u0385\u2018\u201a\u201c\u201e\u2022\u2039\uf8ff',
  endPunctuation:
    '\u00ae\u00bb\u02dd\u201d\u203a\u2122',
  numeric:
    '\u00b2\u00b3\u00b9\u00b1\u00bc\u00bd\u00be\u00d7\u00b5\u00f7\u2044\u2202\u2206\u220f\u2211\u221a' +
    '\u221e\u2229\u222b\u2248\u2260\u2261\u2264\u2265\u2116',
  kaomoji:
    '\u00d2-\u00d6\u00d9-\u00dc\u00f2-\u00f6\u00f8-\u00fc\u0150\u014c\u016a\u0172\u00b0',
  upperAccented:
    '\u00c0-\u00d1\u00d8\u00dc\u00dd\u0102\u0100\u0104\u0106\u010c\u010e\u0110\u0118\u011a\u0112' +
    '\u0116\u011e\u0122\u0130\u012a\u0136\u0139\u013d\u0141\u013b\u0143\u0147\u0145\u0152\u0158\u015a' +
    '\u015e\u0160\u0162\u0164\u016e\u0170\u0178\u0179\u017b\u017d\u0490',
  lowerAccented:
    '\u00df\u00e0-\u00f1\u0103\u0105\u0101\u0107\u010d\u010f\u0111\u0119\u011b\u0113\u0117\u011f' +
    '\u0123\u012f\u012b\u0137\u013a\u013e\u0142\u013c\u0153\u0155\u015b\u015f\u0161\u0165\u00fc\u017a' +
    '\u017c\u017e\u0491\ufb01\ufb02',
  upperCommon:
    '\u00de\u0391-\u03a9\u0386\u0388\u0389\u038a\u038c\u038e\u038f\u03aa\u03ab\u0401-\u042f',
  lowerCommon:
    '\u03b1-\u03c9\u03ac\u03ad\u03ae\u03af\u03b0\u0430-\u045f',
  box:
    '\u2502\u250c\u2510\u2518\u251c\u2524\u252c\u253c\u2550-\u256c\u2580\u2584\u2588\u258c\u2590' +
    '\u2591\u2592\u2593',
};
const UTF8_CLUES = {
  utf8FirstOf2:
    '\u0102\u00c2\u00c4\u0100\u00c5\u00c3\u00c6\u0106\u010c\u00c7\u010e\u0110\u00c9\u011a\u00ca\u00cb' +
    '\u0116\u00c8\u0112\u0118\u00d0\u011e\u0122\u00cd\u00ce\u00cf\u0130\u00cc\u012a\u0136\u0139\u013b' +
    '\u0141\u0143\u0147\u0145\u00d1\u00d3\u00d4\u00d6\u0150\u00d2\u014c\u00d8\u00d5\u0158\u015a\u0160' +
    '\u015e\u0162\u00de\u00da\u00db\u00dc\u0170\u00d9\u016a\u0172\u016e\u00dd\u0179\u017d\u017b\u00df' +
    '\u00d7\u0392\u0393\u0394\u0395\u0396\u0397\u0398\u0399\u039a\u039b\u039c\u039d\u039e\u039f\u03a0' +
    '\u03a1\u03a3\u03a4\u03a5\u03a6\u03a7\u03a8\u03a9\u03aa\u03ab\u03ac\u03ad\u03ae\u03af\u0412\u0413' +
    '\u0414\u0415\u0416\u0417\u0418\u0419\u041a\u041b\u041c\u041d\u041e\u041f\u0420\u0421\u0422\u0423' +
    '\u0424\u0425\u0426\u0427\u0428\u0429\u042a\u042b\u042c\u042d\u042e\u042f',
  utf8FirstOf3:
    '\u00e1\u0103\u00e2\u00e4\u00e0\u0101\u0105\u00e5\u00e3\u00e6\u0107\u010d\u00e7\u010f\u00e9\u011b' +
    '\u00ea\u00eb\u0117\u00e8\u0113\u0119\u0119\u0123\u00ed\u00ee\u00ef\u00ec\u012b\u012f\u0137\u013a' +
    '\u013c\u0155\u017a\u03b0\u03b1\u03b2\u03b3\u03b4\u03b5\u03b6\u03b7\u03b8\u03b9\u03ba\u03bb\u03bc' +
    '\u03bd\u03be\u03bf\u0430\u0431\u0432\u0433\u0434\u0435\u0436\u0437\u0438\u0439\u043a\u043b\u043c' +
    '\u043d\u043e\u043f',
  utf8FirstOf4:
    '\u0111\u00f0\u011f\u00f3\u0161\u03c0\u03c3\u0440\u0443',
  utf8Continuation:
    '\u0080-\u00bf \u0104\u00c6\u013d\u0141\u00d8\u0156\u015a\u0160\u015e\u0164\u0178\u0179\u017d' +
    '\u017b\u0152\u0105\u00e6\u0192\u013e\u0142\u00f8\u0157\u015b\u0161\u015f\u0165\u017a\u017e\u017c' +
    '\u0153\u02c6\u02c7\u02d8\u02db\u02dc\u02dd\u0384\u0385\u0386\u0388\u0389\u038a\u038c\u038e\u038f' +
    '\u0401\u0402\u0403\u0404\u0405\u0406\u0407\u0408\u0409\u040a\u040b\u040c\u040e\u040f\u0451\u0452' +
    '\u0453\u0454\u0455\u0456\u0457\u0458\u0459\u045a\u045b\u045c\u045e\u045f\u0490\u0491\u2013\u2014' +
    '\u2015\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2116' +
    '\u2122',
  utf8ContinuationStrict:
    '\u0080-\u00bf\u0104\u00c6\u013d\u0141\u00d8\u0156\u015a\u0160\u015e\u0164\u0178\u0179\u017d' +
    '\u017b\u0152\u0105\u00e6\u0192\u013e\u0142\u00f8\u0157\u015b\u0161\u015f\u0165\u017a\u017e\u017c' +
    '\u0153\u02c6\u02c7\u02d8\u02db\u02dc\u02dd\u0384\u0385\u0386\u0388\u0389\u038a\u038c\u038e\u038f' +
    '\u0401\u0402\u0403\u0404\u0405\u0406\u0407\u0408\u0409\u040a\u040b\u040c\u040e\u040f\u0451\u0452' +
    '\u0453\u0454\u0455\u0456\u0457\u0458\u0459\u045a\u045b\u045c\u045e\u045f\u0490\u0491\u2020\u2021' +
    '\u2030\u2039\u203a\u20ac\u2116\u2122',
};
