import { describe, expect, it } from 'vitest';
import { isPhotoAction, photoMenuItems } from '../../renderer/src/lib/menu';

describe('context menu items', () => {
  it('leaves out Open and Show in folder outside the desktop app', () => {
    expect(photoMenuItems({ desktop: false }).map((i) => i.label)).toEqual(['Find similar', 'Describe', 'Search with this photo + text', 'Copy path']);
    expect(photoMenuItems({ desktop: true }).map((i) => i.id)).toEqual(['similar', 'describe', 'compose', 'open', 'reveal', 'copy']);
    expect(isPhotoAction('copy')).toBe(true);
    expect(isPhotoAction('delete')).toBe(false);
  });
});
