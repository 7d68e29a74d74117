import { describe, expect, it } from 'vitest';
import { predictedTtftMs, sloRecommend } from '../../../src/autoscaling/index.js';

const queue = (waiting: number, tps = 10_000) => ({
  waitingPromptTokens: waiting,
  prefillTokensPerSecondPerPod: tps,
});

describe('SLO mode', () => {
  it('predicts TTFT as queue drain time plus one step', () => {
    expect(predictedTtftMs(queue(20_000), 2)).toBe(1050);
    expect(predictedTtftMs(queue(0), 2)).toBe(50);
    expect(predictedTtftMs(queue(10, 0), 2)).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([
    // budget = 2000 × 0.8 − 50 = 1550 ms; replicas = ceil(waiting / (tps × 1.55 s))
    [0, 0],
    [15_500, 1],
    [15_501, 2],
    [100_000, 7],
  ])('%i waiting tokens need %i replicas', (waiting, replicas) => {
    const r = sloRecommend({
      queue: queue(waiting),
      sloTtftMs: 2000,
      currentReplicas: 3,
      maxReplicas: 20,
    });
    expect(r?.replicas).toBe(replicas);
    expect(r?.feasible).toBe(true);
  });

  it('asks for max replicas when one step already exceeds the budget', () => {
    const r = sloRecommend({
      queue: queue(1000),
      sloTtftMs: 60,
      currentReplicas: 3,
      maxReplicas: 9,
    });
    expect(r).toMatchObject({ replicas: 9, feasible: false });
  });

  it('returns undefined without a measured prefill rate (the caller falls back)', () => {
    expect(
      sloRecommend({ queue: queue(1000, 0), sloTtftMs: 2000, currentReplicas: 1, maxReplicas: 4 }),
    ).toBeUndefined();
    expect(
      sloRecommend({
        queue: queue(Number.NaN),
        sloTtftMs: 2000,
        currentReplicas: 1,
        maxReplicas: 4,
      }),
    ).toBeUndefined();
  });
});
