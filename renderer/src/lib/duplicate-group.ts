import { errorMessage } from '@shared/errors';
import type { PhotoDetails, PhotoSummary, SearchHit } from '@shared/types';
import { plural } from './format';

/**
 * Near-duplicate groups: a result may stand for photos hidden behind it because they are near-identical (bursts,
 * re-saves, small edits; cosine >= 0.95). The group view lists the result (the leader) and those photos.
 */

export interface DuplicateGroup {
  /** The photo shown in the results. */
  leader: PhotoSummary;
  /** The leader first, then its near-duplicates in the engine's order (best match first). */
  ids: number[];
}

/** The group behind a result, or null when nothing is hidden behind it. */
export function groupOf(hit: Pick<SearchHit, 'photo' | 'duplicateIds'> | null | undefined): DuplicateGroup | null {
  if (!hit || hit.duplicateIds.length === 0) return null;
  const ids = [hit.photo.id, ...hit.duplicateIds.filter((id) => id !== hit.photo.id)];
  return { leader: hit.photo, ids: [...new Set(ids)] };
}

/** 'Show 1 similar shot', 'Show 3 similar shots' (the context menu item and the badge's accessible name). */
export function similarShotsLabel(count: number): string {
  return `Show ${plural(count, 'similar shot')}`;
}

/** The group view's title: 'IMG_0042.jpg and 2 similar shots'. */
export function groupTitle(group: DuplicateGroup): string {
  return `${group.leader.name} and ${plural(group.ids.length - 1, 'similar shot')}`;
}

export type GroupMember = { id: number; state: 'loading' } | { id: number; state: 'ready'; photo: PhotoDetails } | { id: number; state: 'error'; error: string };

/**
 * Fetches every member's details (photos.get), at most `concurrency` at a time, reporting each as it lands so the
 * view fills in progressively. A photo that left the library meanwhile is reported as an error, not thrown.
 */
export async function loadGroupMembers(
  ids: readonly number[],
  get: (id: number) => Promise<PhotoDetails>,
  onMember: (index: number, member: GroupMember) => void,
  concurrency = 6,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const index = next++;
      const id = ids[index]!;
      try {
        onMember(index, { id, state: 'ready', photo: await get(id) });
      } catch (error) {
        onMember(index, { id, state: 'error', error: memberError(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, ids.length)) }, worker));
}

function memberError(error: unknown): string {
  const raw = errorMessage(error);
  if (/no photo|not found|unknown photo/i.test(raw)) return 'This photo is no longer in the library.';
  return raw || 'This photo could not be loaded.';
}

/** Steps through a group in the viewer: the next position, or null at either end. */
export function stepInGroup(position: number, delta: number, size: number): number | null {
  const next = position + delta;
  return next >= 0 && next < size ? next : null;
}
