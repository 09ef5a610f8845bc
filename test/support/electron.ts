import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './shared-data';

/** The Electron binary that electron's install script downloads, or null with the reason it is absent. */
export function electronBinary(): { path: string } | { path: null; reason: string } {
  const dir = path.join(repoRoot, 'node_modules', 'electron');
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) {
    return { path: null, reason: "Electron's binary is not installed (its download host is unreachable here; npm run setup reports this)" };
  }
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary } : { path: null, reason: `Electron's binary is missing at ${binary}` };
}
