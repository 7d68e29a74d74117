/**
 * The KVCache controller as the leader wires it (buildKvCaches) in Kubernetes mode: informers
 * on the fake API server find the KVCache and the engine pod, and the status goes through the
 * status subresource. The agent is stood in by a command sender that accepts `kv.configure` and
 * then reports the store it was given (the real channel is covered in test/integration/leader).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemTimers } from '../../../src/controllers/index.js';
import { createKubeClients } from '../../../src/kube/adapters/index.js';
import type { KVCacheStatus, KvConfigureArgs } from '../../../src/kvcache/index.js';
import { buildAdapters, ClusterStateStore, leaderConfigSpec } from '../../../src/leader/index.js';
import { buildKvCaches } from '../../../src/leader/kvcache-wiring.js';
import {
  SeededRng,
  createRegistry,
  loadConfig,
  silentLogger,
  systemClock,
} from '../../../src/shared/index.js';
import { loadCrds } from '../../helpers/crds.js';
import { FakeKubeApiServer } from '../../helpers/kube-api-server.js';
import { aPod, eventually } from '../../helpers/kube-builders.js';

const NS = 'infernode-system';
let server: FakeKubeApiServer;
const stop = new AbortController();
const running: Promise<void>[] = [];

beforeAll(async () => {
  server = await FakeKubeApiServer.start();
  for (const crd of loadCrds()) server.addCrd(crd);
});
afterAll(async () => {
  stop.abort();
  await Promise.all(running);
  await server.close();
});

describe('KVCache controller on Kubernetes', () => {
  it('configures the node and writes per-node usage to the status subresource', async () => {
    server.put(
      aPod('vllm-0', NS).onNode('gpu-1').withModel('m').ready().withIp('10.0.0.7').build(),
    );
    server.put({
      apiVersion: 'infernode.io/v1alpha1',
      kind: 'KVCache',
      metadata: { name: 'l1', namespace: NS },
      spec: { cache: { resources: { requests: { memory: '512Mi' } } } },
    });
    const config = loadConfig(leaderConfigSpec, 'LEADER', {
      env: {
        INFERNODE_AGENT_TOKEN: 'agent-token-0123456789',
        POD_NAMESPACE: NS,
        POD_NAME: 'leader-0',
        INFERNODE_LEADER_DISCOVERY: 'kubernetes',
      },
    });
    const adapters = await buildAdapters(config, {}, silentLogger(), createRegistry(), {
      kubeClients: createKubeClients(server.kubeConfig()),
    });
    const store = new ClusterStateStore({ clock: systemClock, staleAfterMs: 60_000 });
    adapters.source.onChange((view) => store.setDiscovery(view));
    running.push(adapters.source.run(stop.signal));
    await adapters.source.synced;
    store.setDiscovery(adapters.source.current());
    const given = new Map<string, KvConfigureArgs>();
    const controller = buildKvCaches({
      config,
      adapters,
      store,
      commands: {
        send: (request) => {
          given.set(request.node, request.args as unknown as KvConfigureArgs);
          return Promise.resolve({ ok: true, value: {} });
        },
      },
      reportOf: (node) => {
        const args = given.get(node);
        return args && { budgetBytes: args.budgetBytes, usedBytes: 7, blocks: 1, shared: true };
      },
      log: silentLogger(),
      registry: createRegistry({ defaultMetrics: false }),
      clock: systemClock,
      rng: new SeededRng(2),
      timers: systemTimers,
    });
    running.push(controller.run(stop.signal));
    // The agent of gpu-1 says hello: the controller configures it.
    store.applySnapshot('gpu-1', 't', { engines: [], gpus: [] });
    const status = await eventually(() => {
      const s = server.get('infernode.io/v1alpha1', 'KVCache', NS, 'l1')?.status as
        KVCacheStatus | undefined;
      return s?.current === 1 ? s : undefined;
    }, 20_000);
    expect(given.get('gpu-1')).toMatchObject({
      resource: `${NS}/l1`,
      budgetBytes: 512 * 1024 ** 2,
      policy: 's3fifo',
      shared: true,
      engines: [`${NS}/vllm-0`],
    });
    expect(status!.nodes).toEqual([
      { node: 'gpu-1', budgetBytes: 512 * 1024 ** 2, usedBytes: 7, blocks: 1, shared: true },
    ]);
    expect(status!.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  }, 60_000);
});
