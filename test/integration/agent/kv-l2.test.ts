import { afterEach, describe, expect, it } from 'vitest';
import { createKv, type KvWiring } from '../../../src/agent/kv-wiring.js';
import type { AgentConfig } from '../../../src/agent/agent-config.js';
import { KV_TEST_TOKEN, testKvConfig } from '../../helpers/agent-kv.js';
import type { KvDeltaSink, KvHoldingsSource } from '../../../src/agent/kv-channel.js';
import { BlockClient } from '../../../src/kvcache/adapters/index.js';
import type {
  KvLookupMessage,
  KvMessage,
  KvSourceDelta,
  KvStoreReport,
} from '../../../src/protocol/index.js';
import { createLogger, createRegistry, type Registry } from '../../../src/shared/index.js';
import { blockBytes, metricValue } from '../../helpers/kv-block-service.js';

/** How many local get-prefix calls the agent timed with `tier` as the last tier asked. */
async function getPrefixCount(registry: Registry, tier: 'l1' | 'l2'): Promise<number> {
  const text = await registry.getSingleMetricAsString('infernode_kv_get_prefix_seconds');
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`infernode_kv_get_prefix_seconds_count{tier="${tier}"}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A KvDeltaSink that records what it is given. */
class RecordingSink implements KvDeltaSink {
  readonly deltas: KvSourceDelta[] = [];
  readonly reports: KvStoreReport[] = [];
  readonly sources: KvHoldingsSource[] = [];
  record(delta: KvSourceDelta): void {
    this.deltas.push(delta);
  }
  addSource(source: KvHoldingsSource): () => void {
    this.sources.push(source);
    return () => undefined;
  }
  storeChanged(report: KvStoreReport): void {
    this.reports.push(report);
  }
}

interface Agent {
  readonly kv: KvWiring;
  readonly registry: Registry;
  readonly sink: RecordingSink;
}

async function agent(node: string, overrides: Partial<AgentConfig['kv']> = {}): Promise<Agent> {
  const registry = createRegistry({ defaultMetrics: false });
  const sink = new RecordingSink();
  const kv = await createKv({
    config: { node, kv: testKvConfig(overrides) },
    registry,
    log: createLogger({ level: 'silent' }),
    sink,
  });
  if (kv === undefined) throw new Error('kv disabled');
  cleanups.push(() => kv.server.close());
  const stop = new AbortController();
  for (const part of kv.parts) void part.run(stop.signal);
  cleanups.push(() => stop.abort());
  return { kv, registry, sink };
}

/**
 * A stand-in for the leader's global index: answers each lookup (asynchronously, as over a
 * socket) with the peers whose store holds leading blocks of the chain.
 */
function connectToFakeLeader(asker: Agent, nodes: Record<string, Agent>): KvLookupMessage[] {
  const asked: KvLookupMessage[] = [];
  asker.kv.channel.welcomed((message: KvMessage | KvLookupMessage) => {
    if (message.type !== 'kv.lookup') return true;
    asked.push(message);
    const holders = Object.entries(nodes)
      .map(([node, a]) => ({
        node,
        nativeUrl: a.kv.nativeUrl,
        blocks: a.kv.store.longestPrefix(message.hashes),
      }))
      .filter((h) => h.blocks > 0);
    setImmediate(() =>
      asker.kv.channel.received({ v: 1, type: 'kv.lookup.result', id: message.id, holders }),
    );
    return true;
  });
  return asked;
}

function engineClient(): BlockClient {
  const c = new BlockClient({ token: KV_TEST_TOKEN });
  cleanups.push(() => c.close());
  return c;
}

describe('agent KV: L2 from peers', () => {
  it('serves a block A misses from B, and keeps a copy once it is hot', async () => {
    const a = await agent('node-a');
    const b = await agent('node-b');
    const asked = connectToFakeLeader(a, { 'node-b': b });
    const chain = [11, 12, 13];
    b.kv.store.put(11, blockBytes(11, 5000));
    b.kv.store.put(12, blockBytes(12, 5000));
    const engine = engineClient();

    const first = await engine.getMany(a.kv.nativeUrl, chain);
    expect([...first.keys()]).toEqual([11, 12]);
    expect(Buffer.from(first.get(12) ?? [])).toEqual(Buffer.from(blockBytes(12, 5000)));
    expect(asked.map((m) => m.hashes)).toEqual([chain]);
    expect(await metricValue(a.registry, 'infernode_kv_hits_total', { tier: 'l2' })).toBe(2);
    expect(await metricValue(a.registry, 'infernode_kv_misses_total', { tier: 'l2' })).toBe(1);
    // Fetched once: served, not kept (HOT ingestion).
    expect(a.kv.store.exists([11, 12])).toEqual([false, false]);

    await engine.getMany(a.kv.nativeUrl, chain);
    expect(a.kv.store.exists([11, 12])).toEqual([true, true]);
    expect(a.kv.l2?.stats.keptBlocks).toBe(2);
    await new Promise((r) => queueMicrotask(() => r(undefined)));
    expect(a.sink.deltas).toContainEqual({ tier: 'l1', stored: [11, 12] });
    expect(a.sink.reports.at(-1)).toMatchObject({
      nativeUrl: a.kv.nativeUrl,
      blocks: 2,
      shared: true,
      budgetBytes: 16 * 1024 * 1024,
    });
    expect([...(a.sink.sources[0]?.holdings() ?? [])].sort()).toEqual([11, 12]);

    // Now an L1 hit: no lookup.
    await engine.getMany(a.kv.nativeUrl, [11, 12]);
    expect(asked).toHaveLength(2);
    expect(await metricValue(a.registry, 'infernode_kv_hits_total', { tier: 'l1' })).toBe(2);
  });

  it('counts a peer’s blocks in longest-prefix', async () => {
    const a = await agent('node-a');
    const b = await agent('node-b');
    connectToFakeLeader(a, { 'node-b': b });
    a.kv.store.put(1, blockBytes(1, 100));
    b.kv.store.put(2, blockBytes(2, 100));
    b.kv.store.put(3, blockBytes(3, 100));
    expect(await engineClient().longestPrefix(a.kv.nativeUrl, [1, 2, 3, 4])).toBe(3);
  });

  it('get-prefix goes on from a peer’s run into this node’s own blocks', async () => {
    // Earlier turns ran on B (1, 2); the latest ran on A and saved only its new blocks (3, 4).
    const a = await agent('node-a');
    const b = await agent('node-b');
    const asked = connectToFakeLeader(a, { 'node-b': b });
    for (const k of [1, 2]) b.kv.store.put(k, blockBytes(k, 100));
    for (const k of [3, 4]) a.kv.store.put(k, blockBytes(k, 100));
    const got = await engineClient().getPrefix(a.kv.nativeUrl, [1, 2, 3, 4, 5], {
      l2WaitMs: 2000,
    });
    expect(got.map((blk) => blk.key)).toEqual([1, 2, 3, 4]);
    expect(Buffer.from(got[2]?.bytes ?? [])).toEqual(Buffer.from(blockBytes(3, 100)));
    // B's run, then the one block left past A's own.
    expect(asked.map((m) => m.hashes)).toEqual([[1, 2, 3, 4, 5], [5]]);
    // A timed it as a lookup that went on over peers; one A holds whole is timed as L1 alone.
    expect(await getPrefixCount(a.registry, 'l2')).toBe(1);
    expect(await getPrefixCount(a.registry, 'l1')).toBe(0);
    await engineClient().getPrefix(a.kv.nativeUrl, [3, 4], { l2WaitMs: 2000 });
    expect(await getPrefixCount(a.registry, 'l1')).toBe(1);
    expect(await getPrefixCount(a.registry, 'l2')).toBe(1);
  });

  it('turns a gone peer, a peer that does not share and a missing leader into misses', async () => {
    const a = await agent('node-a');
    const b = await agent('node-b');
    const private_ = await agent('node-c', { shared: false });
    b.kv.store.put(21, blockBytes(21, 100));
    private_.kv.store.put(22, blockBytes(22, 100));
    const engine = engineClient();

    // No leader yet: the lookup fails at once, a miss.
    expect((await engine.getMany(a.kv.nativeUrl, [21])).size).toBe(0);

    connectToFakeLeader(a, { 'node-b': b, 'node-c': private_ });
    expect((await engine.getMany(a.kv.nativeUrl, [22])).size).toBe(0);
    await b.kv.server.close();
    expect((await engine.getMany(a.kv.nativeUrl, [21])).size).toBe(0);
    expect(a.kv.l2?.stats.failedFetches).toBe(2);
    expect(await metricValue(a.registry, 'infernode_kv_misses_total', { tier: 'l2' })).toBe(3);

    // The leader connection drops: lookups fail fast again, still misses.
    a.kv.channel.disconnected();
    expect((await engine.getMany(a.kv.nativeUrl, [21])).size).toBe(0);
  });

  it('turns sharing across nodes off and on at runtime (kv.configure `shared`)', async () => {
    const a = await agent('node-a');
    const b = await agent('node-b');
    connectToFakeLeader(a, { 'node-b': b });
    connectToFakeLeader(b, { 'node-a': a });
    b.kv.store.put(31, blockBytes(31, 100));
    b.kv.store.put(32, blockBytes(32, 100));
    const engine = engineClient();
    const settings = { budgetBytes: 16 * 1024 * 1024, policy: 's3fifo' as const, engines: [] };

    // b stops sharing: a's L2 fetch from b is refused (a miss), b's report says so.
    b.kv.control.reconfigure({ ...settings, shared: false });
    expect(b.kv.report().shared).toBe(false);
    expect((await engine.getMany(a.kv.nativeUrl, [31])).size).toBe(0);
    expect(a.kv.l2?.stats.failedFetches).toBe(1);
    // …and b does no L2 lookups of its own.
    a.kv.store.put(41, blockBytes(41, 100));
    expect((await engine.getMany(b.kv.nativeUrl, [41])).size).toBe(0);
    expect(b.kv.l2?.stats.fetchedBlocks).toBe(0);

    // On again: both ways work without a restart.
    b.kv.control.reconfigure({ ...settings, shared: true });
    expect(b.kv.report().shared).toBe(true);
    const fromB = (await engine.getMany(a.kv.nativeUrl, [32])).get(32);
    expect(Buffer.from(fromB ?? [])).toEqual(Buffer.from(blockBytes(32, 100)));
    const fromA = (await engine.getMany(b.kv.nativeUrl, [41])).get(41);
    expect(Buffer.from(fromA ?? [])).toEqual(Buffer.from(blockBytes(41, 100)));
  });
});
