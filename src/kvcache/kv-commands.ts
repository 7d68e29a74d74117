/**
 * The wire contract of `kv.configure` (DESIGN.md §4.2): what the leader's KVCache controller
 * sends each agent (its node's share of a KVCache resource, kvcache-plan.ts) and what the agent's
 * handler answers after resizing and re-policying its L1 store. Both sides code against these
 * shapes; the agent validates them on arrival (src/agent/kv-configure.ts).
 */
import type { EvictionPolicyName } from './eviction-policy.js';

/** Command kind. */
export const KV_CONFIGURE = 'kv.configure';

/** `kv.configure`: the node's L1 store settings from a KVCache resource. */
export interface KvConfigureArgs {
  /** `namespace/name` of the KVCache it comes from. */
  readonly resource: string;
  /** The store's DRAM budget, bytes; shrinking evicts down to it. */
  readonly budgetBytes: number;
  readonly policy: EvictionPolicyName;
  /** Whether blocks cross nodes (peers as L2) or stay on this node. */
  readonly shared: boolean;
  /** Ids of the engines on this node that use the store (the resource's selector, applied). */
  readonly engines: readonly string[];
}

/** A successful `kv.configure`'s value. */
export interface KvConfigureResult {
  readonly resource: string;
  readonly budgetBytes: number;
  readonly policy: EvictionPolicyName;
  readonly shared: boolean;
  readonly engines: readonly string[];
  /** Blocks and bytes evicted to fit a smaller budget (0 when it grew or stayed). */
  readonly evictedBlocks: number;
  readonly evictedBytes: number;
  /** Bytes held after the change. */
  readonly heldBytes: number;
}
