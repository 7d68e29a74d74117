import { describe, expect, it } from 'vitest';
import { joinSeries } from '../../../../src/console/web/series-join.js';

describe('joinSeries', () => {
  it('puts every engine on the union of sample times, null where an engine has none', () => {
    const joined = joinSeries(
      [
        {
          engine: 'a',
          t: [1000, 3000],
          running: [1, 3],
          waiting: [0, 0],
          kvUsage: [0.1, 0.3],
          ttftMs: [10, null],
        },
        {
          engine: 'b',
          t: [2000, 3000],
          running: [5, 6],
          waiting: [1, 2],
          kvUsage: [0.5, 0.6],
          ttftMs: [20, 30],
        },
      ],
      'running',
    );
    expect(joined.x).toEqual([1, 2, 3]);
    expect(joined.columns).toEqual([
      [1, null, 3],
      [null, 5, 6],
    ]);
  });

  it('keeps the engine’s own nulls', () => {
    const joined = joinSeries(
      [
        {
          engine: 'a',
          t: [1000, 2000],
          running: [1, 2],
          waiting: [0, 0],
          kvUsage: [0, 0],
          ttftMs: [null, 40],
        },
      ],
      'ttftMs',
    );
    expect(joined.columns).toEqual([[null, 40]]);
  });

  it('gives empty columns for no engines', () => {
    expect(joinSeries([], 'waiting')).toEqual({ x: [], columns: [] });
  });
});
