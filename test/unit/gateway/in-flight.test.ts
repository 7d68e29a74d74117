import { describe, expect, it } from 'vitest';
import { InFlightTracker } from '../../../src/gateway/index.js';

describe('InFlightTracker', () => {
  it('counts requests and queued prefill tokens per endpoint', () => {
    const t = new InFlightTracker();
    const doneA = t.start('a');
    const prefillA = t.startPrefill('a', 1_000);
    t.start('b');
    const prefillA2 = t.startPrefill('a', 500);
    expect([t.get('a'), t.get('b'), t.total]).toEqual([1, 1, 2]);
    expect(t.prefillTokens('a')).toBe(1_500);
    prefillA();
    prefillA(); // idempotent: a request ends its prefill at its first byte and again at its end
    expect(t.prefillTokens('a')).toBe(500);
    prefillA2();
    expect(t.prefillTokens('a')).toBe(0);
    doneA();
    doneA();
    expect([t.get('a'), t.total]).toEqual([0, 1]);
  });

  it('ignores an empty prompt', () => {
    const t = new InFlightTracker();
    t.startPrefill('a', 0)();
    expect(t.prefillTokens('a')).toBe(0);
  });
});
