import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EngineKvHoldings,
  GlobalBlockIndex,
  promptBlockHashes,
} from '../../../src/kvcache/index.js';
import { startKvEventSubscriber } from '../../../src/kvcache/adapters/index.js';
import { EngineLoraIds, loadIdOutcome } from '../../../src/agent/engine-lora-ids.js';
import type { EngineReport } from '../../../src/protocol/index.js';
import { defaultRoutingConfig } from '../../../src/routing/index.js';
import { prefixCache } from '../../../src/routing/algorithms/prefix-cache.js';
import { startSimServer } from '../../../src/sim/index.js';
import { silentLogger } from '../../../src/shared/index.js';
import { postJson } from '../../helpers/sim-http.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  aRoutingContext,
  aRoutingMemory,
  anEndpoint,
  promptRequest,
} from '../../helpers/routing-builders.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const ENGINE = 'n1/e1';

describe('KV events of LoRA requests, from the simulator to precise routing', () => {
  it("stores an adapter's blocks under the gateway's adapter hashes, apart from the base model's", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kv-lora-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sim = await startSimServer({
      speed: 1000,
      model: 'base',
      enableLora: true,
      maxLoras: 2,
      numGpuBlocks: 4096,
      kvEventsConfig: {
        enable_kv_cache_events: true,
        endpoint: 'tcp://127.0.0.1:*',
        replay_endpoint: 'tcp://127.0.0.1:*',
      },
    });
    cleanups.push(() => sim.close());
    // What the engine watcher reports: up, its models read, no runtime adapter yet.
    const report: { -readonly [K in keyof EngineReport]: EngineReport[K] } = {
      id: ENGINE,
      model: 'base',
      url: sim.url,
      ready: true,
      adapters: [],
      servedModels: ['base'],
    };
    const loraIds = new EngineLoraIds({ reports: () => [report] });
    // The agent's loads, in order, each answer classified as the adapter manager does.
    for (const name of ['missing', 'sql', 'other']) {
      const path = join(dir, name);
      if (name !== 'missing') {
        await mkdir(path);
        await writeFile(join(path, 'adapter_config.json'), JSON.stringify({ r: 8 }));
      }
      const answer = await postJson(sim.url, '/v1/load_lora_adapter', {
        lora_name: name,
        lora_path: path,
      });
      expect(answer.status).toBe(name === 'missing' ? 404 : 200);
      loraIds.loadAnswered(ENGINE, name, loadIdOutcome(answer.status, answer.text));
      if (answer.status === 200) report.adapters = [...report.adapters, name];
    }

    const holdings = new EngineKvHoldings({
      maxBlocks: 100_000,
      seedForLora: (id) => loraIds.seedFor(ENGINE, id),
    });
    const ev = sim.kvEvents as { endpoint: string; replayEndpoint: string };
    const sub = startKvEventSubscriber({
      endpoint: ev.endpoint,
      replayEndpoint: ev.replayEndpoint,
      topic: '',
      holdings,
      onChange: () => undefined,
      log: silentLogger(),
      replayTimeoutMs: 10_000,
    });
    cleanups.push(() => sub.close());
    await sub.ready;

    const prompt = 'SELECT name FROM users WHERE id = 42; -- explain this query. '.repeat(30);
    for (const model of ['sql', 'base']) {
      const r = await postJson(sim.url, '/v1/completions', { model, prompt, max_tokens: 2 });
      expect(r.status).toBe(200);
    }
    const sqlChain = promptBlockHashes(prompt, 16, 10_000, 'sql');
    const baseChain = promptBlockHashes(prompt, 16, 10_000);
    const otherChain = promptBlockHashes(prompt, 16, 10_000, 'other');
    expect(sqlChain.length).toBeGreaterThan(20);
    const held = (): Set<number> => new Set(holdings.holdings());
    await waitFor(
      () => [...sqlChain, ...baseChain].every((h) => held().has(h)),
      'the adapter and base blocks',
    );
    // Exactly the two chains: adapter blocks neither dropped nor filed under the base model.
    expect(holdings.size).toBe(sqlChain.length + baseChain.length);
    expect(otherChain.some((h) => held().has(h))).toBe(false);
    expect(holdings.skips.untranslatable).toBe(0);

    // The leader's index as the reporter would fill it; e2 on another node holds nothing.
    const index = new GlobalBlockIndex({ maxEntries: 100_000, maxBlocksPerNode: 100_000 });
    index.apply('n1', {
      seq: 1,
      reset: true,
      deltas: [{ tier: 'gpu', engineId: ENGINE, stored: [...holdings.holdings()] }],
    });
    index.apply('n2', {
      seq: 1,
      reset: true,
      deltas: [{ tier: 'gpu', engineId: 'n2/e2', stored: [] }],
    });
    const base = defaultRoutingConfig();
    const config = { ...base, prefixCache: { ...base.prefixCache, mode: 'precise' as const } };
    const endpoints = [anEndpoint(ENGINE, { node: 'n1' }), anEndpoint('n2/e2', { node: 'n2' })];
    const score = (adapter: string): number[] => {
      const ctx = { ...aRoutingContext(1, aRoutingMemory(config)), blockIndex: index };
      const request = promptRequest(prompt, { adapter });
      return [...prefixCache.score({ endpoints, nowMs: 1 }, request, ctx)];
    };
    const [sqlOnE1, sqlOnE2] = score('sql');
    expect(sqlOnE1).toBeGreaterThan(sqlOnE2!);
    // An adapter the engine never ran this prompt with scores nothing there.
    const [otherOnE1, otherOnE2] = score('other');
    expect(otherOnE1).toBe(otherOnE2);
  });
});
