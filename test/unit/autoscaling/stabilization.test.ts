import { describe, expect, it } from 'vitest';
import {
  appendRecommendation,
  cooldownHold,
  stabilizeRecommendation,
} from '../../../src/autoscaling/index.js';
import { someTunables } from '../../helpers/autoscaling-builders.js';

const at = (s: number, replicas: number) => ({ atMs: s * 1000, replicas });

describe('stabilizeRecommendation (Kubernetes semantics)', () => {
  const base = { nowMs: 30_000, scaleUpWindowMs: 0, scaleDownWindowMs: 300_000 };

  it('AIBrix #2821 repro: 10 then a dip to 2 within 5 min stays at 10', () => {
    const r = stabilizeRecommendation({
      ...base,
      recommendation: 2,
      currentReplicas: 10,
      history: [at(0, 10)],
    });
    expect(r).toEqual({ replicas: 10, heldBy: 'scale-down window' });
  });

  it('scales down to the highest recommendation of the window once all are lower', () => {
    const r = stabilizeRecommendation({
      ...base,
      nowMs: 400_000,
      recommendation: 2,
      currentReplicas: 10,
      history: [at(0, 10), at(150, 5), at(300, 3)],
    });
    expect(r).toEqual({ replicas: 5, heldBy: 'scale-down window' });
  });

  it('scales up at once with a zero scale-up window, and a scale-up window holds a spike', () => {
    expect(
      stabilizeRecommendation({
        ...base,
        recommendation: 8,
        currentReplicas: 4,
        history: [at(20, 4)],
      }),
    ).toEqual({
      replicas: 8,
    });
    const held = stabilizeRecommendation({
      ...base,
      scaleUpWindowMs: 60_000,
      recommendation: 8,
      currentReplicas: 4,
      history: [at(0, 4), at(20, 6)],
    });
    expect(held).toEqual({ replicas: 4, heldBy: 'scale-up window' });
  });

  it('ignores records from the future (a clock that went back)', () => {
    const r = stabilizeRecommendation({
      ...base,
      recommendation: 2,
      currentReplicas: 4,
      history: [at(60, 9)],
    });
    expect(r.replicas).toBe(2);
  });
});

describe('cooldownHold', () => {
  const base = { nowMs: 100_000, scaleUpCooldownMs: 30_000, scaleDownCooldownMs: 300_000 };
  it('holds a scale-down within the cooldown after a scale-up', () => {
    expect(cooldownHold({ ...base, desired: 2, currentReplicas: 4, lastScaleUpMs: 0 })).toBe(
      'scale-down cooldown after a scale-up (200 s left)',
    );
    expect(
      cooldownHold({ ...base, nowMs: 300_000, desired: 2, currentReplicas: 4, lastScaleUpMs: 0 }),
    ).toBeUndefined();
  });
  it('holds a scale-up within the cooldown after a scale-down, not steps in one direction', () => {
    expect(
      cooldownHold({ ...base, desired: 6, currentReplicas: 4, lastScaleDownMs: 90_000 }),
    ).toContain('scale-up cooldown');
    expect(
      cooldownHold({ ...base, desired: 6, currentReplicas: 4, lastScaleUpMs: 99_000 }),
    ).toBeUndefined();
    expect(
      cooldownHold({ ...base, desired: 2, currentReplicas: 4, lastScaleDownMs: 99_000 }),
    ).toBeUndefined();
  });
});

describe('appendRecommendation', () => {
  it('keeps the longest window read and a bounded count', () => {
    const t = someTunables({ scaleDownCooldownMs: 300_000, stableWindowMs: 180_000 });
    const h = appendRecommendation([at(0, 1), at(101, 2), at(500, 9)], at(400, 3), t);
    expect(h).toEqual([at(101, 2), at(400, 3)]); // 0 is past 300 s, 500 is from the future
    const many = Array.from({ length: 50 }, (_, i) => at(i, i));
    expect(appendRecommendation(many, at(50, 50), t, 10)).toHaveLength(10);
  });
});
