#!/usr/bin/env node
// The `shoebox` command: the engine under plain Node. The TypeScript sources are bundled by `npm run build:cli`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../out/cli/shoebox.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('shoebox: the command-line tool is not built yet; run `npm run build:cli` (or `npm run setup`)\n');
  process.exit(2);
}
await import(entry.href);
