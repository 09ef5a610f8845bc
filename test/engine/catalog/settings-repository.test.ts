import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Catalog } from '../../../electron/engine/catalog/catalog';
import { useTempCatalog } from '../../support/temp-catalog';

const temp = useTempCatalog('shoebox-settings-repo-');

describe('SettingsRepository', () => {
  it('stores values as JSON by key and replaces them', () => {
    expect(temp.catalog.settings.readAll()).toEqual({});
    temp.catalog.settings.write({ threshold: 0.25, textFusion: false, model: 'clip-vit-b32' });
    temp.catalog.settings.write({ threshold: 0.3 });
    expect(temp.catalog.settings.readAll()).toEqual({ threshold: 0.3, textFusion: false, model: 'clip-vit-b32' });
    expect(temp.catalog.db.prepare("SELECT value FROM settings WHERE key = 'model'").pluck().get()).toBe('"clip-vit-b32"');
  });

  it('leaves out a value that is not valid JSON', () => {
    temp.catalog.settings.write({ threshold: 0.25, diversify: true });
    temp.catalog.db.prepare("UPDATE settings SET value = '{not json' WHERE key = 'threshold'").run();
    expect(temp.catalog.settings.readAll()).toEqual({ diversify: true });
  });

  it('keeps values in the catalog file', () => {
    temp.catalog.settings.write({ groupDuplicates: false });
    temp.catalog.close();
    temp.catalog = Catalog.open(path.join(temp.dir, 'catalog.sqlite'));
    expect(temp.catalog.settings.readAll()).toEqual({ groupDuplicates: false });
  });
});
