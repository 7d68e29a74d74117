import { describe, expect, it } from 'vitest';
import {
  DiscreteSampler,
  generateLoraTraffic,
  zipfProbabilities,
  type LoraTrafficSpec,
} from '../../../src/bench/lora-traffic.js';
import { SeededRng } from '../../../src/shared/index.js';

const adapters = Array.from({ length: 64 }, (_, i) => `a${i}`);
const spec: LoraTrafficSpec = {
  adapters,
  zipfS: 1,
  requestsPerS: 50,
  durationS: 400,
  promptTokens: [10, 20],
  outputTokens: [3, 5],
};

describe('zipfProbabilities', () => {
  it('falls as 1/k^s and sums to 1', () => {
    const p = zipfProbabilities(64, 1);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect((p[0] as number) / (p[1] as number)).toBeCloseTo(2, 12);
    expect((p[0] as number) / (p[63] as number)).toBeCloseTo(64, 10);
    // 1 / H(64), H(64) = 4.7439…: the hottest of 64 adapters takes about 21%.
    expect(p[0]).toBeCloseTo(1 / 4.74389, 5);
    const squared = zipfProbabilities(3, 2);
    expect(squared.map((x) => x * (1 + 1 / 4 + 1 / 9))).toEqual(
      [1, 1 / 4, 1 / 9].map((x) => expect.closeTo(x, 12)),
    );
  });

  it('is uniform at s = 0 and refuses bad arguments', () => {
    expect(zipfProbabilities(4, 0)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(() => zipfProbabilities(0, 1)).toThrow(RangeError);
    expect(() => zipfProbabilities(2.5, 1)).toThrow(RangeError);
    expect(() => zipfProbabilities(4, -1)).toThrow(RangeError);
  });
});

describe('DiscreteSampler', () => {
  it('maps a uniform draw to the index whose CDF interval holds it', () => {
    const s = new DiscreteSampler([0.5, 0.25, 0.25]);
    expect(s.sample(0)).toBe(0);
    expect(s.sample(0.4999)).toBe(0);
    expect(s.sample(0.5)).toBe(1);
    expect(s.sample(0.7499)).toBe(1);
    expect(s.sample(0.75)).toBe(2);
    expect(s.sample(0.999999999)).toBe(2);
  });

  it('never falls off the end when rounding leaves the CDF under 1', () => {
    const s = new DiscreteSampler([0.1, 0.1, 0.1]);
    expect(s.sample(0.99)).toBe(2);
  });
});

describe('generateLoraTraffic', () => {
  const stream = generateLoraTraffic(spec, new SeededRng(7));

  it('replays the same stream for the same seed and another for another seed', () => {
    expect(generateLoraTraffic(spec, new SeededRng(7))).toEqual(stream);
    expect(generateLoraTraffic(spec, new SeededRng(8))).not.toEqual(stream);
  });

  it('arrives in order inside the window at about the requested rate', () => {
    const increasing = stream.every(
      (r, i) => i === 0 || r.arrivalS > (stream[i - 1]?.arrivalS ?? 0),
    );
    expect(increasing).toBe(true);
    expect(stream[0]?.arrivalS).toBeGreaterThan(0);
    expect(stream[stream.length - 1]?.arrivalS).toBeLessThan(spec.durationS);
    // Poisson count: mean 20,000, sd ≈ 141; 5 sd either side.
    expect(stream.length).toBeGreaterThan(20_000 - 710);
    expect(stream.length).toBeLessThan(20_000 + 710);
  });

  it('draws adapters with Zipf frequencies, one fixed adapter per rank', () => {
    const p = zipfProbabilities(64, 1);
    const counts = new Array<number>(64).fill(0);
    const adapterOfRank = new Map<number, string>();
    let consistent = true;
    for (const r of stream) {
      counts[r.rank] = (counts[r.rank] as number) + 1;
      consistent &&= (adapterOfRank.get(r.rank) ?? r.adapter) === r.adapter;
      adapterOfRank.set(r.rank, r.adapter);
    }
    expect(consistent).toBe(true);
    for (const k of [0, 1, 3, 15]) {
      const expected = (p[k] as number) * stream.length;
      // Binomial sd ≤ √expected; 5 sd.
      expect(Math.abs((counts[k] as number) - expected)).toBeLessThan(5 * Math.sqrt(expected));
    }
    // Ranks are dealt by a shuffle: the hottest adapter is not simply the first name.
    expect(new Set(adapterOfRank.values()).size).toBe(adapterOfRank.size);
    expect([...adapterOfRank.entries()].every(([rank, name]) => name === `a${rank}`)).toBe(false);
  });

  it('draws lengths from the inclusive ranges, both ends included', () => {
    const prompts = new Set(stream.map((r) => r.promptTokens));
    const outputs = new Set(stream.map((r) => r.outputTokens));
    expect([...prompts].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 11 }, (_, i) => 10 + i),
    );
    expect([...outputs].sort((a, b) => a - b)).toEqual([3, 4, 5]);
  });

  it('refuses a non-positive rate or window', () => {
    expect(() => generateLoraTraffic({ ...spec, requestsPerS: 0 }, new SeededRng(1))).toThrow(
      RangeError,
    );
    expect(() => generateLoraTraffic({ ...spec, durationS: 0 }, new SeededRng(1))).toThrow(
      RangeError,
    );
  });
});
