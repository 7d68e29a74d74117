/**
 * The real processes in Kubernetes mode against the fake API server: two leader candidates
 * contend for the Lease, exactly one labels its pod `infernode.io/role=leader` and serves the
 * gateway, with API keys from the Secret infernode-api-keys, in front of engines it discovers
 * from pods in its watched namespace; an agent on a node reports to it; when the leader is
 * killed the other takes over within the lease duration. A loopback TCP forwarder stands for the
 * infernode-control Service: it sends each connection to the control port of whichever pod the
 * fake API server labels leader (as the endpoints controller would); the agent and the gateway
 * replicas' feed (`replicas.leaderUrl`, as deploy/ sets it) go through it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../src/sim/index.js';
import { FakeKubeApiServer } from '../helpers/kube-api-server.js';
import { aNode, aPod } from '../helpers/kube-builders.js';
import { freePorts } from '../helpers/cluster-files.js';
import { waitFor } from '../helpers/wait-for.js';
import { loadCrds } from '../helpers/crds.js';

const NS = 'infernode-system';
const TOKEN = 'e2e-agent-token-0123456789';
const API_KEY = 'sk-e2e-alice-0123';
let api: FakeKubeApiServer;
let sim: SimServer;
let env: NodeJS.ProcessEnv;
const children: ChildProcess[] = [];
const leaders = new Map<string, { proc: ChildProcess; gateway: number; control: number }>();
let service: net.Server;
let servicePort: number;

const logs: string[] = [];
function run(args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
  const proc = spawn(process.execPath, ['dist/cli/main.js', ...args], {
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.stderr.on('data', (d: Buffer) => {
    if (logs.length < 5000) logs.push(`[${args[0] ?? ''}] ${d.toString()}`);
  });
  children.push(proc);
  return proc;
}

const roleOf = (pod: string) =>
  api.get('v1', 'Pod', NS, pod)?.metadata.labels?.['infernode.io/role'];
const labelled = () => ['leader-0', 'leader-1'].filter((p) => roleOf(p) === 'leader');

/** The infernode-control Service: each connection to the labelled leader's control port. */
function startControlService(): Promise<net.Server> {
  const server = net.createServer((client) => {
    const [pod] = labelled();
    const target = pod === undefined ? undefined : leaders.get(pod);
    if (target === undefined) {
      client.destroy(); // no endpoints: refused, as a Service
      return;
    }
    const upstream = net.connect(target.control, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The sum of a Prometheus text page's samples of `name` whose labels pass `keep`. */
async function metricSum(control: number, name: string, keep = (_labels: string) => true) {
  const text = await (await fetch(`http://127.0.0.1:${control}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m?.[1] === name && keep(m[2] ?? '')) sum += Number(m[3]);
  }
  return sum;
}

/** Deltas (not welcomes) this replica applied from a leader's feed. */
const deltasApplied = (control: number) =>
  metricSum(control, 'infernode_replica_feed_applied_total', (l) => !l.includes('welcome'));

const ready = async (control: number) =>
  (await fetch(`http://127.0.0.1:${control}/readyz`).catch(() => undefined))?.status === 200;

function startLeader(name: string, gateway: number, control: number): ChildProcess {
  const proc = run([
    'leader',
    '--discovery',
    'kubernetes',
    '--identity',
    name,
    '--gateway-port',
    String(gateway),
    '--control-port',
    String(control),
    '--kube-election-lease-duration-ms',
    '3000',
    '--kube-election-renew-deadline-ms',
    '2000',
    '--kube-election-retry-period-ms',
    '500',
    '--replicas-leader-url',
    `http://127.0.0.1:${servicePort}`,
  ]);
  leaders.set(name, { proc, gateway, control });
  return proc;
}

/** POSTs a chat completion with `key` ('' sends no Authorization header). */
async function chat(port: number, key = API_KEY): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === '' ? {} : { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify({
      model: 'test-model',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 3,
    }),
    signal: AbortSignal.timeout(5000),
  });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  api = await FakeKubeApiServer.start();
  sim = await startSimServer({ port: 0, model: 'test-model', speed: 100 });
  for (const crd of loadCrds()) api.addCrd(crd);
  api.put(aNode('node-a'));
  api.put(aPod('leader-0', NS).onNode('node-b').ready().withIp('127.0.0.1').build());
  api.put(aPod('leader-1', NS).onNode('node-c').ready().withIp('127.0.0.1').build());
  api.put(
    aPod('vllm-0', 'serving')
      .onNode('node-a')
      .withModel('test-model')
      .withLabel('model.infernode.io/port', String(sim.port))
      .ready()
      .withIp('127.0.0.1')
      .build(),
  );
  api.put({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'infernode-api-keys', namespace: NS },
    data: {
      'keys.yaml': Buffer.from(`apiKeys:\n  - { key: ${API_KEY}, user: alice }\n`).toString(
        'base64',
      ),
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'infernode-k8s-'));
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: fake, cluster: {server: "${api.url}", insecure-skip-tls-verify: true}}]\nusers: [{name: t, user: {token: test-token}}]\ncontexts: [{name: fake, context: {cluster: fake, user: t}}]\ncurrent-context: fake\n`,
  );
  env = {
    ...process.env,
    KUBECONFIG: kubeconfig,
    POD_NAMESPACE: NS,
    INFERNODE_CLUSTER_SECRET: TOKEN,
    // The engines run in `serving`, outside the processes' own namespace: both widen the scope.
    INFERNODE_LEADER_KUBE_WATCH_NAMESPACES: 'serving',
    INFERNODE_AGENT_KUBE_WATCH_NAMESPACES: 'serving',
  };
  service = await startControlService();
  servicePort = (service.address() as net.AddressInfo).port;
  const ports = await freePorts(4);
  for (const [i, name] of ['leader-0', 'leader-1'].entries())
    startLeader(name, ports[i * 2]!, ports[i * 2 + 1]!);
});

// Should the worker die before afterAll runs, its children must not outlive it.
const killChildren = (): void => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};
process.on('exit', killChildren);

afterAll(async () => {
  if (process.env.INFERNODE_TEST_DEBUG !== undefined) console.log(logs.join(''));
  if (process.env.INFERNODE_TEST_DEBUG !== undefined) console.log(logs.join(''));
  killChildren();
  process.off('exit', killChildren);
  service.close();
  await sim.close();
  await api.close();
});

describe('Kubernetes mode', () => {
  it('elects one leader, which labels its pod and serves engines discovered from pods; an agent reports to it; a killed leader is replaced', async () => {
    await waitFor(() => labelled().length === 1, 'one labelled leader', 20_000);
    const [first] = labelled();
    // The other candidate labelled itself follower (the followers' gateway Service selects it).
    await waitFor(
      () => roleOf(first === 'leader-0' ? 'leader-1' : 'leader-0') === 'follower',
      'the follower labelled',
    );
    const leader = leaders.get(first!)!;
    const follower = leaders.get(first === 'leader-0' ? 'leader-1' : 'leader-0')!;
    await waitFor(
      async () => (await chat(leader.gateway)) === 200,
      'the leader serves the engine pod',
      15_000,
    );
    // Every replica serves the gateway (issue #18): the follower routes from discovery and the
    // leader's state feed.
    await waitFor(
      async () => (await chat(follower.gateway).catch(() => 0)) === 200,
      'the follower serves the engine pod too',
      15_000,
    );
    expect(await chat(leader.gateway, '')).toBe(401); // keys from the Secret are required

    run([
      'agent',
      '--discovery',
      'kubernetes',
      '--node',
      'node-a',
      '--api-port',
      '0',
      '--leader-url',
      `ws://127.0.0.1:${servicePort}/v1/agents`, // the control Service, as deploy/ has it
      '--gpu-tool',
      'none',
    ]);
    await waitFor(
      async () => {
        const view = (await (
          await fetch(`http://127.0.0.1:${leader.control}/v1/cluster`)
        ).json()) as {
          nodes: { node: string; connected: boolean }[];
          engines: { id: string; stale: boolean }[];
        };
        return (
          view.nodes.some((n) => n.node === 'node-a' && n.connected) &&
          view.engines.some((e) => e.id === 'serving/vllm-0' && !e.stale)
        );
      },
      'agent connected with a fresh report of the engine pod',
      20_000,
    );

    // The follower is fed through the Service: ready, applying the leader's deltas.
    await waitFor(() => ready(follower.control), 'the follower is ready (fed)', 20_000);
    await waitFor(
      async () => (await deltasApplied(follower.control)) > 0,
      'the follower applied deltas from the leader’s feed',
      20_000,
    );

    const killedAt = Date.now();
    leader.proc.kill('SIGKILL');
    await once(leader.proc, 'exit');
    await waitFor(
      async () => (await chat(follower.gateway).catch(() => 0)) === 200,
      'the other candidate serves',
      20_000,
    );
    const takeoverMs = Date.now() - killedAt;
    console.log(`leader killed → new leader serving in ${takeoverMs} ms (lease 3 s)`);
    await waitFor(
      () => roleOf(first === 'leader-0' ? 'leader-1' : 'leader-0') === 'leader',
      'new leader labelled',
    );
    expect(takeoverMs).toBeLessThan(15_000);

    // The killed pod comes back (as its Deployment would restart it): it follows the new leader
    // through the Service, now routed to the new leader's pod.
    const old = leaders.get(first!)!;
    startLeader(first!, old.gateway, old.control);
    await waitFor(() => ready(old.control), 'the restarted replica is ready (fed)', 30_000);
    await waitFor(
      async () => (await deltasApplied(old.control)) > 0,
      'the restarted replica applied deltas from the new leader',
      30_000,
    );
    expect(await metricSum(old.control, 'infernode_leader_is_leader')).toBe(0);
    expect(roleOf(first!)).toBe('follower');
  });
});
