import { afterEach, describe, expect, it } from 'vitest';
import type { KvBatch, KvApplyOutcome } from '../../../src/kvcache/index.js';
import {
  inThreadChannel,
  workerThreadChannel,
  type KvIndexChannel,
  type KvIndexChannelFactory,
} from '../../../src/leader/kv-index-channels.js';
import {
  InThreadBlockIndex,
  type LeaderBlockIndex,
  type LeaderBlockIndexEvents,
} from '../../../src/leader/leader-block-index.js';
import { WorkerBlockIndex } from '../../../src/leader/worker-block-index.js';
import { SeededRng, silentLogger } from '../../../src/shared/index.js';
import { waitFor } from '../../helpers/wait-for.js';

const BOUNDS = { maxEntries: 20_000, maxBlocksPerNode: 10_000, maxNodes: 8 };
const NODES = ['a', 'b', 'c'];

/** Events recorded as they arrive. */
interface Recorded extends LeaderBlockIndexEvents {
  readonly counts: Record<KvApplyOutcome, number>;
  readonly gaps: [string, number][];
  readonly lostCount: () => number;
}

function recorder(): Recorded {
  const counts = { applied: 0, gap: 0, ignored: 0 };
  const gaps: [string, number][] = [];
  let lost = 0;
  return {
    counts,
    gaps,
    lostCount: () => lost,
    counted: (o, n) => {
      counts[o] += n;
    },
    gap: (node, seq) => void gaps.push([node, seq]),
    lost: () => {
      lost++;
    },
  };
}

const indexes: LeaderBlockIndex[] = [];
afterEach(async () => {
  for (const i of indexes.splice(0)) await i.close();
});

function workerIndex(
  channel: KvIndexChannelFactory,
  events = recorder(),
  extra: { maxPendingWeight?: number; restartDelayMs?: number } = {},
): WorkerBlockIndex {
  const index = new WorkerBlockIndex({
    bounds: BOUNDS,
    events,
    channel,
    log: silentLogger(),
    ...extra,
  });
  indexes.push(index);
  return index;
}

/** Batches for the three nodes, with a skipped seq on node b at step 40. */
function workload(seed: number): [string, KvBatch][] {
  const rng = new SeededRng(seed);
  const out: [string, KvBatch][] = NODES.map((n) => [n, { seq: 1, reset: true, deltas: [] }]);
  const seqs = new Map(NODES.map((n) => [n, 1]));
  for (let step = 0; step < 120; step++) {
    const node = NODES[step % 3] as string;
    const seq = (seqs.get(node) as number) + (step === 40 ? 2 : 1);
    seqs.set(node, seq);
    const root = 2 ** 41 + Math.floor(rng.next() * 20) * 100;
    const chain = Array.from({ length: 1 + Math.floor(rng.next() * 12) }, (_, i) => root + i);
    out.push([
      node,
      {
        seq,
        deltas: [
          { tier: 'gpu', engineId: `${node}/e${step % 2}`, stored: chain },
          { tier: 'l1', stored: chain.slice(0, 2), removed: rng.next() < 0.2 ? chain : [] },
        ],
        store: {
          nativeUrl: `ikv://${node}:1`,
          budgetBytes: 1,
          usedBytes: 0,
          blocks: 0,
          shared: true,
        },
      },
    ]);
  }
  return out;
}

describe.each([
  ['a worker thread', workerThreadChannel],
  ['a message channel on this thread', inThreadChannel],
])('WorkerBlockIndex over %s', (_, channel) => {
  it('ends up as the index applied in place: reads, lookups, summary, stats, outcomes', async () => {
    const inPlaceEvents = recorder();
    const inPlace = new InThreadBlockIndex(BOUNDS, inPlaceEvents);
    const events = recorder();
    const worker = workerIndex(channel, events);
    for (const [node, batch] of workload(3)) {
      inPlace.apply(node, batch);
      worker.apply(node, batch);
    }
    worker.reconcile([['c', ['c/e0']]], false); // c/e1 left the cluster
    inPlace.reconcile([['c', ['c/e0']]], false);
    expect(await worker.freshSummary(10)).toEqual(await inPlace.freshSummary(10));
    expect(worker.stats).toEqual(inPlace.stats);
    expect(events.counts).toEqual(inPlaceEvents.counts);
    expect(events.gaps).toEqual([['b', inPlaceEvents.gaps[0]?.[1]]]);
    expect(worker.storeOf('a')).toEqual(inPlace.storeOf('a'));
    for (let root = 0; root < 20; root++) {
      const chain = Array.from({ length: 12 }, (_, i) => 2 ** 41 + root * 100 + i);
      expect(worker.gpuPrefixHolders(chain)).toEqual(inPlace.gpuPrefixHolders(chain));
      expect(worker.l1PrefixHolders(chain, 1)).toEqual(inPlace.l1PrefixHolders(chain, 1));
      expect(await worker.lookup(chain, 'a')).toEqual(await inPlace.lookup(chain, 'a'));
    }
    expect(worker.publishes('c/e1')).toBe(false);
    expect(worker.publishes('c/e0')).toBe(true);
    expect(worker.stats.entries).toBeGreaterThan(20);
  });

  it('drops batches past its pending bound; the node’s next batch is a gap', async () => {
    const events = recorder();
    const index = workerIndex(channel, events, { maxPendingWeight: 10 });
    const big = Array.from({ length: 20 }, (_, i) => 500 + i);
    index.apply('a', { seq: 1, reset: true, deltas: [] });
    index.apply('a', { seq: 2, deltas: [{ tier: 'gpu', engineId: 'a/e0', stored: big }] });
    expect(events.counts.ignored).toBe(1);
    await index.freshSummary(1);
    index.apply('a', { seq: 3, deltas: [{ tier: 'gpu', engineId: 'a/e0', stored: [1] }] });
    await index.freshSummary(1);
    expect(events.gaps).toEqual([['a', 3]]);
    expect(index.stats.entries).toBe(0);
  });
});

describe('WorkerBlockIndex lookups', () => {
  it('answers an L2 lookup at once from the shared tables, not behind the batches queued', async () => {
    // A channel the test can hold: what is posted while held reaches the worker on release.
    let held: (() => void)[] | undefined;
    const holdable: KvIndexChannelFactory = (data, onReport) => {
      const inner = inThreadChannel(data, onReport);
      return {
        post: (ops) =>
          held === undefined ? inner.post(ops) : void held.push(() => inner.post(ops)),
        onExit: (listener) => inner.onExit(listener),
        close: () => inner.close(),
      };
    };
    const index = workerIndex(holdable, recorder());
    const store = (node: string) => ({
      nativeUrl: `ikv://${node}:1`,
      budgetBytes: 1,
      usedBytes: 0,
      blocks: 2,
      shared: true,
    });
    for (const node of ['a', 'b'])
      index.apply(node, {
        seq: 1,
        reset: true,
        deltas: [{ tier: 'l1', stored: node === 'a' ? [7, 8] : [7] }],
        store: store(node),
      });
    await index.freshSummary(2);
    held = [];
    index.apply('b', { seq: 2, deltas: [{ tier: 'l1', stored: [8] }], store: store('b') });
    // The worker has not seen b's second block: the answer is the tables as they are, at once.
    expect(await index.lookup([7, 8], 'c')).toEqual([
      { node: 'a', nativeUrl: 'ikv://a:1', blocks: 2 },
      { node: 'b', nativeUrl: 'ikv://b:1', blocks: 1 },
    ]);
    expect(await index.lookup([7, 8], 'a')).toEqual([
      { node: 'b', nativeUrl: 'ikv://b:1', blocks: 1 },
    ]);
    for (const post of held.splice(0)) post();
    held = undefined;
    await index.freshSummary(2);
    expect(await index.lookup([7, 8], 'a')).toEqual([
      { node: 'b', nativeUrl: 'ikv://b:1', blocks: 2 },
    ]);
  });
});

describe('WorkerBlockIndex when its thread dies', () => {
  it('answers what waits, starts a new thread empty and asks every node for a reset', async () => {
    const exits: ((reason: string) => void)[] = [];
    let started = 0;
    // A message channel whose "thread" the test can kill, as a crashed worker.
    const killable: KvIndexChannelFactory = (data, onReport) => {
      started++;
      const inner = inThreadChannel(data, onReport);
      let dead = false;
      const channel: KvIndexChannel = {
        post: (ops) => (dead ? undefined : inner.post(ops)),
        onExit: (listener) => exits.push(listener),
        close: () => inner.close(),
      };
      exits.push(() => (dead = true));
      return channel;
    };
    const events = recorder();
    const index = workerIndex(killable, events, { restartDelayMs: 20 });
    index.apply('a', {
      seq: 1,
      reset: true,
      deltas: [{ tier: 'gpu', engineId: 'a/e0', stored: [7, 8] }],
    });
    await index.freshSummary(1);
    expect(index.gpuPrefixHolders([7, 8])).toEqual(new Map([['a/e0', 2]]));

    const waiting = index.freshSummary(1);
    for (const exit of exits.splice(0)) exit('killed by the test');
    expect(await waiting).toEqual([]);
    expect(index.gpuPrefixHolders([7, 8])).toEqual(new Map());
    expect(index.stats.entries).toBe(0);

    await waitFor(() => events.lostCount() === 1, 'the restart');
    expect(started).toBe(2);
    index.apply('a', {
      seq: 1,
      reset: true,
      deltas: [{ tier: 'gpu', engineId: 'a/e0', stored: [7] }],
    });
    await index.freshSummary(1);
    expect(index.gpuPrefixHolders([7, 8])).toEqual(new Map([['a/e0', 1]]));
  });
});
