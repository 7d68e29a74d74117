import { describe, expect, it } from 'vitest';
import { InvalidIntOrPercent, resolveFenceposts, templateHash } from '../../../src/fleet/index.js';

describe('resolveFenceposts (Kubernetes ResolveFenceposts)', () => {
  it.each([
    // maxSurge, maxUnavailable, desired → surge, unavailable
    [1, 0, 3, 1, 0],
    [0, 1, 3, 0, 1],
    [0, 0, 3, 0, 1], // both 0: unavailable becomes 1 so the rollout can move
    ['0%', '0%', 10, 0, 1],
    ['25%', '25%', 4, 1, 1],
    ['25%', '25%', 10, 3, 2], // surge rounds up (2.5 → 3), unavailable down (2.5 → 2)
    ['10%', '10%', 3, 1, 0], // 0.3 → 1 and 0
    ['50%', 0, 3, 2, 0],
    [0, '50%', 3, 0, 1],
    ['100%', '100%', 5, 5, 5],
    [undefined, undefined, 5, 0, 1], // unset resolves to 0 as AIBrix does (no 25% default)
    ['25%', '25%', 0, 0, 1],
  ])('maxSurge %s maxUnavailable %s of %i → %i / %i', (surge, unavailable, desired, s, u) => {
    expect(resolveFenceposts(surge, unavailable, desired)).toEqual({
      maxSurge: s,
      maxUnavailable: u,
    });
  });

  it.each([['1'], ['abc'], ['-5%'], [-1], [1.5], ['25 %']])('rejects %j', (bad) => {
    expect(() => resolveFenceposts(bad, 0, 3)).toThrow(InvalidIntOrPercent);
  });
});

describe('templateHash', () => {
  it('ignores key order and changes with the template or the collision count', () => {
    const a = templateHash({ x: 1, y: { b: 2, a: [1, 2] } });
    expect(templateHash({ y: { a: [1, 2], b: 2 }, x: 1 })).toBe(a);
    expect(templateHash({ x: 2, y: { b: 2, a: [1, 2] } })).not.toBe(a);
    expect(templateHash({ x: 1, y: { b: 2, a: [1, 2] } }, 1)).not.toBe(a);
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });
});
