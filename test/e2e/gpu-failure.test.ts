/**
 * GPU failure end to end on the local cluster: fake nvidia-smi on PATH and a kernel-log file per
 * node; an Xid 79 appears for GPU 1 of node-a; its engine leaves routing while the model keeps
 * serving, the node is tainted on the (fake) Kubernetes API with an Event and a condition; after
 * the healthy hold-down everything returns.
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../src/up/index.js';
import { FakeKubeApiServer } from '../helpers/kube-api-server.js';
import { aNode } from '../helpers/kube-builders.js';
import { writeClusterFile } from '../helpers/cluster-files.js';
import { waitFor } from '../helpers/wait-for.js';

let api: FakeKubeApiServer;
let cluster: LocalCluster;
let kmsgA: string;

interface Engine {
  id: string;
  gpuFailed: boolean;
}
const engines = async (): Promise<Engine[]> =>
  ((await (await fetch(`${cluster.controlUrl}/v1/cluster`)).json()) as { engines: Engine[] })
    .engines;
const taints = () =>
  (
    (api.get('v1', 'Node', undefined, 'node-a')?.spec as { taints?: { key: string }[] }).taints ??
    []
  ).map((t) => t.key);
const condition = () =>
  (
    (
      api.get('v1', 'Node', undefined, 'node-a')?.status as {
        conditions?: { type: string; status: string }[];
      }
    ).conditions ?? []
  ).find((c) => c.type === 'InfernodeGpuHealthy')?.status;

async function routedPods(n: number): Promise<string[]> {
  const pods: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${cluster.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'routing-strategy': 'random' },
      body: JSON.stringify({
        model: 'test-model',
        messages: [{ role: 'user', content: `q${i}` }],
        max_tokens: 2,
      }),
    });
    expect(res.status).toBe(200);
    pods.push(res.headers.get('target-pod') ?? '');
    await res.arrayBuffer();
  }
  return pods;
}

const tmp = mkdtempSync(join(tmpdir(), 'infernode-gpu-'));
const dirOf = (): string => tmp;

beforeAll(async () => {
  api = await FakeKubeApiServer.start();
  api.put(aNode('node-a'));
  api.put(aNode('node-b'));
  const { path } = await writeClusterFile({
    nodes: 2,
    enginesPerNode: 2,
    nodeEnv: (n) => {
      const node = n === 0 ? 'a' : 'b';
      writeFileSync(join(dirOf(), `scenario-${node}.json`), JSON.stringify({ gpus: 2 }));
      writeFileSync(join(dirOf(), `kmsg-${node}.log`), '');
      return {
        INFERNODE_FAKE_GPU_SCENARIO: join(dirOf(), `scenario-${node}.json`),
        INFERNODE_KMSG_PATH: join(dirOf(), `kmsg-${node}.log`),
      };
    },
  });
  kmsgA = join(dirOf(), 'kmsg-a.log');
  const kubeconfig = join(dirOf(), 'kubeconfig.yaml');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: fake, cluster: {server: "${api.url}", insecure-skip-tls-verify: true}}]\nusers: [{name: t, user: {token: test-token}}]\ncontexts: [{name: fake, context: {cluster: fake, user: t}}]\ncurrent-context: fake\n`,
  );
  cluster = await startLocalCluster({
    clusterFile: path,
    env: {
      PATH: `${resolve('test/fixtures/bin')}:${process.env.PATH ?? ''}`,
      KUBECONFIG: kubeconfig,
    },
    agentArgs: [
      '--scrape-interval-ms',
      '200',
      '--gpu-probe-interval-ms',
      '300',
      '--gpu-kmsg-poll-interval-ms',
      '100',
      '--gpu-healthy-hold-down-ms',
      '3000',
    ],
    leaderArgs: [
      '--gpu-remediation-node-ops',
      'kubernetes',
      '--gpu-remediation-drain-timeout-ms',
      '2000',
    ],
  });
  await waitFor(() => condition() === 'True', 'node-a GPU condition True at start', 20_000);
});

afterAll(async () => {
  await cluster.stop();
  await api.close();
});

describe('GPU failure on the local cluster', () => {
  it('takes the failed GPU’s engine out of routing, taints the node, and heals after the hold-down', async () => {
    expect(new Set(await routedPods(24))).toContain('node-a-engine-1');
    const before = Date.now();
    appendFileSync(
      kmsgA,
      `3,9001,${Date.now() * 1000},-;NVRM: Xid (PCI:0000:3b:00): 79, pid=4242, name=python3, GPU has fallen off the bus.\n`,
    );
    await waitFor(
      async () => (await engines()).find((e) => e.id === 'node-a/engine-1')?.gpuFailed,
      'leader sees the failed GPU',
      10_000,
      20,
    );
    const detectMs = Date.now() - before;
    console.log(
      `GPU failure: kernel-log line → leader stops routing to its engine in ${detectMs} ms`,
    );
    // Every request sent after the leader knows avoids the engine on the failed GPU, and succeeds.
    const pods = await routedPods(30);
    expect(pods).not.toContain('node-a-engine-1');
    expect(pods).toContain('node-a-engine-0');
    await waitFor(
      () => taints().includes('infernode.io/gpu-unhealthy'),
      'node-a tainted on the API',
    );
    expect(condition()).toBe('False');
    const events = api
      .list('v1', 'Event')
      .filter((e) => (e as { reason?: string }).reason === 'GpuFailed');
    expect(events.length).toBeGreaterThan(0);
    // Recovery: no new Xid for the hold-down → healthy → untainted → routable again.
    await waitFor(
      () => !taints().includes('infernode.io/gpu-unhealthy'),
      'taint removed after the hold-down',
      20_000,
    );
    await waitFor(() => condition() === 'True', 'condition True again');
    await waitFor(
      async () => !(await engines()).find((e) => e.id === 'node-a/engine-1')?.gpuFailed,
      'engine routable again',
    );
    expect(new Set(await routedPods(30))).toContain('node-a-engine-1');
    const metrics = await (await fetch(`${cluster.agentUrls.get('node-a')!}/metrics`)).text();
    expect(metrics).toMatch(/infernode_gpu_xid_events_total\{[^}]*xid="79"[^}]*\} 1/);
    const gpus = (await (await fetch(`${cluster.agentUrls.get('node-a')!}/v1/gpus`)).json()) as {
      gpus: unknown[];
    };
    expect(gpus.gpus).toHaveLength(2);
  });
});
