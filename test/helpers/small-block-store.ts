/** A small L1 block store with known 40-byte blocks, for the get-prefix tests. */
import { expect } from 'vitest';
import { BlockStore } from '../../src/kvcache/index.js';

/** The bytes of block `seed` (distinct per seed, `n` long). */
export const block = (seed: number, n = 40): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i) & 0xff);

/** A store (4 KiB of 64-byte slots) holding `keys`, each with its {@link block}. */
export function storeHolding(keys: readonly number[]): BlockStore {
  const store = new BlockStore({ budgetBytes: 4096, slotSizes: [64], slabBytes: 1024 });
  for (const k of keys) expect(store.put(k, block(k))).toBe('stored');
  return store;
}
