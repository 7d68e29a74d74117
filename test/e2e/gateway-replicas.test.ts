/**
 * Gateway replicas end to end (issue #18): `infernode up --gateways 2` — two leader processes
 * each serving the gateway — driven with the official openai client through both gateway URLs.
 * The same long prompt lands on the same engine through either replica; killing leader-0 under
 * load, the follower takes over and no request through it fails; leader-0 restarted by the
 * supervisor then follows the new leader instead of leading too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { childName, startLocalCluster, type LocalCluster } from '../../src/up/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { writeClusterFile } from '../helpers/cluster-files.js';

let cluster: LocalCluster;
let clients: OpenAI[];

const ask = (client: OpenAI, content: string, headers: Record<string, string> = {}) =>
  client.chat.completions
    .create(
      { model: 'test-model', messages: [{ role: 'user', content }], max_completion_tokens: 4 },
      { headers },
    )
    .withResponse();
/** The strategy that reads the prefix index the replicas share. */
const PREFIX = { 'routing-strategy': 'prefix-cache' };

/** A sample's value from a Prometheus text page (0 when absent). */
async function metric(controlUrl: string, sample: string): Promise<number> {
  const text = await (await fetch(`${controlUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

const followerControl = (): string => cluster.controlUrls[1] as string;

beforeAll(async () => {
  const { path } = await writeClusterFile({ nodes: 2, enginesPerNode: 2 });
  cluster = await startLocalCluster({
    clusterFile: path,
    gateways: 2,
    agentArgs: ['--scrape-interval-ms', '200'],
    readyTimeoutMs: 120_000,
  });
  clients = cluster.gatewayUrls.map(
    (url) => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 }),
  );
}, 180_000);

afterAll(async () => {
  await cluster.stop();
});

describe('gateway replicas (up --gateways 2)', () => {
  it('serves chat completions, streaming and not, through both gateway URLs', async () => {
    expect(cluster.gatewayUrls).toHaveLength(2);
    expect(new Set(cluster.gatewayUrls).size).toBe(2);
    for (const client of clients) {
      const { data, response } = await ask(client, 'hello');
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
    }
  });

  it('sends the same long prompt to the same engine through either replica', async () => {
    const applied = 'infernode_replica_feed_applied_total{type="replica.prefix"}';
    const published = 'infernode_replica_feed_messages_total{type="replica.prefix"}';
    for (let p = 0; p < 3; p++) {
      // Each case differs from its first block: an engine holding an earlier case's prompt must
      // not compete on a shared prefix (that is prefix routing, not replicas, and is left to the
      // routing tests; see the #18 closing note on mixed-granularity credit under event lag).
      const prompt = `case ${p}: ${'You are a careful assistant who answers briefly. '.repeat(80)}`;
      const first = (await ask(clients[0]!, prompt, PREFIX)).response.headers.get('target-pod');
      expect(first).toMatch(/^node-[ab]-engine-[01]$/);
      // The leader's pick reaches the follower's prefix index through the feed: wait until the
      // follower has applied every prefix message the leader has published so far (a count that
      // merely grew could be an earlier message, e.g. the echo of the follower's own insertion).
      const sent = await metric(cluster.controlUrls[0] as string, published);
      await waitFor(
        async () => (await metric(followerControl(), applied)) >= sent,
        'the follower applied the leader’s prefix insertion',
        30_000,
      );
      for (let i = 0; i < 4; i++) {
        const via = clients[i % 2 === 0 ? 1 : 0]!;
        expect((await ask(via, prompt, PREFIX)).response.headers.get('target-pod')).toBe(first);
      }
    }
  });

  it('keeps serving through the follower when leader-0 is killed under load', async () => {
    const follower = clients[1]!;
    const failures: string[] = [];
    let ok = 0;
    let running = true;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; running; i++) {
        try {
          const { data } = await ask(follower, `load ${w} ${i}`);
          if (data.choices[0]?.message.content) ok++;
          else failures.push('empty answer');
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    try {
      await waitFor(() => ok >= 20, 'requests through the follower before the kill', 60_000);
      expect(await metric(followerControl(), 'infernode_leader_is_leader')).toBe(0);
      cluster.supervisor.kill(childName.leader, 'SIGKILL', { restart: false });
      await waitFor(
        async () => (await metric(followerControl(), 'infernode_leader_is_leader')) === 1,
        'the follower leads',
        60_000,
      );
      await waitFor(
        async () => (await fetch(`${followerControl()}/readyz`)).ok,
        'the new leader is ready',
        60_000,
      );
      // Agents settle on the new leader (their standby URL): reports flow to it again.
      await waitFor(
        async () => {
          const view = (await (await fetch(`${followerControl()}/v1/cluster`)).json()) as {
            nodes: { connected: boolean }[];
          };
          return view.nodes.length === 2 && view.nodes.every((n) => n.connected);
        },
        'every agent connected to the new leader',
        60_000,
      );
      const afterTakeover = ok;
      await waitFor(() => ok >= afterTakeover + 20, 'requests after the takeover', 60_000);
    } finally {
      running = false;
      await Promise.all(workers);
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it('restarts leader-0 as a follower of the replica that took over (never two leaders)', async () => {
    const first = cluster.controlUrls[0] as string;
    const applied = 'infernode_replica_feed_applied_total{type="replica.welcome"}';
    cluster.supervisor.restart(childName.leader);
    await waitFor(
      async () => (await metric(first, applied).catch(() => 0)) > 0,
      'the restarted leader-0 is fed by the new leader',
      60_000,
    );
    await waitFor(
      async () => (await fetch(`${first}/readyz`).catch(() => undefined))?.ok === true,
      'the restarted leader-0 is ready',
      60_000,
    );
    expect(await metric(first, 'infernode_leader_is_leader')).toBe(0);
    expect(await metric(followerControl(), 'infernode_leader_is_leader')).toBe(1);
    // The takeover's epoch is above leader-0's first one: agents obey only the newest.
    expect(await metric(followerControl(), 'infernode_leader_epoch')).toBe(2);
    const { response } = await ask(clients[0]!, 'after the restart');
    expect(response.status).toBe(200);
  }, 180_000);
});
