#!/usr/bin/env node
// Runs the install scripts of the dependencies that have one (npm itself skips them: see .npmrc).
// Required steps fail the setup; optional downloads print why they are unavailable and what that means.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
  const result = spawnSync(step.command, { cwd: dir, shell: true, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
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
process.exit(failed ? 1 : 0);
