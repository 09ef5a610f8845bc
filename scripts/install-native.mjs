#!/usr/bin/env node
// Runs the install scripts of the dependencies that have one (npm itself skips them: see .npmrc).
// Required steps fail the setup; optional downloads print why they are unavailable and what that means.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** @type {{ pkg: string, command: string, required: boolean, consequence?: string }[]} */
const steps = [
  { pkg: 'esbuild', command: 'node install.js', required: true },
  // prebuild-install fetches a prebuilt binary; offline it fails fast and we compile from source.
  { pkg: 'better-sqlite3', command: 'npx --no prebuild-install || npx --no node-gyp rebuild --release', required: true },
  {
    pkg: 'onnxruntime-node',
    command: 'node ./script/install',
    required: false,
    consequence: 'CUDA execution provider libraries are not installed: inference runs on the CPU. See README "GPU (CUDA)".',
  },
  {
    pkg: 'electron',
    command: 'node install.js',
    required: false,
    consequence: 'the Electron binary is not installed: the desktop app cannot start; `npm start` serves the web mode instead.',
  },
];

function packageDir(pkg) {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`, { paths: [root] }));
  } catch {
    return null;
  }
}

/**
 * better-sqlite3 is compiled against Node's ABI for the CLI and tests; Electron's (the utility process that hosts the
 * engine) differs. When Electron's binary is installed, a second copy is built for it under .native/electron, which
 * the desktop app passes to better-sqlite3 as `nativeBinding`. Packaged apps get theirs from electron-builder.
 */
function buildSqliteForElectron() {
  const electronDir = packageDir('electron');
  const sqliteDir = packageDir('better-sqlite3');
  if (!electronDir || !sqliteDir || !existsSync(path.join(electronDir, 'path.txt'))) return;
  const electronVersion = require(path.join(electronDir, 'package.json')).version;
  const target = path.join(root, '.native', 'electron');
  if (existsSync(path.join(target, 'better_sqlite3.node'))) return;
  const work = path.join(root, '.native', 'better-sqlite3-src');
  rmSync(work, { recursive: true, force: true });
  cpSync(sqliteDir, work, { recursive: true, filter: (src) => !src.includes(`${path.sep}build${path.sep}`) });
  const result = spawnSync(
    `npx --no node-gyp rebuild --release --runtime=electron --target=${electronVersion} --dist-url=https://electronjs.org/headers`,
    { cwd: work, shell: true, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  );
  if (result.status === 0) {
    mkdirSync(target, { recursive: true });
    cpSync(path.join(work, 'build', 'Release', 'better_sqlite3.node'), path.join(target, 'better_sqlite3.node'));
    rmSync(work, { recursive: true, force: true });
    console.log(`setup: better-sqlite3 for Electron ${electronVersion} ok`);
  } else {
    console.warn(`setup: better-sqlite3 for Electron skipped (${(result.stderr ?? '').trim().split('\n').at(-1)})\n       -> the desktop app cannot open its catalog until this step succeeds; web mode is unaffected.`);
  }
}

let failed = false;
for (const step of steps) {
  const dir = packageDir(step.pkg);
  if (!dir || !existsSync(dir)) {
    if (step.required) {
      console.error(`setup: ${step.pkg} is not installed (run npm ci first)`);
      failed = true;
    }
    continue;
  }
  const started = Date.now();
  // The environment npm gives a dependency's own install script: run from `npm run setup`, npm_package_json would
  // otherwise name our package.json, and onnxruntime-node would take that for a local dev install and skip CUDA.
  const env = { ...process.env, npm_package_json: path.join(dir, 'package.json'), npm_config_local_prefix: root };
  const result = spawnSync(step.command, { cwd: dir, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status === 0) {
    console.log(`setup: ${step.pkg} ok (${seconds}s)`);
    continue;
  }
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  const reason =
    output
      .split('\n')
      .map((line) => line.trim())
      .find((line) => /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|Error:/.test(line)) ?? `exit code ${result.status}`;
  if (step.required) {
    console.error(`setup: ${step.pkg} FAILED (${seconds}s): ${reason}\n${output.slice(-4000)}`);
    failed = true;
  } else {
    console.warn(`setup: ${step.pkg} skipped: ${reason}\n       -> ${step.consequence}`);
  }
}
if (!failed) buildSqliteForElectron();
process.exit(failed ? 1 : 0);
