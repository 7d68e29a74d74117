import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { StaticAgentAuthenticator } from '../../../src/leader/adapters/static-agent-authenticator.js';
import { workerThreadChannel } from '../../../src/leader/kv-index-channels.js';
import { deriveAgentToken } from '../../../src/protocol/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  helloFrame,
  nextJson,
  startKvHub,
  type KvHubHarness,
} from '../../helpers/agent-hub-harness.js';

const SECRET = 'test-secret-0123456789abcdef';

/** Where the index is applied: the leader's worker thread (its default), or its main thread. */
const THREADS = [
  ['a worker thread', workerThreadChannel],
  ['the hub’s thread', undefined],
] as const;

/** An agent socket for `node` that has said hello and been welcomed. */
async function agent(url: string, node: string): Promise<WebSocket> {
  const token = deriveAgentToken(SECRET, node);
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const welcome = nextJson(ws);
  ws.send(helloFrame(node));
  expect(await welcome).toMatchObject({ type: 'welcome' });
  return ws;
}

const chain = [2 ** 40 + 1, 2 ** 40 + 2, 2 ** 40 + 3, 2 ** 40 + 4];
const store = (port: number) => ({
  nativeUrl: `ikv://127.0.0.1:${port}`,
  budgetBytes: 1 << 20,
  usedBytes: 4096,
  blocks: 2,
  shared: true,
});
const send = (ws: WebSocket, message: object): void =>
  ws.send(JSON.stringify({ v: 1, ...message }));

const leaders: KvHubHarness[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.close();
  for (const l of leaders.splice(0)) await l.stop();
});

describe.each(THREADS)(
  'the leader’s global KV index over the agent hub, applied on %s',
  (_, channel) => {
    /** A real hub and control server on 127.0.0.1:0 with the KV index wired as main.ts does. */
    const startLeader = (): Promise<KvHubHarness> =>
      startKvHub({
        authenticator: new StaticAgentAuthenticator(SECRET),
        ...(channel === undefined ? {} : { kvChannel: channel }),
      });

    it('applies batches, asks for a resync on a gap, answers lookups and serves GET /v1/kv', async () => {
      const leader = await startLeader();
      leaders.push(leader);
      const a = await agent(leader.url, 'node-a');
      const b = await agent(leader.url, 'node-b');
      sockets.push(a, b);
      send(a, {
        type: 'kv',
        seq: 1,
        reset: true,
        deltas: [
          { tier: 'gpu', engineId: 'node-a/e0', stored: chain },
          { tier: 'l1', stored: chain.slice(0, 3) },
        ],
        store: store(7001),
      });
      send(b, {
        type: 'kv',
        seq: 1,
        reset: true,
        deltas: [{ tier: 'l1', stored: chain.slice(0, 1) }],
        store: store(7002),
      });
      await waitFor(
        () => leader.kv.index.stats.nodeCount === 2 && leader.kv.index.stats.entries === 4,
        'index filled',
      );
      expect([...leader.kv.index.gpuPrefixBlocks(chain, ['node-a/e0'])]).toEqual([4]);

      // node-b misses in L1 and asks who holds the chain: node-a (3 blocks) is the only peer.
      const answer = nextJson(b);
      send(b, { type: 'kv.lookup', id: 'q1', hashes: chain });
      expect(await answer).toEqual({
        v: 1,
        type: 'kv.lookup.result',
        id: 'q1',
        holders: [{ node: 'node-a', nativeUrl: 'ikv://127.0.0.1:7001', blocks: 3 }],
      });

      // A skipped seq: kv.resync, and later batches are ignored until the reset.
      const resync = nextJson(a);
      send(a, {
        type: 'kv',
        seq: 3,
        deltas: [{ tier: 'gpu', engineId: 'node-a/e0', cleared: true }],
      });
      expect(await resync).toMatchObject({ type: 'kv.resync' });
      send(a, {
        type: 'kv',
        seq: 4,
        deltas: [{ tier: 'gpu', engineId: 'node-a/e0', cleared: true }],
      });
      send(a, {
        type: 'kv',
        seq: 1,
        reset: true,
        deltas: [{ tier: 'gpu', engineId: 'node-a/e0', stored: chain.slice(0, 2) }],
      });
      await waitFor(
        () => leader.kv.index.gpuPrefixBlocks(chain, ['node-a/e0'])[0] === 2,
        'reset applied',
      );
      expect(leader.kv.index.l1PrefixBlocks(chain, ['node-a'])[0]).toBe(0);

      const view = (await (await fetch(`${leader.controlUrl}/v1/kv`)).json()) as Record<
        string,
        unknown
      >;
      expect(view).toMatchObject({
        entries: 2,
        nodeCount: 2,
        engineCount: 1,
        truncated: false,
        nodes: [
          {
            node: 'node-a',
            l1Blocks: 0,
            store: store(7001),
            engines: [{ engineId: 'node-a/e0', blocks: 2 }],
          },
          { node: 'node-b', l1Blocks: 1, store: store(7002), engines: [] },
        ],
      });
      const metrics = await leader.metrics();
      expect(metrics).toMatch(/infernode_kv_index_batches_total\{outcome="gap"\} 1/);
      expect(metrics).toMatch(/infernode_kv_index_batches_total\{outcome="ignored"\} 1/);
      expect(metrics).toMatch(/infernode_kv_index_batches_total\{outcome="applied"\} 3/);
      expect(metrics).toMatch(/infernode_kv_index_lookups_total 1/);
      expect(metrics).toMatch(/infernode_kv_index_entries 2/);
    });

    it('drops an engine its agent stops reporting', async () => {
      const leader = await startLeader();
      leaders.push(leader);
      const a = await agent(leader.url, 'node-a');
      sockets.push(a);
      send(a, {
        type: 'kv',
        seq: 1,
        reset: true,
        deltas: [{ tier: 'gpu', engineId: 'node-a/e0', stored: chain }],
      });
      await waitFor(() => leader.kv.index.publishes('node-a/e0'), 'engine indexed');
      send(a, { type: 'state', seq: 2, removedEngines: ['node-a/e0'] });
      await waitFor(() => !leader.kv.index.publishes('node-a/e0'), 'engine dropped');
      expect(leader.kv.index.stats.entries).toBe(0);
    });

    it('a new leader rebuilds the index from the agents’ first reset after its welcome', async () => {
      const first = await startLeader();
      leaders.push(first);
      const holdings = { tier: 'gpu', engineId: 'node-a/e0', stored: chain };
      const a1 = await agent(first.url, 'node-a');
      sockets.push(a1);
      send(a1, { type: 'kv', seq: 1, reset: true, deltas: [holdings] });
      await waitFor(() => first.kv.index.stats.entries === 4, 'first leader indexed');

      // Failover: the old leader goes away; the new one starts with an empty index.
      await first.stop();
      leaders.splice(0);
      const second = await startLeader();
      leaders.push(second);
      expect(second.kv.index.stats.entries).toBe(0);
      // The agent's first kv after the new welcome is a reset with its full holdings (one resync).
      const a2 = await agent(second.url, 'node-a');
      sockets.push(a2);
      send(a2, { type: 'kv', seq: 1, reset: true, deltas: [holdings] });
      await waitFor(() => second.kv.index.stats.entries === 4, 'second leader rebuilt');
      expect([...second.kv.index.gpuPrefixBlocks(chain, ['node-a/e0'])]).toEqual([4]);
    });
  },
);
