import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_STATE, sanitizeWindowState } from '../../electron/main/window-state';

describe('remembered window state', () => {
  const screens = [{ x: 0, y: 0, width: 1920, height: 1050 }];

  it('keeps a sane state and drops what would put the window off every screen', () => {
    expect(sanitizeWindowState({ x: 100, y: 80, width: 1000, height: 700, maximized: true }, screens)).toEqual({
      x: 100,
      y: 80,
      width: 1000,
      height: 700,
      maximized: true,
    });
    // The monitor it was on is unplugged: same size, placed by the system.
    expect(sanitizeWindowState({ x: 2500, y: 100, width: 1000, height: 700, maximized: false }, screens)).toEqual({
      width: 1000,
      height: 700,
      maximized: false,
    });
    expect(sanitizeWindowState({ x: 10, y: 10, width: 99_999, height: 5, maximized: 'yes' }, screens)).toEqual({
      x: 10,
      y: 10,
      width: 1920,
      height: 480,
      maximized: false,
    });
    expect(sanitizeWindowState('garbage', screens)).toEqual(DEFAULT_WINDOW_STATE);
    expect(sanitizeWindowState({ x: Number.NaN, y: 0, width: null }, screens)).toEqual(DEFAULT_WINDOW_STATE);
  });
});
