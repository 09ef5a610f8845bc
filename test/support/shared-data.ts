import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in test/support). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `../shared` beside the checkout: test data nobody on the team wrote (see DEVELOPERS.md). */
export const sharedRoot = path.resolve(repoRoot, '..', 'shared');

/** Absolute path of a file or folder under `../shared`. */
export function sharedPath(...parts: string[]): string {
  return path.join(sharedRoot, ...parts);
}

/**
 * Whether the given `../shared` paths exist. Under CI (CI=true) a missing path throws, so a suite can never
 * pass by silently skipping; elsewhere it returns false and prints why, and the caller skips
 * (`describe.skipIf(!hasShared(...))`).
 */
export function hasShared(...relativePaths: string[]): boolean {
  const missing = relativePaths.filter((p) => !existsSync(sharedPath(p)));
  if (missing.length === 0) return true;
  const message = `../shared test data missing: ${missing.join(', ')} (expected under ${sharedRoot})`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`skipping: ${message}`);
  return false;
}

/** The toy CLIP model (understands colours only); see ../shared/models/toy-color-clip/README.md. */
export const TOY_MODEL_DIR = sharedPath('models', 'toy-color-clip');
