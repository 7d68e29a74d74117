/**
 * `infernode status` (the built CLI) against a real leader control server on loopback: the
 * store with two engines, the custom resources with statuses (a ModelAdapter with an engine
 * error, a PodAutoscaler with a decision, a KVCache with per-node usage) and the real KV index
 * view. Checks the tables' sections, `--json`'s shape, one `--watch` redraw cycle ending 0 on
 * Ctrl-C, and a leader without the optional endpoints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../../src/discovery/index.js';
import type { StatusSnapshot } from '../../src/cli/status-snapshot.js';
import { buildKvIndex } from '../../src/leader/kv-index-wiring.js';
import { ControlServer, type ControlServerOptions } from '../../src/leader/control-server.js';
import { AgentHub, ClusterStateStore } from '../../src/leader/index.js';
import { StaticAgentAuthenticator } from '../../src/leader/adapters/static-agent-authenticator.js';
import { createRegistry, silentLogger, systemClock } from '../../src/shared/index.js';
import { freePorts } from '../helpers/cluster-files.js';
import { runCli, startCli } from '../helpers/run-cli.js';
import { waitFor } from '../helpers/wait-for.js';

const endpoint = (node: string, name: string): EngineEndpoint => ({
  id: `${node}/${name}`,
  name,
  model: 'base-model',
  url: 'http://127.0.0.1:1',
  node,
  engine: 'vllm',
  gpuIndices: undefined,
  ready: true,
});

const RESOURCES = [
  {
    apiVersion: 'infernode.io/v1alpha1',
    kind: 'ModelAdapter',
    metadata: { name: 'sql-lora', namespace: 'default' },
    spec: { baseModel: 'base-model', podSelector: {}, artifactURL: 'file:///a' },
    status: {
      phase: 'Running',
      instances: ['node-a/e0'],
      readyReplicas: 1,
      desiredReplicas: 2,
      engineErrors: [{ engine: 'node-b/e0', code: 'LORA_LOAD_FAILED', message: 'rank 64 > 16' }],
    },
  },
  {
    apiVersion: 'infernode.io/v1alpha1',
    kind: 'PodAutoscaler',
    metadata: { name: 'pool', namespace: 'default' },
    spec: {
      scaleTargetRef: { kind: 'ScaleGroup', name: 'pool' },
      minReplicas: 1,
      maxReplicas: 4,
      scalingStrategy: 'KPA',
      metricsSources: [],
    },
    status: {
      actualScale: 2,
      desiredScale: 3,
      metricValues: [{ name: 'num_requests_running', value: 7, target: 2, replicas: 3 }],
      scalingHistory: [
        {
          timestamp: '2026-01-01T00:00:00Z',
          previousScale: 2,
          newScale: 3,
          reason: 'load',
          success: true,
        },
      ],
    },
  },
  {
    apiVersion: 'infernode.io/v1alpha1',
    kind: 'KVCache',
    metadata: { name: 'kv', namespace: 'default' },
    spec: {},
    status: {
      current: 1,
      nodes: [{ node: 'node-a', budgetBytes: 1024 ** 3, usedBytes: 256 * 1024 ** 2, blocks: 12 }],
    },
  },
];

interface Leader {
  url: string;
  stop(): Promise<void>;
}

/** A leader's control server on 127.0.0.1:0; `full` adds /v1/resources and /v1/kv. */
async function startLeader(full: boolean): Promise<Leader> {
  const store = new ClusterStateStore({ clock: systemClock, staleAfterMs: 60_000 });
  store.setDiscovery({
    endpoints: [endpoint('node-a', 'e0'), endpoint('node-b', 'e0')],
    resources: [],
  });
  const registry = createRegistry({ defaultMetrics: false });
  const log = silentLogger();
  const hub = new AgentHub({
    store,
    authenticator: new StaticAgentAuthenticator('test-secret-0123456789abcdef'),
    log,
    registry,
    identity: () => ({ leader: 'leader-0', epoch: 3 }),
    pingIntervalMs: 1000,
  });
  const options: ControlServerOptions = {
    host: '127.0.0.1',
    port: 0,
    hub,
    store,
    registry,
    log,
    isReady: () => true,
    describe: () => ({ leader: 'leader-0', epoch: 3, version: 'test', ejected: [] }),
    ...(full
      ? { resources: () => RESOURCES, kv: buildKvIndex({ store, registry, log }).view }
      : {}),
  };
  const control = new ControlServer(options);
  const abort = new AbortController();
  const running = control.run(abort.signal);
  await waitFor(() => control.port > 0, 'control server listening');
  return {
    url: `http://127.0.0.1:${control.port}`,
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}

let leader: Leader;
let bare: Leader;
beforeAll(async () => {
  leader = await startLeader(true);
  bare = await startLeader(false);
});
afterAll(async () => {
  await leader.stop();
  await bare.stop();
});

describe('infernode status', () => {
  it('shows engines, adapters, autoscalers and the KV cache', async () => {
    const run = await runCli(['status', '--leader-url', leader.url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('leader leader-0  epoch 3');
    expect(run.stdout).toMatch(/node-a\/e0\s+base-model/);
    expect(run.stdout).toMatch(/default\/sql-lora\s+base-model\s+Running\s+1\/2\s+node-a\/e0/);
    expect(run.stdout).toContain('last error: node-b/e0: LORA_LOAD_FAILED rank 64 > 16');
    expect(run.stdout).toMatch(/default\/pool\s+ScaleGroup\/pool\s+KPA\s+2→3 \[1\.\.4\]/);
    expect(run.stdout).toContain('num_requests_running 7/2; 2→3 (load)');
    expect(run.stdout).toMatch(/node-a\s+L1 256\.0 MiB of 1\.0 GiB \(25%\), 12 blocks/);
    expect(run.stdout).toContain('KV INDEX  0 blocks on 0 engines, 0 nodes');
  });

  it('prints the same snapshot as JSON with --json', async () => {
    const run = await runCli(['status', '--leader-url', leader.url, '--json']);
    expect(run.code).toBe(0);
    const s = JSON.parse(run.stdout) as StatusSnapshot;
    expect(s.leaderUrl).toBe(leader.url);
    expect(Number.isNaN(Date.parse(s.at))).toBe(false);
    expect(s.cluster.engines.map((e) => e.id).sort()).toEqual(['node-a/e0', 'node-b/e0']);
    expect(s.adapters).toEqual([
      {
        name: 'default/sql-lora',
        baseModel: 'base-model',
        phase: 'Running',
        ready: 1,
        desired: 2,
        instances: ['node-a/e0'],
        lastError: 'node-b/e0: LORA_LOAD_FAILED rank 64 > 16',
      },
    ]);
    expect(s.autoscalers).toEqual([
      {
        name: 'default/pool',
        target: 'ScaleGroup/pool',
        strategy: 'KPA',
        current: 2,
        desired: 3,
        min: 1,
        max: 4,
        signal: 'num_requests_running 7/2',
        lastDecision: '2→3 (load)',
      },
    ]);
    expect(s.kvCaches).toEqual([
      {
        name: 'default/kv',
        current: 1,
        nodes: [{ node: 'node-a', usedBytes: 256 * 1024 ** 2, budgetBytes: 1024 ** 3, blocks: 12 }],
      },
    ]);
    expect(s.kvIndex).toEqual({ entries: 0, nodeCount: 0, engineCount: 0, nodes: [] });
  });

  it('leaves out the sections a leader does not serve (null in --json)', async () => {
    const text = await runCli(['status', '--leader-url', bare.url]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('node-b/e0');
    expect(text.stdout).not.toContain('ADAPTER');
    expect(text.stdout).not.toContain('KV INDEX');
    const json = JSON.parse(
      (await runCli(['status', '--leader-url', bare.url, '--json'])).stdout,
    ) as StatusSnapshot;
    expect([json.adapters, json.autoscalers, json.kvCaches, json.kvIndex]).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });

  // Generous limits: a loaded CI machine can take many seconds just to start node.
  it('redraws with --watch and exits 0 on Ctrl-C', { timeout: 180_000 }, async () => {
    const cli = startCli(['status', '--leader-url', leader.url, '--watch', '--interval-s', '1']);
    const frames = (): number =>
      cli.output().stdout.split('infernode status  every 1 s').length - 1;
    await waitFor(() => frames() >= 2, 'two frames', 90_000);
    cli.child.kill('SIGINT');
    const run = await cli.exited(60_000);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    // Piped (not a terminal): frames follow one another, no screen control codes.
    expect(run.stdout).not.toContain('\x1b[');
    expect(run.stdout.split('default/sql-lora').length - 1).toBeGreaterThanOrEqual(2);
  });

  it('streams one JSON line per redraw with --watch --json', { timeout: 180_000 }, async () => {
    const cli = startCli([
      'status',
      '--leader-url',
      leader.url,
      '--watch',
      '--json',
      '--interval-s',
      '1',
    ]);
    const lines = (): string[] =>
      cli
        .output()
        .stdout.split('\n')
        .filter((l) => l !== '');
    await waitFor(() => lines().length >= 2, 'two JSON lines', 90_000);
    cli.child.kill('SIGINT');
    expect((await cli.exited(60_000)).code).toBe(0);
    for (const line of lines())
      expect((JSON.parse(line) as StatusSnapshot).cluster.engines).toHaveLength(2);
  });

  it('says why with exit 1 when the leader cannot be reached', async () => {
    const [nobody] = await freePorts(1);
    const run = await runCli([
      'status',
      '--leader-url',
      `http://127.0.0.1:${nobody}`,
      '--timeout-ms',
      '2000',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /cannot read the cluster from the leader at http:\/\/127\.0\.0\.1:\d+\/v1\/cluster: connection refused/,
    );
  });
});
