/**
 * `bench serve`'s option parsers for the values a flat flag cannot type: percentiles, goodput
 * SLOs, the request rate (`inf` allowed) and a sweep. Each throws `CLI_USAGE` with the bad text.
 */
import { AppError } from '../shared/index.js';
import type { GoodputSlos } from './serve-metrics.js';

const usage = (message: string): AppError => new AppError('CLI_USAGE', message);

/** `50,90,99` → [50, 90, 99]; each in (0, 100]. */
export function parsePercentiles(text: string): number[] {
  const values = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v <= 0 || v > 100))
    throw usage(`--percentiles wants numbers in (0, 100] separated by commas, got "${text}"`);
  return [...new Set(values)].sort((a, b) => a - b);
}

const SLO_NAMES = ['ttft', 'tpot', 'e2el'] as const;

/** `ttft:500 tpot:50` (spaces or commas) → SLOs in ms; '' → undefined (no goodput). */
export function parseGoodput(text: string): GoodputSlos | undefined {
  const parts = text.split(/[\s,]+/).filter((s) => s !== '');
  if (parts.length === 0) return undefined;
  const slos: Record<string, number> = {};
  for (const part of parts) {
    const [name, value] = part.split(':');
    const ms = Number(value);
    if (!SLO_NAMES.includes(name as (typeof SLO_NAMES)[number]) || !(ms > 0))
      throw usage(`--goodput wants ttft:MS tpot:MS e2el:MS with positive ms, got "${part}"`);
    slos[name as string] = ms;
  }
  return slos;
}

/** `inf` → Infinity (all at once); otherwise a positive number of requests per second. */
export function parseRate(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'inf' || t === 'infinity') return Infinity;
  const v = Number(t);
  if (!(v > 0) || !Number.isFinite(v))
    throw usage(`a request rate is a positive number or inf, got "${text}"`);
  return v;
}

/** A sweep: one run per value of the request rate or of the concurrency cap. */
export interface Sweep {
  readonly kind: 'rate' | 'concurrency';
  readonly values: readonly number[];
}

/** Most points one sweep may have. */
export const MAX_SWEEP_POINTS = 64;

/** `rate=1,2,4,inf` or `concurrency=1,4,16`; '' → undefined (one run). */
export function parseSweep(text: string): Sweep | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const m = /^(rate|concurrency)=(.+)$/.exec(t);
  if (m === null) throw usage(`--sweep wants rate=R1,R2,... or concurrency=C1,C2,..., got "${t}"`);
  const kind = m[1] as Sweep['kind'];
  const raw = (m[2] as string).split(',').filter((s) => s.trim() !== '');
  const values =
    kind === 'rate'
      ? raw.map(parseRate)
      : raw.map((s) => {
          const c = Number(s);
          if (!Number.isInteger(c) || c < 1)
            throw usage(`--sweep concurrency values are positive integers, got "${s}"`);
          return c;
        });
  if (values.length === 0 || values.length > MAX_SWEEP_POINTS)
    throw usage(`--sweep wants 1 to ${MAX_SWEEP_POINTS} values, got ${values.length}`);
  return { kind, values };
}
