/**
 * `bench kv` trace section: the four runs compared on the Mooncake trace (issue #14) and the
 * verdict against the goal. Each run is a fresh cluster: `random` as the baseline, (a)
 * `prefix-cache` on the gateway's own routing history, (b) `prefix-cache` scored from the
 * engines' KV events (the leader's global block index), (c) (b) with each agent's L1 store, peer
 * L2 and the engines' KV connector on. Pure.
 */
import type { GatewayOwnSummary } from './latency-stats.js';
import type { StrategyResult } from './routing-stats.js';
import type { TierStats } from './kv-trace-tiers.js';

/** One run's setup. */
export interface KvTraceMode {
  /** The run's name in the result. */
  readonly name: 'random' | 'approximate' | 'precise' | 'precise+l1l2';
  /** The `routing-strategy` header the load generator sends. */
  readonly strategy: string;
  /** The leader's `routing.prefixCache.mode`. */
  readonly prefixCacheMode: 'approximate' | 'precise';
  /** Engines publish KV events, agents forward them to the leader's index. */
  readonly kvEvents: boolean;
  /** Agents' L1 store + peer L2 used by the engines' KV connector. */
  readonly l1: boolean;
}

/** The runs in order; names are what `--modes` takes. */
export const KV_TRACE_MODES: readonly KvTraceMode[] = [
  {
    name: 'random',
    strategy: 'random',
    prefixCacheMode: 'approximate',
    kvEvents: false,
    l1: false,
  },
  {
    name: 'approximate',
    strategy: 'prefix-cache',
    prefixCacheMode: 'approximate',
    kvEvents: false,
    l1: false,
  },
  {
    name: 'precise',
    strategy: 'prefix-cache',
    prefixCacheMode: 'precise',
    kvEvents: true,
    l1: false,
  },
  {
    name: 'precise+l1l2',
    strategy: 'prefix-cache',
    prefixCacheMode: 'precise',
    kvEvents: true,
    l1: true,
  },
];

/** The modes named in a comma list (every mode when empty); throws on an unknown name. */
export function selectModes(list: string): KvTraceMode[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) return [...KV_TRACE_MODES];
  return names.map((n) => {
    const mode = KV_TRACE_MODES.find((m) => m.name === n);
    if (mode === undefined)
      throw new Error(
        `unknown trace mode "${n}"; valid: ${KV_TRACE_MODES.map((m) => m.name).join(', ')}`,
      );
    return mode;
  });
}

/** One run's result: the replay summary and the tiers. */
export interface KvTraceModeResult extends StrategyResult {
  readonly mode: KvTraceMode['name'];
  readonly prefixCacheMode: KvTraceMode['prefixCacheMode'];
  readonly kvEvents: boolean;
  readonly l1: boolean;
  /** Completed requests per second of trace time. */
  readonly requestsPerS: number;
  readonly tiers: TierStats;
  /**
   * Mean TTFT spent outside the engines, trace ms: the client's mean minus the engines' own
   * (`vllm:time_to_first_token_seconds`, from the request's arrival at the engine).
   */
  readonly outsideEngineMs: number;
  /** The gateway's own added latency (`infernode_gateway_added_latency_seconds`), wall ms. */
  readonly gatewayAddedWallMs: GatewayOwnSummary | null;
}

/** (c)'s mean TTFT at most this share of (a)'s (issue #14: a further 30% cut). */
export const L1_TTFT_GOAL = 0.7;

/** The goal's verdict; NaN figures where a run it needs was not made. */
export interface KvTraceVerdict {
  readonly goal: string;
  /** (a) mean TTFT ÷ random's: below 1 means (a) already beats random at this load. */
  readonly approximateVsRandom: number;
  readonly approximateBeatsRandom: boolean;
  /** (b) ÷ (a) and (c) ÷ (a), mean TTFT. */
  readonly preciseVsApproximate: number;
  readonly l1l2VsApproximate: number;
  readonly met: boolean;
  /** How far (c) ÷ (a) is above the goal (0 when met). */
  readonly missedBy: number;
  /** Every run served every request (no errors, nothing rejected). */
  readonly noFailures: boolean;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

/** Compares the runs' mean TTFT against the goal. */
export function kvTraceVerdict(results: readonly KvTraceModeResult[]): KvTraceVerdict {
  const mean = (name: KvTraceMode['name']): number =>
    results.find((r) => r.mode === name)?.ttftMs.mean ?? NaN;
  const a = mean('approximate');
  const c = mean('precise+l1l2');
  const cVsA = r3(c / a);
  const aVsRandom = r3(a / mean('random'));
  return {
    goal: `(c) precise+l1l2 mean TTFT ≤ ${L1_TTFT_GOAL} × (a) approximate, at a load where (a) beats random`,
    approximateVsRandom: aVsRandom,
    approximateBeatsRandom: aVsRandom < 1,
    preciseVsApproximate: r3(mean('precise') / a),
    l1l2VsApproximate: cVsA,
    met: cVsA <= L1_TTFT_GOAL && aVsRandom < 1,
    missedBy: Number.isFinite(cVsA) ? r3(Math.max(0, cVsA - L1_TTFT_GOAL)) : NaN,
    noFailures: results.every((r) => r.errors === 0 && r.rejected === 0),
  };
}
