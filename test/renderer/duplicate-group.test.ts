import { describe, expect, it } from 'vitest';
import type { PhotoDetails, PhotoSummary } from '../../shared/types';
import { groupOf, groupTitle, loadGroupMembers, similarShotsLabel, stepInGroup, type GroupMember } from '../../renderer/src/lib/duplicate-group';
import { isPhotoAction, photoMenuItems } from '../../renderer/src/lib/menu';

function summary(id: number, name = `IMG_${id}.jpg`): PhotoSummary {
  return { id, folderId: 1, path: `/photos/${name}`, name, width: 320, height: 240, takenAt: null, format: 'jpeg', mtimeMs: 0 };
}

function details(id: number): PhotoDetails {
  return {
    ...summary(id),
    size: 1000,
    cameraMake: null,
    cameraModel: null,
    gpsLat: null,
    gpsLon: null,
    description: null,
    keywords: null,
    note: null,
    state: 'indexed',
    failureReason: null,
  };
}

describe('near-duplicate groups', () => {
  it('a result with duplicates is a group led by it; one without is none', () => {
    expect(groupOf({ photo: summary(5), duplicateIds: [9, 7] })).toEqual({ leader: summary(5), ids: [5, 9, 7] });
    expect(groupOf({ photo: summary(5), duplicateIds: [5, 9, 9] })!.ids).toEqual([5, 9]);
    expect(groupOf({ photo: summary(5), duplicateIds: [] })).toBeNull();
    expect(groupOf(null)).toBeNull();
    expect(groupOf(undefined)).toBeNull();
  });

  it('names the group and its menu item in plain words', () => {
    expect(similarShotsLabel(1)).toBe('Show 1 similar shot');
    expect(similarShotsLabel(3)).toBe('Show 3 similar shots');
    expect(groupTitle({ leader: summary(5, 'beach.jpg'), ids: [5, 6] })).toBe('beach.jpg and 1 similar shot');
    expect(groupTitle({ leader: summary(5, 'beach.jpg'), ids: [5, 6, 7] })).toBe('beach.jpg and 2 similar shots');
  });

  it('steps through a group and stops at its ends', () => {
    expect(stepInGroup(0, 1, 3)).toBe(1);
    expect(stepInGroup(2, 1, 3)).toBeNull();
    expect(stepInGroup(0, -1, 3)).toBeNull();
    expect(stepInGroup(2, -1, 3)).toBe(1);
  });

  it('loads every member at most `concurrency` at a time; a missing photo is an error, not a throw', async () => {
    let running = 0;
    let most = 0;
    const get = async (id: number): Promise<PhotoDetails> => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
      if (id === 3) throw new Error('no photo with id 3');
      return details(id);
    };
    const members: GroupMember[] = [];
    await loadGroupMembers([1, 2, 3, 4, 5], get, (index, member) => (members[index] = member), 2);
    expect(most).toBe(2);
    expect(members.map((m) => m.state)).toEqual(['ready', 'ready', 'error', 'ready', 'ready']);
    expect(members[2]).toEqual({ id: 3, state: 'error', error: 'This photo is no longer in the library.' });
    expect(members[4]).toEqual({ id: 5, state: 'ready', photo: details(5) });
    await loadGroupMembers([], get, () => expect.fail('no members'));
  });

  it('the grid menu offers the group only for a result with duplicates', () => {
    const labels = (duplicates?: number) => photoMenuItems({ desktop: false, duplicates }).map((i) => i.label);
    expect(labels()).toEqual(['Find similar', 'Describe', 'Search with this photo + text', 'Copy path']);
    expect(labels(0)).toEqual(labels());
    expect(labels(2)).toEqual(['Find similar', 'Describe', 'Search with this photo + text', 'Show 2 similar shots', 'Copy path']);
    expect(photoMenuItems({ desktop: true, duplicates: 1 }).map((i) => i.id)).toEqual(['similar', 'describe', 'compose', 'group', 'open', 'reveal', 'copy']);
    expect(isPhotoAction('group')).toBe(true);
  });
});
