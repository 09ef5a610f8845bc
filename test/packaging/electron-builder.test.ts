import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/shared-data';

describe('packaging', () => {
  const appRequire = createRequire(path.join(repoRoot, 'package.json'));
  const builderRequire = createRequire(appRequire.resolve('app-builder-lib/package.json'));
  const loadConfig = async () => {
    const yaml = builderRequire('js-yaml') as { load(text: string): unknown };
    return yaml.load(await readFile(path.join(repoRoot, 'electron-builder.yml'), 'utf8')) as { asarUnpack: string[] } & Record<string, unknown>;
  };

  it("electron-builder.yml passes electron-builder's own schema validation", async () => {
    const { validateConfiguration } = builderRequire('./out/util/config/config') as {
      validateConfiguration(config: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = builderRequire('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(await loadConfig(), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('unpacks every native part from the asar archive', async () => {
    const { asarUnpack } = await loadConfig();
    const globToRegExp = (glob: string) =>
      new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\0').replace(/\*/g, '[^/]*').replace(/\0/g, '.*')}$`);
    const unpacked = (file: string) => asarUnpack.some((glob) => globToRegExp(glob).test(file));
    const vecPackage = `sqlite-vec-${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
    for (const file of [
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      `node_modules/${vecPackage}/vec0.so`,
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      'node_modules/sharp/lib/index.js',
      'node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node',
      'node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8.17.3',
    ]) {
      expect(unpacked(file), file).toBe(true);
    }
    expect(unpacked('out/main/index.js')).toBe(false);
  });

});
