/**
 * The console contract's history sections (see console-snapshot.ts): recent events, and each
 * engine's recent samples in columns.
 */

/** What kind of thing happened. */
export type ConsoleEventKind =
  | 'gpu-failed'
  | 'gpu-recovered'
  | 'node-drain'
  | 'node-taint'
  | 'node-connected'
  | 'node-lost'
  | 'scale'
  | 'adapter-moved'
  | 'adapter-failed'
  | 'engine-up'
  | 'engine-down'
  | 'leader-changed';

/** One recent event. */
export interface ConsoleEvent {
  /** Increasing id within one leader's life: the page de-duplicates and orders on it. */
  readonly id: number;
  readonly atMs: number;
  readonly kind: ConsoleEventKind;
  /** info for the normal course of things, warning for what an operator should look at. */
  readonly severity: 'info' | 'warning';
  /** What it is about: a node, engine id, adapter or autoscaler name. */
  readonly subject: string;
  readonly message: string;
}

/** One engine's recent history, in columns (the shape uPlot draws). */
export interface ConsoleEngineSeries {
  readonly engine: string;
  /** Sample times, ms, oldest first; the other columns have the same length. */
  readonly t: readonly number[];
  readonly running: readonly (number | null)[];
  readonly waiting: readonly (number | null)[];
  readonly kvUsage: readonly (number | null)[];
  readonly ttftMs: readonly (number | null)[];
}

/** Per-engine history of the last minutes. */
export interface ConsoleSeries {
  /** How often the leader samples, ms. */
  readonly intervalMs: number;
  /** How far back it keeps, ms (the page drops older points after applying deltas). */
  readonly windowMs: number;
  readonly engines: readonly ConsoleEngineSeries[];
}
