import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { AgentMetrics } from '../../../src/agent/agent-metrics.js';
import { fanOutKvChannel } from '../../../src/agent/kv-channel.js';
import { KvReporter } from '../../../src/agent/kv-reporter.js';
import { LeaderClient } from '../../../src/agent/leader-client.js';
import { systemTimers } from '../../../src/controllers/index.js';
import { StaticAgentAuthenticator } from '../../../src/leader/adapters/static-agent-authenticator.js';
import { leaderConfigSpec } from '../../../src/leader/index.js';
import {
  deriveAgentToken,
  encodeKvBinary,
  type KvMessage,
  type KvStoreReport,
} from '../../../src/protocol/index.js';
import { SeededRng, createRegistry, loadConfig, silentLogger } from '../../../src/shared/index.js';
import {
  closeOf,
  helloFrame,
  nextJson,
  openAgentSocket,
  startKvHub,
  type KvHubHarness,
} from '../../helpers/agent-hub-harness.js';
import { waitFor } from '../../helpers/wait-for.js';

const SECRET = 'test-secret-0123456789abcdef';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

interface Leader extends KvHubHarness {
  /** The value of one sample line of the hub's /metrics, 0 when absent. */
  readonly metric: (line: string) => Promise<number>;
}

/** A real hub (binary kv on or off) with the KV index wired as main.ts does, on 127.0.0.1:0. */
async function startLeader(kvBinary?: boolean): Promise<Leader> {
  const hub = await startKvHub({
    authenticator: new StaticAgentAuthenticator(SECRET),
    ...(kvBinary === undefined ? {} : { kvBinary }),
  });
  stops.push(hub.stop);
  return {
    ...hub,
    metric: async (line) => {
      const text = await hub.metrics();
      const found = text.split('\n').find((l) => l.startsWith(`${line} `));
      return found === undefined ? 0 : Number(found.slice(line.length + 1));
    },
  };
}

const chain = [2 ** 40 + 1, 2 ** 40 + 2, 2 ** 40 + 3, 2 ** 52 - 1];
const storeReport: KvStoreReport = {
  nativeUrl: 'ikv://127.0.0.1:7001',
  budgetBytes: 1 << 20,
  usedBytes: 4096,
  blocks: 3,
  shared: true,
};

/** A real LeaderClient + KvReporter for node-k: holdings, then a delta and a store report. */
async function runAgent(url: string, kvBinary?: boolean): Promise<KvReporter> {
  const reporter = new KvReporter({
    timers: systemTimers,
    log: silentLogger(),
    flushIntervalMs: 5,
  });
  reporter.addSource({ tier: 'gpu', engineId: 'node-k/e0', holdings: () => chain.slice(0, 3) });
  reporter.addSource({ tier: 'l1', holdings: () => chain.slice(0, 2) });
  const client = new LeaderClient({
    url,
    credential: () => Promise.resolve(deriveAgentToken(SECRET, 'node-k')),
    node: 'node-k',
    agentVersion: 't',
    log: silentLogger(),
    metrics: new AgentMetrics(createRegistry({ defaultMetrics: false }), 'node-k'),
    rng: new SeededRng(1),
    reconnect: { initialMs: 50, maxMs: 200 },
    kv: fanOutKvChannel(reporter),
    ...(kvBinary === undefined ? {} : { kvBinary }),
  });
  client.updateEngines([
    { id: 'node-k/e0', model: 'm', url: 'http://x', ready: true, adapters: [] },
  ]);
  const abort = new AbortController();
  const runs = client.run(abort.signal);
  stops.push(async () => {
    abort.abort();
    await runs;
  });
  await waitFor(() => reporter.stats.messages >= 1, 'the reset batch');
  reporter.record({
    tier: 'gpu',
    engineId: 'node-k/e0',
    removed: [chain[0]!],
    stored: [chain[3]!],
  });
  reporter.storeChanged(storeReport);
  reporter.record({ tier: 'l1', stored: [chain[2]!] });
  await waitFor(() => reporter.stats.messages >= 2, 'the delta batch');
  return reporter;
}

/** What the index knows, as the router and the L2 lookups read it. */
const indexView = async (kv: KvHubHarness['kv']) => ({
  view: await kv.view(),
  gpu: [...kv.index.gpuPrefixBlocks([chain[1]!, chain[2]!, chain[3]!], ['node-k/e0'])],
  holders: await kv.index.lookup(chain, 'other'),
});

const BINARY_FRAMES = 'infernode_leader_agent_kv_binary_frames_total';

describe('kv batches as binary frames (kv-binary)', () => {
  it('a new agent and a new leader use binary, and the index ends up as with JSON', async () => {
    const binary = await startLeader();
    const json = await startLeader(false);
    await runAgent(binary.url);
    await runAgent(json.url);
    // 4 distinct blocks; node-k's L1 then holds the chain's first 3 (the last batch applied).
    const settled = (l: Leader) => async () =>
      l.kv.index.stats.entries === 4 && (await l.kv.index.lookup(chain, 'other'))[0]?.blocks === 3;
    await waitFor(settled(binary), 'binary index filled');
    await waitFor(settled(json), 'json index filled');

    expect(await binary.metric(BINARY_FRAMES)).toBeGreaterThanOrEqual(2);
    expect(await json.metric(BINARY_FRAMES)).toBe(0);
    expect(await binary.metric('infernode_leader_agent_messages_total{type="kv"}')).toBe(
      await binary.metric(BINARY_FRAMES),
    );
    expect(await indexView(binary.kv)).toEqual(await indexView(json.kv));
    expect((await indexView(binary.kv)).gpu).toEqual([3]);
  });

  it('an agent that does not offer binary is answered and accepted in JSON', async () => {
    const leader = await startLeader();
    await runAgent(leader.url, false);
    await waitFor(() => leader.kv.index.stats.entries === 4, 'index filled');
    expect(await leader.metric(BINARY_FRAMES)).toBe(0);
  });

  it('with agents.kvBinary off, welcome offers no kv-binary and batches arrive as JSON', async () => {
    const config = loadConfig(leaderConfigSpec, 'LEADER', {
      env: { INFERNODE_CLUSTER_SECRET: SECRET, INFERNODE_LEADER_AGENTS_KV_BINARY: 'false' },
    });
    // main.ts passes the key to the hub as is.
    const leader = await startLeader(config.agents.kvBinary);
    const ws = await openAgentSocket(leader.url, deriveAgentToken(SECRET, 'node-new'));
    stops.push(() => Promise.resolve(ws.close()));
    const welcome = nextJson(ws);
    ws.send(JSON.stringify({ ...JSON.parse(helloFrame('node-new')), features: ['kv-binary'] }));
    const answer = await welcome;
    expect(answer).toMatchObject({ type: 'welcome', leader: 'l-0', epoch: 7 });
    expect(answer).not.toHaveProperty('features');
    // A real agent offers binary, is told no, and sends its batches as JSON.
    await runAgent(leader.url);
    await waitFor(() => leader.kv.index.stats.entries === 4, 'index filled');
    expect(await leader.metric(BINARY_FRAMES)).toBe(0);
    expect(
      await leader.metric('infernode_leader_agent_messages_total{type="kv"}'),
    ).toBeGreaterThanOrEqual(2);
  });

  it('refuses a binary frame from an agent whose hello did not offer it, as before', async () => {
    const leader = await startLeader();
    const ws = await openAgentSocket(leader.url, deriveAgentToken(SECRET, 'node-old'));
    const welcome = nextJson(ws);
    ws.send(helloFrame('node-old'));
    // An older agent reads only leader and epoch; the extra field is there for newer ones.
    expect(await welcome).toMatchObject({ type: 'welcome', features: ['kv-binary'] });
    const batch: KvMessage = {
      v: 1,
      type: 'kv',
      seq: 1,
      reset: true,
      deltas: [{ tier: 'l1', stored: chain }],
    };
    ws.send(JSON.stringify(batch));
    await waitFor(() => leader.kv.index.stats.entries === 4, 'JSON batch applied');
    const closed = closeOf(ws);
    ws.send(encodeKvBinary({ v: 1, type: 'kv', seq: 2, deltas: [{ tier: 'l1', stored: [7] }] }));
    expect(await closed).toEqual({
      code: 4400,
      reason: 'binary frames are not part of protocol v1',
    });
    expect(
      await leader.metric('infernode_leader_agent_messages_rejected_total{reason="binary"}'),
    ).toBe(1);
  });

  it('closes only the connection that sends a broken binary frame, counted as invalid', async () => {
    const leader = await startLeader();
    const open = async (node: string): Promise<WebSocket> => {
      const ws = await openAgentSocket(leader.url, deriveAgentToken(SECRET, node));
      const welcome = nextJson(ws);
      ws.send(JSON.stringify({ ...JSON.parse(helloFrame(node)), features: ['kv-binary'] }));
      await welcome;
      stops.push(() => Promise.resolve(ws.close()));
      return ws;
    };
    const bad = await open('node-bad');
    const good = await open('node-good');
    const frame = encodeKvBinary({ v: 1, type: 'kv', seq: 1, reset: true, deltas: [] });
    const closed = closeOf(bad);
    bad.send(frame.subarray(0, 20));
    expect(await closed).toEqual({ code: 4400, reason: 'kv binary: truncated header' });
    good.send(
      encodeKvBinary({
        v: 1,
        type: 'kv',
        seq: 1,
        reset: true,
        deltas: [{ tier: 'l1', stored: [5] }],
      }),
    );
    await waitFor(() => leader.kv.index.stats.entries === 1, 'the good agent’s batch');
    expect(
      await leader.metric('infernode_leader_agent_messages_rejected_total{reason="invalid"}'),
    ).toBe(1);
  });
});
