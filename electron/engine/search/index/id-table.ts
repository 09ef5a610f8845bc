/*
 * Photo id -> slot: the slot of each id (ids[slot], -1 for an empty slot) and a hash table over them, open
 * addressing with linear probing, entries slot + 1 (0 = empty), at most ~77% full (~5 bytes per photo).
 */

export const MAX_PHOTO_ID = 0x7fffffff;

/** Whether `id` can be in the index (a non-negative int32). */
export function isPhotoId(id: number): boolean {
  return Number.isInteger(id) && id >= 0 && id <= MAX_PHOTO_ID;
}

export function checkPhotoId(id: number): void {
  if (!isPhotoId(id)) throw new Error(`photo id ${id} is out of range for the search index`);
}

export class IdTable {
  /** The photo id in each slot (-1: empty). */
  ids = new Int32Array(0);
  private table = new Int32Array(16);

  /** Bytes held. */
  get byteLength(): number {
    return this.ids.byteLength + this.table.byteLength;
  }

  /** Grows to `capacity` slots, of which the first `used` are in use (the hash table rebuilt when it grows). */
  grow(capacity: number, used: number): void {
    const ids = new Int32Array(capacity).fill(-1);
    ids.set(this.ids);
    this.ids = ids;
    const size = Math.max(16, Math.ceil(capacity * 1.3));
    if (size > this.table.length) {
      this.table = new Int32Array(size);
      for (let s = 0; s < used; s++) if (this.ids[s]! >= 0) this.insert(this.ids[s]!, s);
    }
  }

  /** The slot of `id`, or -1 (also for anything that is not a photo id). */
  slotOf(id: number): number {
    return isPhotoId(id) ? this.find(id) : -1;
  }

  /** The slot of `id` (a valid photo id), or -1. */
  find(id: number): number {
    const { table } = this;
    for (let i = this.home(id); ; i = i + 1 === table.length ? 0 : i + 1) {
      const entry = table[i]!;
      if (entry === 0) return -1;
      if (this.ids[entry - 1] === id) return entry - 1;
    }
  }

  /** Enters ids[slot] = id's table entry (the caller sets ids[slot]). */
  insert(id: number, slot: number): void {
    const { table } = this;
    let i = this.home(id);
    while (table[i] !== 0) i = i + 1 === table.length ? 0 : i + 1;
    table[i] = slot + 1;
  }

  /** Deletes by shifting later entries of the probe run back (no tombstones); ids[slot] is the caller's. */
  delete(id: number): void {
    const { table } = this;
    const next = (i: number): number => (i + 1 === table.length ? 0 : i + 1);
    let i = this.home(id);
    while (table[i] !== 0 && this.ids[table[i]! - 1] !== id) i = next(i);
    if (table[i] === 0) return;
    let hole = i;
    for (let j = next(hole); table[j] !== 0; j = next(j)) {
      const want = this.home(this.ids[table[j]! - 1]!);
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < want && want <= j : hole < want || want <= j;
      if (!stays) {
        table[hole] = table[j]!;
        hole = j;
      }
    }
    table[hole] = 0;
  }

  /** Fibonacci hashing scaled to the table size (any size, not only powers of two). */
  private home(id: number): number {
    return Math.floor(((Math.imul(id, 0x9e3779b1) >>> 0) * this.table.length) / 4294967296);
  }
}
