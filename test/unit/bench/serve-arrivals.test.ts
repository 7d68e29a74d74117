import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../src/shared/index.js';
import { arrivalTimesMs, gammaSample } from '../../../src/bench/serve-arrivals.js';
import {
  parseGoodput,
  parsePercentiles,
  parseRate,
  parseSweep,
} from '../../../src/bench/serve-options.js';
import { scheduleFor } from '../../../src/bench/serve-run.js';
import { randomWorkload } from '../../../src/bench/serve-workload.js';

const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - (times[i] as number));
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const cv = (v: number[]): number => {
  const m = mean(v);
  return Math.sqrt(mean(v.map((x) => (x - m) ** 2))) / m;
};

describe('arrival process (vLLM: gamma gaps, shape = burstiness, mean 1/rate)', () => {
  it('sends the first request at once and everything at once for inf', () => {
    expect(arrivalTimesMs(3, Infinity, 1, new SeededRng(1))).toEqual([0, 0, 0]);
    expect(arrivalTimesMs(5, 2, 1, new SeededRng(1))[0]).toBe(0);
  });

  it('gives Poisson arrivals at burstiness 1: mean gap 1/rate, coefficient of variation 1', () => {
    const g = gaps(arrivalTimesMs(20_000, 4, 1, new SeededRng(7)));
    expect(mean(g)).toBeGreaterThan(240);
    expect(mean(g)).toBeLessThan(260);
    expect(cv(g)).toBeGreaterThan(0.95);
    expect(cv(g)).toBeLessThan(1.05);
  });

  it('keeps the rate while burstiness changes the spread (cv = 1/sqrt(shape))', () => {
    const bursty = gaps(arrivalTimesMs(20_000, 10, 0.25, new SeededRng(3)));
    const even = gaps(arrivalTimesMs(20_000, 10, 4, new SeededRng(3)));
    for (const g of [bursty, even]) {
      expect(mean(g)).toBeGreaterThan(95);
      expect(mean(g)).toBeLessThan(105);
    }
    expect(cv(bursty)).toBeGreaterThan(1.85);
    expect(cv(bursty)).toBeLessThan(2.15);
    expect(cv(even)).toBeGreaterThan(0.46);
    expect(cv(even)).toBeLessThan(0.54);
  });

  it('is deterministic under a seed', () => {
    expect(arrivalTimesMs(50, 3, 0.7, new SeededRng(5))).toEqual(
      arrivalTimesMs(50, 3, 0.7, new SeededRng(5)),
    );
    expect(gammaSample(new SeededRng(1), 2, 1)).not.toBe(gammaSample(new SeededRng(2), 2, 1));
  });

  it('replays a trace on its own times instead of the arrival process', () => {
    const timed = randomWorkload({
      count: 3,
      inputLen: 4,
      outputLen: 2,
      rangeRatio: 0,
      prefixLen: 0,
      seed: 1,
    }).map((r, i) => ({ ...r, atMs: i * 500 }));
    expect(scheduleFor(timed, { rate: 1, burstiness: 1, maxConcurrency: 0, seed: 1 })).toEqual([
      0, 500, 1000,
    ]);
  });
});

describe('option parsing', () => {
  it('reads percentiles, goodput SLOs, rates and sweeps', () => {
    expect(parsePercentiles('99, 50,90')).toEqual([50, 90, 99]);
    expect(parseGoodput('ttft:500 tpot:50')).toEqual({ ttft: 500, tpot: 50 });
    expect(parseGoodput('e2el:10000,ttft:2')).toEqual({ e2el: 10000, ttft: 2 });
    expect(parseGoodput('')).toBeUndefined();
    expect(parseRate('inf')).toBe(Infinity);
    expect(parseRate('2.5')).toBe(2.5);
    expect(parseSweep('rate=1,2,inf')).toEqual({ kind: 'rate', values: [1, 2, Infinity] });
    expect(parseSweep('concurrency=1,4,16')).toEqual({ kind: 'concurrency', values: [1, 4, 16] });
    expect(parseSweep('')).toBeUndefined();
  });

  it('refuses bad values with a usage error naming them', () => {
    expect(() => parsePercentiles('50,101')).toThrow(/101/);
    expect(() => parseGoodput('latency:5')).toThrow(/latency:5/);
    expect(() => parseGoodput('ttft:-1')).toThrow(/ttft:-1/);
    expect(() => parseRate('0')).toThrow(/"0"/);
    expect(() => parseSweep('qps=1')).toThrow(/qps=1/);
    expect(() => parseSweep('concurrency=1.5')).toThrow(/1\.5/);
  });
});
