import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './shared-data';

/** The CLI tests run the real bundled `shoebox` executable: bundle it once before any test (takes well under 1 s). */
export default function setup(): void {
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-cli.mjs')], { stdio: 'inherit' });
}
