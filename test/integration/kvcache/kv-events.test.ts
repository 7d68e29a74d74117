import { afterEach, describe, expect, it } from 'vitest';
import { Publisher, Router } from 'zeromq';
import {
  EngineKvHoldings,
  KV_EVENT_END_SEQ,
  decodeKvEventSeq,
  encodeKvEventBatch,
  encodeKvEventSeq,
  hashBlocks,
  promptBlockHashes,
  type EngineKvChange,
  type KvCacheEvent,
} from '../../../src/kvcache/index.js';
import {
  startKvEventSubscriber,
  type KvEventSubscriber,
} from '../../../src/kvcache/adapters/index.js';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import { silentLogger } from '../../../src/shared/index.js';
import { postJson } from '../../helpers/sim-http.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function subscribe(
  endpoint: string,
  replayEndpoint: string | null,
  topic = '',
): { sub: KvEventSubscriber; holdings: EngineKvHoldings; changes: EngineKvChange[] } {
  const holdings = new EngineKvHoldings({ maxBlocks: 100_000, seedForLora: () => undefined });
  const changes: EngineKvChange[] = [];
  const sub = startKvEventSubscriber({
    endpoint,
    replayEndpoint,
    topic,
    holdings,
    onChange: (c) => changes.push(c),
    log: silentLogger(),
    replayTimeoutMs: 10_000,
  });
  cleanups.push(() => sub.close());
  return { sub, holdings, changes };
}

const held = (h: EngineKvHoldings): number[] => [...h.holdings()].sort((a, b) => a - b);
const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

describe('KV events from the simulator to the agent subscriber', () => {
  async function startSim(): Promise<SimServer> {
    const sim = await startSimServer({
      speed: 1000,
      numGpuBlocks: 4096,
      kvEventsConfig: JSON.stringify({
        enable_kv_cache_events: true,
        publisher: 'zmq',
        endpoint: 'tcp://127.0.0.1:*',
        replay_endpoint: 'tcp://127.0.0.1:*',
        topic: 'kv@sim',
      }),
    });
    cleanups.push(() => sim.close());
    return sim;
  }

  it("reports a prompt's blocks under the gateway's own hashes (replayed from seq 0 at start)", async () => {
    const sim = await startSim();
    expect(sim.kvEvents).not.toBeNull();
    const ev = sim.kvEvents as { endpoint: string; replayEndpoint: string };
    const prompt = 'The quick brown fox jumps over the lazy dog. '.repeat(40);
    // Published before anyone subscribed: only the replay socket can tell the subscriber.
    const first = await postJson(sim.url, '/v1/completions', {
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      prompt,
      max_tokens: 2,
    });
    expect(first.status).toBe(200);
    const { sub, holdings } = subscribe(ev.endpoint, ev.replayEndpoint, 'kv');
    await sub.ready;
    const expected = promptBlockHashes(prompt, 16, 10_000);
    expect(expected.length).toBeGreaterThan(20);
    await waitFor(() => holdings.size >= expected.length, 'the prompt blocks');
    expect(held(holdings)).toEqual(sorted(expected));
    expect(sub.stats.resyncs).toBe(0);

    // A second prompt sharing the first's prefix adds only its own tail blocks, live.
    const prompt2 =
      prompt + 'And then it ran away into the forest, never to be seen again. '.repeat(8);
    await postJson(sim.url, '/v1/completions', {
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      prompt: prompt2,
      max_tokens: 2,
    });
    const expected2 = promptBlockHashes(prompt2, 16, 10_000);
    await waitFor(() => holdings.size >= expected2.length, 'the second prompt blocks');
    expect(held(holdings)).toEqual(sorted(expected2));

    // vLLM's /reset_prefix_cache publishes AllBlocksCleared.
    const reset = await fetch(`${sim.url}/reset_prefix_cache`, { method: 'POST' });
    expect(reset.status).toBe(200);
    await waitFor(() => holdings.size === 0, 'the cleared holdings');
    expect(sub.stats.badMessages).toBe(0);
  });

  it('reports evictions as removals when the GPU cache turns over', async () => {
    const sim = await startSimServer({
      speed: 1000,
      numGpuBlocks: 64,
      maxModelLen: 1024,
      kvEventsConfig: {
        enable_kv_cache_events: true,
        endpoint: 'tcp://127.0.0.1:*',
        replay_endpoint: 'tcp://127.0.0.1:*',
      },
    });
    cleanups.push(() => sim.close());
    const ev = sim.kvEvents as { endpoint: string; replayEndpoint: string };
    const { sub, holdings, changes } = subscribe(ev.endpoint, ev.replayEndpoint);
    await sub.ready;
    const prompts = ['alpha ', 'beta ', 'gamma '].map((w) => w.repeat(430)); // ~40 blocks each (4 bytes a token)
    for (const prompt of prompts) {
      const r = await postJson(sim.url, '/v1/completions', {
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        prompt,
        max_tokens: 1,
      });
      expect(r.status).toBe(200);
    }
    const last = promptBlockHashes(prompts[2] as string, 16, 10_000);
    await waitFor(() => last.every((h) => new Set(holdings.holdings()).has(h)), 'the last prompt');
    // 64 blocks cannot hold three prompts of ~40: the older ones were evicted and reported.
    expect(holdings.size).toBeLessThanOrEqual(64);
    expect(changes.some((c) => c.removed.length > 0)).toBe(true);
  });
});

/** A vLLM-style publisher driven by the test, to lose batches on purpose. */
async function testPublisher(): Promise<{
  endpoint: string;
  replayEndpoint: string;
  ring: Map<number, Uint8Array>;
  send(seq: number, payload: Uint8Array): Promise<void>;
}> {
  const pub = new Publisher({ linger: 0 });
  await pub.bind('tcp://127.0.0.1:*');
  const router = new Router({ linger: 0 });
  await router.bind('tcp://127.0.0.1:*');
  const ring = new Map<number, Uint8Array>();
  const served = (async () => {
    for await (const frames of router) {
      const start = decodeKvEventSeq(frames[frames.length - 1] as Uint8Array) ?? 0;
      const route = frames.slice(0, -1);
      for (const [seq, payload] of [...ring].sort((a, b) => a[0] - b[0]))
        if (seq >= start) await router.send([...route, encodeKvEventSeq(seq), payload]);
      await router.send([...route, encodeKvEventSeq(KV_EVENT_END_SEQ), Buffer.alloc(0)]);
    }
  })().catch(() => undefined);
  cleanups.push(async () => {
    pub.close();
    router.close();
    await served;
  });
  return {
    endpoint: pub.lastEndpoint as string,
    replayEndpoint: router.lastEndpoint as string,
    ring,
    send: (seq, payload) => pub.send(['', encodeKvEventSeq(seq), payload]),
  };
}

/** One batch storing a whole prompt of `n` blocks of token `t`, from the root. */
function storedBatch(t: number, n: number, ts = 1): { payload: Uint8Array; hashes: number[] } {
  const tokens = new Uint32Array(16 * n).fill(t);
  const engineHashes = Array.from({ length: n }, (_, i) => t * 1000 + i);
  const event: KvCacheEvent = {
    type: 'BlockStored',
    blockHashes: engineHashes,
    parentBlockHash: null,
    tokenIds: Array.from(tokens),
    blockSize: 16,
    loraId: null,
    medium: 'GPU',
  };
  return { payload: encodeKvEventBatch({ ts, events: [event] }), hashes: hashBlocks(tokens) };
}

describe('sequence gaps', () => {
  it('fills a gap from the replay socket', async () => {
    const p = await testPublisher();
    const { sub, holdings } = subscribe(p.endpoint, p.replayEndpoint);
    await sub.ready;
    const b0 = storedBatch(1, 2);
    const b1 = storedBatch(2, 3);
    const b2 = storedBatch(3, 1);
    p.ring.set(0, b0.payload);
    // The subscription takes effect asynchronously: send seq 0 until it is seen.
    await waitFor(async () => {
      await p.send(0, b0.payload);
      return holdings.size > 0;
    }, 'the first batch');
    p.ring.set(1, b1.payload); // published while the subscriber was not listening: lost on PUB
    p.ring.set(2, b2.payload);
    await p.send(2, b2.payload);
    await waitFor(() => holdings.size === 6, 'all three batches');
    expect(held(holdings)).toEqual(sorted([...b0.hashes, ...b1.hashes, ...b2.hashes]));
    expect(sub.stats.gaps).toBe(1);
    expect(sub.stats.replayedBatches).toBeGreaterThanOrEqual(1);
    expect(sub.stats.resyncs).toBe(0);
  });

  it('clears and rebuilds when the replay buffer no longer holds the gap', async () => {
    const p = await testPublisher();
    const { sub, holdings, changes } = subscribe(p.endpoint, p.replayEndpoint);
    await sub.ready;
    const b0 = storedBatch(1, 2);
    const b2 = storedBatch(3, 1);
    p.ring.set(0, b0.payload);
    await waitFor(async () => {
      await p.send(0, b0.payload);
      return holdings.size > 0;
    }, 'the first batch');
    p.ring.delete(0); // overrun: seq 1 is gone from the buffer as well
    p.ring.set(2, b2.payload);
    await p.send(2, b2.payload);
    await waitFor(() => sub.stats.resyncs === 1 && holdings.size === 1, 'the rebuild');
    expect(held(holdings)).toEqual(b2.hashes);
    expect(changes.some((c) => c.cleared)).toBe(true);
  });

  it('tells an engine restart by itself: seq back at 0 with a newer timestamp', async () => {
    const p = await testPublisher();
    const { sub, holdings, changes } = subscribe(p.endpoint, p.replayEndpoint);
    await sub.ready;
    const old0 = storedBatch(1, 2, 100);
    const old1 = storedBatch(2, 3, 101);
    p.ring.set(0, old0.payload);
    p.ring.set(1, old1.payload);
    await waitFor(async () => {
      await p.send(0, old0.payload);
      return holdings.size > 0;
    }, 'the first batch');
    await p.send(1, old1.payload);
    await waitFor(() => holdings.size === 5, 'the old engine’s blocks');

    // A new process: numbering from 0 again, its clock later; its seq 0 was lost on PUB and
    // only its replay buffer has it. Nobody calls restarted(): the batches say it.
    const new0 = storedBatch(3, 1, 200);
    const new1 = storedBatch(4, 2, 201);
    p.ring.clear();
    p.ring.set(0, new0.payload);
    p.ring.set(1, new1.payload);
    await p.send(1, new1.payload);
    await waitFor(() => sub.stats.restartsSeen === 1 && holdings.size === 3, 'the resync');
    expect(held(holdings)).toEqual(sorted([...new0.hashes, ...new1.hashes]));
    expect(changes.some((c) => c.cleared)).toBe(true);
    expect(sub.stats.gaps).toBe(0);
    // A replayed duplicate of the new engine's batch (same stamp) changes nothing.
    await p.send(0, new0.payload);
    await p.send(1, new1.payload);
    const more = storedBatch(5, 1, 202);
    p.ring.set(2, more.payload);
    await p.send(2, more.payload);
    await waitFor(() => holdings.size === 4, 'the next batch');
    expect(sub.stats.restartsSeen).toBe(1);
    expect(sub.stats.resyncs).toBe(1);
  });
});
