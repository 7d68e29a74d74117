import { describe, expect, it } from 'vitest';
import { HARDWARE_PROFILES, stepTimeS } from '../../../src/sim/profiles.js';

const h100 = HARDWARE_PROFILES.get('llama-8b-h100')!;
const a100 = HARDWARE_PROFILES.get('llama-8b-a100')!;

describe('stepTimeS (perf.md §9 analytic model)', () => {
  it('decodes at batch 1 with short context in ≈7.7 ms on H100', () => {
    const s = stepTimeS(h100, { batchSize: 1, prefillTokens: 0, decodeContextTokens: 64 });
    expect(s).toBeGreaterThan(7.4e-3);
    expect(s).toBeLessThan(8.0e-3);
  });

  it('decodes at batch 64 with 2k context each in ≈18 ms on H100', () => {
    const s = stepTimeS(h100, { batchSize: 64, prefillTokens: 0, decodeContextTokens: 64 * 2048 });
    expect(s).toBeGreaterThan(17e-3);
    expect(s).toBeLessThan(19e-3);
  });

  it('prefills at ≈36 µs per token on H100 and ≈135 µs on A100', () => {
    const per = (p: typeof h100): number =>
      (stepTimeS(p, { batchSize: 1, prefillTokens: 4096, decodeContextTokens: 0 }) -
        stepTimeS(p, { batchSize: 1, prefillTokens: 0, decodeContextTokens: 0 })) /
      4096;
    expect(per(h100)).toBeCloseTo(36e-6, 6);
    expect(per(a100)).toBeCloseTo(135e-6, 5);
  });

  it('is slower on A100 than on H100 for the same step', () => {
    const shape = { batchSize: 8, prefillTokens: 0, decodeContextTokens: 8 * 512 };
    expect(stepTimeS(a100, shape)).toBeGreaterThan(1.5 * stepTimeS(h100, shape));
  });
});
