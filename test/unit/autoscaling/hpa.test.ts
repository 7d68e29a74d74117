import { describe, expect, it } from 'vitest';
import {
  hpaRecommend,
  hpaScaleUpLimit,
  hpaScaleUpPercent,
} from '../../../src/autoscaling/index.js';
import { aSignal, someTunables } from '../../helpers/autoscaling-builders.js';

const input = (pods: number, stable: number, panic: number) => ({
  signal: aSignal(stable, 50, panic),
  currentReplicas: pods,
  readyReplicas: pods,
  tunables: someTunables(),
});

describe('hpaRecommend', () => {
  it.each([
    // Kubernetes: desired = ceil(pods × value / target), skipped within 10 %.
    ['within the tolerance', 4, 54, 4],
    ['at the tolerance edge', 4, 55, 4],
    ['over the tolerance', 4, 56, 5], // ceil(4 × 1.12)
    ['double the target', 3, 100, 6],
    ['half the target', 4, 25, 2],
    ['below the tolerance', 10, 44, 9], // ceil(8.8)
    ['idle', 4, 0, 0],
  ])('%s', (_case, pods, value, expected) => {
    expect(hpaRecommend(input(pods, 0, value))).toBe(expected);
  });

  it('reads the panic window (the near-instant value), not the stable one', () => {
    expect(hpaRecommend(input(2, 10, 100))).toBe(4);
  });
});

describe('HPA scale-up policies', () => {
  it('derives the Percent policy from max-scale-up-rate, at least 100 %', () => {
    expect(hpaScaleUpPercent(someTunables({ maxScaleUpRate: 2 }))).toBe(100);
    expect(hpaScaleUpPercent(someTunables({ maxScaleUpRate: 1.5 }))).toBe(100);
    expect(hpaScaleUpPercent(someTunables({ maxScaleUpRate: 4 }))).toBe(300);
  });

  it.each([
    // selectPolicy Max of +4 pods and ×(1 + percent/100).
    [1, 2, 5],
    [3, 2, 7],
    [4, 2, 8],
    [10, 2, 20],
    [10, 4, 40],
  ])('from %i pods at rate %d the limit is %i', (current, rate, expected) => {
    expect(hpaScaleUpLimit(current, someTunables({ maxScaleUpRate: rate }))).toBe(expected);
  });
});
