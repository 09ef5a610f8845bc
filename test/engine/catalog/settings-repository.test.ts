import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../electron/engine/catalog/catalog';

let dir: string;
let catalog: Catalog;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'shoebox-settings-repo-'));
  catalog = Catalog.open(path.join(dir, 'catalog.sqlite'));
});
afterEach(() => {
  catalog.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SettingsRepository', () => {
  it('stores values as JSON by key and replaces them', () => {
    expect(catalog.settings.readAll()).toEqual({});
    catalog.settings.write({ threshold: 0.25, textFusion: false, model: 'clip-vit-b32' });
    catalog.settings.write({ threshold: 0.3 });
    expect(catalog.settings.readAll()).toEqual({ threshold: 0.3, textFusion: false, model: 'clip-vit-b32' });
    expect(catalog.db.prepare("SELECT value FROM settings WHERE key = 'model'").pluck().get()).toBe('"clip-vit-b32"');
  });

  it('leaves out a value that is not valid JSON', () => {
    catalog.settings.write({ threshold: 0.25, diversify: true });
    catalog.db.prepare("UPDATE settings SET value = '{not json' WHERE key = 'threshold'").run();
    expect(catalog.settings.readAll()).toEqual({ diversify: true });
  });

  it('keeps values in the catalog file', () => {
    catalog.settings.write({ groupDuplicates: false });
    catalog.close();
    catalog = Catalog.open(path.join(dir, 'catalog.sqlite'));
    expect(catalog.settings.readAll()).toEqual({ groupDuplicates: false });
  });
});
