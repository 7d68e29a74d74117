import { describe, expect, it } from 'vitest';
import {
  apaRecommend,
  DEFAULT_AUTOSCALER_TUNABLES,
  type AutoscalerTunables,
} from '../../../src/autoscaling/index.js';

const input = (
  stable: number,
  target: number,
  ready: number,
  current = ready,
  tunables: Partial<AutoscalerTunables> = {},
) => ({
  signal: { name: 'm', target, stable, panic: stable },
  currentReplicas: current,
  readyReplicas: ready,
  tunables: { ...DEFAULT_AUTOSCALER_TUNABLES, ...tunables },
});

describe('apaRecommend', () => {
  // AIBrix's apa_test.go cases (target 30, tolerances 0.1; pods = its currentPodCount).
  it.each([
    ['basic_scale_up', 2, 45, 2, 2, 3],
    ['scale_up_upto_ceiling', 2, 35, 2, 2, 3],
    ['scale_up_upto_max_scale_up', 2, 90, 2, 2, 4],
    ['scale_up_upto_max_scale_up_ceiling', 2, 90, 2.5, 2, 5],
    ['basic_scale_down', 6, 20, 2, 2, 4],
    ['scale_down_upto_ceiling', 6, 18, 2, 2, 4],
    ['scale_down_upto_max_scale_down', 6, 10, 2, 2, 3],
    ['scale_down_upto_max_scale_down_floor', 6, 5, 2, 2.5, 2],
    ['no_scaling_as_within_up_tolerance', 2, 33, 2, 2, 2],
    ['no_scaling_as_within_down_tolerance', 2, 27, 2, 2, 2],
  ])('AIBrix %s', (_name, pods, perPod, up, down, expected) => {
    const t = { maxScaleUpRate: up, maxScaleDownRate: down };
    expect(apaRecommend(input(perPod, 30, pods, pods, t))).toBe(expected);
  });

  // r = stable/target; up band 1.1, down band 0.9 by default; rates 2.
  it.each([
    // [case, stable, target, ready, expected]
    ['within the band holds', 10.5, 10, 4, 4],
    ['just above the up band scales by the ratio', 12, 10, 4, 5], // ceil(4·1.2)=5
    ['far above is capped by the up rate', 50, 10, 4, 8], // min(20, 8)
    ['below the down band scales by the ratio', 5, 10, 4, 2], // max(2, 2)
    ['zero load halves at most', 0, 10, 4, 2], // max(0, floor(4/2))
    ['from one pod at zero load reaches zero', 0, 10, 1, 0],
    ['exactly at the up edge holds', 11, 10, 4, 4],
  ])('%s', (_case, stable, target, ready, expected) => {
    expect(apaRecommend(input(stable, target, ready))).toBe(expected);
  });

  it('uses the configured tolerances (AIBrix bench: up 0.1, down 0.2)', () => {
    const t = { scaleDownTolerance: 0.2 };
    expect(apaRecommend(input(8.5, 10, 4, 4, t))).toBe(4); // 0.85 within [0.8, 1.1]
    expect(apaRecommend(input(7, 10, 4, 4, t))).toBe(3); // 0.7 < 0.8 → ceil(2.8)
  });

  it('uses the configured rates', () => {
    expect(apaRecommend(input(100, 10, 4, 4, { maxScaleUpRate: 3 }))).toBe(12);
    expect(apaRecommend(input(0, 10, 8, 8, { maxScaleDownRate: 4 }))).toBe(2);
  });

  it('holds the current replicas on an unusable target or value', () => {
    expect(apaRecommend(input(5, 0, 4, 6))).toBe(6);
    expect(apaRecommend(input(Number.NaN, 10, 4, 6))).toBe(6);
  });

  it('counts at least one pod when none is ready yet', () => {
    expect(apaRecommend(input(30, 10, 0, 1))).toBe(2); // min(ceil(3), ceil(2·1))
  });
});
