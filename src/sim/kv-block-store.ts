/**
 * The block-service calls the simulator's KV connector makes (kvcache's BlockClient has this
 * shape); a composition root passes the real client in, tests a fake.
 */

/** Per-call bounds of a store call. */
export interface KvStoreCallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** The block-service calls the connector makes (kvcache's BlockClient has this shape). */
export interface KvBlockStore {
  putMany(
    url: string,
    blocks: readonly { readonly key: number; readonly bytes: Uint8Array }[],
    options?: KvStoreCallOptions,
  ): Promise<readonly string[]>;
  /**
   * The longest leading run of the chain `keys` the store holds, with its bytes, in one round
   * trip; `l2WaitMs` > 0 lets the agent ask peers for what follows its local run within it.
   */
  getPrefix(
    url: string,
    keys: readonly number[],
    options?: KvStoreCallOptions & { readonly l2WaitMs?: number },
  ): Promise<readonly { readonly key: number; readonly bytes: Uint8Array }[]>;
  /** Hands back the memory of blocks the connector is done with (all of one reply's). */
  recycle?(blocks: Iterable<{ readonly bytes: Uint8Array }>): void;
  close(): void;
}
