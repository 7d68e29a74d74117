/**
 * The routing section of the console: counters per strategy and per engine, the prefix hit
 * ratio, and the last routing decisions with their candidates' scores. Fed by pick()'s
 * `onPicked` hook on every request, so recording is O(candidates) and allocates one record.
 */
import type { Clock } from '../shared/index.js';
import type { PickTrace } from '../routing/index.js';
import { RingBuffer } from './ring-buffer.js';
import {
  CONSOLE_LIMITS,
  type ConsoleRouting,
  type ConsoleRoutingDecision,
} from './console-snapshot.js';

/** Distinct keys a counter map holds; further keys count under {@link OTHER_KEY}. */
export const MAX_COUNTER_KEYS = 1024;
/** The counter key of values past {@link MAX_COUNTER_KEYS}. */
export const OTHER_KEY = 'other';

/** A mix's label (`a+b`), once per strategy-name array: pick() hands out one array per mix. */
const labels = new WeakMap<readonly string[], string>();

function labelOf(strategies: readonly string[]): string {
  let label = labels.get(strategies);
  if (label === undefined) {
    label = strategies.join('+');
    labels.set(strategies, label);
  }
  return label;
}

function bump(map: Map<string, number>, key: string): void {
  const k = map.has(key) || map.size < MAX_COUNTER_KEYS ? key : OTHER_KEY;
  map.set(k, (map.get(k) ?? 0) + 1);
}

/** Why the winner won, in a few words. */
export function reasonOf(trace: PickTrace): string {
  if (trace.chosen === undefined) return 'no ready engine';
  const n = trace.candidateCount;
  if (n <= 1) return 'only ready engine';
  const prefix =
    trace.prefixHit === undefined ? '' : trace.prefixHit ? ', cached prefix' : ', no cached prefix';
  return trace.tie ? `tie among best of ${n}, random pick${prefix}` : `best score of ${n}${prefix}`;
}

/** The decision as the console shows it: candidates best first, at most maxCandidates. */
export function decisionOf(trace: PickTrace, atMs: number): ConsoleRoutingDecision {
  const candidates = trace
    .topCandidates(CONSOLE_LIMITS.maxCandidates)
    .map((c) => ({ engine: c.id, score: c.score ?? null }));
  return {
    atMs,
    model: trace.model,
    strategy: labelOf(trace.strategies),
    picked: trace.chosen ?? null,
    reason: reasonOf(trace),
    candidates,
  };
}

/** Counts and remembers routing decisions. */
export class RoutingDecisionLog {
  readonly #clock: Clock;
  /**
   * Traces as handed in; each turned into its decision once, when first read (the request path
   * stays cheap, and the feed's tick rebuilds none it showed before).
   */
  readonly #ring: RingBuffer<{
    readonly trace: PickTrace;
    readonly atMs: number;
    decision?: ConsoleRoutingDecision;
  }>;
  readonly #byStrategy = new Map<string, number>();
  readonly #byEngine = new Map<string, number>();
  #total = 0;
  #prefixChoices = 0;
  #prefixHits = 0;
  #changes = 0;

  constructor(clock: Clock, capacity: number = CONSOLE_LIMITS.maxDecisions) {
    this.#clock = clock;
    this.#ring = new RingBuffer(Math.min(capacity, CONSOLE_LIMITS.maxDecisions));
  }

  /** Grows with every decision recorded: the feed compares it to know whether to re-send. */
  get changes(): number {
    return this.#changes;
  }

  /** pick()'s `onPicked`: bound, so it can be passed as is. */
  readonly record = (trace: PickTrace): void => {
    this.#changes++;
    this.#ring.push({ trace, atMs: this.#clock.now() });
    if (trace.chosen === undefined) return;
    this.#total++;
    bump(this.#byStrategy, labelOf(trace.strategies));
    bump(this.#byEngine, trace.chosen);
    if (trace.prefixHit !== undefined) {
      this.#prefixChoices++;
      if (trace.prefixHit) this.#prefixHits++;
    }
  };

  view(): ConsoleRouting {
    return {
      requestsTotal: this.#total,
      byStrategy: Object.fromEntries(this.#byStrategy),
      byEngine: Object.fromEntries(this.#byEngine),
      prefixHitRatio: this.#prefixChoices === 0 ? null : this.#prefixHits / this.#prefixChoices,
      recent: this.#ring.newestFirst().map((r) => (r.decision ??= decisionOf(r.trace, r.atMs))),
    };
  }
}
