/**
 * The precise half of `prefix-cache`: how much of the prompt each engine holds according to the
 * global block index (engines' KV events and the agents' L1 reports) rather than the gateway's
 * own routing history. An engine's hit is its longest prefix in GPU, plus the run of blocks right
 * past that its node's L1 store holds (what the engine's KV connector would load), each worth
 * `l1BlockWorth` of a GPU block (fetching costs time, perf.md §3.4). The L1 run starts where the
 * GPU prefix ends, not at the chain's start: L1 holds what engines evicted, and a prompt's hot
 * first blocks usually stay in GPU. Walks stop at the first block none holds.
 */
import {
  l1BlockWorth,
  type PrefixCacheConfig,
  type PrefixMemo,
  type PreciseBlockView,
} from '../../kvcache/index.js';
import type { EndpointLoad } from '../routing-algorithm.js';

/**
 * Per candidate, the prompt tokens the block index says it can reuse, or NaN where the
 * approximate index should answer (mode `auto` and the engine publishes no events). Undefined
 * when the mode is `approximate`, there is no block index, or no candidate is precise.
 *
 * `held`: the chain's holders already read for this request (PrefixMemo.blockHolders).
 * `approximate`: the approximate index's match per candidate, when known. Where it is 0 and the
 * block index has nothing for the candidate either, both answers are 0 whether or not it
 * publishes, so it is not asked: among 1,000 engines most hold nothing of a prompt, and asking
 * each (a lookup by engine id) was a fifth of a pick at 1,000 × 8 (issue #18).
 */
export function preciseHitTokens(
  endpoints: readonly EndpointLoad[],
  chain: readonly number[],
  view: PreciseBlockView | undefined,
  config: PrefixCacheConfig,
  eligible: readonly boolean[],
  approximate?: ArrayLike<number>,
  held?: PrefixMemo['blockHolders'],
): Float64Array | undefined {
  if (view === undefined || config.mode === 'approximate') return undefined;
  const n = endpoints.length;
  const worth = l1BlockWorth(config);
  // Who holds the chain is asked of the index once, from the holders' side: the candidates are
  // then looked up in those (small) maps. Asking per candidate made a pick among 1,000 engines
  // cost about a millisecond of index lookups for engines that hold nothing (issue #18).
  // `held`: the shortlist read them already for this request.
  let gpu: ReadonlyMap<string, number> | undefined = held?.gpu;
  // The L1 run counts from where each engine's GPU prefix ends (what its connector would load):
  // one L1 walk per distinct GPU prefix length.
  const l1From = new Map<number, ReadonlyMap<string, number>>();
  if (held?.l1 !== undefined) l1From.set(0, held.l1);
  const l1RunFrom = (from: number): ReadonlyMap<string, number> => {
    let l1 = l1From.get(from);
    if (l1 === undefined) {
      l1 = view.l1PrefixHolders(chain, from);
      l1From.set(from, l1);
    }
    return l1;
  };
  const out = new Float64Array(n);
  let any = false;
  for (let i = 0; i < n; i++) {
    if (eligible[i] !== true) continue;
    const e = endpoints[i] as EndpointLoad;
    if (config.mode !== 'precise') {
      if (approximate?.[i] === 0) {
        gpu ??= view.gpuPrefixHolders(chain);
        if (!gpu.has(e.id) && (worth <= 0 || !l1RunFrom(0).has(e.node))) continue; // 0 either way
      }
      if (!view.publishes(e.id)) {
        out[i] = NaN;
        continue;
      }
    }
    any = true;
    gpu ??= view.gpuPrefixHolders(chain);
    const inGpu = gpu.get(e.id) ?? 0;
    const fetchable = worth > 0 ? (l1RunFrom(inGpu).get(e.node) ?? 0) : 0;
    out[i] = (inGpu + fetchable * worth) * config.blockSizeTokens;
  }
  return any ? out : undefined;
}
