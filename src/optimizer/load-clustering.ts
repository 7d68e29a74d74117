/**
 * Turns a window of requests into workload slices: fixed log-scale bucketing of the (log2 input,
 * log2 output) points. Each point falls in the cell floor(log2(tokens) × cellsPerOctave) on both
 * axes; a cell with requests is one slice, with the largest lengths seen in it (so a profile
 * lookup is conservative for every request of the slice) and its rate over the window.
 *
 * Why bucketing and not DBSCAN (AIBrix) or k-means: it is deterministic, needs no seed or tuning,
 * costs one pass, and the cells line up with a profile's power-of-two buckets, so a slice never
 * straddles two profile cells' worth of very different requests. The number of slices is bounded
 * by the cell grid (log2 of the longest context × cells per octave, squared).
 */

/** One workload slice: requests of similar shape, at a rate. */
export interface WorkloadSlice {
  /** Stable id: `in<cell>-out<cell>`. */
  readonly id: string;
  /** Largest input length in the slice, tokens. */
  readonly inputTokens: number;
  /** Largest output length in the slice, tokens. */
  readonly outputTokens: number;
  /** Requests per second over the window. */
  readonly rps: number;
  /** Requests of the window in the slice. */
  readonly requests: number;
}

/** A request as clustering sees it. */
export interface LengthPoint {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * Buckets `points` (one window of `windowS` seconds) into slices, ordered by input then output
 * cell. `cellsPerOctave` (default 1: one cell per power of two) sets the resolution.
 */
export function clusterLoad(
  points: readonly LengthPoint[],
  windowS: number,
  cellsPerOctave = 1,
): WorkloadSlice[] {
  if (!(windowS > 0)) throw new RangeError('clusterLoad: windowS must be > 0');
  if (!(cellsPerOctave > 0)) throw new RangeError('clusterLoad: cellsPerOctave must be > 0');
  const cell = (tokens: number): number =>
    Math.floor(Math.log2(Math.max(1, tokens)) * cellsPerOctave);
  const cells = new Map<
    string,
    { i: number; o: number; maxIn: number; maxOut: number; n: number }
  >();
  for (const p of points) {
    const i = cell(p.inputTokens);
    const o = cell(p.outputTokens);
    const key = `in${i}-out${o}`;
    const c = cells.get(key);
    if (c === undefined)
      cells.set(key, { i, o, maxIn: p.inputTokens, maxOut: p.outputTokens, n: 1 });
    else {
      c.maxIn = Math.max(c.maxIn, p.inputTokens);
      c.maxOut = Math.max(c.maxOut, p.outputTokens);
      c.n++;
    }
  }
  return [...cells.entries()]
    .sort(([, a], [, b]) => a.i - b.i || a.o - b.o)
    .map(([id, c]) => ({
      id,
      inputTokens: c.maxIn,
      outputTokens: c.maxOut,
      rps: c.n / windowS,
      requests: c.n,
    }));
}
