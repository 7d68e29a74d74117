import { describe, expect, it } from 'vitest';
import {
  countOscillations,
  meanOfKnown,
  ratio,
  replicaSeconds,
  timeToCapacity,
  ttftFigures,
} from '../../../src/bench/autoscaling-metrics.js';
import {
  goalChecks,
  strategyTotals,
  withHpaRatios,
  type StrategyFigures,
} from '../../../src/bench/autoscaling-report.js';

const ev = (pairs: [number, number][]): { from: number; to: number }[] =>
  pairs.map(([from, to]) => ({ from, to }));

describe('countOscillations', () => {
  it('counts direction changes between consecutive scale events', () => {
    expect(countOscillations([])).toBe(0);
    expect(
      countOscillations(
        ev([
          [1, 2],
          [2, 4],
          [4, 8],
        ]),
      ),
    ).toBe(0);
    expect(
      countOscillations(
        ev([
          [1, 2],
          [2, 1],
        ]),
      ),
    ).toBe(1);
    expect(
      countOscillations(
        ev([
          [1, 3],
          [3, 2],
          [2, 4],
          [4, 1],
        ]),
      ),
    ).toBe(3);
    // No-op events do not break a run of one direction.
    expect(
      countOscillations(
        ev([
          [4, 3],
          [3, 3],
          [3, 2],
          [2, 5],
        ]),
      ),
    ).toBe(1);
  });
});

describe('replicaSeconds', () => {
  it('charges each pod from creation to gone, clipped to the workload', () => {
    const pods = [
      { createdS: 0, goneS: NaN }, // all 100 s
      { createdS: 10, goneS: 40 }, // 30
      { createdS: 90, goneS: 130 }, // 10 inside
      { createdS: 120, goneS: NaN }, // after the end: 0
    ];
    expect(replicaSeconds(pods, 100)).toBe(140);
    expect(replicaSeconds([], 100)).toBe(0);
  });
});

describe('ttftFigures', () => {
  it('means and p99 over served requests; the SLO share over all (refused = miss)', () => {
    const outcomes = [0.1, 0.2, 0.3, 3, NaN].map((ttftS) => ({ ttftS }));
    const f = ttftFigures(outcomes, 0.5);
    expect(f.requests).toBe(5);
    expect(f.served).toBe(4);
    expect(f.meanMs).toBe(900);
    expect(f.p50Ms).toBe(200);
    expect(f.p99Ms).toBe(3000);
    expect(f.sloAttainment).toBe(0.6);
  });

  it('an empty run attains its SLO and has no latency', () => {
    const f = ttftFigures([], 1);
    expect(f.sloAttainment).toBe(1);
    expect(f.meanMs).toBeNaN();
  });
});

describe('timeToCapacity', () => {
  it('is the first ready pod created at or after each step, before the next one', () => {
    const pods = [
      { createdS: 0, readyS: 0 }, // initial
      { createdS: 95, readyS: 140 }, // ordered before the step at 100: not an answer to it
      { createdS: 105, readyS: 150 }, // answers the step at 100 after 50 s
      { createdS: 110, readyS: 155 },
      { createdS: 230, readyS: NaN }, // removed while starting: never capacity
      { createdS: 310, readyS: 420 }, // after the end of the step at 300 (end 400)
    ];
    expect(timeToCapacity([100, 200, 300], pods, 400)).toEqual([50, null, null]);
    expect(meanOfKnown([50, null, 30])).toBe(40);
    expect(meanOfKnown([null])).toBeNull();
  });
});

const figures = (
  strategy: string,
  oscillations: number,
  replicaSecs: number,
  p99Ms: number,
): Omit<StrategyFigures, 'vsHpa'> => ({
  strategy,
  scaleEvents: oscillations + 1,
  oscillations,
  ttft: { requests: 100, served: 100, meanMs: p99Ms / 2, p50Ms: 1, p99Ms, sloAttainment: 0.9 },
  replicaSeconds: replicaSecs,
  meanReplicas: 1,
  peakReplicas: 2,
  timeToCapacityS: [],
  meanTimeToCapacityS: null,
  replicas: [[0, 1]],
});

describe('ratios against HPA and the goal check', () => {
  it('divides by HPA’s figures of the same workload', () => {
    const [hpa, kpa] = withHpaRatios([figures('HPA', 4, 1000, 800), figures('KPA', 1, 900, 400)]);
    expect(hpa?.vsHpa).toEqual({ oscillations: 1, replicaSeconds: 1, meanTtft: 1, p99Ttft: 1 });
    expect(kpa?.vsHpa).toEqual({
      oscillations: 0.25,
      replicaSeconds: 0.9,
      meanTtft: 0.5,
      p99Ttft: 0.5,
    });
    expect(ratio(1, 0)).toBeNull();
  });

  it('meets the goal only with half the oscillations, lower cost and no worse p99 everywhere', () => {
    const workloads = [
      withHpaRatios([
        figures('HPA', 4, 1000, 800),
        figures('KPA', 2, 900, 800),
        figures('APA', 1, 1100, 500),
        figures('SLO', 1, 800, 700),
      ]),
      withHpaRatios([
        figures('HPA', 2, 1000, 800),
        figures('KPA', 1, 900, 700),
        figures('APA', 0, 800, 500),
        figures('SLO', 0, 800, 900),
      ]),
    ];
    const totals = strategyTotals(workloads);
    expect(totals.map((t) => [t.strategy, t.oscillations, t.replicaSeconds])).toEqual([
      ['HPA', 6, 2000],
      ['KPA', 3, 1800],
      ['APA', 1, 1900],
      ['SLO', 1, 1600],
    ]);
    const goal = goalChecks(totals);
    expect(goal.map((g) => [g.strategy, g.met])).toEqual([
      ['KPA', true],
      ['APA', true],
      ['SLO', false], // p99 worse than HPA on the second workload
    ]);
    expect(goal[2]).toMatchObject({ halfTheOscillations: true, lowerReplicaSeconds: true });
  });
});
