import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared-data';

/** Lints a made-up module as if it lived at `file` in the repository, with the project's own configuration. */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repoRoot });
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'boundaries/import-boundaries').map((m) => m.message);
}

describe('import boundaries (lint)', () => {
  it.each([
    ['shared/probe.ts', "import { x } from '../electron/engine/rpc';", /shared may not import/],
    ['shared/probe.ts', "import fs from 'node:fs';", /shared may not import the package 'node:fs'/],
    ['renderer/src/lib/probe.ts', "import { x } from '../../../electron/engine/rpc';", /renderer may not import/],
    ['renderer/src/lib/probe.ts', "import { ipcRenderer } from 'electron';", /renderer may not import the package 'electron'/],
    ['electron/main/probe.ts', "import { startEngine } from '../engine/start-engine';", /electron\/main may not import/],
    ['electron/main/probe.ts', "import Database from 'better-sqlite3';", /electron\/main may not import the package/],
    ['electron/engine/search/probe.ts', "import { app } from 'electron';", /plain Node/],
    ['electron/engine/probe.ts', "import { x } from '../main/ipc';", /engine may not import/],
    ['electron/preload/probe.ts', "import { x } from '../engine/rpc';", /preload may not import/],
    ['electron/engine/media/probe.ts', "import { x } from '../clip/preprocess';", /engine\/media may not import/],
    ['electron/engine/catalog/probe.ts', "import { x } from '../search/search-service';", /engine\/catalog may not import/],
    ['electron/engine/math/probe.ts', "import { x } from '../catalog/catalog';", /engine\/math may not import/],
  ])('%s: refuses %s', async (file, code, message) => {
    const errors = await boundaryErrors(file, `${code}\nexport const y = 1;\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it.each([
    ['shared/probe.ts', "import { LIMITS } from './limits';"],
    ['renderer/src/lib/probe.ts', "import { LIMITS } from '@shared/limits';\nimport { tick } from 'svelte';"],
    ['electron/main/probe.ts', "import { startEngine } from '../engine/host';\nimport { LIMITS } from '@shared/limits';\nimport path from 'node:path';"],
    ['electron/engine/probe.ts', "import sharp from 'sharp';\nimport { LIMITS } from '@shared/limits';\nimport { x } from './rpc';"],
  ])('%s: allows %s', async (file, code) => {
    expect(await boundaryErrors(file, `${code}\nexport const y = 1;\n`)).toEqual([]);
  });
});
