/**
 * Several engines' series on one time axis, the aligned columns uPlot draws: the union of their
 * sample times, each engine's value or null where it has no sample. Pure.
 */
import type { ConsoleEngineSeries } from '../console-snapshot.js';

/** Which column of an engine's series to draw. */
export type SeriesField = 'running' | 'waiting' | 'kvUsage' | 'ttftMs';

/** Aligned data: x in seconds (uPlot's time unit), then one column per engine in `engines` order. */
export interface JoinedSeries {
  readonly x: number[];
  readonly columns: (number | null)[][];
}

/** Joins `field` of each series onto the union of their times. */
export function joinSeries(
  series: readonly ConsoleEngineSeries[],
  field: SeriesField,
): JoinedSeries {
  const times = [...new Set(series.flatMap((s) => s.t))].sort((a, b) => a - b);
  const slot = new Map(times.map((t, i) => [t, i]));
  const columns = series.map((s) => {
    const column: (number | null)[] = times.map(() => null);
    s.t.forEach((t, i) => {
      const at = slot.get(t);
      if (at !== undefined) column[at] = s[field][i] ?? null;
    });
    return column;
  });
  return { x: times.map((t) => t / 1000), columns };
}
