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
  getMany(
    url: string,
    keys: readonly number[],
    options?: KvStoreCallOptions,
  ): Promise<Map<number, Uint8Array>>;
  longestPrefix(
    url: string,
    keys: readonly number[],
    options?: KvStoreCallOptions,
  ): Promise<number>;
  close(): void;
}
