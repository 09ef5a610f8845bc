import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../electron/engine/catalog/catalog';

let dir: string;
let catalog: Catalog;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'shoebox-labels-'));
  catalog = Catalog.open(path.join(dir, 'catalog.sqlite'));
});
afterEach(() => {
  catalog.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('LabelRepository', () => {
  it('lists labels alphabetically ignoring case, keeps the first spelling and removes ignoring case', () => {
    const labels = catalog.labels;
    expect(labels.list()).toEqual([]);
    labels.add('zebra', 1);
    labels.add('Apple', 2);
    labels.add('banana', 3);
    labels.add('APPLE', 4);
    expect(labels.list()).toEqual(['Apple', 'banana', 'zebra']);
    expect(catalog.db.prepare('SELECT added_at FROM labels WHERE text = ?').pluck().get('apple')).toBe(2);

    labels.remove('BANANA');
    expect(labels.list()).toEqual(['Apple', 'zebra']);
    labels.remove('not there');
    expect(labels.list()).toEqual(['Apple', 'zebra']);
  });

  it('keeps labels in the catalog file', () => {
    catalog.labels.add('Grandma', 1);
    catalog.close();
    catalog = Catalog.open(path.join(dir, 'catalog.sqlite'));
    expect(catalog.labels.list()).toEqual(['Grandma']);
  });
});
