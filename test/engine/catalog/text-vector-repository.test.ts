import { describe, expect, it } from 'vitest';
import { useTempCatalog } from '../../support/temp-catalog';

const temp = useTempCatalog('shoebox-text-vectors-');

function floats(blob: Buffer | undefined): number[] | undefined {
  return blob && Array.from(new Float32Array(new Uint8Array(blob).buffer));
}

describe('TextVectorRepository', () => {
  it('stores float32 bytes per model, method and text, and replaces on a second write', () => {
    const vectors = temp.catalog.textVectors;
    vectors.putMany('m', 'ensemble', [
      { text: 'dog', vector: new Float32Array([1, 0, 0]) },
      { text: 'cat', vector: new Float32Array([0, 1, 0]) },
    ]);
    vectors.putMany('other', 'ensemble', [{ text: 'dog', vector: new Float32Array([0, 0, 1]) }]);
    vectors.putMany('m', 'typed', [{ text: 'dog', vector: new Float32Array([0.5, 0.5, 0]) }]);

    expect(floats(vectors.get('m', 'ensemble', 'dog'))).toEqual([1, 0, 0]);
    expect(floats(vectors.get('other', 'ensemble', 'dog'))).toEqual([0, 0, 1]);
    expect(floats(vectors.get('m', 'typed', 'dog'))).toEqual([0.5, 0.5, 0]);
    expect(vectors.get('m', 'ensemble', 'Dog')).toBeUndefined();
    expect(
      vectors
        .all('m', 'ensemble')
        .map((r) => ({ text: r.text, vector: floats(r.vector) }))
        .sort((a, b) => a.text.localeCompare(b.text)),
    ).toEqual([
      { text: 'cat', vector: [0, 1, 0] },
      { text: 'dog', vector: [1, 0, 0] },
    ]);

    vectors.putMany('m', 'ensemble', [{ text: 'dog', vector: new Float32Array([0, 0, -1]) }]);
    expect(floats(vectors.get('m', 'ensemble', 'dog'))).toEqual([0, 0, -1]);
    expect(vectors.all('m', 'ensemble')).toHaveLength(2);
  });

  it('stores a view of a larger buffer as just its own floats', () => {
    const big = new Float32Array([9, 1, 2, 9]);
    temp.catalog.textVectors.putMany('m', 'typed', [{ text: 'x', vector: big.subarray(1, 3) }]);
    expect(floats(temp.catalog.textVectors.get('m', 'typed', 'x'))).toEqual([1, 2]);
  });

  it('returns a damaged row as it is, for the caller to check its length', () => {
    temp.catalog.textVectors.putMany('m', 'typed', [{ text: 'x', vector: new Float32Array([1, 2]) }]);
    temp.catalog.db.prepare("UPDATE text_vectors SET vector = x'00' WHERE text = 'x'").run();
    expect(temp.catalog.textVectors.get('m', 'typed', 'x')?.byteLength).toBe(1);
    expect(temp.catalog.textVectors.all('m', 'typed')[0]?.vector.byteLength).toBe(1);
  });
});
