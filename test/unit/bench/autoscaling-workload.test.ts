import { describe, expect, it } from 'vitest';
import {
  arrivalsPerSecond,
  generateWorkload,
  loadStepTimesS,
  parsePattern,
  rateSeries,
  workloadToJsonl,
  WORKLOAD_PATTERNS,
  type WorkloadOptions,
} from '../../../src/bench/autoscaling-workload.js';
import { parseTrace, TRACE_BLOCK_TOKENS } from '../../../src/bench/routing-trace.js';
import { SeededRng } from '../../../src/shared/index.js';

const base: WorkloadOptions = {
  pattern: 'up_and_down',
  durationS: 600,
  meanRps: 10,
  inputMedian: 1024,
  outputMedian: 128,
  seed: 7,
};

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('autoscaling workload rates (AIBrix sine_fluctuation shapes)', () => {
  it('quick_rising reaches 1.5× the mean within the first tenth and never falls', () => {
    const r = rateSeries('quick_rising', 1000, 20, new SeededRng(1));
    expect(r).toHaveLength(1000);
    for (let i = 1; i < r.length; i++) expect(r[i]).toBeGreaterThanOrEqual(r[i - 1] as number);
    expect(r[0]).toBeGreaterThanOrEqual(19);
    expect(r[0]).toBeLessThanOrEqual(21);
    expect(r[100]).toBeGreaterThanOrEqual(29); // quarter of a 200 s cycle = 50 s
    expect(Math.max(...r)).toBeLessThanOrEqual(31);
  });

  it('slow_rising climbs over the whole trace: still below 1.4× at mid-trace, 1.5× at the end', () => {
    const r = rateSeries('slow_rising', 1000, 20, new SeededRng(1));
    for (let i = 1; i < r.length; i++) expect(r[i]).toBeGreaterThanOrEqual(r[i - 1] as number);
    expect(r[500]).toBeLessThan(28); // 20 + 10·sin(π/4) ≈ 27.1
    expect(r[999]).toBeGreaterThanOrEqual(29);
  });

  it('slight_fluctuation stays within ±10% (+ noise); severe swings ±50%, 12 cycles', () => {
    const slight = rateSeries('slight_fluctuation', 1200, 20, new SeededRng(2));
    expect(Math.min(...slight)).toBeGreaterThanOrEqual(17);
    expect(Math.max(...slight)).toBeLessThanOrEqual(23);
    const severe = rateSeries('severe_fluctuation', 1200, 20, new SeededRng(2));
    expect(Math.min(...severe)).toBeLessThanOrEqual(11);
    expect(Math.max(...severe)).toBeGreaterThanOrEqual(29);
    // 12 cycles of 100 s: one trough at 75 s, the next at 175 s.
    expect(severe[75]).toBeLessThanOrEqual(11);
    expect(severe[125]).toBeGreaterThanOrEqual(29);
    expect(mean(severe)).toBeCloseTo(20, 0);
  });

  it('up_and_down follows AIBrix’s 1→4→8→10→2→6 trend in six equal steps', () => {
    const r = rateSeries('up_and_down', 600, 10, new SeededRng(3));
    expect([0, 100, 200, 300, 400, 500].map((i) => r[i])).toEqual([2, 8, 16, 20, 4, 12]);
  });
});

describe('generateWorkload', () => {
  it('is deterministic under a seed and different under another', () => {
    expect(generateWorkload(base)).toEqual(generateWorkload(base));
    expect(generateWorkload({ ...base, seed: 8 })).not.toEqual(generateWorkload(base));
  });

  it('arrives at the pattern’s rate per step (Poisson), sorted, with sane lengths and hash ids', () => {
    const entries = generateWorkload(base);
    for (let i = 1; i < entries.length; i++)
      expect(entries[i]?.timestampMs).toBeGreaterThanOrEqual(entries[i - 1]?.timestampMs ?? 0);
    const perSecond = arrivalsPerSecond(entries, 600);
    const stepMeans = [0, 1, 2, 3, 4, 5].map((k) => mean(perSecond.slice(k * 100, k * 100 + 100)));
    const expected = [2, 8, 16, 20, 4, 12];
    stepMeans.forEach((m, k) => expect(Math.abs(m - (expected[k] as number))).toBeLessThan(2));
    const inputs = entries.map((e) => e.inputLength).sort((a, b) => a - b);
    const median = inputs[Math.floor(inputs.length / 2)] as number;
    expect(median).toBeGreaterThan(900);
    expect(median).toBeLessThan(1150);
    const ids = new Set<number>();
    for (const e of entries) {
      expect(e.hashIds).toHaveLength(Math.ceil(e.inputLength / TRACE_BLOCK_TOKENS));
      expect(e.outputLength).toBeGreaterThanOrEqual(1);
      for (const id of e.hashIds) ids.add(id);
    }
    // Every prompt is its own: no id repeats across requests.
    expect(ids.size).toBe(entries.reduce((a, e) => a + e.hashIds.length, 0));
  });

  it('writes JSONL that the routing bench’s trace reader reads back unchanged', () => {
    const entries = generateWorkload({ ...base, durationS: 60 });
    const text = workloadToJsonl(entries);
    expect(text.split('\n').filter((l) => l !== '')).toHaveLength(entries.length);
    expect(parseTrace(text)).toEqual(entries);
    expect(Object.keys(JSON.parse(text.split('\n')[0] as string) as object)).toEqual([
      'timestamp',
      'input_length',
      'output_length',
      'hash_ids',
    ]);
  });
});

describe('patterns and load steps', () => {
  it('parses names with - or _ and refuses unknown ones', () => {
    expect(parsePattern('quick-rising')).toBe('quick_rising');
    expect(parsePattern('severe_fluctuation')).toBe('severe_fluctuation');
    expect(parsePattern('sawtooth')).toBeUndefined();
    expect(WORKLOAD_PATTERNS).toHaveLength(5);
  });

  it('finds the rises: up_and_down’s four, quick_rising’s two crossings early on', () => {
    expect(loadStepTimesS('up_and_down', 600)).toEqual([100, 200, 300, 500]);
    const quick = loadStepTimesS('quick_rising', 1000);
    expect(quick).toHaveLength(2);
    expect(quick.every((s) => s < 60)).toBe(true);
    // 1 + 0.5·sin(2π·0.25·i/1000) passes 1.25 at i = 1000/3; it never quite reaches 1.5.
    expect(loadStepTimesS('slow_rising', 1000)).toEqual([334]);
  });
});
