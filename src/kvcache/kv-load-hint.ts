/**
 * The router's KV load hint (issue #14). An engine's KV connector looks up the blocks past its
 * GPU prefix hit in its agent's store before the request runs, and holds the request meanwhile
 * (vLLM's WAITING_FOR_REMOTE_KVS). Most lookups miss (about 77 % on the Mooncake conversation
 * trace), and a miss still costs the round trip engine → agent → leader → agent, on the wall
 * clock, while the request waits. The leader's block index already knows which blocks any node's
 * L1 holds: at the pick it finds the first block of the prompt's chain, from the chosen engine's
 * GPU prefix on, that no node's L1 store holds, and the gateway hands that position to the engine
 * in the request's `kv_transfer_params` (vLLM's per-request field for its KV connector, as NIXL's
 * disaggregated prefill uses it). A connector whose own GPU prefix ends exactly there knows the
 * lookup would find nothing, and skips it; one whose prefix ends before it asks only for the
 * blocks up to it (no load can pass a block no store holds), so an agent whose own store holds
 * them all answers without asking the leader for the rest.
 *
 * The hint only ever skips a lookup that would have missed by the index's knowledge: the index
 * trails the stores by a report (milliseconds), so a block stored in that window is missed once
 * (recomputed), never a wrong block loaded. Where the L1 run reaches the end of the chain the
 * router hashed (its prompt cap), nothing is known past it and no hint is given.
 */
import type { PreciseBlockView } from './precise-block-view.js';

/** The key under `kv_transfer_params` that holds infernode's hint (other connectors ignore it). */
export const KV_HINT_PARAM = 'infernode';

/**
 * A block of the prompt's chain that no node's L1 holds: its position and its chained hash. The
 * hash lets the engine check that it cut and hashed the prompt as the router did (same block
 * size, tokenizer and template): where they disagree the hint is ignored, never a load lost on a
 * wrong position.
 */
export interface L1Absent {
  readonly block: number;
  readonly hash: number;
}

/** A pick's hint, for the request and engine it was computed for. */
export interface KvLoadHint {
  readonly request: object;
  readonly engineId: string;
  /** The first block of the chain, from the engine's indexed GPU prefix on, no node's L1 holds. */
  readonly absent: L1Absent;
}

/**
 * The first block of `chain`, at or past `engineId`'s GPU prefix as the index knows it, that no
 * node's L1 store holds; undefined when the stores' runs reach the chain's end. The runs are
 * walked in turns, as the agent assembles a load from its own store and its peers: from where one
 * node's run ends, the longest run any node holds from there. `gpu`: the chain's GPU holders when
 * the pick read them already.
 */
export function firstL1Absent(
  view: PreciseBlockView,
  chain: readonly number[],
  engineId: string,
  gpu?: ReadonlyMap<string, number>,
): L1Absent | undefined {
  let at = (gpu ?? view.gpuPrefixHolders(chain)).get(engineId) ?? 0;
  while (at < chain.length) {
    let run = 0;
    for (const blocks of view.l1PrefixHolders(chain, at).values()) run = Math.max(run, blocks);
    if (run === 0) return { block: at, hash: chain[at] as number };
    at += run;
  }
  return undefined;
}

const isIndex = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * The hint in a request body's `kv_transfer_params`, as the engine's connector reads it:
 * undefined when absent or malformed (a bad hint means looking up as usual, never an error).
 */
export function kvHintOf(kvTransferParams: unknown): L1Absent | undefined {
  if (typeof kvTransferParams !== 'object' || kvTransferParams === null) return undefined;
  const ours = (kvTransferParams as Record<string, unknown>)[KV_HINT_PARAM];
  if (typeof ours !== 'object' || ours === null) return undefined;
  const { l1_absent_block: block, l1_absent_hash: hash } = ours as Record<string, unknown>;
  return isIndex(block) && isIndex(hash) ? { block, hash } : undefined;
}

/** The `kv_transfer_params` value that carries the hint. */
export function kvHintParams(absent: L1Absent): Record<string, unknown> {
  return { [KV_HINT_PARAM]: { l1_absent_block: absent.block, l1_absent_hash: absent.hash } };
}

/**
 * Where an engine's connector may take the hint: the block's position when the engine's own
 * chain has the same hash there, else undefined (the router and the engine hashed differently).
 */
export function hintedAbsentBlock(
  chain: readonly number[],
  absent: L1Absent | undefined,
): number | undefined {
  if (absent === undefined) return undefined;
  return chain[absent.block] === absent.hash ? absent.block : undefined;
}
