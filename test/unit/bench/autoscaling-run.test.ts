/**
 * The replay loop and the virtual cluster, driven by a scripted decision function (the real
 * algorithms have their own tests): pods join after their cold start, removed pods drain, every
 * request is served once, and the decision sees what the controller would give it.
 */
import { describe, expect, it } from 'vitest';
import type { DecideInput, MetricWindow, ScaleDecision } from '../../../src/autoscaling/index.js';
import { runStrategy, type StrategyRunOptions } from '../../../src/bench/autoscaling-run.js';
import { generateWorkload } from '../../../src/bench/autoscaling-workload.js';
import { HARDWARE_PROFILES } from '../../../src/sim/index.js';

/** A plain list window: the average of samples in (now − window, now]. */
class ListWindow implements MetricWindow {
  readonly samples: [number, number][] = [];
  record(nowMs: number, value: number): void {
    this.samples.push([nowMs, value]);
  }
  average(nowMs: number, windowMs: number): number | undefined {
    const inside = this.samples.filter(([t]) => t > nowMs - windowMs && t <= nowMs);
    return inside.length === 0 ? undefined : inside.reduce((a, [, v]) => a + v, 0) / inside.length;
  }
}

const scripted =
  (plan: (nowS: number) => number, seen: DecideInput[]) =>
  (input: DecideInput): ScaleDecision => {
    seen.push(input);
    const desired = plan(input.nowMs / 1000);
    return {
      desired,
      recommendation: desired,
      perSource: [],
      panic: false,
      reason: `scripted ${desired}`,
      bounds: { min: input.minReplicas, max: input.maxReplicas },
      record: { atMs: input.nowMs, replicas: desired },
    };
  };

const profile = HARDWARE_PROFILES.get('llama-8b-h100');
if (profile === undefined) throw new Error('no profile');

function options(decide: StrategyRunOptions['decide']): StrategyRunOptions {
  return {
    strategy: 'APA',
    workload: generateWorkload({
      pattern: 'up_and_down',
      durationS: 120,
      meanRps: 10,
      inputMedian: 512,
      outputMedian: 64,
      seed: 3,
    }),
    durationS: 120,
    decide,
    newWindow: () => new ListWindow(),
    tunables: {
      maxScaleUpRate: 2,
      maxScaleDownRate: 2,
      scaleUpTolerance: 0.1,
      scaleDownTolerance: 0.1,
      panicThreshold: 2,
      scaleUpCooldownMs: 0,
      scaleDownCooldownMs: 30_000,
      scaleToZero: false,
      scaleToZeroDelayMs: 0,
      stableWindowMs: 20_000,
      panicWindowMs: 5_000,
      sloTtftMs: 1000,
    },
    minReplicas: 1,
    maxReplicas: 4,
    metric: 'num_requests_running',
    target: 8,
    cluster: {
      profile: profile as NonNullable<typeof profile>,
      core: {
        maxNumSeqs: 64,
        maxNumBatchedTokens: 4096,
        numGpuBlocks: 4000,
        blockSizeTokens: 16,
        maxLoras: 1,
        maxWaitingRequests: 4096,
      },
      coldStartS: 15,
    },
    seed: 1,
    tickS: 1,
    drainLimitS: 300,
  };
}

describe('runStrategy', () => {
  it('adds pods with a cold start, drains removed ones and serves every request once', () => {
    const seen: DecideInput[] = [];
    const o = options(scripted((t) => (t < 30 ? 1 : t < 70 ? 3 : 1), seen));
    const trace = runStrategy(o);
    expect(trace.events.map((e) => [e.atS, e.from, e.to])).toEqual([
      [30, 1, 3],
      [70, 3, 1],
    ]);
    // The two new pods are ready 15 s after they were ordered.
    const added = trace.pods.filter((p) => p.createdS === 30);
    expect(added).toHaveLength(2);
    for (const p of added) expect(p.readyS).toBe(45);
    expect(trace.timeline.find((p) => p.atS === 44)?.ready).toBe(1);
    expect(trace.timeline.find((p) => p.atS === 45)?.ready).toBe(3);
    // Two pods left at 70; they are gone once their requests finished (not before 70).
    const gone = trace.pods.filter((p) => !Number.isNaN(p.goneS));
    expect(gone).toHaveLength(2);
    for (const p of gone) expect(p.goneS).toBeGreaterThanOrEqual(70);
    expect(trace.outcomes).toHaveLength(o.workload.length);
    expect(trace.outcomes.every((r) => r.finished && Number.isFinite(r.ttftS))).toBe(true);
    expect(trace.outcomes.every((r) => r.ttftS > 0)).toBe(true);
  });

  it('hands the decision the per-pod metric windows, ready count and the queue signal', () => {
    const seen: DecideInput[] = [];
    runStrategy(options(scripted((t) => (t < 10 ? 1 : 2), seen)));
    expect(seen[0]?.nowMs).toBe(1000);
    expect(seen.every((s, i) => s.nowMs === (i + 1) * 1000)).toBe(true);
    const at20 = seen.find((s) => s.nowMs === 20_000) as DecideInput;
    expect(at20.currentReplicas).toBe(2);
    expect(at20.readyReplicas).toBe(1); // the second pod is still starting (ready at 25 s)
    expect(at20.signals[0]?.name).toBe('num_requests_running');
    expect(at20.signals[0]?.target).toBe(8);
    expect(at20.queue?.prefillTokensPerSecondPerPod).toBeGreaterThan(0);
    expect(at20.history.length).toBeGreaterThan(0);
    expect(at20.lastScaleUpMs).toBe(10_000);
    // Later, with 2 ready pods, the per-pod running average is what each engine holds on average.
    const late = seen.filter((s) => s.readyReplicas === 2);
    expect(late.length).toBeGreaterThan(0);
    expect(late.some((s) => (s.signals[0]?.stable ?? 0) > 0)).toBe(true);
  });

  it('is deterministic: the same inputs give the same trace', () => {
    const a = runStrategy(options(scripted((t) => (t < 50 ? 1 : 2), [])));
    const b = runStrategy(options(scripted((t) => (t < 50 ? 1 : 2), [])));
    expect(a.outcomes.map((r) => r.ttftS)).toEqual(b.outcomes.map((r) => r.ttftS));
  });
});
