import { describe, expect, it } from 'vitest';
import {
  GPU_PROFILE_FORMAT,
  profileMaxRps,
  validateGpuProfile,
  type GpuProfile,
} from '../../../src/optimizer/index.js';
import { AppError } from '../../../src/shared/index.js';

const good = (): Record<string, unknown> => ({
  format: GPU_PROFILE_FORMAT,
  model: 'm',
  gpu: 'H100',
  costPerHour: 4,
  slo: { ttftMs: 500, tpotMs: 50, percentile: 99 },
  inputTokens: [128, 1024],
  outputTokens: [64, 512],
  maxRps: [
    [20, 5],
    [8, 2],
  ],
});

function problemsOf(value: unknown): string[] {
  try {
    validateGpuProfile(value, 'p.json');
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('OPTIMIZER_PROFILE_INVALID');
    expect((err as AppError).message).toContain('p.json');
    return (err as AppError).detail?.problems as string[];
  }
  throw new Error('expected the profile to be refused');
}

describe('validateGpuProfile', () => {
  it('accepts a well-formed profile as is', () => {
    const value = good();
    expect(validateGpuProfile(value, 'p.json')).toBe(value);
  });

  it('refuses what is not an object', () => {
    expect(problemsOf(null)).toEqual(['the profile must be a JSON object']);
    expect(problemsOf([1, 2])).toEqual(['the profile must be a JSON object']);
  });

  it('lists every missing or malformed field at once', () => {
    const problems = problemsOf({ format: 'x', gpu: '', costPerHour: -1, slo: { ttftMs: 0 } });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^format:/),
        expect.stringMatching(/^model:/),
        expect.stringMatching(/^gpu:/),
        expect.stringMatching(/^costPerHour:/),
        expect.stringMatching(/^slo\.ttftMs:/),
        expect.stringMatching(/^slo\.tpotMs:/),
        expect.stringMatching(/^slo\.percentile:/),
        expect.stringMatching(/^inputTokens:/),
        expect.stringMatching(/^outputTokens:/),
      ]),
    );
  });

  it('refuses bucket bounds that do not increase and matrices of the wrong shape', () => {
    expect(problemsOf({ ...good(), inputTokens: [128, 128] })).toEqual([
      'inputTokens[1]: bounds must increase strictly',
    ]);
    expect(problemsOf({ ...good(), maxRps: [[1, 2]] })[0]).toMatch(
      /^maxRps: must be an array of 2 rows/,
    );
    expect(problemsOf({ ...good(), maxRps: [[1], [2, 3]] })).toEqual([
      'maxRps[0]: must hold 2 rates (one per outputTokens bucket)',
    ]);
    expect(
      problemsOf({
        ...good(),
        maxRps: [
          [1, -2],
          [2, 'x'],
        ],
      }),
    ).toEqual([
      'maxRps[0][1]: must be a finite number ≥ 0',
      'maxRps[1][1]: must be a finite number ≥ 0',
    ]);
  });

  it('refuses more buckets than the bound', () => {
    const bounds = Array.from({ length: 65 }, (_, i) => i + 1);
    expect(problemsOf({ ...good(), inputTokens: bounds })[0]).toMatch(/65 buckets, at most 64/);
  });
});

describe('profileMaxRps', () => {
  const profile = good() as unknown as GpuProfile;

  it('reads the cell of the smallest buckets holding both lengths', () => {
    expect(profileMaxRps(profile, 100, 64)).toBe(20);
    expect(profileMaxRps(profile, 129, 64)).toBe(8);
    expect(profileMaxRps(profile, 1024, 65)).toBe(2);
  });

  it('answers 0 beyond the largest bucket: no promise past what was measured', () => {
    expect(profileMaxRps(profile, 1025, 10)).toBe(0);
    expect(profileMaxRps(profile, 10, 513)).toBe(0);
  });
});
