import { similarShotsLabel } from './duplicate-group';

/** The photo context menu's items: what appears depends on where the app runs and on the photo's result. */
export interface MenuItem {
  id: string;
  label: string;
  /** Shown after the label, e.g. a shortcut hint. */
  hint?: string;
  separatorBefore?: boolean;
}

export type PhotoAction = 'similar' | 'describe' | 'compose' | 'group' | 'open' | 'reveal' | 'copy';

/**
 * Open and Show in folder need the desktop shell (web mode answers "only available in the desktop app"), so they
 * are left out in the browser rather than offered and refused. "Show N similar shots" appears only for a result
 * that has near-duplicates grouped behind it (`duplicates` > 0).
 */
export function photoMenuItems(options: { desktop: boolean; duplicates?: number }): (MenuItem & { id: PhotoAction })[] {
  const items: (MenuItem & { id: PhotoAction })[] = [
    { id: 'similar', label: 'Find similar' },
    { id: 'describe', label: 'Describe' },
    { id: 'compose', label: 'Search with this photo + text' },
  ];
  const duplicates = options.duplicates ?? 0;
  if (duplicates > 0) items.push({ id: 'group', label: similarShotsLabel(duplicates) });
  if (options.desktop) {
    items.push({ id: 'open', label: 'Open', separatorBefore: true });
    items.push({ id: 'reveal', label: 'Show in folder' });
  }
  items.push({ id: 'copy', label: 'Copy path', separatorBefore: !options.desktop });
  return items;
}

export function isPhotoAction(id: string): id is PhotoAction {
  return ['similar', 'describe', 'compose', 'group', 'open', 'reveal', 'copy'].includes(id);
}
