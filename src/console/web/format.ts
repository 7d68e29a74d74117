/** How the page writes numbers: one place, so every view shows "—" for unknown the same way. */

/** The mark for a value the leader does not know (the contract's `null`). */
export const UNKNOWN = '—';

/** 0–1 as a percentage with no decimals (e.g. "62 %"). */
export function percent(ratio: number | null): string {
  return ratio === null ? UNKNOWN : `${Math.round(ratio * 100)} %`;
}

/** Bytes in binary units with one decimal ("71.0 GiB"). */
export function bytes(n: number | null): string {
  if (n === null) return UNKNOWN;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit] ?? ''}`;
}

/** Milliseconds, switching to seconds past 10 s ("184 ms", "12.5 s"). */
export function millis(ms: number | null): string {
  if (ms === null) return UNKNOWN;
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A plain number, or the unknown mark; `digits` decimals when it has a fraction. */
export function num(n: number | null, digits = 0): string {
  if (n === null) return UNKNOWN;
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

/** How long before `nowMs` the time `atMs` was, coarsely ("4 s ago", "3 min ago"). */
export function ago(atMs: number | null, nowMs: number): string {
  if (atMs === null) return UNKNOWN;
  const s = Math.max(0, Math.round((nowMs - atMs) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** Wall-clock time of day, HH:MM:SS in the viewer's zone. */
export function clock(atMs: number): string {
  return new Date(atMs).toLocaleTimeString([], { hour12: false });
}
