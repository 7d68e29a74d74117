import { describe, expect, it } from 'vitest';
import { PassiveHealth } from '../../../src/gateway/index.js';

describe('PassiveHealth', () => {
  const policy = { consecutiveFailures: 3, baseEjectionMs: 1000, maxEjectionMs: 4000 };

  it('ejects after N consecutive failures and not before', () => {
    const h = new PassiveHealth(policy);
    expect(h.recordFailure('e', 0)).toBe(false);
    expect(h.recordFailure('e', 0)).toBe(false);
    expect(h.isEjected('e')).toBe(false);
    expect(h.recordFailure('e', 0)).toBe(true);
    expect(h.isEjected('e')).toBe(true);
  });

  it('a success resets the count', () => {
    const h = new PassiveHealth(policy);
    h.recordFailure('e', 0);
    h.recordFailure('e', 0);
    h.recordSuccess('e');
    expect(h.recordFailure('e', 0)).toBe(false);
  });

  it('is due for a probe when the ejection expires, and backs off on failed probes up to the cap', () => {
    const h = new PassiveHealth(policy);
    for (let i = 0; i < 3; i++) h.recordFailure('e', 0);
    expect(h.dueForProbe(999)).toEqual([]);
    expect(h.dueForProbe(1000)).toEqual(['e']);
    h.probeFailed('e', 1000); // 2000 ms
    expect(h.dueForProbe(2999)).toEqual([]);
    expect(h.dueForProbe(3000)).toEqual(['e']);
    h.probeFailed('e', 3000); // 4000 ms (cap)
    h.probeFailed('e', 3000); // still capped
    expect(h.dueForProbe(6999)).toEqual([]);
    expect(h.dueForProbe(7000)).toEqual(['e']);
    h.recordSuccess('e');
    expect(h.isEjected('e')).toBe(false);
    expect(h.ejected()).toEqual([]);
  });
});
