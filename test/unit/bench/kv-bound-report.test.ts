import { describe, expect, it } from 'vitest';
import {
  boundRatios,
  boundRow,
  boundVerdict,
  type BoundRow,
} from '../../../src/bench/kv-bound-report.js';
import type { BoundMode } from '../../../src/bench/kv-bound-modes.js';
import type { BoundRun } from '../../../src/bench/kv-bound-tally.js';

const run = (ttftS: number[]): BoundRun => ({
  requests: ttftS.length,
  completed: ttftS.length,
  refused: 0,
  ttftS,
  queueS: ttftS.map((t) => t / 2),
  promptTokens: 1000,
  computedTokens: 600,
  gpuHitTokens: 100,
  loadedTokens: 300,
  outputTokens: 50,
  loads: 2,
  transferS: 0.02,
  lastFinishS: 10,
  steps: 7,
  engineQueryTokens: 2000,
  engineHitTokens: 500,
  preemptions: 3,
  computedOverflowed: false,
});
const row = (mode: BoundMode, rateScale: number, meanS: number): BoundRow =>
  boundRow(mode, rateScale, run([meanS, meanS]), 1);

describe('boundRow', () => {
  it('reports ms, shares of prompt tokens and rates over the replay', () => {
    const r = boundRow('oracle-link', 1, run([1, 2, 3]), 0.25);
    expect(r).toMatchObject({
      ttftMeanMs: 2000,
      ttftP50Ms: 2000,
      ttftP99Ms: 3000,
      queueMeanMs: 1000,
      requestsPerS: 0.3,
      outputTokensPerS: 5,
      computedShare: 0.6,
      gpuHitShare: 0.1,
      loadedShare: 0.3,
      engineHitRatio: 0.25,
      transferMeanMs: 10,
    });
  });
});

describe('boundRatios and boundVerdict', () => {
  const modes = (scale: number, m: Partial<Record<BoundMode, number>>): BoundRow[] =>
    (Object.entries(m) as [BoundMode, number][]).map(([mode, s]) => row(mode, scale, s));
  const rows = [
    // Prefix loses to random here: the goal does not apply, however good the oracle.
    ...modes(0.5, {
      random: 1,
      prefix: 1.2,
      'gpu-exact': 1.2,
      'oracle-free': 0.5,
      'oracle-link': 0.6,
      'oracle-l1': 0.7,
    }),
    ...modes(1, {
      random: 10,
      prefix: 4,
      'gpu-exact': 4,
      'oracle-free': 2.4,
      'oracle-link': 3,
      'oracle-l1': 3.6,
      'precise-l1-nodes': 2.8,
    }),
    ...modes(1.5, {
      random: 80,
      prefix: 40,
      'gpu-exact': 44,
      'oracle-free': 20,
      'oracle-link': 26,
      'oracle-l1': 30,
    }),
  ];

  it('divides mean TTFTs per rate scale', () => {
    const at1 = boundRatios(rows).find((r) => r.rateScale === 1)!;
    expect(at1).toEqual({
      rateScale: 1,
      prefixVsRandom: 0.4,
      prefixBeatsRandom: true,
      gpuExactVsPrefix: 1,
      oracleFreeVsPrefix: 0.6,
      oracleLinkVsPrefix: 0.75,
      oracleL1VsPrefix: 0.9,
      preciseL1VsPrefix: NaN, // not run
      preciseL1NodesVsPrefix: 0.7,
    });
  });

  it('finds where the goal is reachable, only at loads where prefix beats random', () => {
    const v = boundVerdict(boundRatios(rows));
    expect(v.prefixBeatsRandomAt).toEqual([1, 1.5]);
    expect(v.oracleFreeMeetsAt).toEqual([1, 1.5]);
    expect(v.oracleLinkMeetsAt).toEqual([1.5]);
    expect(v.bestOracleLinkVsPrefix).toBe(0.65);
    expect(v.oracleL1MeetsAt).toEqual([]);
    expect(v.bestOracleL1VsPrefix).toBe(0.75);
    expect(v.summary).toMatch(/oracle-l1 at no rate scale \(best 0\.75\)/);
    expect(v.reachable).toBe(true);
  });

  it('leaves oracle-l1 out of the summary when it was not run', () => {
    const v = boundVerdict(boundRatios(rows.filter((r) => r.mode !== 'oracle-l1')));
    expect(v.bestOracleL1VsPrefix).toBeNaN();
    expect(v.summary).not.toMatch(/oracle-l1/);
  });

  it('says so when prefix never beats random', () => {
    const v = boundVerdict(boundRatios(rows.filter((r) => r.rateScale === 0.5)));
    expect(v.reachable).toBe(false);
    expect(v.bestOracleLinkVsPrefix).toBeNaN();
    expect(v.summary).toMatch(/never beats random/);
  });
});
