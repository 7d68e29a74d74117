/**
 * Gateway replicas (issue #18) over real WebSockets on loopback: a leader's replica feed and a
 * follower fed by it. An engine's state change and a GPU failure applied on the leader reach the
 * follower's routing view; the same prompt routed through either replica picks the same engine.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PrefixIndex } from '../../../src/kvcache/index.js';
import { InThreadBlockIndex } from '../../../src/leader/leader-block-index.js';
import { leaderConfigSpec } from '../../../src/leader/index.js';
import { ReplicatedClusterStateStore } from '../../../src/leader/replicated-cluster-state.js';
import { buildGatewayReplicas } from '../../../src/leader/replica-wiring.js';
import {
  checkKvBinary,
  encodeKvBinary,
  type EngineReport,
  type KvFrame,
} from '../../../src/protocol/index.js';
import {
  createRoutingState,
  defaultRoutingConfig,
  parseStrategy,
  pick,
  type EndpointLoad,
  type RoutingContext,
} from '../../../src/routing/index.js';
import {
  SeededRng,
  createRegistry,
  loadConfig,
  silentLogger,
  systemClock,
} from '../../../src/shared/index.js';
import { aRequest, anEndpoint } from '../../helpers/routing-builders.js';
import { waitFor } from '../../helpers/wait-for.js';

const ENGINES = ['a/e0', 'a/e1', 'b/e0', 'b/e1'];
const report = (id: string, ready = true): EngineReport => ({
  id,
  model: 'm',
  url: 'u',
  ready,
  adapters: [],
});
const healthy = (index: number) => ({
  index,
  uuid: `GPU-${index}`,
  health: 'healthy' as const,
  reasons: [],
});

/** The real index, counting insertions per endpoint (local picks and relayed ones). */
class CountingPrefixIndex extends PrefixIndex {
  readonly inserted = new Map<string, number>();
  override insert(hashes: readonly number[], id: string, nowMs: number, capacity?: number): void {
    this.inserted.set(id, (this.inserted.get(id) ?? 0) + 1);
    super.insert(hashes, id, nowMs, capacity);
  }
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function replica(identity: string, follow: string[]) {
  const config = loadConfig(leaderConfigSpec, 'LEADER', {
    env: {
      POD_NAME: identity,
      INFERNODE_LEADER_REPLICAS_FOLLOW: follow.join(','),
      INFERNODE_CLUSTER_SECRET: 'secret-0123456789',
    },
  });
  const store = new ReplicatedClusterStateStore({ clock: systemClock, staleAfterMs: 60_000 });
  store.setDiscovery({
    endpoints: ENGINES.map((id) => ({
      id,
      name: id.replace('/', '-'),
      model: 'm',
      url: `http://127.0.0.1:1/${id}`,
      node: id.split('/')[0] as string,
      engine: 'vllm' as const,
      gpuIndices: [Number(id.endsWith('1'))],
      ready: true,
    })),
    resources: [],
  });
  const routing = defaultRoutingConfig();
  const prefixIndex = new CountingPrefixIndex(routing.prefixCache);
  // The leader's index as it runs (it takes agents' binary frames as they came).
  const kvIndex = new InThreadBlockIndex(
    { maxEntries: 1000, maxBlocksPerNode: 1000, maxNodes: 10, maxHolders: 4 },
    { counted: () => undefined, gap: () => undefined, lost: () => undefined },
  );
  const leads = follow.length === 0;
  const replicas = buildGatewayReplicas({
    config,
    store,
    prefixIndex,
    kvIndex,
    kvHubOption: { agentMessage: () => undefined, agentGone: () => undefined },
    sendToAgent: () => true,
    leading: () => (leads ? { leader: identity, epoch: 1 } : undefined),
    otherLeader: () => undefined,
    log: silentLogger(),
    registry: createRegistry(),
    clock: systemClock,
    rng: new SeededRng(identity.length),
  });
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => replicas.feed.handleUpgrade(req, socket, head));
  const stopped = new AbortController();
  const running = replicas.runnable.run(stopped.signal);
  if (leads) replicas.becameLeader();
  stops.push(async () => {
    stopped.abort();
    await running;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const listening = new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
  const ctx: RoutingContext = {
    rng: new SeededRng(identity.length * 7),
    state: createRoutingState(routing),
    prefixIndex: replicas.prefixIndex,
  };
  return { store, replicas, listening, ctx, prefixIndex, kvIndex };
}

/** The routing candidates as the gateway builds them: healthy unless the agent says otherwise. */
function candidates(store: ReplicatedClusterStateStore): EndpointLoad[] {
  return store
    .endpoints()
    .map((s) =>
      anEndpoint(s.endpoint.id, { healthy: !s.gpuFailed && !s.agentSaysDown, stale: s.stale }),
    );
}

describe('gateway replicas', () => {
  it('an engine going down and a GPU failure on the leader reach the follower’s routing', async () => {
    const leader = replica('leader-0', []);
    const url = await leader.listening;
    leader.store.applySnapshot('a', '1', {
      engines: [report('a/e0'), report('a/e1')],
      gpus: [healthy(0), healthy(1)],
    });
    const follower = replica('leader-1', [url]);
    await follower.listening;
    await waitFor(() => follower.replicas.fresh(), 'the follower is fed', 20_000);
    const view = () =>
      Object.fromEntries(follower.store.endpoints().map((s) => [s.endpoint.id, s]));
    expect(view()['a/e0']?.stale).toBe(false); // from the welcome snapshot

    leader.store.applyDelta('a', { v: 1, type: 'state', seq: 2, engines: [report('a/e0', false)] });
    await waitFor(
      () => view()['a/e0']?.agentSaysDown === true,
      'engine down on the follower',
      20_000,
    );

    leader.store.applyDelta('a', {
      v: 1,
      type: 'state',
      seq: 3,
      gpus: [healthy(0), { ...healthy(1), health: 'failed' }],
      urgent: true,
    });
    await waitFor(() => view()['a/e1']?.gpuFailed === true, 'GPU failure on the follower', 20_000);
    const routable = candidates(follower.store)
      .filter((e) => e.healthy)
      .map((e) => e.id);
    expect(routable).toEqual(['b/e0', 'b/e1']);
  });

  it('the same prompt through either replica picks the same engine', async () => {
    const leader = replica('leader-0', []);
    const url = await leader.listening;
    const follower = replica('leader-1', [url]);
    await follower.listening;
    await waitFor(() => follower.replicas.fresh(), 'the follower is fed', 20_000);
    const parsed = parseStrategy('prefix-cache');
    if (!parsed.ok) throw new Error(parsed.message);
    const route = (r: typeof leader, prompt: string, id: string): string =>
      pick(
        { endpoints: candidates(r.store), nowMs: Date.now() },
        aRequest({ promptText: prompt, promptTokens: 400, requestId: id }),
        parsed.mix,
        r.ctx,
      ).id;
    for (let i = 0; i < 8; i++) {
      const prompt = `conversation ${i}: ${'You are a careful assistant. '.repeat(60)}`;
      // Alternate which replica sees the prompt first.
      const [first, second] = i % 2 === 0 ? [leader, follower] : [follower, leader];
      const before = new Map(second.prefixIndex.inserted);
      const chosen = route(first, prompt, `first-${i}`);
      // Routed on the other replica only once its index holds the insertion (relayed).
      await waitFor(
        () => (second.prefixIndex.inserted.get(chosen) ?? 0) > (before.get(chosen) ?? 0),
        `prompt ${i}'s blocks reach the other replica`,
        20_000,
      );
      expect(route(second, prompt, `second-${i}`)).toBe(chosen);
    }
  });

  it('a kv batch that came in as a binary frame reaches the follower’s block index', async () => {
    const leader = replica('leader-0', []);
    const url = await leader.listening;
    leader.store.applySnapshot('a', '1', { engines: [report('a/e0')], gpus: [healthy(0)] });
    const follower = replica('leader-1', [url]);
    await follower.listening;
    await waitFor(() => follower.replicas.fresh(), 'the follower is fed', 20_000);
    const chain = [11, 12, 13];
    const frame = encodeKvBinary({
      v: 1,
      type: 'kv',
      seq: 1,
      reset: true,
      deltas: [{ tier: 'gpu', engineId: 'a/e0', stored: chain }],
    });
    const checked = checkKvBinary(frame);
    if (!checked.ok) throw new Error(checked.reason);
    const kv: KvFrame = checked.message;
    leader.replicas.kvHubOption.agentMessage('a', kv, () => true);
    await waitFor(
      () => follower.kvIndex.gpuPrefixBlocks(chain, ['a/e0'])[0] === 3,
      'the blocks on the follower',
      20_000,
    );
  });
});
