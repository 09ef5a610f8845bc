import { describe, expect, it } from 'vitest';
import type { PhotoSummary } from '../../shared/types';
import type { DuplicateGroup } from '../../renderer/src/lib/duplicate-group';
import { closing, isDialog, NO_OVERLAY, shownGroup, withoutViewer, withViewer, type Overlay } from '../../renderer/src/lib/overlay';

const leader = { id: 1, name: 'a.jpg' } as PhotoSummary;
const group: DuplicateGroup = { leader, ids: [1, 2, 3] };
const target = { index: 0, photoId: 1, describe: false };

describe('overlay', () => {
  it('opens the viewer over a group and comes back to it on close', () => {
    const open: Overlay = { kind: 'group', group };
    const viewer = withViewer(open, { ...target, group: group.ids });
    expect(viewer).toEqual({ kind: 'viewer', viewer: { ...target, group: group.ids }, behind: group });
    expect(shownGroup(viewer)).toBe(group);
    expect(withoutViewer(viewer)).toEqual({ kind: 'group', group });
  });

  it('keeps the group behind when the viewer moves to another photo', () => {
    const viewer = withViewer({ kind: 'group', group }, { ...target, group: group.ids });
    const moved = withViewer(viewer, { index: null, photoId: 9, describe: true });
    expect(moved).toEqual({ kind: 'viewer', viewer: { index: null, photoId: 9, describe: true }, behind: group });
  });

  it('replaces anything else: quick look, the menu, nothing', () => {
    for (const before of [NO_OVERLAY, { kind: 'quick-look', index: 3 }, { kind: 'menu', menu: { x: 1, y: 2, photo: leader, index: 0, duplicates: 0 } }] as Overlay[]) {
      const viewer = withViewer(before, target);
      expect(viewer).toEqual({ kind: 'viewer', viewer: target, behind: null });
      expect(withoutViewer(viewer)).toEqual(NO_OVERLAY);
    }
  });

  it('closes only what is open: a replaced dialog that reports closing late changes nothing', () => {
    const viewer = withViewer(NO_OVERLAY, target);
    expect(closing(viewer, 'quick-look')).toBe(viewer);
    expect(closing({ kind: 'quick-look', index: 1 }, 'quick-look')).toEqual(NO_OVERLAY);
    expect(closing({ kind: 'settings' }, 'settings')).toEqual(NO_OVERLAY);
    const groupOpen: Overlay = { kind: 'group', group };
    expect(withoutViewer(groupOpen)).toBe(groupOpen);
    expect(closing(groupOpen, 'group')).toEqual(NO_OVERLAY);
  });

  it('tells modal dialogs from the context menu', () => {
    expect(isDialog(NO_OVERLAY)).toBe(false);
    expect(isDialog({ kind: 'menu', menu: { x: 0, y: 0, photo: leader, index: null, duplicates: 0 } })).toBe(false);
    expect(isDialog({ kind: 'folders', showFailures: true })).toBe(true);
    expect(isDialog({ kind: 'settings' })).toBe(true);
    expect(isDialog({ kind: 'group', group })).toBe(true);
    expect(isDialog({ kind: 'quick-look', index: 0 })).toBe(true);
    expect(isDialog(withViewer(NO_OVERLAY, target))).toBe(true);
    expect(shownGroup(NO_OVERLAY)).toBeNull();
  });
});
