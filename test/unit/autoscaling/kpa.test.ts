import { describe, expect, it } from 'vitest';
import { kpaRecommend, type AutoscalerTunables } from '../../../src/autoscaling/index.js';
import { aSignal, someTunables } from '../../helpers/autoscaling-builders.js';

const input = (
  pods: number,
  stable: number,
  panic: number,
  tunables: Partial<AutoscalerTunables> = {},
  target = 10,
) => ({
  signal: aSignal(stable, target, panic),
  currentReplicas: pods,
  readyReplicas: pods,
  tunables: someTunables(tunables),
});

describe('kpaRecommend', () => {
  // AIBrix's kpa_test.go states its values as totals (the pipeline ambiguity); ours are per-pod
  // averages, so each case divides its totals by its pod count. Same expected replicas.
  it.each([
    // [name, pods, total stable, total panic, scale-up rate, expected stable replicas]
    ['stable_mode_basic_scaling', 2, 20, 20, 2, 2],
    ['max_scale_up_rate_limit', 2, 100, 100, 1.5, 3],
    ['max_scale_down_rate_limit', 4, 5, 5, 2, 2],
    ['scale_to_zero (no load, one pod)', 1, 0, 0, 2, 0],
  ])('AIBrix %s', (_name, pods, stableTotal, panicTotal, up, expected) => {
    const r = kpaRecommend(
      input(pods, stableTotal / pods, panicTotal / pods, { maxScaleUpRate: up }),
    );
    expect(r.stableReplicas).toBe(expected);
    expect(r.replicas).toBe(expected);
    expect(r.overPanicThreshold).toBe(false);
  });

  it("AIBrix panic_mode_scaling_up: the panic window's 4 pods beat the stable 3", () => {
    const r = kpaRecommend(input(2, 30 / 2, 40 / 2));
    expect([r.stableReplicas, r.panicReplicas]).toEqual([3, 4]);
    // 40/30 is under the threshold: this reading alone is calm; decideScale's panic memory
    // (tested there) uses max(stable, panic) = 4 while an episode lasts.
    expect(r.overPanicThreshold).toBe(false);
  });

  it('AIBrix TestKpaScale: a burst in the last 10 s panics 5 pods up to 10', () => {
    // Totals 10, 11, 12, 13, 14 over the stable window and 100 in the panic window (target 10).
    const stableTotal = (10 + 11 + 12 + 13 + 14 + 100) / 6;
    const r = kpaRecommend(input(5, stableTotal / 5, 100 / 5));
    expect(r.stableReplicas).toBe(3);
    expect(r.overPanicThreshold).toBe(true);
    expect(r.replicas).toBe(10);
  });

  it('computes the total as average × ready pods (the Knative meaning)', () => {
    // 4 pods at 15 per pod against 10 per pod: 60 in total needs 6 pods, not ceil(15/10) = 2.
    expect(kpaRecommend(input(4, 15, 15)).replicas).toBe(6);
  });

  it.each([
    ['within the tolerance holds', 4, 10.9, 4],
    ['above the band scales', 4, 11.5, 5],
    ['below the band scales', 4, 8, 4], // ceil(3.2) = 4
    ['well below the band scales down', 4, 5, 2],
    ['clamped by the down rate', 8, 1, 4],
    ['clamped by the up rate', 3, 100, 6],
  ])('%s', (_case, pods, avg, expected) => {
    expect(kpaRecommend(input(pods, avg, avg)).replicas).toBe(expected);
  });

  it('panics when the panic window exceeds the threshold, also from a zero stable window', () => {
    expect(kpaRecommend(input(2, 5, 10.1)).overPanicThreshold).toBe(true);
    expect(kpaRecommend(input(2, 5, 10)).overPanicThreshold).toBe(false);
    expect(kpaRecommend(input(2, 0, 3)).overPanicThreshold).toBe(true);
    expect(kpaRecommend(input(2, 0, 0)).overPanicThreshold).toBe(false);
    expect(kpaRecommend(input(2, 5, 12, { panicThreshold: 3 })).overPanicThreshold).toBe(false);
  });

  it('holds the current replicas on an unusable target', () => {
    expect(kpaRecommend(input(3, 5, 5, {}, 0)).replicas).toBe(3);
  });
});
