import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { bundledModelsPath } from '../resources';
import { CLIP_SPACE, clipCleanText } from './text-clean';

/**
 * OpenAI CLIP's text tokenizer (SimpleTokenizer in clip/simple_tokenizer.py), reproduced id for id:
 * clean the text (ftfy, HTML entities, whitespace, lower case), split it with CLIP's regex, map each piece's
 * UTF-8 bytes to the 256 byte symbols and apply the BPE merges, marking the end of each word with `</w>`.
 */

export const SOT_TOKEN = 49406;
export const EOT_TOKEN = 49407;
export const CONTEXT_LENGTH = 77;

/** SimpleTokenizer reads merges 1..(49152-256-2) of the file; line 0 is a version header. */
const MERGE_COUNT = 49152 - 256 - 2;
const VOCAB_SIZE = 256 * 2 + MERGE_COUNT + 2;
const SOT_TEXT = '<|startoftext|>';
const EOT_TEXT = '<|endoftext|>';
/** Words above this length are not cached: rare, and each would pin a long key. */
const MAX_CACHED_WORD = 64;
/** Each cache generation holds at most this many words (so at most twice as many are kept). */
const CACHE_GENERATION_SIZE = 50_000;
/** Longer words use the heap-based merge, which stays O(n log n) on pathological input. */
const LONG_WORD = 48;

/**
 * SimpleTokenizer's pattern (Python `regex`, IGNORECASE). `\s` is spelled out as the `regex` module's set:
 * JavaScript's `\s` also holds U+FEFF and lacks U+0085.
 */
const TOKEN_RE = new RegExp(
  `<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^${CLIP_SPACE}\\p{L}\\p{N}]+`,
  'giu',
);
/**
 * U+0345 (combining ypogegrammeni) folds to a Greek letter, so under IGNORECASE Python's `regex` matches it with
 * neither `[\p{L}]` nor the negated class and skips it, while JavaScript counts it as a letter. A space behaves
 * exactly like a skipped character.
 */
const YPOGEGRAMMENI_RE = /\u0345/g;

const gunzipAsync = promisify(gunzip);
/** Like Python's `decode('utf-8', errors='replace')`: bad bytes become U+FFFD, a leading BOM is kept. */
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** The default vocabulary file, bundled under models/. */
export function defaultBpePath(): string {
  return bundledModelsPath('clip-bpe', 'bpe_simple_vocab_16e6.txt.gz');
}

/**
 * GPT-2's reversible byte-to-character map: printable Latin-1 bytes stand for themselves, the rest are moved to
 * U+0100 and up. Returns the bytes in vocabulary order (the vocabulary starts with their characters).
 */
function bytesInVocabOrder(): { bytes: number[]; chars: string[] } {
  const bytes: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bytes.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bytes.push(b);
  for (let b = 0xae; b <= 0xff; b++) bytes.push(b);
  const chars = bytes.map((b) => String.fromCharCode(b));
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    if (bytes.includes(b)) continue;
    bytes.push(b);
    chars.push(String.fromCharCode(256 + extra++));
  }
  return { bytes, chars };
}

/** The header and merge lines of the vocabulary file; the ~210k lines after them are never used. */
function mergesText(file: Buffer): string {
  let end = -1;
  for (let line = 0; line <= MERGE_COUNT; line++) {
    end = file.indexOf(0x0a, end + 1);
    if (end < 0) return file.toString('utf8');
  }
  return file.toString('utf8', 0, end);
}

/** A map that forgets its least recently used half when full: two generations, hits promote to the young one. */
class WordCache {
  private young = new Map<string, readonly number[]>();
  private old = new Map<string, readonly number[]>();

  constructor(private readonly generationSize: number) {}

  get(word: string): readonly number[] | undefined {
    const hit = this.young.get(word);
    if (hit !== undefined) return hit;
    const stale = this.old.get(word);
    if (stale !== undefined) this.set(word, stale);
    return stale;
  }

  set(word: string, ids: readonly number[]): void {
    this.young.set(word, ids);
    if (this.young.size >= this.generationSize) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}

export class ClipTokenizer {
  /** Vocabulary id of each byte's symbol; add 256 for the same symbol with `</w>`. */
  private readonly byteIds = new Int32Array(256);
  /** Symbol text of each id, for decoding. */
  private readonly symbols: string[];
  /** Byte value of each byte-symbol character, for decoding. */
  private readonly charToByte = new Map<string, number>();
  /** Merge rank of each symbol pair, keyed `left * VOCAB_SIZE + right`. */
  private readonly pairRanks = new Map<number, number>();
  /** The id each merge produces, by rank. */
  private readonly mergedIds: Int32Array;
  private readonly cache = new WordCache(CACHE_GENERATION_SIZE);
  /** Scratch buffer for a word's UTF-8 bytes. */
  private utf8 = new Uint8Array(256);

  private constructor(bpeText: string) {
    const lines = bpeText.split('\n');
    if (lines.length < MERGE_COUNT + 1) {
      throw new Error(`CLIP BPE file has ${lines.length} lines, expected at least ${MERGE_COUNT + 1}`);
    }
    const merges: [string, string][] = [];
    for (let i = 1; i <= MERGE_COUNT; i++) {
      const parts = lines[i]!.split(' ');
      if (parts.length !== 2) {
        throw new Error(`CLIP BPE file: line ${i + 1} is not a merge: ${JSON.stringify(lines[i])}`);
      }
      merges.push([parts[0]!, parts[1]!]);
    }

    const { bytes, chars } = bytesInVocabOrder();
    const vocab = [...chars, ...chars.map((c) => c + '</w>'), ...merges.map(([a, b]) => a + b), SOT_TEXT, EOT_TEXT];
    // Later duplicates would win, as with Python's dict(zip(vocab, range(len(vocab)))).
    const encoder = new Map<string, number>();
    vocab.forEach((symbol, id) => encoder.set(symbol, id));
    this.symbols = vocab;
    bytes.forEach((b, i) => {
      this.byteIds[b] = i;
      this.charToByte.set(chars[i]!, b);
    });

    this.mergedIds = new Int32Array(MERGE_COUNT);
    merges.forEach(([a, b], rank) => {
      const left = encoder.get(a);
      const right = encoder.get(b);
      const merged = encoder.get(a + b);
      if (left === undefined || right === undefined || merged === undefined) {
        throw new Error(`CLIP BPE file: merge ${rank + 1} (${a} ${b}) uses unknown symbols`);
      }
      // A repeated pair would take its later rank, as in Python's dict(zip(merges, range(...))); the file has none.
      this.pairRanks.set(left * VOCAB_SIZE + right, rank);
      this.mergedIds[rank] = merged;
    });
  }

  /** Loads the merges file (gzipped); the bundled one by default. */
  static async load(bpeGzPath: string = defaultBpePath()): Promise<ClipTokenizer> {
    return new ClipTokenizer(mergesText(await gunzipAsync(await readFile(bpeGzPath))));
  }

  static loadSync(bpeGzPath: string = defaultBpePath()): ClipTokenizer {
    return new ClipTokenizer(mergesText(gunzipSync(readFileSync(bpeGzPath))));
  }

  /** `[SOT, ...ids, EOT]`, untruncated. */
  encode(text: string): number[] {
    return this.encodeIds(text, Infinity);
  }

  /**
   * Row-major int64 ids `[texts.length, contextLength]`, zero-padded. A row that is too long keeps its first
   * `contextLength - 1` ids and ends with EOT (what open_clip's `tokenize(..., truncate=True)` does).
   */
  encodeBatch(texts: readonly string[], contextLength: number = CONTEXT_LENGTH): BigInt64Array {
    if (!Number.isInteger(contextLength) || contextLength < 2) {
      throw new RangeError(`contextLength must be an integer >= 2, got ${contextLength}`);
    }
    const out = new BigInt64Array(texts.length * contextLength);
    texts.forEach((text, row) => {
      const ids = this.encodeIds(text, contextLength);
      const length = Math.min(ids.length, contextLength);
      const base = row * contextLength;
      for (let i = 0; i < length; i++) out[base + i] = BigInt(ids[i]!);
      if (ids.length > contextLength) out[base + contextLength - 1] = BigInt(EOT_TOKEN);
    });
    return out;
  }

  /**
   * Text for a list of ids, for debugging: SimpleTokenizer.decode without the special tokens, stopping at the
   * first EOT (so a padded row decodes cleanly), trimmed.
   */
  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      if (id === EOT_TOKEN) break;
      if (id === SOT_TOKEN) continue;
      const symbol = this.symbols[id];
      if (!Number.isInteger(id) || symbol === undefined) throw new RangeError(`not a CLIP token id: ${id}`);
      // '</w>' is made of byte symbols too; like the reference, decode it as bytes and swap it for a space after.
      for (const char of symbol) bytes.push(this.charToByte.get(char) ?? 0x3f);
    }
    return lenientUtf8.decode(Uint8Array.from(bytes)).replaceAll('</w>', ' ').trim();
  }

  /** Number of words in the BPE cache (for tests and diagnostics). */
  get cachedWords(): number {
    return this.cache.size;
  }

  /** Ids with SOT and EOT; stops splitting once more than `limit` ids exist, since the caller truncates. */
  private encodeIds(text: string, limit: number): number[] {
    const ids = [SOT_TOKEN];
    let cleaned = clipCleanText(text);
    if (cleaned.includes('\u0345')) cleaned = cleaned.replace(YPOGEGRAMMENI_RE, ' ');
    TOKEN_RE.lastIndex = 0;
    for (let match = TOKEN_RE.exec(cleaned); match !== null; match = TOKEN_RE.exec(cleaned)) {
      const word = match[0];
      if (word === SOT_TEXT) ids.push(SOT_TOKEN);
      else if (word === EOT_TEXT) ids.push(EOT_TOKEN);
      else for (const id of this.wordIds(word)) ids.push(id);
      if (ids.length > limit) break;
    }
    ids.push(EOT_TOKEN);
    return ids;
  }

  private wordIds(word: string): readonly number[] {
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;
    const ids = this.bpe(this.wordSymbols(word));
    if (word.length <= MAX_CACHED_WORD) this.cache.set(word, ids);
    return ids;
  }

  /** The word's UTF-8 bytes as byte-symbol ids, the last one marked end-of-word. */
  private wordSymbols(word: string): number[] {
    let n = 0;
    for (let i = 0; i < word.length; i++) {
      if (n + 4 > this.utf8.length) {
        const grown = new Uint8Array(this.utf8.length * 2);
        grown.set(this.utf8);
        this.utf8 = grown;
      }
      let code = word.charCodeAt(i);
      if (code < 0x80) {
        this.utf8[n++] = code;
        continue;
      }
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < word.length) {
        const low = word.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
      // A lone surrogate is encoded as U+FFFD (ftfy has already replaced any, so this is only a guard).
      if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
      if (code < 0x800) {
        this.utf8[n++] = 0xc0 | (code >> 6);
        this.utf8[n++] = 0x80 | (code & 0x3f);
      } else if (code < 0x10000) {
        this.utf8[n++] = 0xe0 | (code >> 12);
        this.utf8[n++] = 0x80 | ((code >> 6) & 0x3f);
        this.utf8[n++] = 0x80 | (code & 0x3f);
      } else {
        this.utf8[n++] = 0xf0 | (code >> 18);
        this.utf8[n++] = 0x80 | ((code >> 12) & 0x3f);
        this.utf8[n++] = 0x80 | ((code >> 6) & 0x3f);
        this.utf8[n++] = 0x80 | (code & 0x3f);
      }
    }
    const symbols = new Array<number>(n);
    for (let i = 0; i < n; i++) symbols[i] = this.byteIds[this.utf8[i]!]!;
    symbols[n - 1]! += 256;
    return symbols;
  }

  private rank(left: number, right: number): number | undefined {
    return this.pairRanks.get(left * VOCAB_SIZE + right);
  }

  /**
   * SimpleTokenizer.bpe: repeatedly merge every occurrence (left to right) of the lowest-ranked adjacent pair.
   * Works in place on ids, not strings.
   */
  private bpe(symbols: number[]): number[] {
    if (symbols.length >= LONG_WORD) return this.bpeLong(symbols);
    let word = symbols;
    while (word.length > 1) {
      let best = Infinity;
      let first = -1;
      let second = -1;
      for (let i = 0; i + 1 < word.length; i++) {
        const rank = this.rank(word[i]!, word[i + 1]!);
        if (rank !== undefined && rank < best) {
          best = rank;
          first = word[i]!;
          second = word[i + 1]!;
        }
      }
      if (best === Infinity) break;
      const merged = this.mergedIds[best]!;
      const next: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (word[i] === first && word[i + 1] === second) {
          next.push(merged);
          i++;
        } else {
          next.push(word[i]!);
        }
      }
      word = next;
    }
    return word;
  }

  /**
   * The same merges with a linked list and a heap of (rank, position): within one rank the heap pops pairs left to
   * right and skips pairs a previous merge consumed, which is exactly the reference's left-to-right pass; a merge
   * never recreates a pair of the same rank, so ranks are processed in the same order.
   */
  private bpeLong(symbols: number[]): number[] {
    const n = symbols.length;
    const ids = Int32Array.from(symbols);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const alive = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const heap = new PairHeap();
    const pushPair = (left: number): void => {
      const right = next[left]!;
      if (right < 0) return;
      const rank = this.rank(ids[left]!, ids[right]!);
      if (rank !== undefined) heap.push(rank, left, ids[left]!, ids[right]!);
    };
    for (let i = 0; i + 1 < n; i++) pushPair(i);
    while (heap.size > 0) {
      const { rank, left, leftId, rightId } = heap.pop();
      const right = next[left]!;
      // Stale entry: one of the two symbols changed or was merged away since it was pushed.
      if (!alive[left] || right < 0 || ids[left] !== leftId || ids[right] !== rightId) continue;
      ids[left] = this.mergedIds[rank]!;
      alive[right] = 0;
      const after = next[right]!;
      next[left] = after;
      if (after >= 0) prev[after] = left;
      if (prev[left]! >= 0) pushPair(prev[left]!);
      pushPair(left);
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i]!) out.push(ids[i]!);
    return out;
  }
}

/** A binary min-heap of merge candidates ordered by (rank, position). */
class PairHeap {
  private ranks: number[] = [];
  private lefts: number[] = [];
  private leftIds: number[] = [];
  private rightIds: number[] = [];

  get size(): number {
    return this.ranks.length;
  }

  push(rank: number, left: number, leftId: number, rightId: number): void {
    this.ranks.push(rank);
    this.lefts.push(left);
    this.leftIds.push(leftId);
    this.rightIds.push(rightId);
    let i = this.ranks.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): { rank: number; left: number; leftId: number; rightId: number } {
    const top = { rank: this.ranks[0]!, left: this.lefts[0]!, leftId: this.leftIds[0]!, rightId: this.rightIds[0]! };
    const last = this.ranks.length - 1;
    this.swap(0, last);
    this.ranks.pop();
    this.lefts.pop();
    this.leftIds.pop();
    this.rightIds.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < this.ranks.length && this.less(l, smallest)) smallest = l;
      if (r < this.ranks.length && this.less(r, smallest)) smallest = r;
      if (smallest === i) break;
      this.swap(i, smallest);
      i = smallest;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const ra = this.ranks[a]!;
    const rb = this.ranks[b]!;
    return ra < rb || (ra === rb && this.lefts[a]! < this.lefts[b]!);
  }

  private swap(a: number, b: number): void {
    for (const array of [this.ranks, this.lefts, this.leftIds, this.rightIds]) {
      const t = array[a]!;
      array[a] = array[b]!;
      array[b] = t;
    }
  }
}
