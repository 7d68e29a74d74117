/**
 * One engine's GPU KV holdings in infernode's key space, kept from its KV events.
 *
 * Engines key blocks by their own hash (vLLM: builtin or sha256, seeded by PYTHONHASHSEED), which
 * the gateway cannot compute. So each BlockStored is re-hashed: its token ids, block by block,
 * chained from the parent's infernode hash and seeded by the adapter (adapterHashSeed), which is
 * exactly what the gateway computes from a prompt. The engine → infernode map is kept for as long
 * as the engine holds the block, to translate later removals and children's parents. Bounded:
 * beyond `maxBlocks` new blocks are not tracked (counted), never grown past the bound.
 */
import { hashBlock } from './block-hash.js';
import { engineHashKey, type BlockStoredEvent, type KvCacheEvent } from './kv-event-format.js';

/** What changed in the engine's holdings over some events, net, in infernode hashes. */
export interface EngineKvChange {
  /** Everything held before is gone; `stored` lists what is held after. */
  readonly cleared: boolean;
  readonly removed: number[];
  readonly stored: number[];
}

/** Counts of events that could not be tracked. */
export interface EngineKvSkips {
  /** Blocks whose parent or adapter was unknown (their key cannot be computed). */
  untranslatable: number;
  /** Blocks not tracked because the holdings were at their bound. */
  overBound: number;
}

/** Options of EngineKvHoldings. */
export interface EngineKvHoldingsOptions {
  /** Most blocks tracked (an engine's GPU cache size is a fair bound). */
  readonly maxBlocks: number;
  /** The hash seed of an adapter's blocks from its engine id (vLLM lora_int_id); undefined = unknown. */
  readonly seedForLora: (loraId: number) => number | undefined;
}

interface Held {
  readonly hash: number;
  /** vLLM may cache the same hash in two blocks; each is removed on its own. */
  count: number;
}

/** An engine's holdings, updated from its events. Pure. */
export class EngineKvHoldings {
  readonly #options: EngineKvHoldingsOptions;
  readonly #byEngineHash = new Map<string, Held>();
  readonly #presence = new Map<number, number>();
  /** Running totals of what could not be tracked. */
  readonly skips: EngineKvSkips = { untranslatable: 0, overBound: 0 };

  constructor(options: EngineKvHoldingsOptions) {
    this.#options = options;
  }

  /** Blocks held now (infernode hashes). */
  get size(): number {
    return this.#presence.size;
  }

  /** Every infernode hash held now. */
  holdings(): Iterable<number> {
    return this.#presence.keys();
  }

  /** Forgets everything (the engine restarted, or its history cannot be filled). */
  clear(): EngineKvChange {
    this.#byEngineHash.clear();
    this.#presence.clear();
    return { cleared: true, removed: [], stored: [] };
  }

  /** Applies events in order; returns the net change. */
  apply(events: readonly KvCacheEvent[]): EngineKvChange {
    let cleared = false;
    // Presence of each touched hash before this call (or after the last clear in it).
    let before = new Map<number, boolean>();
    const touch = (hash: number): void => {
      if (!before.has(hash)) before.set(hash, this.#presence.has(hash));
    };
    for (const event of events) {
      if (event.type === 'AllBlocksCleared') {
        this.clear();
        cleared = true;
        before = new Map();
      } else if (event.type === 'BlockRemoved') {
        for (const engineHash of event.blockHashes) {
          const key = engineHashKey(engineHash);
          const held = this.#byEngineHash.get(key);
          if (held === undefined) continue;
          touch(held.hash);
          if (--held.count === 0) this.#byEngineHash.delete(key);
          this.#release(held.hash);
        }
      } else this.#stored(event, touch);
    }
    const removed: number[] = [];
    const stored: number[] = [];
    for (const [hash, was] of before) {
      const is = this.#presence.has(hash);
      if (was && !is) removed.push(hash);
      else if (!was && is) stored.push(hash);
    }
    return { cleared, removed, stored };
  }

  #stored(event: BlockStoredEvent, touch: (hash: number) => void): void {
    const n = event.blockHashes.length;
    let parent = 0;
    if (event.parentBlockHash !== null) {
      const held = this.#byEngineHash.get(engineHashKey(event.parentBlockHash));
      if (held === undefined) {
        this.skips.untranslatable += n;
        return;
      }
      parent = held.hash;
    }
    const seed = event.loraId === null ? 0 : this.#options.seedForLora(event.loraId);
    if (seed === undefined) {
      this.skips.untranslatable += n;
      return;
    }
    const tokens = Uint32Array.from(event.tokenIds);
    const bs = event.blockSize;
    for (let i = 0; i < n; i++) {
      const hash = hashBlock(parent, tokens, i * bs, (i + 1) * bs, seed);
      parent = hash;
      const key = engineHashKey(event.blockHashes[i] as (typeof event.blockHashes)[number]);
      const held = this.#byEngineHash.get(key);
      if (held !== undefined) {
        // Same engine block stored twice (a duplicate cached block): count it, keep the key.
        held.count++;
        this.#presence.set(held.hash, (this.#presence.get(held.hash) ?? 0) + 1);
        continue;
      }
      if (this.#byEngineHash.size >= this.#options.maxBlocks) {
        this.skips.overBound += n - i;
        return;
      }
      touch(hash);
      this.#byEngineHash.set(key, { hash, count: 1 });
      this.#presence.set(hash, (this.#presence.get(hash) ?? 0) + 1);
    }
  }

  #release(hash: number): void {
    const left = (this.#presence.get(hash) ?? 1) - 1;
    if (left <= 0) this.#presence.delete(hash);
    else this.#presence.set(hash, left);
  }
}
