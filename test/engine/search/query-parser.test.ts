import { describe, expect, it } from 'vitest';
import { NEGATIVE_WEIGHT, parseQuery } from '../../../electron/engine/search/query-parser';

describe('parseQuery', () => {
  it('keeps unsigned words together as the base phrase', () => {
    expect(parseQuery('a dog on the beach')).toEqual([{ text: 'a dog on the beach', weight: 1 }]);
  });

  it('adds and subtracts signed words', () => {
    expect(parseQuery('beach -people +sunset')).toEqual([
      { text: 'beach', weight: 1 },
      { text: 'people', weight: -NEGATIVE_WEIGHT },
      { text: 'sunset', weight: 1 },
    ]);
  });

  it('takes quoted phrases whole, with or without a sign', () => {
    expect(parseQuery('street -"red car" +"at night"')).toEqual([
      { text: 'street', weight: 1 },
      { text: 'red car', weight: -NEGATIVE_WEIGHT },
      { text: 'at night', weight: 1 },
    ]);
    expect(parseQuery('"birthday cake" candles')).toEqual([{ text: 'birthday cake candles', weight: 1 }]);
  });

  it('leaves signs inside words alone', () => {
    expect(parseQuery('t-shirt black-and-white')).toEqual([{ text: 't-shirt black-and-white', weight: 1 }]);
  });

  it('ignores bare signs, empty quotes and repeated terms; tolerates an unclosed quote', () => {
    expect(parseQuery('beach - + -- "" +sunset +sunset')).toEqual([
      { text: 'beach', weight: 1 },
      { text: 'sunset', weight: 1 },
    ]);
    expect(() => parseQuery('-"red car')).toThrow(/only subtracts/);
    expect(parseQuery('dog -"red car')).toEqual([
      { text: 'dog', weight: 1 },
      { text: 'red car', weight: -NEGATIVE_WEIGHT },
    ]);
  });

  it('a query that only subtracts is refused with a reason', () => {
    expect(() => parseQuery('-people -cars')).toThrow(/only subtracts/);
  });

  it('an empty query has no terms', () => {
    expect(parseQuery('   ')).toEqual([]);
  });
});
