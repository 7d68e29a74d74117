/**
 * `bench kv-bound`'s per-node tier (`oracle-l1-nodes`): `oracle-l1`'s pooled tier cut into one
 * store per node, as `bench kv`'s (c) has it, to measure what placement costs at the same total
 * size. A computed block is written through to its engine's node only; a load takes each block
 * from the node's own store or, failing that, from a peer's (L2), and the node keeps a copy of a
 * peer's block only once it has fetched it `keepAfterFetches` times (the agent's HOT ingestion,
 * src/agent/kv-l2.ts). Peers answer at once, at the link's cost: lookup delays stay out.
 */
import { BoundedKnownBlocks, type BoundedTierSpec, type KnownBlocks } from './kv-bound-l1.js';

/** The per-node tier's shape: the pooled tier's total, how many nodes share it, and ingestion. */
export interface NodeTierSpec extends BoundedTierSpec {
  readonly nodes: number;
  /** Fetches of a peer's block by a node before it keeps a copy (the agent's default: 2). */
  readonly keepAfterFetches: number;
  /** Bound of the fetch counts kept (oldest forgotten first). */
  readonly maxFetchCounts: number;
}

/** One store per node (see the file comment); every block weighs 1. */
export class NodeKnownBlocks implements KnownBlocks {
  readonly #spec: NodeTierSpec;
  readonly #stores = new Map<string, BoundedKnownBlocks>();
  /** `node`\0`hash` → fetches from peers so far (insertion order: oldest first). */
  readonly #fetches = new Map<string, number>();
  /** Blocks loaded from a peer's store rather than the node's own. */
  peerReads = 0;
  /** Peer blocks a node kept a copy of. */
  copies = 0;

  constructor(spec: NodeTierSpec) {
    this.#spec = spec;
  }

  get overflowed(): boolean {
    for (const store of this.#stores.values()) if (store.overflowed) return true;
    return false;
  }

  add(chain: readonly number[], count = chain.length, node?: string): void {
    this.#store(node).add(chain, count);
  }

  has(hash: number, node?: string): boolean {
    if (this.#store(node).has(hash)) return true;
    return this.#peerHolding(hash, node) !== undefined;
  }

  holds(hash: number, node?: string): boolean {
    return this.#store(node).has(hash);
  }

  read(chain: readonly number[], from: number, to: number, node?: string): void {
    const local = this.#store(node);
    for (let i = from; i < to && i < chain.length; i++) {
      const hash = chain[i] as number;
      if (local.has(hash)) {
        local.read(chain, i, i + 1);
        continue;
      }
      const peer = this.#peerHolding(hash, node);
      if (peer === undefined) continue;
      peer.read(chain, i, i + 1);
      this.peerReads++;
      if (this.#fetched(`${node}\u0000${hash}`) < this.#spec.keepAfterFetches) continue;
      local.add(chain.slice(i, i + 1));
      this.copies++;
    }
  }

  #store(node: string | undefined): BoundedKnownBlocks {
    if (node === undefined) throw new Error('the per-node tier needs the engine’s node');
    let store = this.#stores.get(node);
    if (store === undefined) {
      const blocks = Math.max(1, Math.floor(this.#spec.blocks / this.#spec.nodes));
      store = new BoundedKnownBlocks({ blocks, policy: this.#spec.policy });
      this.#stores.set(node, store);
    }
    return store;
  }

  #peerHolding(hash: number, node: string | undefined): BoundedKnownBlocks | undefined {
    for (const [name, store] of this.#stores) if (name !== node && store.has(hash)) return store;
    return undefined;
  }

  /** Counts one more fetch of `key`; returns the count (forgotten once it reaches a copy). */
  #fetched(key: string): number {
    const count = (this.#fetches.get(key) ?? 0) + 1;
    this.#fetches.delete(key);
    if (count >= this.#spec.keepAfterFetches) return count;
    if (this.#fetches.size >= this.#spec.maxFetchCounts) {
      const oldest = this.#fetches.keys().next().value;
      if (oldest !== undefined) this.#fetches.delete(oldest);
    }
    this.#fetches.set(key, count);
    return count;
  }
}
