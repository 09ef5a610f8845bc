// The remembered window size and position (plain logic and small files; no `electron` import, tested under Node).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 860, maximized: false };
export const MIN_WINDOW_SIZE = { width: 640, height: 480 };
/** How much of the window (its top-left part, where the title bar is) must be on a screen to keep the position. */
const VISIBLE_MIN = 64;

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * A state that is safe to open a window with, from whatever the file held: sizes within the minimum and the largest
 * screen, and the position kept only if the title bar lands on a screen that is connected now (a window restored
 * onto an unplugged monitor would be invisible). Anything unreadable falls back to the defaults.
 */
export function sanitizeWindowState(raw: unknown, workAreas: readonly Rect[]): WindowState {
  const saved = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const largest = workAreas.reduce(
    (max, a) => ({ width: Math.max(max.width, a.width), height: Math.max(max.height, a.height) }),
    { width: 0, height: 0 },
  );
  const limit = (value: unknown, fallback: number, min: number, max: number) => {
    const wanted = finite(value) ? Math.round(value) : fallback;
    return Math.max(min, max > 0 ? Math.min(wanted, max) : wanted);
  };
  const state: WindowState = {
    width: limit(saved.width, DEFAULT_WINDOW_STATE.width, MIN_WINDOW_SIZE.width, largest.width),
    height: limit(saved.height, DEFAULT_WINDOW_STATE.height, MIN_WINDOW_SIZE.height, largest.height),
    maximized: saved.maximized === true,
  };
  if (finite(saved.x) && finite(saved.y)) {
    const x = Math.round(saved.x);
    const y = Math.round(saved.y);
    const titleBar: Rect = { x, y, width: Math.min(state.width, VISIBLE_MIN * 4), height: VISIBLE_MIN / 2 };
    const onScreen = workAreas.some(
      (a) =>
        Math.min(titleBar.x + titleBar.width, a.x + a.width) - Math.max(titleBar.x, a.x) >= VISIBLE_MIN &&
        Math.min(titleBar.y + titleBar.height, a.y + a.height) - Math.max(titleBar.y, a.y) > 0,
    );
    if (onScreen) Object.assign(state, { x, y });
  }
  return state;
}

export function loadWindowState(file: string, workAreas: readonly Rect[]): WindowState {
  let raw: unknown = null;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // Missing or corrupt: that only costs the remembered size.
  }
  return sanitizeWindowState(raw, workAreas);
}

/** Written whole or not at all (temporary file, then rename). Failing to save is not worth an error dialog. */
export function saveWindowState(file: string, state: WindowState): void {
  try {
    const temp = `${file}.tmp`;
    writeFileSync(temp, JSON.stringify(state));
    renameSync(temp, file);
  } catch {
    // A read-only or full disk: the next start uses the defaults.
  }
}
