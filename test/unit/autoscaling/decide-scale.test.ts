import { describe, expect, it } from 'vitest';
import {
  appendRecommendation,
  decideScale,
  type DecideInput,
  type RecommendationRecord,
} from '../../../src/autoscaling/index.js';
import { aDecideInput, aSignal } from '../../helpers/autoscaling-builders.js';

/** Runs decisions tick by tick, applying each as the controller would. */
function simulate(
  start: DecideInput,
  ticks: readonly { atMs: number; stable: number; panic?: number }[],
): number[] {
  let history: RecommendationRecord[] = [];
  let current = start.currentReplicas;
  let lastScaleUpMs: number | undefined;
  let lastScaleDownMs: number | undefined;
  const out: number[] = [];
  for (const t of ticks) {
    const d = decideScale({
      ...start,
      nowMs: t.atMs,
      currentReplicas: current,
      readyReplicas: current,
      signals: [aSignal(t.stable, 10, t.panic ?? t.stable)],
      history,
      lastScaleUpMs,
      lastScaleDownMs,
    });
    history = appendRecommendation(history, d.record, start.tunables);
    if (d.desired > current) lastScaleUpMs = t.atMs;
    if (d.desired < current) lastScaleDownMs = t.atMs;
    current = d.desired;
    out.push(current);
  }
  return out;
}

describe('decideScale', () => {
  it('APA scales by the ratio and reports each source', () => {
    const d = decideScale(aDecideInput({ signals: [aSignal(15, 10)] }));
    expect(d.desired).toBe(6);
    expect(d.recommendation).toBe(6);
    expect(d.perSource).toEqual([{ name: 'm', value: 15, replicas: 6 }]);
    expect(d.record).toEqual({ atMs: 1_000_000, replicas: 6 });
    expect(d.reason).toContain('4 → 6');
  });

  it('takes the max over sources; a replica-count source recommends its value', () => {
    const d = decideScale(
      aDecideInput({
        signals: [
          aSignal(12, 10, 12, 'running'),
          { name: 'optimizer', target: 1, stable: 7, panic: 7, isReplicaCount: true },
        ],
      }),
    );
    expect(d.perSource.map((s) => s.replicas)).toEqual([5, 7]);
    expect(d.desired).toBe(7);
  });

  it('holds the current replicas when no source answered (never to zero)', () => {
    const d = decideScale(
      aDecideInput({
        signals: [],
        minReplicas: 0,
        tunables: { scaleToZero: true },
        lastDemandMs: 0,
      }),
    );
    expect(d.desired).toBe(4);
    expect(d.reason).toContain('no usable metric signal');
  });

  it('clamps to min/max and to the active schedule', () => {
    expect(decideScale(aDecideInput({ signals: [aSignal(100)], maxReplicas: 6 })).desired).toBe(6);
    expect(decideScale(aDecideInput({ signals: [aSignal(0)], minReplicas: 3 })).desired).toBe(3);
    const d = decideScale(
      aDecideInput({
        signals: [aSignal(10)],
        schedules: [{ name: 'peak', startTime: '11:00', endTime: '13:00', minReplicas: 6 }],
      }),
    );
    expect(d.desired).toBe(6);
    expect(d.bounds).toEqual({ min: 6, max: 10, activeSchedule: 'peak' });
  });

  it('a scale-down cooldown window holds a scale-down until every recommendation is lower', () => {
    const start = aDecideInput({ currentReplicas: 4, tunables: { scaleDownCooldownMs: 300_000 } });
    // High at t=0 (→ 8), then idle from t=10 s: APA would halve each tick without the window.
    const ticks = [{ atMs: 0, stable: 20 }];
    for (let s = 10; s <= 320; s += 10) ticks.push({ atMs: s * 1000, stable: 0 });
    const replicas = simulate(start, ticks);
    expect(replicas[0]).toBe(8);
    expect(replicas.slice(1, 30).every((r) => r === 8)).toBe(true); // held until 300 s
    expect(replicas.at(-1)).toBeLessThan(8);
  });

  it('KPA in panic never scales down and keeps the highest panic recommendation', () => {
    const start = aDecideInput({
      strategy: 'KPA',
      currentReplicas: 2,
      tunables: { stableWindowMs: 60_000, scaleDownCooldownMs: 0 },
    });
    const replicas = simulate(start, [
      { atMs: 0, stable: 5, panic: 30 }, // 30/5 > 2: panic, 2 pods × 30 / 10 → capped 4
      { atMs: 10_000, stable: 6, panic: 6 }, // calm reading, still in the episode
      { atMs: 30_000, stable: 1, panic: 1 },
      { atMs: 59_000, stable: 1, panic: 1 }, // last one inside the stable window
      { atMs: 61_000, stable: 1, panic: 1 }, // the episode is over: scale down
    ]);
    expect(replicas).toEqual([4, 4, 4, 4, 2]);
  });

  it("KPA panic memory: AIBrix's panic_mode_no_scale_down holds 5 pods", () => {
    const d = decideScale(
      aDecideInput({
        strategy: 'KPA',
        currentReplicas: 5,
        readyReplicas: 5,
        signals: [aSignal(4, 10, 4)],
        history: [{ atMs: 990_000, replicas: 5, panicTriggerMs: 990_000 }],
      }),
    );
    expect(d.panic).toBe(true);
    expect(d.desired).toBe(5);
    expect(d.record.panicTriggerMs).toBe(990_000);
  });

  it("KPA panic memory: AIBrix's panic_mode_scaling_up reaches the panic window's 4", () => {
    const d = decideScale(
      aDecideInput({
        strategy: 'KPA',
        currentReplicas: 2,
        readyReplicas: 2,
        signals: [aSignal(15, 10, 20)],
        history: [{ atMs: 990_000, replicas: 2, panicTriggerMs: 990_000 }],
      }),
    );
    expect(d.desired).toBe(4);
  });

  it('scales to zero only after the scale-to-zero delay without demand', () => {
    const base = {
      minReplicas: 0,
      currentReplicas: 1,
      readyReplicas: 1,
      signals: [aSignal(0)],
      tunables: { scaleToZero: true, scaleToZeroDelayMs: 300_000 },
    };
    expect(decideScale(aDecideInput({ ...base, lastDemandMs: 1_000_000 - 299_000 })).desired).toBe(
      1,
    );
    const d = decideScale(aDecideInput({ ...base, lastDemandMs: 1_000_000 - 300_000 }));
    expect(d.desired).toBe(0);
    expect(d.reason).toContain('scale to zero');
    // Unknown last demand, scale-to-zero off, or a min above 0: never zero.
    expect(decideScale(aDecideInput({ ...base })).desired).toBe(1);
    const off = { ...base, tunables: { scaleToZero: false }, lastDemandMs: 0 };
    expect(decideScale(aDecideInput(off)).desired).toBe(1);
    expect(decideScale(aDecideInput({ ...base, minReplicas: 1, lastDemandMs: 0 })).desired).toBe(1);
  });

  it('held requests at zero replicas activate at once, past any cooldown', () => {
    const d = decideScale(
      aDecideInput({
        minReplicas: 0,
        currentReplicas: 0,
        readyReplicas: 0,
        signals: [],
        heldRequests: 3,
        lastScaleDownMs: 999_000,
        tunables: { scaleToZero: true, scaleUpCooldownMs: 600_000 },
      }),
    );
    expect(d.desired).toBe(1);
    expect(d.reason).toContain('activation');
  });

  it('stays at zero without held requests or signals', () => {
    const zero = {
      minReplicas: 0,
      currentReplicas: 0,
      readyReplicas: 0,
      tunables: { scaleToZero: true },
    };
    expect(decideScale(aDecideInput({ ...zero, signals: [] })).desired).toBe(0);
  });

  it('a reversal cooldown holds a scale-down right after a scale-up', () => {
    const d = decideScale(
      aDecideInput({ signals: [aSignal(1)], lastScaleUpMs: 1_000_000 - 60_000 }),
    );
    expect(d.desired).toBe(4);
    expect(d.reason).toContain('scale-down cooldown');
  });

  it('HPA: one scale-up per 15 s period, limited by the policies', () => {
    const hpa = aDecideInput({
      strategy: 'HPA',
      currentReplicas: 2,
      readyReplicas: 2,
      maxReplicas: 50,
    });
    expect(decideScale({ ...hpa, signals: [aSignal(100, 10)] }).desired).toBe(6); // 2 + 4 pods
    const recent = { ...hpa, signals: [aSignal(100, 10)], lastScaleUpMs: 1_000_000 - 5_000 };
    expect(decideScale(recent).desired).toBe(2);
  });

  it('SLO mode sizes to the queue and falls back to raw signals without one', () => {
    const slo = aDecideInput({
      strategy: 'SLO',
      signals: [aSignal(10)],
      tunables: { sloTtftMs: 2000 },
    });
    // 120 000 waiting tokens at 10 000 tok/s per pod must drain in 2000·0.8 − 50 = 1550 ms.
    const d = decideScale({
      ...slo,
      queue: { waitingPromptTokens: 120_000, prefillTokensPerSecondPerPod: 10_000 },
    });
    expect(d.desired).toBe(8); // ceil(12 s of prefill / 1.55 s) = 8
    expect(d.perSource.map((s) => s.name)).toEqual(['m', 'slo:predicted-ttft-ms']);
    const fallback = decideScale({ ...slo, signals: [aSignal(20)] });
    expect(fallback.desired).toBe(8); // APA on the raw signal
    expect(fallback.reason).toContain('falls back to the APA rule');
  });
});
