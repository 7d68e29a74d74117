import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refreshInPlace } from '../../../src/leader/refresh-in-place.js';

/** Any JSON value, small. */
const json = fc.jsonValue({ maxDepth: 3 });
/** A value with the shape of `v` (same keys, same array lengths) and other primitives. */
const reshaped = (v: unknown, seed: number): unknown => {
  if (Array.isArray(v)) return v.map((x, i) => reshaped(x, seed + i));
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x], i) => [k, reshaped(x, seed + i)]));
  return seed % 3 === 0 ? v : typeof v === 'number' ? v + seed : `${String(v)}-${seed}`;
};

describe('refreshInPlace', () => {
  it('answers a value deep-equal to the new one, and never changes the new one', () => {
    fc.assert(
      fc.property(json, json, (kept, next) => {
        const nextCopy = structuredClone(next);
        const keptCopy = structuredClone(kept);
        expect(refreshInPlace(keptCopy, next)).toEqual(nextCopy);
        expect(next).toEqual(nextCopy);
      }),
    );
  });

  it('keeps the object when the new one has its shape, arrays kept only when equal', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), json, { minKeys: 1 }), fc.nat(100), (kept, seed) => {
        const next = reshaped(kept, seed) as typeof kept;
        const answer = refreshInPlace(kept, next);
        expect(answer).toBe(kept);
        expect(answer).toEqual(next);
      }),
    );
  });

  it('writes an engine report into the kept one, nested parts included', () => {
    const kept = {
      id: 'a/e0',
      ready: true,
      adapters: ['x'],
      metrics: { scrape: { running: 1, ttft: { sum: 1.5, count: 3 } }, window: { rps: 2 } },
    };
    const { metrics } = kept;
    const { adapters } = kept;
    const next = {
      id: 'a/e0',
      ready: false,
      adapters: ['x'],
      metrics: { scrape: { running: 4, ttft: { sum: 2.5, count: 4 } }, window: { rps: 3, lag: 1 } },
    };
    const answer = refreshInPlace(kept, next);
    expect(answer).toBe(kept);
    expect(answer).toEqual(next);
    expect(answer.metrics).toBe(metrics);
    expect(answer.adapters).toBe(adapters); // equal: the kept array stays
    expect(answer.metrics.window).toBe(next.metrics.window); // a new key: that part replaced
    const other = { ...next, adapters: ['y'] };
    expect(refreshInPlace(kept, other).adapters).toBe(other.adapters); // arrays are never written
    expect(adapters).toEqual(['x']);
  });

  it('writes a "__proto__" key an agent sent as data, never as the object’s prototype', () => {
    const kept = JSON.parse('{"a":1,"__proto__":{"x":1}}') as Record<string, unknown>;
    const answer = refreshInPlace(kept, JSON.parse('{"a":2,"__proto__":{"x":2}}'));
    expect(answer).toBe(kept);
    expect(Object.getPrototypeOf(answer)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(answer, '__proto__')?.value).toEqual({ x: 2 });
    const plain = JSON.parse('{"a":1}') as Record<string, unknown>;
    const other = JSON.parse('{"a":1,"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(refreshInPlace(plain, other)).toBe(other); // other keys: replaced, not written
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
  });
});
