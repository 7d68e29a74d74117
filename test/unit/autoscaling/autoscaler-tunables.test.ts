import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AUTOSCALER_TUNABLES,
  parseGoDurationMs,
  parseTunables,
  type PodAutoscaler,
  type PodAutoscalerSpec,
} from '../../../src/autoscaling/index.js';

const pa = (
  annotations: Record<string, string> = {},
  spec: Partial<PodAutoscalerSpec> = {},
): PodAutoscaler => ({
  apiVersion: 'infernode.io/v1alpha1',
  kind: 'PodAutoscaler',
  metadata: { name: 'pa', namespace: 'default', annotations },
  spec: {
    scaleTargetRef: { kind: 'Deployment', name: 'llama' },
    maxReplicas: 8,
    metricsSources: [],
    scalingStrategy: 'KPA',
    ...spec,
  },
});

describe('parseGoDurationMs', () => {
  it.each([
    ['300s', 300_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['0', 0],
    ['0s', 0],
  ])('%s → %i ms', (text, ms) => expect(parseGoDurationMs(text)).toBe(ms));

  it.each(['', '300', '-5s', '5 m', '5x', 'm5', '1h30'])('rejects %j', (text) => {
    expect(parseGoDurationMs(text)).toBeUndefined();
  });
});

describe('parseTunables', () => {
  it("gives AIBrix's defaults and the spec's window defaults", () => {
    expect(parseTunables(pa())).toEqual({ tunables: DEFAULT_AUTOSCALER_TUNABLES, problems: [] });
  });

  it("reads AIBrix's keys, and ours win over them", () => {
    const { tunables, problems } = parseTunables(
      pa({
        'autoscaling.aibrix.ai/max-scale-up-rate': '3',
        'autoscaling.aibrix.ai/scale-down-cooldown-window': '10m',
        'autoscaling.infernode.io/scale-down-cooldown-window': '1h30m',
        'autoscaling.aibrix.ai/panic-threshold': '2.5',
        'autoscaling.infernode.io/scale-up-tolerance': '0.2',
        'autoscaling.aibrix.ai/scale-down-tolerance': '0.3',
        'autoscaling.aibrix.ai/scale-up-cooldown-window': '30s',
        'autoscaling.infernode.io/scale-to-zero-delay': '2m',
        'autoscaling.infernode.io/slo-ttft': '1500ms',
        'autoscaling.aibrix.ai/max-scale-down-rate': '4',
      }),
    );
    expect(problems).toEqual([]);
    expect(tunables).toMatchObject({
      maxScaleUpRate: 3,
      maxScaleDownRate: 4,
      scaleDownCooldownMs: 5_400_000,
      scaleUpCooldownMs: 30_000,
      panicThreshold: 2.5,
      scaleUpTolerance: 0.2,
      scaleDownTolerance: 0.3,
      scaleToZeroDelayMs: 120_000,
      sloTtftMs: 1500,
    });
  });

  it('turns bad values into defaults plus a problem, never a throw', () => {
    const { tunables, problems } = parseTunables(
      pa({
        'autoscaling.aibrix.ai/max-scale-up-rate': 'fast',
        'autoscaling.aibrix.ai/max-scale-down-rate': '1',
        'autoscaling.aibrix.ai/scale-up-tolerance': '1.5',
        'autoscaling.aibrix.ai/scale-down-cooldown-window': '300',
        'autoscaling.aibrix.ai/scale-to-zero': 'yes',
        'autoscaling.infernode.io/slo-ttft': '0s',
      }),
    );
    expect(tunables).toEqual(DEFAULT_AUTOSCALER_TUNABLES);
    expect(problems).toHaveLength(6);
    expect(problems).toContain(
      'autoscaling.aibrix.ai/max-scale-up-rate: "fast" is not a number above 1; using 2',
    );
    expect(problems).toContain(
      'autoscaling.aibrix.ai/scale-down-cooldown-window: "300" is not a duration like "300s", "5m" or "1h30m"; using 300s',
    );
  });

  it('scale-to-zero defaults on when minReplicas is 0, and the annotation decides', () => {
    expect(parseTunables(pa({}, { minReplicas: 0 })).tunables.scaleToZero).toBe(true);
    expect(parseTunables(pa({}, { minReplicas: 1 })).tunables.scaleToZero).toBe(false);
    const off = pa({ 'autoscaling.aibrix.ai/scale-to-zero': 'false' }, { minReplicas: 0 });
    expect(parseTunables(off).tunables.scaleToZero).toBe(false);
    const on = parseTunables(
      pa({ 'autoscaling.aibrix.ai/scale-to-zero': 'true' }, { minReplicas: 2 }),
    );
    expect(on.tunables.scaleToZero).toBe(true);
    expect(on.problems).toEqual([
      'scale-to-zero is on but minReplicas is 2: the target never reaches zero',
    ]);
  });

  it('takes windows from the spec, clamped to 1–3600 s with panic ≤ observe', () => {
    const ok = parseTunables(pa({}, { observeWindowSeconds: 120, panicWindowSeconds: 10 }));
    expect([ok.tunables.stableWindowMs, ok.tunables.panicWindowMs, ok.problems]).toEqual([
      120_000,
      10_000,
      [],
    ]);
    const bad = parseTunables(pa({}, { observeWindowSeconds: 5000, panicWindowSeconds: 0 }));
    expect([bad.tunables.stableWindowMs, bad.tunables.panicWindowMs]).toEqual([3_600_000, 1000]);
    expect(bad.problems).toHaveLength(2);
    const above = parseTunables(pa({}, { observeWindowSeconds: 30, panicWindowSeconds: 60 }));
    expect(above.tunables.panicWindowMs).toBe(30_000);
    expect(above.problems).toEqual([
      'spec.panicWindowSeconds 60 is above observeWindowSeconds 30; using 30',
    ]);
    // A short observe window pulls the default panic window down with it, silently.
    const short = parseTunables(pa({}, { observeWindowSeconds: 20 }));
    expect([short.tunables.panicWindowMs, short.problems]).toEqual([20_000, []]);
  });
});
