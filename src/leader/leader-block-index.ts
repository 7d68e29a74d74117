/**
 * The leader's global KV block index as the rest of the leader uses it, whichever thread applies
 * the agents' batches: this one (InThreadBlockIndex, over GlobalBlockIndex directly) or a worker
 * (WorkerBlockIndex, the default since issue #18). Outcomes come back through events, lookups and
 * fresh summaries as promises, so both behave alike; reads for routing are synchronous.
 */
import {
  GlobalBlockIndex,
  type GlobalBlockIndexOptions,
  type KvApplyOutcome,
  type KvBatch,
  type KvHolderInfo,
  type KvNodeSummary,
  type KvStoreState,
  type PreciseBlockView,
} from '../kvcache/index.js';
import { KvFrame } from '../protocol/index.js';
import type { KvIndexStats } from './kv-index-worker-protocol.js';

/** What the index tells its owner, possibly later than the call that caused it. */
export interface LeaderBlockIndexEvents {
  /** `n` batches had this outcome (metrics). */
  readonly counted: (outcome: KvApplyOutcome, n: number) => void;
  /** A batch of `node` was out of order: that node should send a reset (`kv.resync`). */
  readonly gap: (node: string, seq: number) => void;
  /** The index started over empty (its worker died): every node should send a reset. */
  readonly lost: () => void;
}

/** Engines each node reports now; null: the node is gone. */
export type KnownEngines = readonly (readonly [string, readonly string[] | null])[];

/** See the file comment. */
export interface LeaderBlockIndex extends PreciseBlockView {
  /** One block in this many is kept (GlobalBlockIndexOptions.sampleEvery). */
  readonly sampleEvery: number;
  /** Sizes as of the last applied change. */
  readonly stats: KvIndexStats;
  /** A batch, or the checked binary `kv` frame it came in (not decoded where it need not be). */
  apply(node: string, batch: KvBatch | KvFrame): void;
  /** The node's connection closed: its next batch must be a reset. */
  disconnected(node: string): void;
  /** Forgets the node and what it reported. */
  dropNode(node: string): void;
  /** Drops engines (and, for null, nodes) the cluster no longer has; `all`: unlisted nodes too. */
  reconcile(known: KnownEngines, all: boolean): void;
  /** Sharing peers holding leading blocks of `chain` (GlobalBlockIndex.lookup). */
  lookup(chain: readonly number[], excludeNode?: string): Promise<KvHolderInfo[]>;
  /** Per-node summary, possibly one report old (the console samples it). */
  summary(maxNodes: number): readonly KvNodeSummary[];
  /** Per-node summary after everything queued so far is applied. */
  freshSummary(maxNodes: number): Promise<KvNodeSummary[]>;
  /** The node's latest store report. */
  storeOf(node: string): KvStoreState | undefined;
  /** Per engine asked, its GPU prefix of `chain` (tests, the reference pick). */
  gpuPrefixBlocks(chain: readonly number[], engineIds: readonly string[]): Int32Array;
  /** Per node asked, its L1 run of `chain` from `from`. */
  l1PrefixBlocks(chain: readonly number[], nodes: readonly string[], from?: number): Int32Array;
  /** Stops its worker, if any. */
  close(): Promise<void>;
}

/**
 * Drops what the cluster no longer has from the index: nodes gone (null), engines their node no
 * longer reports; with `all`, nodes not listed too. Both threads' indexes reconcile this way.
 */
export function reconcileIndex(index: GlobalBlockIndex, known: KnownEngines, all: boolean): void {
  const engines = new Map(known);
  for (const node of all ? index.nodeNames() : [...engines.keys()]) {
    const ids = engines.get(node) ?? null;
    if (ids === null) index.dropNode(node);
    else for (const id of index.enginesOn(node)) if (!ids.includes(id)) index.dropEngine(id);
  }
}

/** The index applied on the caller's thread: the path before the worker, and its A/B. */
export class InThreadBlockIndex implements LeaderBlockIndex {
  readonly #index: GlobalBlockIndex;
  readonly #events: LeaderBlockIndexEvents;

  constructor(options: GlobalBlockIndexOptions, events: LeaderBlockIndexEvents) {
    this.#index = new GlobalBlockIndex(options);
    this.#events = events;
  }

  get sampleEvery(): number {
    return this.#index.sampleEvery;
  }

  get stats(): KvIndexStats {
    const i = this.#index;
    const { entries, nodeCount, engineCount } = i;
    return { entries, nodeCount, engineCount, evictions: { ...i.evictions } };
  }

  apply(node: string, batch: KvBatch | KvFrame): void {
    const outcome = this.#index.apply(node, batch instanceof KvFrame ? batch.message : batch);
    this.#events.counted(outcome, 1);
    if (outcome === 'gap') this.#events.gap(node, batch.seq);
  }

  disconnected(node: string): void {
    this.#index.disconnected(node);
  }

  dropNode(node: string): void {
    this.#index.dropNode(node);
  }

  reconcile(known: KnownEngines, all: boolean): void {
    reconcileIndex(this.#index, known, all);
  }

  lookup(chain: readonly number[], excludeNode?: string): Promise<KvHolderInfo[]> {
    return Promise.resolve(this.#index.lookup(chain, excludeNode));
  }

  summary(maxNodes: number): KvNodeSummary[] {
    return this.#index.summary(maxNodes);
  }

  freshSummary(maxNodes: number): Promise<KvNodeSummary[]> {
    return Promise.resolve(this.#index.summary(maxNodes));
  }

  storeOf(node: string): KvStoreState | undefined {
    return this.#index.storeOf(node);
  }

  publishes(engineId: string): boolean {
    return this.#index.publishes(engineId);
  }

  hasL1Store(node: string): boolean {
    return this.#index.hasL1Store(node);
  }

  gpuPrefixHolders(chain: readonly number[]): ReadonlyMap<string, number> {
    return this.#index.gpuPrefixHolders(chain);
  }

  l1PrefixHolders(chain: readonly number[], from?: number): ReadonlyMap<string, number> {
    return this.#index.l1PrefixHolders(chain, from);
  }

  gpuPrefixBlocks(chain: readonly number[], engineIds: readonly string[]): Int32Array {
    return this.#index.gpuPrefixBlocks(chain, engineIds);
  }

  l1PrefixBlocks(chain: readonly number[], nodes: readonly string[], from?: number): Int32Array {
    return this.#index.l1PrefixBlocks(chain, nodes, from);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
