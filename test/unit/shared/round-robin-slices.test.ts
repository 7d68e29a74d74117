import { describe, expect, it } from 'vitest';
import { RoundRobinSlices } from '../../../src/shared/index.js';

const keysOf = <K>(slice: [K, unknown][]): K[] => slice.map(([k]) => k);

describe('RoundRobinSlices', () => {
  it('visits every entry once per round of `slices` calls, in slices of about size / slices', () => {
    const map = new Map(Array.from({ length: 25 }, (_, i) => [i, `v${i}`] as const));
    const slices = new RoundRobinSlices(map, 10);
    const round = Array.from({ length: 10 }, () => slices.next());
    // 3 per call (ceil 25 / 10): the round's last two calls have nothing left.
    expect(round.map((s) => s.length)).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 1, 0]);
    expect(round.flatMap(keysOf)).toEqual([...map.keys()]);
    expect(keysOf(slices.next())).toEqual([0, 1, 2]);
  });

  it('visits a single entry once per round, not on every call', () => {
    // One agent pinged on each of 10 calls a second was ten pings a second, and three missed
    // pongs (300 ms) dropped it.
    const slices = new RoundRobinSlices(new Map([['only', 1]]), 10);
    const visits = Array.from({ length: 30 }, () => slices.next().length);
    expect(visits.reduce((a, b) => a + b, 0)).toBe(3);
    expect(visits.slice(0, 10)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('skips entries deleted mid-round, visits ones added after the cursor, and stays empty when empty', () => {
    const map = new Map<string, number>([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ]);
    const slices = new RoundRobinSlices(map, 2);
    expect(keysOf(slices.next())).toEqual(['a', 'b']);
    map.delete('c');
    map.set('e', 5);
    expect(keysOf(slices.next())).toEqual(['d', 'e']);
    map.clear();
    expect(slices.next()).toEqual([]);
    expect(slices.next()).toEqual([]);
  });
});
