import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../electron/engine/catalog/catalog';

let dir: string;
let catalog: Catalog;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'shoebox-query-history-'));
  catalog = Catalog.open(path.join(dir, 'catalog.sqlite'));
});
afterEach(() => {
  catalog.close();
  rmSync(dir, { recursive: true, force: true });
});

const METHOD = 'typed-v1';

function uses(): Array<{ text: string; uses: number; last_used_at: number }> {
  return catalog.db.prepare('SELECT text, uses, last_used_at FROM query_history ORDER BY text').all() as Array<{
    text: string;
    uses: number;
    last_used_at: number;
  }>;
}

describe('QueryHistoryRepository', () => {
  it('counts uses of a query (matched ignoring case) and lists the most recently used first', () => {
    const history = catalog.queryHistory;
    history.record('beach', 10, 100, METHOD);
    history.record('dog', 20, 100, METHOD);
    history.record('Beach', 30, 100, METHOD);
    expect(uses()).toEqual([
      { text: 'beach', uses: 2, last_used_at: 30 },
      { text: 'dog', uses: 1, last_used_at: 20 },
    ]);
    expect(history.recent(10)).toEqual(['beach', 'dog']);
    expect(history.recent(1)).toEqual(['beach']);
  });

  it('ties on time go to the newer row', () => {
    catalog.queryHistory.record('first', 5, 100, METHOD);
    catalog.queryHistory.record('second', 5, 100, METHOD);
    expect(catalog.queryHistory.recent(10)).toEqual(['second', 'first']);
  });

  it('keeps only the newest and deletes the text vectors of the queries that fell out, for every model', () => {
    const history = catalog.queryHistory;
    const vector = new Float32Array([1, 0]);
    for (const [i, text] of ['a', 'b', 'c'].entries()) {
      history.record(text, i, 3, METHOD);
      catalog.textVectors.putMany('model-1', METHOD, [{ text, vector }]);
      catalog.textVectors.putMany('model-2', METHOD, [{ text, vector }]);
    }
    // A label's vector under another method shares the text but is not a query's.
    catalog.textVectors.putMany('model-1', 'ensemble', [{ text: 'a', vector }]);

    history.record('d', 10, 3, METHOD);
    expect(history.recent(10)).toEqual(['d', 'c', 'b']);
    expect(catalog.textVectors.get('model-1', METHOD, 'a')).toBeUndefined();
    expect(catalog.textVectors.get('model-2', METHOD, 'a')).toBeUndefined();
    expect(catalog.textVectors.get('model-1', METHOD, 'b')).toBeDefined();
    expect(catalog.textVectors.get('model-1', 'ensemble', 'a')).toBeDefined();
  });
});
