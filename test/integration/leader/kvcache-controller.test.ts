/**
 * The KVCache controller over the real command channel (AgentHub, CommandClient, LeaderClient,
 * CommandExecutor on 127.0.0.1) in the static mode: agents answer `kv.configure` with the real
 * handler over a stand-in store (the L1 store's owner is the agent's wiring), statuses live in
 * the static statuses `GET /v1/resources` shows. A failed configure is retried; a spec change
 * and an agent that comes back are configured again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { kvConfigureHandler, type KvStoreSettings } from '../../../src/agent/kv-configure.js';
import { systemTimers } from '../../../src/controllers/index.js';
import type { ClusterView, EngineEndpoint } from '../../../src/discovery/index.js';
import type { KVCache, KVCacheStatus, KvStoreUsage } from '../../../src/kvcache/index.js';
import { KvCacheController } from '../../../src/leader/kvcache-controller.js';
import { StaticResourceStatuses } from '../../../src/leader/static-statuses.js';
import { SeededRng, createRegistry, silentLogger, systemClock } from '../../../src/shared/index.js';
import { CommandLeader, startCommandAgent } from '../../helpers/command-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

const engine = (node: string, model: string): EngineEndpoint => ({
  id: `${node}/${model}`,
  name: model,
  model,
  url: 'http://127.0.0.1:1',
  node,
  engine: 'vllm',
  gpuIndices: [0],
  ready: true,
});

const kvcache = (memory: string): KVCache => ({
  apiVersion: 'infernode.io/v1alpha1',
  kind: 'KVCache',
  metadata: {
    name: 'l1',
    namespace: 'default',
    annotations: { 'kvcache.orchestration.aibrix.ai/pod-affinity-workload': 'llama' },
  },
  spec: {
    mode: 'distributed',
    cache: {
      resources: { limits: { memory } },
      env: [{ name: 'AIBRIX_KV_CACHE_OL_L1_CACHE_EVICTION_POLICY', value: 'LRU' }],
    },
  },
});

/** A node's store stand-in: what it was told, and a report as the agent's KV reporter sends it. */
class StoreStandIn {
  readonly applied: KvStoreSettings[] = [];
  failNext = 0;
  reconfigure(settings: KvStoreSettings) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('store busy');
    }
    this.applied.push(settings);
    return { evictedBlocks: 0, evictedBytes: 0, heldBytes: 10 };
  }
  report(): KvStoreUsage | undefined {
    const last = this.applied.at(-1);
    return last && { budgetBytes: last.budgetBytes, usedBytes: 10, blocks: 1, shared: last.shared };
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('KvCacheController (static mode, real command channel)', () => {
  it('configures each node, retries a failure, reconfigures on spec change and agent return', async () => {
    const leader = new CommandLeader();
    await leader.start();
    cleanups.push(() => leader.stop());
    const stores = new Map([
      ['n1', new StoreStandIn()],
      ['n2', new StoreStandIn()],
    ]);
    stores.get('n2')!.failNext = 1;
    const agents = new Map(
      [...stores].map(([node, s]) => [
        node,
        startCommandAgent(leader, node, [kvConfigureHandler(s)]),
      ]),
    );
    cleanups.push(async () => {
      for (const a of agents.values()) await a.stop();
    });

    let view: ClusterView = {
      endpoints: [engine('n1', 'llama'), engine('n1', 'other'), engine('n2', 'llama')],
      resources: [kvcache('2Gi')],
    };
    const listeners = new Set<(v: ClusterView) => void>();
    const statics = new StaticResourceStatuses();
    const statuses = statics.storeFor<KVCacheStatus>('KVCache');
    const setView = (next: ClusterView): void => {
      view = next;
      statics.sync(next.resources);
      leader.store.setDiscovery(next);
      for (const l of listeners) l(next);
    };
    setView(view);
    await waitFor(
      () => leader.store.nodes().filter((n) => n.connected).length === 2,
      'both agents connected',
    );

    const controller = new KvCacheController({
      source: {
        current: () => view,
        onChange: (l) => (listeners.add(l), () => listeners.delete(l)),
      },
      store: leader.store,
      commands: leader.client,
      statuses,
      reportOf: (node) => stores.get(node)?.report(),
      log: silentLogger(),
      registry: createRegistry({ defaultMetrics: false }),
      clock: systemClock,
      rng: new SeededRng(5),
      timers: systemTimers,
      retryBackoff: { initialMs: 50, maxMs: 200, factor: 2 },
      statusIntervalMs: 100,
    });
    const stop = new AbortController();
    const running = controller.run(stop.signal);
    cleanups.push(async () => {
      stop.abort();
      await running;
    });
    const statusOf = () =>
      statics.withStatuses(view.resources)[0]?.status as KVCacheStatus | undefined;

    // Both nodes take the plan; n2's first configure failed and was retried.
    await waitFor(() => statusOf()?.current === 2, 'both nodes configured', 20_000);
    expect(stores.get('n1')!.applied).toEqual([
      { budgetBytes: 2 * 1024 ** 3, policy: 'lru', shared: true, engines: ['n1/llama'] },
    ]);
    expect(stores.get('n2')!.applied).toEqual([
      { budgetBytes: 2 * 1024 ** 3, policy: 'lru', shared: true, engines: ['n2/llama'] },
    ]);
    expect(stores.get('n2')!.failNext).toBe(0);
    const ready = statusOf()!;
    expect(ready.nodes?.map((n) => [n.node, n.budgetBytes, n.usedBytes])).toEqual([
      ['n1', 2 * 1024 ** 3, 10],
      ['n2', 2 * 1024 ** 3, 10],
    ]);
    expect(ready.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['Ready', 'True'],
      ['ValidSpec', 'True'],
      ['Configured', 'True'],
    ]);

    // A smaller budget reaches every node.
    setView({ ...view, resources: [kvcache('1Gi')] });
    await waitFor(
      () => [...stores.values()].every((s) => s.applied.at(-1)?.budgetBytes === 1024 ** 3),
      'the new budget on both nodes',
      20_000,
    );
    await waitFor(() => statusOf()?.nodes?.[0]?.budgetBytes === 1024 ** 3, 'status updated');

    // n1's agent goes and comes back with a fresh store: it is configured again.
    await agents.get('n1')!.stop();
    const fresh = new StoreStandIn();
    stores.set('n1', fresh);
    agents.set('n1', startCommandAgent(leader, 'n1', [kvConfigureHandler(fresh)]));
    await waitFor(() => fresh.applied.length === 1, 'n1 configured after its return', 20_000);
    expect(fresh.applied[0]?.budgetBytes).toBe(1024 ** 3);
    expect(controller.acceptedOn('n1')?.budgetBytes).toBe(1024 ** 3);
  }, 60_000);
});
