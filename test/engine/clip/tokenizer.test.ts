import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasShared, sharedPath } from '../../support/shared-data';
import { CONTEXT_LENGTH, ClipTokenizer, EOT_TOKEN, SOT_TOKEN } from '../../../electron/engine/clip/tokenizer';
import { clipCleanText, fixText, htmlUnescape } from '../../../electron/engine/clip/text-clean';

interface ReferenceEntry {
  text: string;
  ids: number[];
}

const REFERENCE_FILE = 'reference/tokenizer-ids.json';
const CAPTIONS_FILE = 'data/flickr8k-test1k/test_captions.jsonl';

let tokenizer: ClipTokenizer;

beforeAll(() => {
  tokenizer = ClipTokenizer.loadSync();
});

/** One row of an encodeBatch result, as plain numbers. */
function row(batch: BigInt64Array, index: number, contextLength: number = CONTEXT_LENGTH): number[] {
  return Array.from(batch.subarray(index * contextLength, (index + 1) * contextLength), Number);
}

/** What a row must hold for these untruncated ids: truncated to the context with EOT last, then zero padding. */
function expectedRow(ids: readonly number[], contextLength: number = CONTEXT_LENGTH): number[] {
  const kept = ids.length > contextLength ? [...ids.slice(0, contextLength - 1), EOT_TOKEN] : [...ids];
  return [...kept, ...new Array<number>(contextLength - kept.length).fill(0)];
}

describe('ClipTokenizer', () => {
  it('wraps ids in start and end tokens', () => {
    expect(tokenizer.encode('a photo of a cat')).toEqual([SOT_TOKEN, 320, 1125, 539, 320, 2368, EOT_TOKEN]);
  });

  it('encodes empty and blank text as just the start and end tokens', () => {
    expect(tokenizer.encode('')).toEqual([SOT_TOKEN, EOT_TOKEN]);
    expect(tokenizer.encode(' \t\n\u3000\u00a0 ')).toEqual([SOT_TOKEN, EOT_TOKEN]);
    expect(row(tokenizer.encodeBatch(['']), 0)).toEqual(expectedRow([SOT_TOKEN, EOT_TOKEN]));
  });

  it('truncates a long text to its first 76 ids and ends it with EOT', () => {
    const text = 'a photo of a red car parked next to a blue house '.repeat(10);
    const ids = tokenizer.encode(text);
    expect(ids.length).toBeGreaterThan(CONTEXT_LENGTH);
    const batch = tokenizer.encodeBatch([text]);
    expect(batch).toHaveLength(CONTEXT_LENGTH);
    const only = row(batch, 0);
    expect(only.slice(0, CONTEXT_LENGTH - 1)).toEqual(ids.slice(0, CONTEXT_LENGTH - 1));
    expect(only[CONTEXT_LENGTH - 1]).toBe(EOT_TOKEN);
  });

  it('keeps a text of exactly the context length whole', () => {
    // 75 single-token words plus SOT and EOT is exactly 77 ids.
    const text = Array.from({ length: 75 }, () => 'dog').join(' ');
    const ids = tokenizer.encode(text);
    expect(ids).toHaveLength(CONTEXT_LENGTH);
    expect(row(tokenizer.encodeBatch([text]), 0)).toEqual(ids);
    const oneMore = tokenizer.encode(`${text} dog`);
    expect(row(tokenizer.encodeBatch([`${text} dog`]), 0)).toEqual([...oneMore.slice(0, 76), EOT_TOKEN]);
  });

  it('lays a batch out row-major as int64 with zero padding', () => {
    const texts = ['a dog', '', 'two cats on a sofa', 'x'.repeat(400)];
    const batch = tokenizer.encodeBatch(texts);
    expect(batch).toBeInstanceOf(BigInt64Array);
    expect(batch).toHaveLength(texts.length * CONTEXT_LENGTH);
    texts.forEach((text, i) => expect(row(batch, i), text).toEqual(expectedRow(tokenizer.encode(text))));
    expect(tokenizer.encodeBatch([])).toHaveLength(0);
  });

  it('honours a custom context length', () => {
    const texts = ['a dog runs on the beach with a ball', 'cat'];
    const batch = tokenizer.encodeBatch(texts, 5);
    expect(batch).toHaveLength(10);
    expect(row(batch, 0, 5)).toEqual(expectedRow(tokenizer.encode(texts[0]!), 5));
    expect(row(batch, 1, 5)).toEqual([SOT_TOKEN, tokenizer.encode('cat')[1], EOT_TOKEN, 0, 0]);
    expect(() => tokenizer.encodeBatch(texts, 1)).toThrow(RangeError);
  });

  it('decodes ids back to the cleaned text', () => {
    const texts = ['a photo of a cat', 'Two dogs play in the snow .', 'über straße', 'emoji party 🎉 birthday', '猫の写真'];
    for (const text of texts) {
      expect(tokenizer.decode(tokenizer.encode(text)), text).toBe(clipCleanText(text));
    }
    // A padded batch row decodes the same: everything after EOT is ignored.
    expect(tokenizer.decode(row(tokenizer.encodeBatch(['A dog runs']), 0))).toBe('a dog runs');
    expect(() => tokenizer.decode([49408])).toThrow(RangeError);
  });

  it('splits contractions, digits and punctuation like the reference pattern', () => {
    const words = (text: string): string[] => tokenizer.encode(text).slice(1, -1).map((id) => tokenizer.decode([id]));
    expect(words("it's 42!!")).toEqual(['it', "'s", '4', '2', '!!']);
    expect(tokenizer.encode('a <|endoftext|> b')).toEqual([SOT_TOKEN, 320, EOT_TOKEN, 321, EOT_TOKEN]);
  });

  it('straightens curly quotes, as ftfy does by default', () => {
    expect(tokenizer.encode('it’s “here”')).toEqual(tokenizer.encode('it\'s "here"'));
  });

  it('is case-insensitive and collapses whitespace', () => {
    expect(tokenizer.encode('  A   DOG\n\tRUNS  ')).toEqual(tokenizer.encode('a dog runs'));
  });

  it('tokenises a pathologically long word', () => {
    const ids = tokenizer.encode('ab'.repeat(20_000));
    expect(ids.length).toBeGreaterThan(2);
    expect(tokenizer.decode(ids)).toBe('ab'.repeat(20_000));
    // A hang guard, not a speed target (see `npm run bench -- tokenizer`): BPE merges done naively are quadratic here.
  }, 15_000);

  it('bounds its word cache', () => {
    const fresh = ClipTokenizer.loadSync();
    let seed = 1;
    const randomWord = (): string => {
      let word = '';
      for (let i = 0; i < 8; i++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        word += String.fromCharCode(97 + (seed % 26));
      }
      return word;
    };
    for (let text = 0; text < 2_200; text++) fresh.encode(Array.from({ length: 50 }, randomWord).join(' '));
    expect(fresh.cachedWords).toBeGreaterThan(0);
    expect(fresh.cachedWords).toBeLessThanOrEqual(100_000);
  });

  it('loads asynchronously to the same vocabulary', async () => {
    const loaded = await ClipTokenizer.load();
    const text = 'A race car screeches through a turn';
    expect(loaded.encode(text)).toEqual(tokenizer.encode(text));
    await expect(ClipTokenizer.load('/nonexistent/bpe.txt.gz')).rejects.toThrow();
  });
});

describe('CLIP text cleaning', () => {
  // Expected values come from ftfy 6.3.1 and Python's html module.
  it.each([
    ['\u00e2\u0153\u201d No problems', '✔ No problems'],
    ['&macr;\\_(\u00e3\u0083\u0084)_/&macr;', '\u00af\\_(\u30c4)_/\u00af'],
    ['Broken text&hellip; it&#x2019;s ﬂubberiﬁc!', "Broken text… it's flubberific!"],
    ['ＬＯＵＤ\u3000ＮＯＩＳＥＳ', 'LOUD NOISES'],
    ['P&EACUTE;REZ', 'PÉREZ'],
    ['<b>caf&eacute;</b>', '<b>caf&eacute;</b>'],
    ['voilÃ  le travail', 'voilà le travail'],
    ['â€œmismatched quotesâ€¦”', '"mismatched quotes…"'],
    ['e\u0301clair', '\u00e9clair'], // NFC
    ['ВІКІ is Ukrainian for WIKI', 'ВІКІ is Ukrainian for WIKI'],
    ['ПоздравЂаво', 'ПоздравЂаво'],
    ['\x1b[36mblue\x1b[0m', 'blue'],
    ['Ð¿Ñ€Ð¸Ð²ÐµÑ‚', 'привет'],
  ])('ftfy fix_text(%j)', (input, expected) => {
    expect(fixText(input)).toBe(expected);
  });

  it.each([
    ['&notit;', '\u00acit;'],
    ['&amp;amp;', '&amp;'],
    ['&#x85;', '\u2026'],
    ['&#0;', '\ufffd'],
    ['&#1114112;', '\ufffd'],
    ['&lt', '<'],
    ['&AMP;', '&'],
    ['&#65279;', '\ufeff'],
    ['&CounterClockwiseContourIntegral;', '\u2233'],
  ])('html.unescape(%j)', (input, expected) => {
    expect(htmlUnescape(input)).toBe(expected);
  });

  it('unescapes, lower-cases, and keeps U+FEFF only where ftfy did not see it', () => {
    expect(clipCleanText('Tom &amp;amp; JERRY')).toBe('tom & jerry');
    // ftfy unescapes until nothing changes, then drops the BOM...
    expect(clipCleanText('a &amp;#65279; b')).toBe('a b');
    // ...but a '<' turns its unescaping off, so html.unescape brings the BOM back afterwards.
    expect(clipCleanText('x < y &#65279;z')).toBe('x < y \ufeffz');
    expect(tokenizer.encode('x < y &#65279;z')).toEqual([SOT_TOKEN, 343, 283, 344, 171, 119, 379, 345, EOT_TOKEN]);
  });
});

const HAS_REFERENCE = hasShared(REFERENCE_FILE);
const reference: ReferenceEntry[] = HAS_REFERENCE
  ? (JSON.parse(readFileSync(sharedPath(REFERENCE_FILE), 'utf8')) as ReferenceEntry[])
  : [];

/** A short printable label for a test name. */
function label(text: string): string {
  const shown = JSON.stringify(text);
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}

describe.skipIf(!HAS_REFERENCE)('reference ids (openai/CLIP SimpleTokenizer)', () => {
  it('has every entry', () => {
    expect(reference).toHaveLength(117);
  });

  it.each(reference.map((entry, index) => ({ index, name: label(entry.text), entry })))(
    'entry $index: $name',
    ({ entry }) => {
      expect(tokenizer.encode(entry.text)).toEqual(entry.ids);
    },
  );

  it('batches every entry with truncation and padding', () => {
    const batch = tokenizer.encodeBatch(reference.map((entry) => entry.text));
    // The longest reference entry is exactly 77 ids: kept whole, no padding.
    expect(Math.max(...reference.map((entry) => entry.ids.length))).toBe(CONTEXT_LENGTH);
    reference.forEach((entry, i) => expect(row(batch, i), label(entry.text)).toEqual(expectedRow(entry.ids)));
  });
});

const HAS_CAPTIONS = hasShared(CAPTIONS_FILE);

describe.skipIf(!HAS_CAPTIONS)('Flickr8k captions', () => {
  const captions: string[] = [];
  beforeAll(() => {
    for (const line of readFileSync(sharedPath(CAPTIONS_FILE), 'utf8').split('\n')) {
      if (line.trim()) captions.push(...(JSON.parse(line) as { captions: string[] }).captions);
    }
  });

  it('decodes every caption back to its cleaned text', () => {
    expect(captions).toHaveLength(5000);
    for (const caption of captions) {
      const ids = tokenizer.encode(caption);
      // BPE loses only where spaces were ("dog's" decodes as "dog 's"), so compare without them.
      expect(tokenizer.decode(ids).replaceAll(' ', ''), caption).toBe(clipCleanText(caption).replaceAll(' ', ''));
      expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id <= EOT_TOKEN)).toBe(true);
    }
  });
});
