import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../../../src/routing/index.js';
import { busyTimeRatio } from '../../../../src/routing/algorithms/least-busy-time.js';
import { anEndpoint, aRequest, pickWith, someMetrics } from '../../../helpers/routing-builders.js';
import { describeAlgorithmContract } from '../algorithm-contract.js';

const algo = ALGORITHMS.get('least-busy-time')!;
describeAlgorithmContract(algo);

const busy = (rps: number, prefill: number, decode: number, running = 0) =>
  someMetrics({
    scrape: { numRequestsRunning: running },
    window: { requestsPerSecond: rps, meanPrefillSeconds: prefill, meanDecodeSeconds: decode },
  });

describe('least-busy-time', () => {
  it.each([
    ['rps × (prefill + decode)', busy(2, 0.5, 1.5), 4],
    ['nothing finished: the running count', busy(0, 0, 0, 3), 3],
    ['idle', busy(0, 0, 0), 0],
  ])('busy time: %s', (_name, metrics, expected) => {
    expect(busyTimeRatio(metrics)).toBeCloseTo(expected);
  });

  it('picks the least busy engine', () => {
    const endpoints = [
      anEndpoint('n/0', { metrics: busy(4, 0.5, 1) }),
      anEndpoint('n/1', { metrics: busy(1, 0.5, 1) }),
      anEndpoint('n/2', { metrics: busy(0, 0, 0, 5) }),
    ];
    expect(pickWith(algo, endpoints, aRequest())).toBe('n/1');
  });
});
