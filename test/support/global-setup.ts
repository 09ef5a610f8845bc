import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './shared-data';

/**
 * The CLI tests run the real bundled `shoebox` executable: bundle it once before any test (well under 1 s).
 * A failed bundle removes the old one, so the CLI tests fail with a clear reason instead of testing stale code,
 * while every other suite still runs.
 */
export default function setup(): void {
  try {
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-cli.mjs')], { stdio: 'pipe' });
  } catch (error) {
    rmSync(path.join(repoRoot, 'out', 'cli'), { recursive: true, force: true });
    const output = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    console.warn(`global setup: bundling the CLI failed; the CLI tests will fail.\n${output.slice(0, 2000)}`);
  }
}
