/**
 * `kv.configure` applied to the agent's L1 store: resize and re-policy it (BlockStore.reconfigure,
 * evictions reported to the leader as usual), then tell the reporter the store's new budget.
 * `shared` is fixed when the block service starts (kv.shared): a different value is logged, not
 * applied, and the result's `shared` says what the store really does.
 */
import type { BlockStore } from '../kvcache/index.js';
import type { Logger } from '../shared/index.js';
import type { KvReconfigureOutcome, KvStoreControl, KvStoreSettings } from './kv-configure.js';

/** The KvStoreControl over `store`; `changed` runs after each reconfiguration. */
export function blockStoreControl(options: {
  readonly store: BlockStore;
  readonly shared: boolean;
  readonly log: Logger;
  readonly changed: () => void;
}): KvStoreControl {
  const { store, shared, log, changed } = options;
  return {
    reconfigure(settings: KvStoreSettings): KvReconfigureOutcome {
      if (settings.shared !== shared)
        log.warn(
          { requested: settings.shared, shared },
          'kv.configure asks for another kv.shared: it is set when the agent starts; unchanged',
        );
      const before = store.stats();
      store.reconfigure(settings.budgetBytes, settings.policy);
      const after = store.stats();
      changed();
      return {
        evictedBlocks: after.evictionsTotal - before.evictionsTotal,
        evictedBytes: after.evictedBytesTotal - before.evictedBytesTotal,
        heldBytes: after.bytes,
      };
    },
  };
}
