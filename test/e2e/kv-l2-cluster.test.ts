/**
 * Cross-node L2 on the local cluster (issue #14): a long prompt computed on node A's engine is
 * offloaded to A's agent when A's small GPU cache evicts it; the same prompt sent to node B's
 * engine then misses in B's GPU and in B's agent, B's agent asks the leader's index, fetches the
 * blocks from A's agent and keeps a copy, and B's engine loads them instead of recomputing.
 * Every hop is checked in the metrics of the part that made it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startLocalCluster, type LocalCluster } from '../../src/up/index.js';
import { waitFor } from '../helpers/wait-for.js';
import { freePorts, writeClusterFile } from '../helpers/cluster-files.js';
import { metric, scrape } from '../helpers/sim-http.js';

interface KvView {
  nodes: { node: string; l1Blocks: number }[];
}

/** GPU blocks per engine: small, so a few long prompts evict the first to the agent. */
const GPU_BLOCKS = 64;
/**
 * The simulators' speed. An engine holds a request for its KV load at most as long as
 * recomputing the chain would take (≈ 25 µs per token on the 8B H100 profile, ≈ 25 ms for this
 * prompt) over the sim speed, and the modeled transfer (≈ 10 ms here) runs inside that hold. At
 * 0.01 that is 2.5 s of wall time, about 1.5 s of it for the lookup's three loopback hops on a
 * loaded machine (the connector's call bound is raised to match), while each prompt still takes
 * only a few seconds.
 */
const SPEED = 0.01;

let cluster: LocalCluster;

/** A client of one node's engine itself: the request is pinned to that engine. */
const engine = (node: string): { client: OpenAI; url: string } => {
  const sim = cluster.file.nodes.find((n) => n.name === node)!.engines[0]!.sim!;
  const url = `http://127.0.0.1:${sim.port}`;
  return { client: new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 }), url };
};

/** A node agent's metric (0 when it has no sample yet). */
const agentMetric = async (node: string, name: string, ...labels: string[]): Promise<number> => {
  const text = await scrape(cluster.agentUrls.get(node)!);
  try {
    return metric(text, name, ...labels);
  } catch {
    return 0;
  }
};

/** A long prompt (about 60 blocks of 16 tokens) no other prompt shares a prefix with. */
const longPrompt = (topic: string): string =>
  Array.from(
    { length: 50 },
    (_, i) => `${topic} paragraph ${i}: the quick brown fox jumps over the lazy dog.`,
  ).join('\n');

const chat = async (client: OpenAI, content: string): Promise<void> => {
  const completion = await client.chat.completions.create({
    model: 'test-model',
    messages: [{ role: 'user', content }],
    max_completion_tokens: 4,
  });
  expect(completion.choices[0]?.message.content).toBeTruthy();
};

/** Blocks the leader's index says a node's agent holds in its L1 store. */
const l1Blocks = async (node: string): Promise<number> => {
  const view = (await (await fetch(`${cluster.controlUrl}/v1/kv`)).json()) as KvView;
  return view.nodes.find((n) => n.node === node)?.l1Blocks ?? 0;
};

beforeAll(async () => {
  // The engines' KV connector is opt-in per node env (up's sim-kv-wiring): name the agents'
  // block service ports and one token here so the simulators know where to offload and load.
  const kvPorts = await freePorts(2);
  const token = randomBytes(24).toString('hex');
  const { path } = await writeClusterFile({
    nodes: 2,
    enginesPerNode: 1,
    kvEvents: true,
    numGpuBlocks: GPU_BLOCKS,
    speed: SPEED,
    nodeEnv: (n) => ({
      INFERNODE_AGENT_KV_ENABLED: 'true',
      INFERNODE_AGENT_KV_PORT: String(kvPorts[n]),
      INFERNODE_KV_TOKEN: token,
      INFERNODE_SIM_KV_TIMEOUT_MS: '8000',
      // Keep a peer's block on its first fetch, so one request shows the copy being kept.
      INFERNODE_AGENT_KV_L2_KEEP_AFTER_FETCHES: '1',
    }),
  });
  cluster = await startLocalCluster({ clusterFile: path });
});

afterAll(async () => {
  await cluster.stop();
});

describe('cross-node L2 on the local cluster', () => {
  it('serves a prompt computed on node A to node B’s engine from A’s agent', async () => {
    const a = engine('node-a');
    const b = engine('node-b');
    const shared = longPrompt('Shared');

    // Computed on A, then pushed out of A's GPU cache by other long prompts (each one nearly
    // fills it): A's engine offloads the evicted blocks to A's agent, which reports them to the
    // leader's index. L2 serves only what an agent holds, so the whole chain must leave A's GPU.
    await chat(a.client, shared);
    for (const filler of ['one', 'two', 'three'])
      await chat(a.client, longPrompt(`Filler ${filler}`));
    // Settled: every block A's engine offloaded is in A's store and in the leader's index (each
    // prompt was computed once, so no block was offloaded twice).
    await waitFor(
      async () => {
        const offloaded = metric(await scrape(a.url), 'infernode_sim_kv_offloaded_blocks_total');
        const stored = await agentMetric('node-a', 'infernode_kv_store_blocks');
        return offloaded > 0 && stored === offloaded && (await l1Blocks('node-a')) === stored;
      },
      'A’s offloaded blocks stored and indexed',
      30_000,
    );
    expect(await l1Blocks('node-b')).toBe(0);

    // The same prompt pinned to B's engine: B's GPU and B's agent miss, L2 fetches from A.
    await chat(b.client, shared);

    const bEngine = await scrape(b.url);
    expect(metric(bEngine, 'vllm:external_prefix_cache_hits_total')).toBeGreaterThan(0);
    expect(metric(bEngine, 'infernode_sim_kv_fetch_decisions_total', 'fetched')).toBe(1);
    expect(await agentMetric('node-b', 'infernode_kv_hits_total', 'tier="l2"')).toBeGreaterThan(0);
    expect(await agentMetric('node-b', 'infernode_kv_l2_fetched_blocks_total')).toBeGreaterThan(0);
    const kept = await agentMetric('node-b', 'infernode_kv_l2_kept_blocks_total');
    expect(kept).toBeGreaterThan(0);
    expect(await agentMetric('node-a', 'infernode_kv_peer_served_blocks_total')).toBeGreaterThan(0);
    // B's copy reaches the index as B's own L1 holding.
    await waitFor(async () => (await l1Blocks('node-b')) >= kept, 'B’s kept copy indexed', 30_000);

    // A's engine, asked again, loads the prompt back from its own agent's L1 (no peer needed).
    await chat(a.client, shared);
    const aEngine = await scrape(a.url);
    expect(metric(aEngine, 'vllm:external_prefix_cache_hits_total')).toBeGreaterThan(0);
    expect(await agentMetric('node-a', 'infernode_kv_hits_total', 'tier="l1"')).toBeGreaterThan(0);
  });

  it("lets the gateway's pick tell the engine a new prompt is in no L1, so it skips the lookup", async () => {
    const decisions = async (outcome: string): Promise<number> => {
      let sum = 0;
      for (const node of ['node-a', 'node-b'])
        sum += metric(
          await scrape(engine(node).url),
          'infernode_sim_kv_fetch_decisions_total',
          outcome,
        );
      return sum;
    };
    const before = { skipped: await decisions('skipped'), miss: await decisions('miss') };
    const gateway = new OpenAI({
      baseURL: `${cluster.gatewayUrl}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
    });
    // No engine and no agent has seen this prompt: the leader's index knows no L1 holds its
    // first block, and says so in the request's kv_transfer_params.
    await chat(gateway, longPrompt('Unseen'));
    expect(await decisions('skipped')).toBe(before.skipped + 1);
    expect(await decisions('miss')).toBe(before.miss);
  });
});
