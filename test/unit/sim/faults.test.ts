import { describe, expect, it } from 'vitest';
import { parseFaults } from '../../../src/sim/faults.js';
import { buckets125 } from '../../../src/sim/metric-buckets.js';

describe('parseFaults', () => {
  it('accepts a valid partial', () => {
    expect(parseFaults({ errorRate: 0.5, dropAfterChunks: 3 })).toEqual({
      faults: { errorRate: 0.5, dropAfterChunks: 3 },
    });
  });

  it('names every bad field at once', () => {
    const out = parseFaults({ errorRate: 2, dropAfterChunks: 1.5, nope: 1 });
    expect('error' in out).toBe(true);
    if (!('error' in out)) return;
    expect(out.error).toContain('errorRate');
    expect(out.error).toContain('dropAfterChunks');
    expect(out.error).toContain('nope: unknown fault');
  });

  it('rejects a non-object', () => {
    expect(parseFaults([1])).toEqual({ error: 'faults must be a JSON object' });
  });
});

describe('buckets125', () => {
  it('follows vLLM build_1_2_5_buckets', () => {
    expect(buckets125(100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(buckets125(1000).at(-1)).toBe(1000);
  });
});
