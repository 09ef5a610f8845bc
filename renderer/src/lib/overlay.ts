import type { PhotoSummary } from '@shared/types';
import type { DuplicateGroup } from './duplicate-group';

/**
 * What is open over the results. One thing at a time, with one exception: a viewer opened from a near-duplicate
 * group keeps that group open behind it, so closing the viewer comes back to the group.
 */

export interface ViewerTarget {
  /** Position in the results (or in `group`), or null for a photo opened from elsewhere (the similar strip). */
  index: number | null;
  photoId: number | null;
  /** Scroll to the Describe panel first. */
  describe: boolean;
  /** The photo ids of a near-duplicate group to step through instead of the results. */
  group?: number[];
}

export interface MenuTarget {
  x: number;
  y: number;
  photo: PhotoSummary;
  index: number | null;
  /** Near-duplicates grouped behind the result (the menu then offers "Show N similar shots"). */
  duplicates: number;
}

export type Overlay =
  | { kind: 'none' }
  | { kind: 'menu'; menu: MenuTarget }
  | { kind: 'quick-look'; index: number }
  | { kind: 'group'; group: DuplicateGroup }
  | { kind: 'viewer'; viewer: ViewerTarget; behind: DuplicateGroup | null }
  | { kind: 'folders'; showFailures: boolean }
  | { kind: 'settings' };

export type OverlayKind = Overlay['kind'];

export const NO_OVERLAY: Overlay = { kind: 'none' };

/** The near-duplicate group on screen: the open group, or the one behind the viewer. */
export function shownGroup(overlay: Overlay): DuplicateGroup | null {
  if (overlay.kind === 'group') return overlay.group;
  if (overlay.kind === 'viewer') return overlay.behind;
  return null;
}

/** Opens (or moves) the viewer; a group on screen stays behind it. */
export function withViewer(overlay: Overlay, viewer: ViewerTarget): Overlay {
  return { kind: 'viewer', viewer, behind: shownGroup(overlay) };
}

/** Closes the viewer, back to the group it was opened from if any. Anything else open is left alone. */
export function withoutViewer(overlay: Overlay): Overlay {
  if (overlay.kind !== 'viewer') return overlay;
  return overlay.behind ? { kind: 'group', group: overlay.behind } : NO_OVERLAY;
}

/**
 * Closes `kind` if it is what is open. Dialogs also report closing after they were replaced (the native close
 * event of a dialog taken away), which must not close what replaced them.
 */
export function closing(overlay: Overlay, kind: Exclude<OverlayKind, 'none' | 'viewer'>): Overlay {
  return overlay.kind === kind ? NO_OVERLAY : overlay;
}

/** A modal dialog is open: the page behind takes no shortcuts, drops or pastes. The context menu is not modal. */
export function isDialog(overlay: Overlay): boolean {
  return overlay.kind !== 'none' && overlay.kind !== 'menu';
}
