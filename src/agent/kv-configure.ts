/**
 * The `kv.configure` command handler (wire contract: src/kvcache/kv-commands.ts): the leader's
 * KVCache controller sends each agent its node's share of a KVCache resource; the handler
 * validates it and applies it to the node's L1 store through {@link KvStoreControl}, so the
 * store's owner (the block service's wiring) decides how a resize and a policy change are done.
 * Shrinking evicts down to the new budget (evictions are reported to the leader as usual).
 */
import {
  EVICTION_POLICY_NAMES,
  KV_CONFIGURE,
  type EvictionPolicyName,
  type KvConfigureArgs,
  type KvConfigureResult,
} from '../kvcache/index.js';
import type { JsonObject } from '../protocol/index.js';
import type { CommandHandler, ParsedArgs } from './command-handler.js';

/** The settings a store is given. */
export interface KvStoreSettings {
  readonly budgetBytes: number;
  readonly policy: EvictionPolicyName;
  readonly shared: boolean;
  readonly engines: readonly string[];
}

/** What applying settings did to the store. */
export interface KvReconfigureOutcome {
  readonly evictedBlocks: number;
  readonly evictedBytes: number;
  readonly heldBytes: number;
}

/** The node's L1 store, as `kv.configure` changes it. */
export interface KvStoreControl {
  /** Applies `settings`; shrinking evicts down to the new budget before it returns. */
  reconfigure(settings: KvStoreSettings): KvReconfigureOutcome;
}

/** Largest budget accepted: 16 TiB (well above any node's DRAM; catches unit mistakes). */
export const MAX_KV_BUDGET_BYTES = 2 ** 44;
/** Most engine ids in one command. */
const MAX_ENGINES = 256;

/** Validates `kv.configure` args. */
export function parseKvConfigureArgs(args: JsonObject): ParsedArgs<KvConfigureArgs> {
  const { resource, budgetBytes, policy, shared, engines } = args;
  if (typeof resource !== 'string' || resource.length === 0 || resource.length > 507)
    return { ok: false, message: 'resource must be namespace/name' };
  if (!Number.isSafeInteger(budgetBytes) || (budgetBytes as number) < 1)
    return { ok: false, message: 'budgetBytes must be a positive integer' };
  if ((budgetBytes as number) > MAX_KV_BUDGET_BYTES)
    return { ok: false, message: `budgetBytes must be at most ${MAX_KV_BUDGET_BYTES}` };
  if (!(EVICTION_POLICY_NAMES as readonly unknown[]).includes(policy))
    return { ok: false, message: `policy must be one of ${EVICTION_POLICY_NAMES.join(', ')}` };
  if (typeof shared !== 'boolean') return { ok: false, message: 'shared must be a boolean' };
  if (
    !Array.isArray(engines) ||
    engines.length > MAX_ENGINES ||
    !engines.every((e) => typeof e === 'string' && e.length > 0 && e.length <= 253)
  )
    return { ok: false, message: `engines must list at most ${MAX_ENGINES} engine ids` };
  return {
    ok: true,
    args: {
      resource,
      budgetBytes: budgetBytes as number,
      policy: policy as EvictionPolicyName,
      shared,
      engines: engines as string[],
    },
  };
}

/** The `kv.configure` handler over `store`. */
export function kvConfigureHandler(store: KvStoreControl): CommandHandler<KvConfigureArgs> {
  return {
    kind: KV_CONFIGURE,
    timeoutMs: 60_000,
    // One at a time: two configurations racing on one store would leave it half of each.
    concurrency: 1,
    parseArgs: parseKvConfigureArgs,
    run(args, { log }) {
      const { resource, budgetBytes, policy, shared, engines } = args;
      const outcome = store.reconfigure({ budgetBytes, policy, shared, engines });
      log.info({ resource, budgetBytes, policy, shared, ...outcome }, 'kv store configured');
      const result: KvConfigureResult = { ...args, ...outcome };
      return Promise.resolve({ ...result });
    },
  };
}
