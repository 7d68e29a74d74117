/**
 * The precise half of `prefix-cache`: how much of the prompt each engine holds according to the
 * global block index (engines' KV events and the agents' L1 reports) rather than the gateway's
 * own routing history. An engine's hit is its longest prefix in GPU, plus the blocks past that
 * its node's L1 store holds, each worth `l1BlockWorth` of a GPU block (fetching costs time,
 * perf.md §3.4). One walk per tier over the candidates, which stops at the first block none holds.
 */
import {
  l1BlockWorth,
  type PrefixCacheConfig,
  type PreciseBlockView,
} from '../../kvcache/index.js';
import type { EndpointLoad } from '../routing-algorithm.js';

/**
 * Per candidate, the prompt tokens the block index says it can reuse, or NaN where the
 * approximate index should answer (mode `auto` and the engine publishes no events). Undefined
 * when the mode is `approximate`, there is no block index, or no candidate is precise.
 */
export function preciseHitTokens(
  endpoints: readonly EndpointLoad[],
  chain: readonly number[],
  view: PreciseBlockView | undefined,
  config: PrefixCacheConfig,
  eligible: readonly boolean[],
): Float64Array | undefined {
  if (view === undefined || config.mode === 'approximate') return undefined;
  const precise = endpoints.map(
    (e, i) => eligible[i] === true && (config.mode === 'precise' || view.publishes(e.id)),
  );
  if (!precise.includes(true)) return undefined;
  const ids = endpoints.map((e, i) => (precise[i] === true ? e.id : ''));
  const gpu = view.gpuPrefixBlocks(chain, ids);
  const worth = l1BlockWorth(config);
  // Only nodes of precise candidates, each once.
  const nodes =
    worth > 0 ? [...new Set(endpoints.filter((_, i) => precise[i]).map((e) => e.node))] : [];
  const l1 = nodes.length > 0 ? view.l1PrefixBlocks(chain, nodes) : new Int32Array(0);
  const l1ByNode = new Map(nodes.map((n, k) => [n, l1[k] ?? 0]));
  const out = new Float64Array(endpoints.length);
  endpoints.forEach((e, i) => {
    if (precise[i] !== true) {
      out[i] = eligible[i] === true ? NaN : 0;
      return;
    }
    const inGpu = gpu[i] ?? 0;
    const fetchable = Math.max(0, (l1ByNode.get(e.node) ?? 0) - inGpu);
    out[i] = (inGpu + fetchable * worth) * config.blockSizeTokens;
  });
  return out;
}
