import { describe, expect, it } from 'vitest';
import { useTempCatalog } from '../../support/temp-catalog';

const temp = useTempCatalog('shoebox-query-history-');

const METHOD = 'typed-v1';

function uses(): Array<{ text: string; uses: number; last_used_at: number }> {
  return temp.catalog.db.prepare('SELECT text, uses, last_used_at FROM query_history ORDER BY text').all() as Array<{
    text: string;
    uses: number;
    last_used_at: number;
  }>;
}

describe('QueryHistoryRepository', () => {
  it('counts uses of a query (matched ignoring case) and lists the most recently used first', () => {
    const history = temp.catalog.queryHistory;
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
    temp.catalog.queryHistory.record('first', 5, 100, METHOD);
    temp.catalog.queryHistory.record('second', 5, 100, METHOD);
    expect(temp.catalog.queryHistory.recent(10)).toEqual(['second', 'first']);
  });

  it('keeps only the newest and deletes the text vectors of the queries that fell out, for every model', () => {
    const history = temp.catalog.queryHistory;
    const vector = new Float32Array([1, 0]);
    for (const [i, text] of ['a', 'b', 'c'].entries()) {
      history.record(text, i, 3, METHOD);
      temp.catalog.textVectors.putMany('model-1', METHOD, [{ text, vector }]);
      temp.catalog.textVectors.putMany('model-2', METHOD, [{ text, vector }]);
    }
    // A label's vector under another method shares the text but is not a query's.
    temp.catalog.textVectors.putMany('model-1', 'ensemble', [{ text: 'a', vector }]);

    history.record('d', 10, 3, METHOD);
    expect(history.recent(10)).toEqual(['d', 'c', 'b']);
    expect(temp.catalog.textVectors.get('model-1', METHOD, 'a')).toBeUndefined();
    expect(temp.catalog.textVectors.get('model-2', METHOD, 'a')).toBeUndefined();
    expect(temp.catalog.textVectors.get('model-1', METHOD, 'b')).toBeDefined();
    expect(temp.catalog.textVectors.get('model-1', 'ensemble', 'a')).toBeDefined();
  });
});
