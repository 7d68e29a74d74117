import { describe, expect, it } from 'vitest';
import { RoundRobinSlices } from '../../../src/shared/index.js';

describe('RoundRobinSlices', () => {
  it('visits every entry once per round in slices of about size / slices', () => {
    const map = new Map(Array.from({ length: 25 }, (_, i) => [i, `v${i}`] as const));
    const slices = new RoundRobinSlices(map, 10);
    const sizes: number[] = [];
    const seen: number[] = [];
    for (let i = 0; i < 9; i++) {
      const slice = slices.next();
      sizes.push(slice.length);
      seen.push(...slice.map(([k]) => k));
    }
    // 3 per slice (ceil 25 / 10); the ninth slice starts the next round.
    expect(sizes).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 1]);
    expect(seen.slice(0, 25)).toEqual([...map.keys()]);
    expect(slices.next().map(([k]) => k)).toEqual([0, 1, 2]);
  });

  it('skips entries deleted mid-round, visits ones added after the cursor, and stays empty when empty', () => {
    const map = new Map<string, number>([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ]);
    const slices = new RoundRobinSlices(map, 2);
    expect(slices.next().map(([k]) => k)).toEqual(['a', 'b']);
    map.delete('c');
    map.set('e', 5);
    expect(slices.next().map(([k]) => k)).toEqual(['d', 'e']);
    map.clear();
    expect(slices.next()).toEqual([]);
  });
});
