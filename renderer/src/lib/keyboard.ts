/** Keyboard behaviour of the grid and menus as pure functions: key in, new position out. */

export type GridKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End' | 'PageUp' | 'PageDown';

const GRID_KEYS = new Set<string>(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);

export function isGridKey(key: string): key is GridKey {
  return GRID_KEYS.has(key);
}

/**
 * The selection after a navigation key in a grid of `total` items laid out in `columns` columns. With nothing
 * selected, any key selects the first item. Up/Down keep the column and stop at the edges; Left/Right flow across
 * rows; Home/End go to the first/last item (with ctrl: same; without, the row's ends would surprise in a photo grid).
 */
export function moveInGrid(current: number | null, key: GridKey, columns: number, total: number, pageRows = 1): number | null {
  if (total <= 0) return null;
  const cols = Math.max(1, columns);
  const last = total - 1;
  if (current === null || current < 0 || current > last) return key === 'End' ? last : 0;
  switch (key) {
    case 'ArrowLeft':
      return Math.max(0, current - 1);
    case 'ArrowRight':
      return Math.min(last, current + 1);
    case 'ArrowUp':
      return current - cols >= 0 ? current - cols : current;
    case 'ArrowDown': {
      if (current + cols <= last) return current + cols;
      // A shorter last row: Down from above its end lands on the last item.
      return Math.floor(current / cols) < Math.floor(last / cols) ? last : current;
    }
    case 'PageUp':
      return Math.max(current % cols, current - cols * Math.max(1, pageRows));
    case 'PageDown': {
      const target = current + cols * Math.max(1, pageRows);
      return target <= last ? target : last;
    }
    case 'Home':
      return 0;
    case 'End':
      return last;
  }
}

/** Roving focus in a vertical menu: wraps around; Home/End jump. Returns the same index for other keys. */
export function moveInMenu(current: number, key: string, count: number): number {
  if (count <= 0) return -1;
  switch (key) {
    case 'ArrowDown':
      return (current + 1 + count) % count;
    case 'ArrowUp':
      return (current - 1 + count * 2) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return current;
  }
}

/** A menu's type-ahead: the next item after `current` whose label starts with the typed character. */
export function typeAhead(labels: readonly string[], current: number, char: string): number {
  const needle = char.toLowerCase();
  if (!needle || labels.length === 0) return current;
  for (let step = 1; step <= labels.length; step++) {
    const index = (current + step) % labels.length;
    if (labels[index]!.toLowerCase().startsWith(needle)) return index;
  }
  return current;
}

/** Whether a keyboard event comes from a place where typing means text (so '/' and Space are not shortcuts). */
export function isTextEntry(target: { tagName?: string; isContentEditable?: boolean; type?: string } | null): boolean {
  if (!target?.tagName) return false;
  const tag = target.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || target.isContentEditable) return true;
  if (tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target.type ?? 'text').toLowerCase();
  return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'file', 'color', 'image'].includes(type);
}
