#!/usr/bin/env node
// Bundles the engine's command-line entry point for plain Node. Dependencies stay external (native addons).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

await build({
  entryPoints: {
    shoebox: path.join(root, 'electron/engine/cli/entry.ts'),
    // The search index's worker threads run as modules of their own (see electron/engine/search/index/worker-module.ts).
    'index-build-worker': path.join(root, 'electron/engine/search/index/index-build-worker.ts'),
    'search-worker': path.join(root, 'electron/engine/search/index/search-worker.ts'),
  },
  outdir: path.join(root, 'out/cli'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})],
  alias: { '@shared': path.join(root, 'shared') },
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
