import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { Catalog } from '../../electron/engine/catalog/catalog';

export interface TempCatalog {
  dir: string;
  catalog: Catalog;
}

/**
 * A real catalog file in a fresh temporary folder for each test of the calling file, closed and removed after it.
 * `setUp` runs once the catalog is open (folders, models a file's tests need).
 */
export function useTempCatalog(prefix: string, setUp?: (temp: TempCatalog) => void): TempCatalog {
  const temp = {} as TempCatalog;
  beforeEach(() => {
    temp.dir = mkdtempSync(path.join(tmpdir(), prefix));
    temp.catalog = Catalog.open(path.join(temp.dir, 'catalog.sqlite'));
    setUp?.(temp);
  });
  afterEach(() => {
    temp.catalog.close();
    rmSync(temp.dir, { recursive: true, force: true });
  });
  return temp;
}
