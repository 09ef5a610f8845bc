import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/**
 * The folder that holds Shoebox's `package.json` and bundled `models/` data. Found by walking up from this module,
 * which works from the TypeScript sources (tests), the bundled CLI (`out/cli`) and Electron's `out/main`.
 * A packaged app, whose layout differs, sets SHOEBOX_APP_ROOT.
 */
export function appRoot(): string {
  if (cachedRoot) return cachedRoot;
  const fromEnv = process.env.SHOEBOX_APP_ROOT;
  if (fromEnv) return (cachedRoot = path.resolve(fromEnv));
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name: unknown = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
      if (name === 'shoebox') return (cachedRoot = dir);
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot locate the Shoebox application folder (set SHOEBOX_APP_ROOT)');
    dir = parent;
  }
}

/** A path inside the bundled `models/` folder (model manifest, tokenizer vocabulary). */
export function bundledModelsPath(...parts: string[]): string {
  return path.join(appRoot(), 'models', ...parts);
}
