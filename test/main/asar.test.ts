import { describe, expect, it } from 'vitest';
import { asarUnpackedPath } from '../../electron/main/asar';

describe('asar paths', () => {
  it("points SQLite at the unpacked copy of sqlite-vec's extension", () => {
    expect(asarUnpackedPath('/opt/Shoebox/resources/app.asar/node_modules/sqlite-vec-linux-x64/vec0.so', '/')).toBe(
      '/opt/Shoebox/resources/app.asar.unpacked/node_modules/sqlite-vec-linux-x64/vec0.so',
    );
    expect(asarUnpackedPath('C:\\Shoebox\\resources\\app.asar\\node_modules\\x\\vec0.dll', '\\')).toBe(
      'C:\\Shoebox\\resources\\app.asar.unpacked\\node_modules\\x\\vec0.dll',
    );
    const dev = '/work/main/node_modules/sqlite-vec-linux-x64/vec0.so';
    expect(asarUnpackedPath(dev, '/')).toBe(dev);
    const already = '/opt/Shoebox/resources/app.asar.unpacked/node_modules/x/vec0.so';
    expect(asarUnpackedPath(already, '/')).toBe(already);
  });
});
