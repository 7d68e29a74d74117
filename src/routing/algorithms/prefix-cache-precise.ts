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
  const n = endpoints.length;
  // One pass: which candidates are precise, their ids for the GPU walk and their nodes (each once).
  const ids = new Array<string>(n);
  const isPrecise = new Uint8Array(n);
  const nodes = new Set<string>();
  let any = false;
  for (let i = 0; i < n; i++) {
    const e = endpoints[i] as EndpointLoad;
    const precise = eligible[i] === true && (config.mode === 'precise' || view.publishes(e.id));
    ids[i] = precise ? e.id : '';
    if (!precise) continue;
    isPrecise[i] = 1;
    any = true;
    nodes.add(e.node);
  }
  if (!any) return undefined;
  const gpu = view.gpuPrefixBlocks(chain, ids);
  const worth = l1BlockWorth(config);
  const nodeList = worth > 0 ? [...nodes] : [];
  // Node → its place in nodeList: an indexOf per candidate was quadratic (1,000 engines on 1,000
  // nodes made it most of a pick's cost, issue #18).
  const nodeAt = new Map(nodeList.map((node, i) => [node, i]));
  // The L1 run counts from where each engine's GPU prefix ends (what its connector would load):
  // one L1 walk per distinct GPU prefix length, over every node at once.
  const l1From = new Map<number, Int32Array>();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (isPrecise[i] !== 1) {
      out[i] = eligible[i] === true ? NaN : 0;
      continue;
    }
    const inGpu = gpu[i] ?? 0;
    let fetchable = 0;
    if (nodeList.length > 0) {
      let l1 = l1From.get(inGpu);
      if (l1 === undefined) {
        l1 = view.l1PrefixBlocks(chain, nodeList, inGpu);
        l1From.set(inGpu, l1);
      }
      fetchable = l1[nodeAt.get((endpoints[i] as EndpointLoad).node) ?? -1] ?? 0;
    }
    out[i] = (inGpu + fetchable * worth) * config.blockSizeTokens;
  }
  return out;
}
