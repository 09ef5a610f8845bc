import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Catalog } from '../../../electron/engine/catalog/catalog';
import { useTempCatalog } from '../../support/temp-catalog';

const temp = useTempCatalog('shoebox-labels-');

describe('LabelRepository', () => {
  it('lists labels alphabetically ignoring case, keeps the first spelling and removes ignoring case', () => {
    const labels = temp.catalog.labels;
    expect(labels.list()).toEqual([]);
    labels.add('zebra', 1);
    labels.add('Apple', 2);
    labels.add('banana', 3);
    labels.add('APPLE', 4);
    expect(labels.list()).toEqual(['Apple', 'banana', 'zebra']);
    expect(temp.catalog.db.prepare('SELECT added_at FROM labels WHERE text = ?').pluck().get('apple')).toBe(2);

    labels.remove('BANANA');
    expect(labels.list()).toEqual(['Apple', 'zebra']);
    labels.remove('not there');
    expect(labels.list()).toEqual(['Apple', 'zebra']);
  });

  it('keeps labels in the catalog file', () => {
    temp.catalog.labels.add('Grandma', 1);
    temp.catalog.close();
    temp.catalog = Catalog.open(path.join(temp.dir, 'catalog.sqlite'));
    expect(temp.catalog.labels.list()).toEqual(['Grandma']);
  });
});
