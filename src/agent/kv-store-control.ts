/**
 * `kv.configure` applied to the agent's L1 store: resize and re-policy it (BlockStore.reconfigure,
 * evictions reported to the leader as usual), then tell the reporter the store's new budget.
 * `shared` (sharing across nodes) is applied at once through `setShared`: the block service
 * starts or stops answering peers and L2 starts or stops asking them.
 */
import type { BlockStore } from '../kvcache/index.js';
import type { Logger } from '../shared/index.js';
import type { KvReconfigureOutcome, KvStoreControl, KvStoreSettings } from './kv-configure.js';

/** The KvStoreControl over `store`; `changed` runs after each reconfiguration. */
export function blockStoreControl(options: {
  readonly store: BlockStore;
  /** Turns sharing across nodes on or off (idempotent). */
  readonly setShared: (on: boolean) => void;
  readonly log: Logger;
  readonly changed: () => void;
}): KvStoreControl {
  const { store, setShared, log, changed } = options;
  return {
    reconfigure(settings: KvStoreSettings): KvReconfigureOutcome {
      setShared(settings.shared);
      log.debug({ shared: settings.shared }, 'kv sharing across nodes applied');
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
