/**
 * The KV index worker's program (issue #18): owns the leader's GlobalBlockIndex, its holdings in
 * SharedArrayBuffers that the main thread reads for routing (shared-block-reads.ts), applies the
 * main thread's operations in order and answers each message with a KvIndexReport. Runs on any
 * message port: a worker thread's parentPort in production (kv-index-worker.ts), a
 * MessageChannel in tests.
 */
import type { MessagePort } from 'node:worker_threads';
import { GlobalBlockIndex, writing, type BlockSource } from '../kvcache/index.js';
import { decodeKvBinary } from '../protocol/index.js';
import type {
  KvIndexMessage,
  KvIndexOp,
  KvIndexReport,
  KvIndexWorkerData,
  KvSourceEvent,
} from './kv-index-worker-protocol.js';
import { reconcileIndex } from './leader-block-index.js';

/** Serves the index on `port` until the port closes. */
export function serveKvIndex(port: MessagePort, data: KvIndexWorkerData): void {
  const control = new Int32Array(data.control);
  let sources: KvSourceEvent[] = [];
  const onSource = (s: BlockSource, added: boolean): void => {
    sources.push([s.id, added ? s.tier : null, s.node, s.engineId ?? null]);
  };
  const index = new GlobalBlockIndex({
    ...data.bounds,
    sharing: { allocate: (bytes) => new SharedArrayBuffer(bytes), onSource },
  });
  let sharedGeneration = -1;

  port.on('message', ({ ops, frames }: KvIndexMessage) => {
    const report: Answers = { applied: 0, ignored: 0, gaps: [], summaries: [] };
    for (const op of ops) run(index, op, frames, control, report);
    const generation = index.buffersGeneration;
    const moved = generation !== sharedGeneration;
    sharedGeneration = generation;
    const out: KvIndexReport = {
      ...report,
      sources,
      ...(moved ? { buffers: index.buffers() as NonNullable<KvIndexReport['buffers']> } : {}),
      stats: {
        entries: index.entries,
        nodeCount: index.nodeCount,
        engineCount: index.engineCount,
        evictions: { ...index.evictions },
      },
    };
    sources = [];
    port.postMessage(out);
  });
}

/** A report's answers, filled while the message's operations run. */
interface Answers {
  applied: number;
  ignored: number;
  gaps: [string, number][];
  summaries: KvIndexReport['summaries'][number][];
}

/** Applies one operation; changes are marked on the control counter for racing readers. */
function run(
  index: GlobalBlockIndex,
  op: KvIndexOp,
  frames: ArrayBuffer,
  control: Int32Array,
  report: Answers,
): void {
  switch (op.op) {
    case 'apply': {
      // The main thread encoded what its hub had validated: a frame that fails is a bug there.
      const decoded = decodeKvBinary(new Uint8Array(frames, op.at, op.length));
      if (!decoded.ok) {
        report.ignored++;
        return;
      }
      const batch = decoded.message;
      const outcome = writing(control, () => index.apply(op.node, batch));
      if (outcome === 'applied') report.applied++;
      else if (outcome === 'ignored') report.ignored++;
      else report.gaps.push([op.node, batch.seq]);
      return;
    }
    case 'disconnected':
      return index.disconnected(op.node);
    case 'dropNode':
      return writing(control, () => index.dropNode(op.node));
    case 'reconcile':
      return writing(control, () => reconcileIndex(index, op.nodes, op.all));
    case 'summary':
      report.summaries.push([op.id, index.summary(op.maxNodes)]);
      return;
  }
}
