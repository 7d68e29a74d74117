/**
 * The explicit list of strategies (no self-registration by import side effect) and the parser of
 * weighted mixes such as `prefix-cache:3,least-request:1`.
 */
import type { RoutingAlgorithm, StrategyMix } from './routing-algorithm.js';
import { random } from './algorithms/random.js';
import { leastRequest } from './algorithms/least-request.js';
import { leastPrefill } from './algorithms/least-prefill.js';
import { leastKvCache } from './algorithms/least-kv-cache.js';
import { leastLatency } from './algorithms/least-latency.js';
import { throughput } from './algorithms/throughput.js';
import { powerOfTwo } from './algorithms/power-of-two.js';
import { leastBusyTime } from './algorithms/least-busy-time.js';
import { sessionAffinity } from './algorithms/session-affinity.js';
import { loraAffinity } from './algorithms/lora-affinity.js';
import { vtcBasic } from './algorithms/vtc-basic.js';
import { prefixCache } from './algorithms/prefix-cache.js';

/** Every strategy, keyed by name. */
export const ALGORITHMS: ReadonlyMap<string, RoutingAlgorithm> = new Map(
  [
    random,
    leastRequest,
    leastPrefill,
    leastKvCache,
    leastLatency,
    throughput,
    powerOfTwo,
    leastBusyTime,
    sessionAffinity,
    loraAffinity,
    vtcBasic,
    prefixCache,
  ].map((a) => [a.name, a]),
);

/**
 * Named mixes that stand for a weighted list. `auto` is llm-d's default scorer set (queue 2,
 * KV utilization 2, prefix 3) mapped onto our strategies: the queue is the prompt tokens this
 * gateway has waiting for prefill on each engine (exact, and in the unit a wait is made of; the
 * in-flight request count, which counts decoding requests too, measured 30–40% worse on the
 * Mooncake trace), KV utilization the agents' KV usage.
 */
export const COMPOSITES: ReadonlyMap<string, string> = new Map<string, string>([
  ['auto', 'least-prefill:2,least-kv-cache:2,prefix-cache:3'],
]);

/** The strategy used when neither the request nor the config names one. */
export const DEFAULT_STRATEGY = 'auto';

/** Names accepted in config and in the `routing-strategy` header. */
export function validStrategyNames(): string[] {
  return [...COMPOSITES.keys(), ...ALGORITHMS.keys()];
}

/** Outcome of parsing a strategy spec: a mix, or the problem in words. */
export type ParseStrategyResult =
  | { readonly ok: true; readonly mix: StrategyMix }
  | { readonly ok: false; readonly message: string };

const MAX_WEIGHT = 1_000_000;

/** Parses `name` or `name:weight,name:weight` (integer weights 0–1e6, default 1, 0 = skip). */
export function parseStrategy(spec: string): ParseStrategyResult {
  const expanded = COMPOSITES.get(spec.trim()) ?? spec;
  const mix: { algorithm: RoutingAlgorithm; weight: number }[] = [];
  for (const part of expanded.split(',')) {
    const [rawName = '', rawWeight] = part.split(':');
    const name = rawName.trim();
    const algorithm = ALGORITHMS.get(name);
    if (algorithm === undefined) {
      return {
        ok: false,
        message: `unknown routing strategy "${name}"; valid: ${validStrategyNames().join(', ')}`,
      };
    }
    const weight = rawWeight === undefined ? 1 : Number(rawWeight.trim());
    if (!Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
      return { ok: false, message: `weight of "${name}" must be an integer 0–${MAX_WEIGHT}` };
    }
    if (weight > 0) mix.push({ algorithm, weight });
  }
  if (mix.length === 0)
    return { ok: false, message: 'routing strategy has no strategy with a weight above 0' };
  return { ok: true, mix };
}
