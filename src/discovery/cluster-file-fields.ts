/** Field checks shared by the cluster file's parsers: each records an issue and returns a fallback. */
import type { ConfigIssue } from '../shared/index.js';

/** A parsed YAML mapping. */
export type Obj = Record<string, unknown>;

/** True for a mapping (not null, not a list). */
export const isObj = (v: unknown): v is Obj =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** A TCP port 1–65535; `fallback` when absent and one is given. */
export function port(v: unknown, path: string, issues: ConfigIssue[], fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    issues.push({ path, message: `expected a port 1–65535, got ${JSON.stringify(v)}` });
    return 0;
  }
  return v;
}

/** A non-empty string, or undefined when absent. */
export function optionalString(
  v: unknown,
  path: string,
  issues: ConfigIssue[],
): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v !== '') return v;
  issues.push({ path, message: 'expected a non-empty string' });
  return undefined;
}

/** A number in [min, max] (an integer when `integer`), or undefined when absent. */
export function optionalNumber(
  v: unknown,
  path: string,
  issues: ConfigIssue[],
  range: { readonly min: number; readonly max: number; readonly integer?: boolean },
): number | undefined {
  if (v === undefined) return undefined;
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    v >= range.min &&
    v <= range.max &&
    (range.integer !== true || Number.isInteger(v));
  if (ok) return v;
  const kind = range.integer === true ? 'an integer' : 'a number';
  issues.push({
    path,
    message: `expected ${kind} ${range.min}–${range.max}, got ${JSON.stringify(v)}`,
  });
  return undefined;
}

/** true or false, or undefined when absent. */
export function optionalBool(v: unknown, path: string, issues: ConfigIssue[]): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  issues.push({ path, message: 'expected true or false' });
  return undefined;
}
