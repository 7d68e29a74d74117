/**
 * The simulator as a KV client of a real block service: a prompt's blocks are saved as they are
 * computed; once evicted from the small GPU cache, the prompt again is loaded from the store
 * (connector hits, no GPU recompute); with the store gone it is recomputed and still answered 200.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hashBlocks } from '../../../src/kvcache/index.js';
import { BlockClient } from '../../../src/kvcache/adapters/index.js';
import {
  DEFAULT_KV_LINK_BYTES_PER_S,
  HARDWARE_PROFILES,
  startSimServer,
  type HardwareProfile,
  type SimServer,
} from '../../../src/sim/index.js';
import { loadBudgetMs } from '../../../src/sim/kv-transfer-model.js';
import { metric, postJson, scrape } from '../../helpers/sim-http.js';
import { startBlockService } from '../../helpers/kv-block-service.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const BLOCK = 16;
const PROMPT_TOKENS = 320; // 20 blocks; the GPU cache holds 64
/**
 * A lookup may take only what the load saves (recompute − transfer) over the sim speed: the sim
 * runs slow enough that loading this prompt's prefix leaves the lookup 1.5 s of wall time, ample
 * for a loopback round trip on a loaded machine.
 */
const LOOKUP_BUDGET_MS = 1500;
const SPEED =
  loadBudgetMs(
    HARDWARE_PROFILES.get('llama-8b-h100') as HardwareProfile,
    Math.floor((PROMPT_TOKENS - 1) / BLOCK) * BLOCK,
    DEFAULT_KV_LINK_BYTES_PER_S,
    1,
    Infinity,
  ) / LOOKUP_BUDGET_MS;
const prompt = (base: number): number[] =>
  Array.from({ length: PROMPT_TOKENS }, (_, i) => base + i);

async function complete(sim: SimServer, tokens: number[]): Promise<number> {
  const r = await postJson(sim.url, '/v1/completions', {
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    prompt: tokens,
    max_tokens: 2,
    ignore_eos: true,
  });
  return r.status;
}

/** Runs enough other prompts, one at a time, to push every earlier block out of the GPU cache. */
async function evictWithOtherTraffic(sim: SimServer, round: number): Promise<void> {
  for (let i = 0; i < 5; i++)
    expect(await complete(sim, prompt(50_000 + round * 10_000 + i * 1000))).toBe(200);
}

describe('sim KV connector (InfernodeConnector) against a real block service', () => {
  it('saves computed blocks, loads them back once evicted instead of recomputing, and recomputes when the store is gone', async () => {
    const service = await startBlockService();
    let serviceOpen = true;
    cleanups.push(async () => {
      if (serviceOpen) await service.close();
    });
    const sim = await startSimServer({
      speed: SPEED,
      numGpuBlocks: 64,
      kvTransferConfig: {
        kv_connector: 'InfernodeConnector',
        kv_role: 'kv_both',
        kv_connector_extra_config: { url: service.url, token: 'cluster-secret', timeoutMs: 5000 },
      },
      kvBlockStore: new BlockClient({ token: 'cluster-secret' }),
    });
    cleanups.push(() => sim.close());
    const checker = new BlockClient({ token: 'cluster-secret' });
    cleanups.push(() => {
      checker.close();
      return Promise.resolve();
    });

    const p = prompt(1000);
    const chain = hashBlocks(Uint32Array.from(p), BLOCK, 0);
    const loadable = Math.floor((PROMPT_TOKENS - 1) / BLOCK); // the last token is always computed
    expect(await complete(sim, p)).toBe(200);
    // Saved as computed (write-through, as LMCache does), while P is still in the GPU cache.
    await waitFor(
      async () => (await checker.longestPrefix(service.url, chain)) === chain.length,
      "P's chain in the block service",
      30_000,
    );
    await evictWithOtherTraffic(sim, 0);
    const before = await scrape(sim.url);
    expect(metric(before, 'infernode_sim_kv_offloaded_blocks_total')).toBeGreaterThanOrEqual(
      chain.length,
    );
    expect(metric(before, 'infernode_sim_kv_offloaded_bytes_total', 'kind="real"')).toBeGreaterThan(
      0,
    );

    expect(await complete(sim, p)).toBe(200);
    const after = await scrape(sim.url);
    const delta = (name: string, ...labels: string[]): number =>
      metric(after, name, ...labels) - metric(before, name, ...labels);
    expect(delta('infernode_sim_kv_fetch_decisions_total', 'outcome="fetched"')).toBe(1);
    expect(delta('vllm:external_prefix_cache_queries_total')).toBe(PROMPT_TOKENS);
    expect(delta('vllm:external_prefix_cache_hits_total')).toBe(loadable * BLOCK);
    // The loaded blocks were GPU prefix hits at admission: nothing of them was recomputed.
    expect(delta('vllm:prefix_cache_hits_total')).toBe(loadable * BLOCK);
    expect(delta('infernode_sim_kv_fetched_bytes_total', 'kind="modeled"')).toBe(
      loadable * BLOCK * 128 * 1024,
    );
    expect(delta('infernode_sim_kv_fetched_bytes_total', 'kind="real"')).toBe(
      loadable * Math.round((BLOCK * 128 * 1024) / 64),
    );
    expect(delta('infernode_sim_kv_fetch_verify_failures_total')).toBe(0);

    // The store dies: P (evicted again) is recomputed, answered 200, counted as a failed load.
    await evictWithOtherTraffic(sim, 1);
    await service.close();
    serviceOpen = false;
    const beforeFail = await scrape(sim.url);
    expect(await complete(sim, p)).toBe(200);
    const afterFail = await scrape(sim.url);
    const d2 = (name: string, ...labels: string[]): number =>
      metric(afterFail, name, ...labels) - metric(beforeFail, name, ...labels);
    expect(d2('infernode_sim_kv_fetch_decisions_total', 'outcome="failed"')).toBe(1);
    expect(d2('vllm:external_prefix_cache_hits_total')).toBe(0);
    expect(d2('vllm:prefix_cache_hits_total')).toBe(0);
  }, 240_000);
});
