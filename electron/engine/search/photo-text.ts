import { createHash } from 'node:crypto';
import type { PhotoTextVectorRepository } from '../catalog/photo-text-vector-repository';
import { dot, hasDirection, normalize } from '../math/vectors';

/*
 * Photos that carry text (EXIF ImageDescription, XMP/IPTC caption or keywords, the user's note): that text is
 * embedded with the text tower, cached in photo_text_vectors (per model, keyed by a hash of the text, so an
 * edited note is embedded again), and held here in memory for fused text search (see SearchService).
 *
 * Memory: 4 bytes x dim per photo with text (2 KB at 512-d); personal libraries caption a small share of photos.
 */

export interface TextEmbedder {
  embedTexts(texts: readonly string[]): Promise<Float32Array[]>;
}

/**
 * Everyday captions whose similarities to a query calibrate text-to-text scores (see SearchService.fuse) when no
 * larger caption bank is at hand: a spread of subjects (and colours), so the query's mean and spread over them are typical.
 */
export const REFERENCE_CAPTIONS: readonly string[] = [
  'a dog in the park', 'a black cat on a sofa', 'children playing on the beach', 'a birthday party', 'a wedding ceremony',
  'a mountain landscape', 'a city street at night', 'a plate of food', 'a cup of coffee', 'a receipt',
  'a screenshot of a phone', 'a document', 'a group photo of friends', 'a selfie', 'a baby sleeping',
  'an orange sunset over the sea', 'snow in the forest', 'a red car on the road', 'a blue bicycle', 'a train station',
  'an airplane in the blue sky', 'pink flowers in a garden', 'a kitchen', 'a living room', 'a bedroom',
  'a football match on green grass', 'a concert with purple lights', 'a museum', 'a church', 'a bridge over a river',
  'a lake with boats', 'a brown horse in a green field', 'a bird on a branch', 'fish in an aquarium', 'a christmas tree',
  'fireworks', 'a grey rainy day', 'a foggy morning', 'a yellow desert', 'a waterfall',
  'a portrait of an old man', 'a woman smiling', 'a crowd of people', 'an empty white room', 'a laptop on a desk',
  'books on a shelf', 'a pizza', 'a cake with candles', 'a glass of wine', 'vegetables at a market',
  'a swimming pool', 'a tent in the woods', 'a ski slope', 'a skyscraper', 'a farm with cows',
  'a playground', 'a hospital', 'a classroom', 'a map', 'a handwritten note',
  'a painting', 'a statue', 'a dog running in the snow', 'a boat at sea',
];

/** Texts per text-tower call while catching up. */
const BATCH = 32;

/** The text a photo carries, as one string for the text tower (which reads 77 tokens at most). */
export function photoText(row: { description: string | null; keywords: string | null; note: string | null }): string | null {
  const parts = [row.note, row.description, row.keywords].map((p) => p?.trim()).filter((p): p is string => !!p);
  return parts.length > 0 ? parts.join('. ').slice(0, 1000) : null;
}

function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export class PhotoTextVectors {
  /** Photo ids with a text vector, and their vectors (row-major, unit length). */
  private ids = new Int32Array(0);
  private vectors = new Float32Array(0);
  private rowOf = new Map<number, number>();
  private syncing: Promise<number> | null = null;
  private again = false;

  constructor(
    private readonly repository: PhotoTextVectorRepository,
    private readonly encoder: TextEmbedder,
    private readonly modelId: string,
    private readonly dim: number,
  ) {
    this.load();
  }

  get size(): number {
    return this.ids.length;
  }

  has(photoId: number): boolean {
    return this.rowOf.has(photoId);
  }

  /** Every photo with a text vector. */
  photoIds(): Int32Array {
    return this.ids;
  }

  /** query · text vector of the photo (undefined without one). */
  score(query: Float32Array, photoId: number): number | undefined {
    const row = this.rowOf.get(photoId);
    return row === undefined ? undefined : dot(query, this.vectors, row * this.dim);
  }

  /** The text vectors as a row-major matrix (for score statistics). */
  matrix(): { vectors: Float32Array; rows: number } {
    return { vectors: this.vectors, rows: this.ids.length };
  }

  /**
   * Embeds the text of photos that have none or whose text changed, and drops vectors of photos whose text went.
   * Concurrent calls share one pass (a call during a pass runs one more after it). Returns the vectors written.
   */
  sync(): Promise<number> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      let written = 0;
      do {
        this.again = false;
        written += await this.syncOnce();
      } while (this.again);
      return written;
    })().finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async syncOnce(): Promise<number> {
    const rows = this.repository.photosWithText();
    const stored = this.repository.textHashes(this.modelId);
    const todo: { id: number; text: string; hash: string }[] = [];
    const keep = new Set<number>();
    for (const row of rows) {
      const text = photoText(row);
      if (!text) continue;
      keep.add(row.id);
      const hash = hashText(text);
      if (stored.get(row.id) !== hash) todo.push({ id: row.id, text, hash });
    }
    const gone = [...stored.keys()].filter((id) => !keep.has(id));
    if (gone.length > 0) this.repository.deleteMany(this.modelId, gone);
    for (let i = 0; i < todo.length; i += BATCH) {
      const batch = todo.slice(i, i + BATCH);
      const vectors = await this.encoder.embedTexts(batch.map((t) => t.text));
      // The photo may have left while the text tower ran: the foreign key would refuse its row.
      const present = this.repository.existingPhotoIds(batch.map((t) => t.id));
      // A text whose vector has no direction matches nothing: it is left out rather than stored.
      const entries = batch.flatMap((t, j) =>
        present.has(t.id) && hasDirection(vectors[j]!) ? [{ photoId: t.id, textHash: t.hash, vector: normalize(vectors[j]!) }] : [],
      );
      this.repository.putMany(this.modelId, entries);
    }
    if (todo.length > 0 || gone.length > 0) this.load();
    return todo.length;
  }

  /** Reads every stored vector of this model into memory. */
  load(): void {
    // Only photos still indexed (a changed file waiting to be read again has none); a damaged row is skipped.
    const rows = this.repository.indexedVectors(this.modelId).filter((r) => r.vector.byteLength === this.dim * 4);
    const ids = new Int32Array(rows.length);
    const vectors = new Float32Array(rows.length * this.dim);
    const rowOf = new Map<number, number>();
    rows.forEach((r, i) => {
      ids[i] = r.photoId;
      vectors.set(new Float32Array(r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength)), i * this.dim);
      rowOf.set(r.photoId, i);
    });
    this.ids = ids;
    this.vectors = vectors;
    this.rowOf = rowOf;
  }
}
