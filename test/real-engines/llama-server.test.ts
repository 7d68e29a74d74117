/**
 * llama.cpp's llama-server (a real OpenAI-compatible engine that is not vLLM) behind a real
 * leader and agent (`infernode up` with a temp cluster file), driven with the official openai
 * client. The model is a tiny random-weight GGUF written by the test. Two engines: one with
 * `--metrics` (the agent reads its `llamacpp:` metrics) and one without (still routable).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../src/up/index.js';
import { writeClusterFile } from '../helpers/cluster-files.js';
import { waitFor } from '../helpers/wait-for.js';
import { startLlamaServer, type LlamaServer } from './helpers/llama-server.js';
import { writeTinyLlamaGguf } from './helpers/tiny-llama-model.js';

const MODEL = 'tiny-llama';
const BARE_MODEL = 'tiny-llama-bare';

interface AgentEngines {
  engines: {
    id: string;
    ready: boolean;
    error?: string;
    metrics?: { scrape: Record<string, unknown>; window: Record<string, unknown> };
  }[];
}

let dir: string;
let withMetrics: LlamaServer | undefined;
let bare: LlamaServer | undefined;
let cluster: LocalCluster | undefined;
let client: OpenAI;

const agentEngines = async (): Promise<AgentEngines> => {
  const url = cluster!.agentUrls.get('node-a')!;
  return (await (await fetch(`${url}/v1/engines`)).json()) as AgentEngines;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'infernode-llama-'));
  const model = writeTinyLlamaGguf(join(dir, 'tiny.gguf'));
  const binary = inject('llamaServerBinary');
  [withMetrics, bare] = await Promise.all([
    startLlamaServer({
      binary,
      model,
      alias: MODEL,
      metrics: true,
      logFile: join(dir, 'llama-metrics.log'),
    }),
    startLlamaServer({
      binary,
      model,
      alias: BARE_MODEL,
      metrics: false,
      logFile: join(dir, 'llama-bare.log'),
    }),
  ]);
  const { path } = await writeClusterFile({
    nodes: 1,
    enginesPerNode: 0,
    extraEngines: [
      { node: 0, name: 'llama', model: MODEL, url: withMetrics.url, engine: 'llamacpp' },
      { node: 0, name: 'llama-bare', model: BARE_MODEL, url: bare.url, engine: 'llamacpp' },
    ],
  });
  cluster = await startLocalCluster({
    clusterFile: path,
    logDir: join(dir, 'logs'),
    agentArgs: ['--scrape-interval-ms', '200'],
  });
  client = new OpenAI({ baseURL: `${cluster.gatewayUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
  await waitFor(
    async () => (await agentEngines()).engines.find((e) => e.id === 'node-a/llama')?.ready,
    'the agent to see llama-server ready',
    30_000,
  );
});

afterAll(async () => {
  await cluster?.stop();
  await Promise.all([withMetrics?.stop(), bare?.stop()]);
});

describe('llama.cpp llama-server behind the gateway', () => {
  it('answers a chat completion with the requested number of tokens', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: MODEL,
        messages: [{ role: 'user', content: 'hello there' }],
        max_completion_tokens: 8,
      })
      .withResponse();
    expect(response.headers.get('target-pod')).toBe('node-a-llama');
    expect(data.choices[0]!.message.content).toMatch(/\S/);
    expect(data.choices[0]!.finish_reason).toBe('length');
    expect(data.usage?.completion_tokens).toBe(8);
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('streams a chat completion chunk by chunk', async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'stream please' }],
      max_completion_tokens: 6,
      stream: true,
    });
    let text = '';
    let contentChunks = 0;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) {
        contentChunks++;
        text += choice.delta.content;
      }
      finish = choice?.finish_reason ?? finish;
    }
    expect(contentChunks).toBeGreaterThan(1);
    expect(text).toMatch(/\S/);
    expect(finish).toBe('length');
  });

  it('answers a text completion', async () => {
    const data = await client.completions.create({
      model: MODEL,
      prompt: 'Once upon a time',
      max_tokens: 5,
    });
    expect(data.choices[0]!.text).toMatch(/\S/);
    expect(data.usage?.completion_tokens).toBe(5);
  });

  it('answers 404 for an unknown model and passes llama-server 400s through', async () => {
    await expect(
      client.chat.completions.create({
        model: 'no-such-model',
        messages: [{ role: 'user', content: 'x' }],
        max_completion_tokens: 2,
      }),
    ).rejects.toMatchObject({ status: 404 });
    // llama-server refuses top_logprobs without logprobs; the gateway passes the client's fault on.
    const refused = await client.chat.completions
      .create({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
        max_completion_tokens: 2,
        top_logprobs: 2,
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(
      /top_logprobs/,
    );
  });

  it('serves 20 sequential streams without a failure', async () => {
    // llama-server closes its keep-alive socket right after a stream; the gateway must not hand
    // the next request a dead pooled socket (or must retry it once on a fresh one).
    const failures: string[] = [];
    for (let i = 0; i < 20; i++) {
      try {
        const stream = await client.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: `stream ${i}` }],
          max_completion_tokens: 3,
          stream: true,
        });
        let chunks = 0;
        for await (const chunk of stream) if (chunk.choices[0]?.delta.content) chunks++;
        if (chunks === 0) failures.push(`stream ${i}: no content`);
      } catch (err) {
        failures.push(`stream ${i}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("shows in the agent's view as ready, with llama.cpp load metrics", async () => {
    const engine = await waitFor(
      async () => {
        const e = (await agentEngines()).engines.find((x) => x.id === 'node-a/llama');
        // Idle again: the scrape after the earlier tests' last request finished.
        return e?.metrics !== undefined &&
          Number(e.metrics.scrape.promptTokensTotal) > 0 &&
          e.metrics.scrape.numRequestsRunning === 0
          ? e
          : undefined;
      },
      'the agent to report llama.cpp token counters with the engine idle',
      10_000,
    ).catch(async () => (await agentEngines()).engines.find((x) => x.id === 'node-a/llama'));
    expect(engine?.ready).toBe(true);
    const scrape = engine?.metrics?.scrape ?? {};
    expect(scrape.numRequestsRunning).toBe(0);
    expect(scrape.numRequestsWaiting).toBe(0);
    expect(scrape.promptTokensTotal).toEqual(expect.any(Number));
    expect(scrape.promptTokensTotal as number).toBeGreaterThan(0);
    expect(scrape.generationTokensTotal as number).toBeGreaterThanOrEqual(8 + 6 + 5);
    // llama.cpp exposes no KV usage and no latency histograms: unknown, not 0. The common shape
    // carries a histogram with nothing in it, so every latency mean of the window stays unknown.
    expect(scrape.kvCacheUsageRatio).toBeUndefined();
    expect(scrape.ttftSeconds).toEqual({ sum: 0, count: 0 });
    expect(engine?.metrics?.window.meanTtftSeconds).toBeUndefined();
  });

  it('routes to an engine started without --metrics', async () => {
    const data = await client.chat.completions.create({
      model: BARE_MODEL,
      messages: [{ role: 'user', content: 'no metrics here' }],
      max_completion_tokens: 4,
    });
    expect(data.usage?.completion_tokens).toBe(4);
  });
});
