import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Settings } from '@shared/types';
import { Catalog } from '../../../electron/engine/catalog/catalog';
import { DEFAULT_THRESHOLD, SettingsService, defaultSettings, type StoredSettings } from '../../../electron/engine/settings/settings-service';

let dir: string;
let file: string;
let catalog: Catalog;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'shoebox-settings-'));
  file = path.join(dir, 'catalog.sqlite');
  catalog = Catalog.open(file);
});
afterEach(() => {
  catalog.close();
  rmSync(dir, { recursive: true, force: true });
});

const DEFAULTS: Settings = defaultSettings({ provider: 'auto', threads: 0, model: 'clip-vit-b32' });

describe('defaultSettings', () => {
  it('starts with no threshold floor, text fusion and duplicate grouping on, variety off, and the runtime given', () => {
    expect(DEFAULTS).toEqual({
      threshold: DEFAULT_THRESHOLD,
      textFusion: true,
      diversify: false,
      groupDuplicates: true,
      provider: 'auto',
      threads: 0,
      model: 'clip-vit-b32',
    });
  });
});

describe('SettingsService', () => {
  it('uses the defaults where nothing is stored', () => {
    const service = new SettingsService(catalog.settings, DEFAULTS);
    expect(service.get()).toEqual(DEFAULTS);
    expect(SettingsService.stored(catalog.settings)).toEqual({});
  });

  it('stores an update in the catalog, so the next start sees it over its defaults', () => {
    const service = new SettingsService(catalog.settings, DEFAULTS);
    expect(service.update({ threshold: 0.25, diversify: true, provider: 'cpu' })).toEqual({
      ...DEFAULTS,
      threshold: 0.25,
      diversify: true,
      provider: 'cpu',
    });
    catalog.close();
    catalog = Catalog.open(file);
    expect(SettingsService.stored(catalog.settings)).toEqual({ threshold: 0.25, diversify: true, provider: 'cpu' });
    const next = new SettingsService(catalog.settings, { ...DEFAULTS, model: 'another-model' });
    expect(next.get()).toEqual({ ...DEFAULTS, model: 'another-model', threshold: 0.25, diversify: true, provider: 'cpu' });
  });

  it('keeps only known settings with values of the right type, in updates and in the file', () => {
    const service = new SettingsService(catalog.settings, DEFAULTS);
    const patch = { threshold: 2, textFusion: 'yes', threads: 1.5, model: '', provider: 'gpu', colour: 'red', groupDuplicates: false };
    expect(service.update(patch as unknown as StoredSettings)).toEqual({ ...DEFAULTS, groupDuplicates: false });
    expect(SettingsService.stored(catalog.settings)).toEqual({ groupDuplicates: false });

    // A hand-edited or damaged file: wrong types and broken JSON fall back to the defaults.
    catalog.settings.write({ threads: -1, colour: 'red' });
    catalog.db.prepare("INSERT INTO settings (key, value) VALUES ('threshold', '{broken')").run();
    expect(SettingsService.stored(catalog.settings)).toEqual({ groupDuplicates: false });
    expect(new SettingsService(catalog.settings, DEFAULTS).get()).toEqual({ ...DEFAULTS, groupDuplicates: false });
  });

  it('get() returns a copy', () => {
    const service = new SettingsService(catalog.settings, DEFAULTS);
    const settings = service.get();
    settings.threshold = 0.9;
    expect(service.get().threshold).toBe(DEFAULT_THRESHOLD);
  });
});
