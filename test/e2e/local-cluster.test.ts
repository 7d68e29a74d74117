/**
 * The walking skeleton end to end: a local cluster of 2 nodes × 2 simulated engines behind the
 * leader's gateway, driven with the official openai client; engines and agents die and return.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { childName, startLocalCluster, type LocalCluster } from '../../src/up/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { freePorts, writeClusterFile } from '../helpers/cluster-files.js';

interface ClusterView {
  ejected: string[];
  nodes: { node: string; connected: boolean }[];
  engines: { id: string; stale: boolean; agentSaysDown: boolean }[];
}

let cluster: LocalCluster;
let client: OpenAI;
let ghostUrl: string;
const view = async (): Promise<ClusterView> =>
  (await (await fetch(`${cluster.controlUrl}/v1/cluster`)).json()) as ClusterView;
const engine = async (id: string) => (await view()).engines.find((e) => e.id === id)!;
const ask = (content = 'hello') =>
  client.chat.completions
    .create({
      model: 'test-model',
      messages: [{ role: 'user', content }],
      max_completion_tokens: 4,
    })
    .withResponse();

beforeAll(async () => {
  const [ghostPort] = await freePorts(1);
  ghostUrl = `http://127.0.0.1:${ghostPort}`;
  const { path } = await writeClusterFile({
    nodes: 2,
    enginesPerNode: 2,
    extraEngines: [{ node: 1, name: 'ghost', model: 'ghost-model', url: ghostUrl }],
    resources: [
      {
        apiVersion: 'infernode.io/v1alpha1',
        kind: 'RateLimitPolicy',
        metadata: { name: 'tight', namespace: 'infernode' },
        spec: { users: { 'limited-user': { rpm: 1 } } },
      },
    ],
  });
  cluster = await startLocalCluster({
    clusterFile: path,
    agentArgs: ['--scrape-interval-ms', '200'],
    leaderArgs: [
      '--agents-stale-after-ms',
      '1500',
      '--agents-ping-interval-ms',
      '300',
      '--gateway-max-body-bytes',
      '100000',
    ],
  });
  client = new OpenAI({ baseURL: `${cluster.gatewayUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
});

afterAll(async () => {
  await cluster.stop();
});

describe('local cluster', () => {
  it('serves a non-streaming and a streaming chat completion', async () => {
    const { data, response } = await ask();
    expect(data.choices[0]!.message.content).toBeTruthy();
    expect(response.headers.get('target-pod')).toMatch(/^node-[ab]-engine-[01]$/);
    const stream = await client.chat.completions.create({
      model: 'test-model',
      messages: [{ role: 'user', content: 'stream please' }],
      max_completion_tokens: 6,
      stream: true,
    });
    let chunks = 0;
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) chunks++;
    expect(chunks).toBe(6);
  });

  it('infernode status shows every node and engine as the leader sees them', () => {
    const text = execFileSync(
      process.execPath,
      ['dist/cli/main.js', 'status', '--leader-url', cluster.controlUrl],
      { encoding: 'utf8' },
    );
    expect(text).toMatch(/node-a\s+connected/);
    expect(text).toMatch(/node-b\/engine-1\s+test-model\s+ok/);
  });

  it('answers every bad input with its status and an OpenAI-shaped body', async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${cluster.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const cases: [string, number, Record<string, string>?][] = [
      ['{bad json', 400],
      [JSON.stringify({ model: 'test-model' }), 400],
      [JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), 404],
      [
        JSON.stringify({
          model: 'test-model',
          messages: [{ role: 'user', content: 'x'.repeat(200_000) }],
        }),
        413,
      ],
      [
        JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'x' }] }),
        400,
        { 'routing-strategy': 'nope' },
      ],
    ];
    for (const [body, status, headers] of cases) {
      const res = await post(body, headers);
      expect(res.status, body.slice(0, 40)).toBe(status);
      const json = (await res.json()) as { error: { message: string; type: string } };
      expect(typeof json.error.message).toBe('string');
      expect(typeof json.error.type).toBe('string');
    }
    // The ghost engine never answers its agent's scrapes: its model has no ready engine.
    await waitFor(
      async () => (await engine('node-b/ghost')).agentSaysDown,
      'ghost engine reported down',
    );
    const res = await post(
      JSON.stringify({ model: 'ghost-model', messages: [{ role: 'user', content: 'x' }] }),
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('overloaded_error');
  });

  it('enforces a RateLimitPolicy declared in the cluster file: 429 with Retry-After', async () => {
    const send = () =>
      fetch(`${cluster.gatewayUrl}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', user: 'limited-user' },
        body: JSON.stringify({ model: 'test-model', prompt: 'hi', max_tokens: 1 }),
      });
    expect((await send()).status).toBe(200);
    const refused = await send();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as { error: { type: string; message: string } };
    expect(body.error.message).toContain('requests per minute');
    // Other users are not limited by it.
    const other = await fetch(`${cluster.gatewayUrl}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', user: 'someone-else' },
      body: JSON.stringify({ model: 'test-model', prompt: 'hi', max_tokens: 1 }),
    });
    expect(other.status).toBe(200);
  });

  it('keeps serving when an engine dies; its agent reports it down', async () => {
    await cluster.supervisor.stop(childName.sim('node-a', 'engine-0'));
    for (let i = 0; i < 12; i++) {
      const { response } = await ask(`after engine death ${i}`);
      expect(response.status).toBe(200);
    }
    await waitFor(
      async () => (await engine('node-a/engine-0')).agentSaysDown,
      'agent reports the dead engine down',
      5000,
    );
  });

  it('keeps a lost agent’s engines serving, marked stale, keeps the really dead one out, and turns fresh when the agent returns', async () => {
    cluster.supervisor.kill(childName.agent('node-a'), 'SIGKILL', { restart: false });
    await waitFor(
      async () => (await engine('node-a/engine-1')).stale,
      'node-a engines stale',
      10_000,
    );
    const metrics = await (await fetch(`${cluster.controlUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /infernode_leader_engine_stale\{node="node-a",engine="node-a-engine-1"\} 1/,
    );
    // Stale engines stay routable, but stale never brings back an engine its agent last reported
    // down: the live one keeps serving and the dead one gets nothing (whether passive health
    // also ejected it during the previous test depends on timing, so that is not asserted).
    const pods = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const { response } = await ask(`agent gone ${i}`);
      expect(response.status).toBe(200);
      pods.add(response.headers.get('target-pod') ?? '');
    }
    expect(pods.has('node-a-engine-1')).toBe(true);
    expect(pods.has('node-a-engine-0')).toBe(false);
    const dead = await engine('node-a/engine-0');
    expect(dead.stale).toBe(true);
    expect(dead.agentSaysDown).toBe(true);
    cluster.supervisor.restart(childName.agent('node-a'));
    await waitFor(
      async () => !(await engine('node-a/engine-1')).stale,
      'node-a engines fresh again',
      15_000,
    );
  });

  it('leaves no child process behind after stop', async () => {
    const pids = [...cluster.supervisor.pids().values()];
    expect(pids.length).toBeGreaterThanOrEqual(6);
    await cluster.stop();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
