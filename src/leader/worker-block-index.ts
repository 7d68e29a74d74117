/**
 * The leader's global KV block index applied in a worker thread (issue #18). At 1,000 nodes × 8
 * engines applying the agents' batches took ~30 % of the leader's one thread, the thread that
 * also runs the gateway's picks and the agent hub; here the main thread only queues operations
 * (KvIndexOutbox: in order, a message every few ms, batches as binary frames) and reads the
 * worker's tables in shared memory for routing (SharedBlockReads: synchronous, no round trip on
 * the request path).
 *
 * Bounded: operations not yet answered weigh at most `maxPendingWeight` (KvIndexOutbox); past
 * it, batches are dropped, and the node's next batch is a seq gap the worker reports, so the
 * node resyncs. At most `maxPendingAnswers` summaries wait; more are answered empty. A worker that dies is started again, empty, after `restartDelayMs`, and every
 * node is asked for a reset (events.lost); until then lookups answer empty and reads find nothing.
 */
import {
  SharedBlockReads,
  type GlobalBlockIndexOptions,
  type KvBatch,
  type KvHolderInfo,
  type KvNodeSummary,
  type KvStoreState,
} from '../kvcache/index.js';
import { KvFrame, encodeKvBinary } from '../protocol/index.js';
import type { Logger } from '../shared/index.js';
import type { KvIndexChannel, KvIndexChannelFactory } from './kv-index-channels.js';
import { KvIndexOutbox, type QueuedOp } from './kv-index-outbox.js';
import type { KvIndexReport, KvIndexStats } from './kv-index-worker-protocol.js';
import type {
  KnownEngines,
  LeaderBlockIndex,
  LeaderBlockIndexEvents,
} from './leader-block-index.js';

export interface WorkerBlockIndexOptions {
  readonly bounds: Omit<GlobalBlockIndexOptions, 'sharing'>;
  readonly events: LeaderBlockIndexEvents;
  readonly channel: KvIndexChannelFactory;
  readonly log: Logger;
  /** Default 4,000,000 (hashes, ~32 MB of queued batches). */
  readonly maxPendingWeight?: number;
  /** Default 4096. */
  readonly maxPendingAnswers?: number;
  /** Default 1000 ms. */
  readonly restartDelayMs?: number;
}

/** How long queued batches wait for more (KvIndexOutbox). */
const FLUSH_MS = 5;

const EMPTY_STATS: KvIndexStats = {
  entries: 0,
  nodeCount: 0,
  engineCount: 0,
  evictions: { entries: 0, nodeBound: 0 },
};

/** See the file comment. */
export class WorkerBlockIndex implements LeaderBlockIndex {
  readonly #o: WorkerBlockIndexOptions;
  readonly #control = new Int32Array(new SharedArrayBuffer(4));
  readonly #reads: SharedBlockReads;
  #channel: KvIndexChannel | undefined;
  readonly #outbox: KvIndexOutbox;
  #nextId = 1;
  readonly #answers = new Map<number, (answer: unknown) => void>();
  readonly #stores = new Map<string, KvStoreState>();
  #summary: readonly KvNodeSummary[] = [];
  #summaryAsked = false;
  #stats = EMPTY_STATS;
  #closed = false;

  constructor(options: WorkerBlockIndexOptions) {
    this.#o = options;
    this.#reads = new SharedBlockReads(this.#control, options.bounds.sampleEvery ?? 1);
    this.#outbox = new KvIndexOutbox({
      send: (message) => {
        this.#channel?.post(message);
        // No worker until the restart, whose `lost` asks every node for a reset anyway.
        return this.#channel !== undefined;
      },
      unanswered: (id) => this.#answer(id),
      maxPendingWeight: options.maxPendingWeight ?? 4e6,
      flushMs: FLUSH_MS,
    });
    this.#start();
  }

  get sampleEvery(): number {
    return this.#o.bounds.sampleEvery ?? 1;
  }

  get stats(): KvIndexStats {
    return this.#stats;
  }

  apply(node: string, batch: KvBatch | KvFrame): void {
    if (batch.store !== undefined) this.#keepStore(node, batch.store);
    let weight = 1;
    let encoded: Uint8Array;
    if (batch instanceof KvFrame) {
      weight += batch.hashCount;
      encoded = batch.bytes;
    } else {
      for (const d of batch.deltas) weight += (d.stored?.length ?? 0) + (d.removed?.length ?? 0);
      encoded = encodeKvBinary({ v: 1, type: 'kv', ...batch });
    }
    if (!this.#outbox.offer(node, encoded, weight)) this.#o.events.counted('ignored', 1);
  }

  disconnected(node: string): void {
    this.#outbox.push({ op: 'disconnected', node });
  }

  dropNode(node: string): void {
    this.#stores.delete(node);
    this.#outbox.push({ op: 'dropNode', node });
  }

  reconcile(known: KnownEngines, all: boolean): void {
    if (all) {
      const present = new Set(known.filter(([, e]) => e !== null).map(([n]) => n));
      for (const node of this.#stores.keys()) if (!present.has(node)) this.#stores.delete(node);
    } else for (const [node, e] of known) if (e === null) this.#stores.delete(node);
    this.#outbox.push({ op: 'reconcile', nodes: known, all });
  }

  /**
   * Answered here from the shared tables, as routing reads them. Asked of the worker, a lookup
   * waited behind every batch queued before it: under bench kv's trace an agent's L2 get-prefix
   * took ~100 ms at the median, with the engine's request held for it.
   */
  lookup(chain: readonly number[], excludeNode?: string): Promise<KvHolderInfo[]> {
    const maxHolders = this.#o.bounds.maxHolders ?? 16;
    return Promise.resolve(this.#reads.peerHolders(chain, this.#stores, excludeNode, maxHolders));
  }

  summary(maxNodes: number): readonly KvNodeSummary[] {
    if (!this.#summaryAsked) {
      this.#summaryAsked = true;
      void this.freshSummary(maxNodes).finally(() => (this.#summaryAsked = false));
    }
    return this.#summary.slice(0, maxNodes);
  }

  async freshSummary(maxNodes: number): Promise<KvNodeSummary[]> {
    const nodes = await this.#ask<KvNodeSummary[]>([], (id) => ({ op: 'summary', id, maxNodes }));
    this.#summary = nodes;
    return nodes;
  }

  storeOf(node: string): KvStoreState | undefined {
    return this.#stores.get(node);
  }

  publishes(engineId: string): boolean {
    return this.#reads.publishes(engineId);
  }

  hasL1Store(node: string): boolean {
    return this.#reads.hasL1Store(node);
  }

  gpuPrefixHolders(chain: readonly number[]): ReadonlyMap<string, number> {
    return this.#reads.gpuPrefixHolders(chain);
  }

  l1PrefixHolders(chain: readonly number[], from?: number): ReadonlyMap<string, number> {
    return this.#reads.l1PrefixHolders(chain, from);
  }

  gpuPrefixBlocks(chain: readonly number[], engineIds: readonly string[]): Int32Array {
    return this.#reads.gpuPrefixBlocks(chain, engineIds);
  }

  l1PrefixBlocks(chain: readonly number[], nodes: readonly string[], from?: number): Int32Array {
    return this.#reads.l1PrefixBlocks(chain, nodes, from);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#answerAll();
    await this.#channel?.close();
    this.#channel = undefined;
  }

  #start(): void {
    const data = { bounds: this.#o.bounds, control: this.#control.buffer };
    const channel = this.#o.channel(data, (report) => this.#onReport(report));
    this.#channel = channel;
    channel.onExit((reason) => this.#lost(channel, reason));
  }

  /** The worker died: what it held is gone. Start over empty and ask every node for a reset. */
  #lost(channel: KvIndexChannel, reason: string): void {
    if (this.#channel !== channel || this.#closed) return;
    this.#o.log.error({ reason }, 'kv index worker lost: restarting it empty');
    this.#channel = undefined;
    this.#reads.clear();
    this.#stats = EMPTY_STATS;
    this.#outbox.forgetSent();
    this.#answerAll();
    const timer = setTimeout(() => {
      if (this.#closed) return;
      this.#start();
      this.#o.events.lost();
    }, this.#o.restartDelayMs ?? 1000);
    timer.unref();
  }

  #keepStore(node: string, store: KvStoreState): void {
    if (this.#stores.has(node) || this.#stores.size < (this.#o.bounds.maxNodes ?? 10_000))
      this.#stores.set(node, store);
  }

  #ask<T>(fallback: T, op: (id: number) => QueuedOp): Promise<T> {
    if (this.#answers.size >= (this.#o.maxPendingAnswers ?? 4096) || this.#closed)
      return Promise.resolve(fallback);
    const id = this.#nextId++;
    return new Promise<T>((resolve) => {
      this.#answers.set(id, (answer) => resolve((answer as T | undefined) ?? fallback));
      this.#outbox.push(op(id));
    });
  }

  /** Resolves every waiting question with its fallback (the worker will not answer). */
  #answerAll(): void {
    for (const answer of this.#answers.values()) answer(undefined);
    this.#answers.clear();
  }

  #answer(id: number, answer?: unknown): void {
    this.#answers.get(id)?.(answer);
    this.#answers.delete(id);
  }

  #onReport(report: KvIndexReport): void {
    this.#outbox.answered();
    if (report.buffers !== undefined) this.#reads.attach(report.buffers);
    for (const [id, tier, node, engineId] of report.sources)
      this.#reads.source(
        id,
        tier === null ? undefined : { tier, node, engineId: engineId ?? undefined },
      );
    this.#stats = report.stats;
    const { events } = this.#o;
    if (report.applied > 0) events.counted('applied', report.applied);
    if (report.ignored > 0) events.counted('ignored', report.ignored);
    if (report.gaps.length > 0) events.counted('gap', report.gaps.length);
    for (const [node, seq] of report.gaps) events.gap(node, seq);
    for (const [id, nodes] of report.summaries) this.#answer(id, nodes);
  }
}
