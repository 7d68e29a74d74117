/**
 * What the leader's main thread and its KV index worker say to each other (worker-block-index.ts,
 * kv-index-worker-loop.ts). The main thread sends each event-loop turn's operations as one
 * message, in the order they happened; the worker answers each message with one report.
 * Structured-cloned, never parsed from outside the process.
 */
import type { BlockEvictions, GlobalBlockIndexOptions, KvNodeSummary } from '../kvcache/index.js';

/** What the worker is started with. */
export interface KvIndexWorkerData {
  /** The index's bounds and sampling (without `sharing`: the worker shares its own memory). */
  readonly bounds: Omit<GlobalBlockIndexOptions, 'sharing'>;
  /** One Int32 on a SharedArrayBuffer: the change counter (shared-block-reads.ts). */
  readonly control: SharedArrayBuffer;
}

/**
 * One operation on the index, as the main thread queued it. A batch travels as a binary `kv`
 * frame (protocol/kv-binary.ts) at `at` in the message's `frames`: structured-cloning its hashes
 * cost the main thread ~5 % of its time at 1,000 nodes, copying bytes costs next to nothing.
 */
export type KvIndexOp =
  | { readonly op: 'apply'; readonly node: string; readonly at: number; readonly length: number }
  | { readonly op: 'disconnected'; readonly node: string }
  | { readonly op: 'dropNode'; readonly node: string }
  /** Engines a node reports now (null: the node is gone); `all`: nodes not listed are gone too. */
  | {
      readonly op: 'reconcile';
      readonly nodes: readonly (readonly [string, readonly string[] | null])[];
      readonly all: boolean;
    }
  | { readonly op: 'summary'; readonly id: number; readonly maxNodes: number };

/** One message to the worker: a turn's operations and the frames of its batches (transferred). */
export interface KvIndexMessage {
  readonly ops: readonly KvIndexOp[];
  readonly frames: ArrayBuffer;
}

/** A source the worker added (`tier` set) or dropped (`tier` null). */
export type KvSourceEvent = readonly [
  id: number,
  tier: 'gpu' | 'l1' | null,
  node: string,
  engineId: string | null,
];

/** The index's sizes after a message. */
export interface KvIndexStats {
  readonly entries: number;
  readonly nodeCount: number;
  readonly engineCount: number;
  readonly evictions: Readonly<BlockEvictions>;
}

/** The worker's answer to one message. */
export interface KvIndexReport {
  readonly applied: number;
  readonly ignored: number;
  /** Batches out of order: node and seq; the main thread asks that node for a resync. */
  readonly gaps: readonly (readonly [string, number])[];
  readonly summaries: readonly (readonly [number, KvNodeSummary[]])[];
  readonly sources: readonly KvSourceEvent[];
  /** Set when the holdings moved to new buffers since the last report (and in the first). */
  readonly buffers?: {
    readonly table: SharedArrayBuffer;
    readonly pairPool: SharedArrayBuffer;
    readonly pairTable: SharedArrayBuffer;
  };
  readonly stats: KvIndexStats;
}
