/**
 * Checks an untrusted value (a parsed profile file) against the GPU profile format and lists
 * every problem with its path, so an operator fixes a measured profile in one go. Never throws
 * on bad input: a broken profile is one error with code OPTIMIZER_PROFILE_INVALID.
 */
import { AppError } from '../shared/index.js';
import { GPU_PROFILE_FORMAT, type GpuProfile } from './gpu-profile.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Largest bucket count per axis: bounds the matrix a file can make the leader hold. */
export const MAX_PROFILE_BUCKETS = 64;

/** The bounds, or an empty list when they have a problem (the matrix is then not checked). */
function checkBounds(value: unknown, path: string, problems: string[]): number[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${path}: must be a non-empty array of token counts`);
    return [];
  }
  if (value.length > MAX_PROFILE_BUCKETS) {
    problems.push(`${path}: ${value.length} buckets, at most ${MAX_PROFILE_BUCKETS}`);
    return [];
  }
  const out: number[] = [];
  let ok = true;
  for (const [k, v] of (value as unknown[]).entries()) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      problems.push(`${path}[${k}]: must be a positive integer`);
      ok = false;
    } else if (out.length > 0 && v <= (out[out.length - 1] as number)) {
      problems.push(`${path}[${k}]: bounds must increase strictly`);
      ok = false;
    } else out.push(v);
  }
  return ok ? out : [];
}

function checkMatrix(value: unknown, rows: number, cols: number, problems: string[]): void {
  if (!Array.isArray(value) || value.length !== rows) {
    problems.push(`maxRps: must be an array of ${rows} rows (one per inputTokens bucket)`);
    return;
  }
  value.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== cols) {
      problems.push(`maxRps[${i}]: must hold ${cols} rates (one per outputTokens bucket)`);
      return;
    }
    row.forEach((v: unknown, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        problems.push(`maxRps[${i}][${j}]: must be a finite number ≥ 0`);
    });
  });
}

/**
 * Validates `value` as a GpuProfile. `origin` (a file name) prefixes the message. Throws
 * AppError OPTIMIZER_PROFILE_INVALID listing every problem (detail.problems).
 */
export function validateGpuProfile(value: unknown, origin: string): GpuProfile {
  const problems: string[] = [];
  if (!isObj(value)) {
    problems.push('the profile must be a JSON object');
  } else {
    if (value.format !== GPU_PROFILE_FORMAT)
      problems.push(`format: must be "${GPU_PROFILE_FORMAT}"`);
    for (const key of ['model', 'gpu'] as const) {
      const v = value[key];
      if (typeof v !== 'string' || v === '' || v.length > 256)
        problems.push(`${key}: must be a non-empty string (at most 256 characters)`);
    }
    if (!positive(value.costPerHour)) problems.push('costPerHour: must be a number > 0');
    if (!isObj(value.slo)) problems.push('slo: must be an object {ttftMs, tpotMs, percentile}');
    else {
      if (!positive(value.slo.ttftMs)) problems.push('slo.ttftMs: must be a number > 0');
      if (!positive(value.slo.tpotMs)) problems.push('slo.tpotMs: must be a number > 0');
      const p = value.slo.percentile;
      if (typeof p !== 'number' || !(p > 0 && p <= 100))
        problems.push('slo.percentile: must be a number in (0, 100]');
    }
    const inputs = checkBounds(value.inputTokens, 'inputTokens', problems);
    const outputs = checkBounds(value.outputTokens, 'outputTokens', problems);
    if (inputs.length > 0 && outputs.length > 0)
      checkMatrix(value.maxRps, inputs.length, outputs.length, problems);
    if (value.source !== undefined && typeof value.source !== 'string')
      problems.push('source: must be a string when present');
  }
  if (problems.length > 0)
    throw new AppError(
      'OPTIMIZER_PROFILE_INVALID',
      `GPU profile ${origin} is invalid: ${problems.join('; ')}`,
      { detail: { origin, problems } },
    );
  return value as GpuProfile;
}
