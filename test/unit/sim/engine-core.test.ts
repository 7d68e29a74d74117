import { describe, expect, it } from 'vitest';
import { hashBlocks } from '../../../src/kvcache/index.js';
import { EngineCore } from '../../../src/sim/engine-core.js';
import type { CoreConfig, CoreRequest, CoreRequestSpec } from '../../../src/sim/core-types.js';
import { HARDWARE_PROFILES } from '../../../src/sim/profiles.js';

const h100 = HARDWARE_PROFILES.get('llama-8b-h100')!;
const CONFIG: CoreConfig = {
  maxNumSeqs: 256,
  maxNumBatchedTokens: 8192,
  numGpuBlocks: 4096,
  blockSizeTokens: 16,
  maxLoras: 1,
  maxWaitingRequests: 1000,
};

function tokens(n: number, salt = 0): Uint32Array {
  const t = new Uint32Array(n);
  for (let i = 0; i < n; i++) t[i] = (i * 2654435761 + salt) >>> 0;
  return t;
}

function spec(prompt: Uint32Array, over: Partial<CoreRequestSpec> = {}): CoreRequestSpec {
  return {
    promptLength: prompt.length,
    blockHashes: hashBlocks(prompt),
    maxTokens: 8,
    eosAfterTokens: Infinity,
    lora: null,
    ...over,
  };
}

function runAll(core: EngineCore): void {
  for (let i = 0; i < 1_000_000 && core.step() !== null; i++);
}

const ttft = (r: CoreRequest): number => r.firstTokenS - r.arrivalS;

describe('EngineCore', () => {
  it('TTFT grows with uncached prompt tokens and drops when the prefix is cached', () => {
    const core = new EngineCore(CONFIG, h100);
    const short = core.submit(spec(tokens(256, 1)), null)!;
    runAll(core);
    const long = core.submit(spec(tokens(4096, 2)), null)!;
    runAll(core);
    const again = core.submit(spec(tokens(4096, 2)), null)!;
    runAll(core);
    expect(ttft(long)).toBeGreaterThan(3 * ttft(short));
    expect(again.numCachedTokens).toBe(4096 - 16); // the last block is always recomputed
    expect(long.numCachedTokens).toBe(0);
    expect(ttft(again)).toBeLessThan(ttft(long) / 3);
  });

  it('splits a long prompt into chunks of max_num_batched_tokens', () => {
    const core = new EngineCore({ ...CONFIG, maxNumBatchedTokens: 1000 }, h100);
    const r = core.submit(spec(tokens(2500)), null)!;
    const steps = [core.step()!, core.step()!, core.step()!];
    expect(steps.map((s) => s.prefillTokens)).toEqual([1000, 1000, 500]);
    expect(steps.map((s) => s.scheduledTokens)).toEqual([1000, 1000, 500]);
    expect(steps[0]!.emitted).toHaveLength(0);
    expect(steps[2]!.emitted).toEqual([r]);
  });

  it('queues requests beyond max_num_seqs', () => {
    const core = new EngineCore({ ...CONFIG, maxNumSeqs: 2 }, h100);
    for (let i = 0; i < 5; i++) core.submit(spec(tokens(32, i)), null);
    core.step();
    expect(core.numRunning).toBe(2);
    expect(core.numWaiting).toBe(3);
    runAll(core);
    expect(core.numWaiting).toBe(0);
  });

  it('refuses submissions beyond the waiting-queue bound', () => {
    const core = new EngineCore({ ...CONFIG, maxWaitingRequests: 2 }, h100);
    expect(core.submit(spec(tokens(8)), null)).not.toBeNull();
    expect(core.submit(spec(tokens(8)), null)).not.toBeNull();
    expect(core.submit(spec(tokens(8)), null)).toBeNull();
  });

  it('preempts (recompute) when the KV cache runs out, and still finishes everything', () => {
    const core = new EngineCore({ ...CONFIG, numGpuBlocks: 12 }, h100);
    const reqs = [0, 1, 2].map((i) => core.submit(spec(tokens(60, i), { maxTokens: 60 }), null)!);
    let preemptions = 0;
    for (let s = core.step(); s !== null; s = core.step()) preemptions += s.preemptions;
    expect(preemptions).toBeGreaterThan(0);
    expect(reqs.reduce((n, r) => n + r.numPreemptions, 0)).toBe(preemptions);
    for (const r of reqs) {
      expect(r.finishReason).toBe('length');
      expect(r.numOutputTokens).toBe(60);
    }
    expect(core.pool.numUsed).toBe(0);
  });

  it('KV usage follows the blocks held and returns to zero; prefix counters count tokens', () => {
    const core = new EngineCore(CONFIG, h100);
    const prompt = tokens(160);
    core.submit(spec(prompt, { maxTokens: 4 }), null);
    const first = core.step()!;
    expect(first.prefixQueryTokens).toBe(160);
    expect(first.prefixHitTokens).toBe(0);
    expect(core.pool.numUsed).toBe(10); // KV of the 160 prompt tokens
    core.step(); // decodes token 161: an 11th block
    expect(core.pool.numUsed).toBe(11);
    expect(core.pool.usageRatio).toBeCloseTo(11 / 4096, 9);
    runAll(core);
    expect(core.pool.usageRatio).toBe(0);
    core.submit(spec(prompt, { maxTokens: 4 }), null);
    const second = core.step()!;
    expect(second.prefixQueryTokens).toBe(160);
    expect(second.prefixHitTokens).toBe(144);
  });

  it('finishes with stop at EOS and with length at max_tokens', () => {
    const core = new EngineCore(CONFIG, h100);
    const stop = core.submit(spec(tokens(20, 1), { maxTokens: 50, eosAfterTokens: 7 }), null)!;
    const length = core.submit(spec(tokens(20, 2), { maxTokens: 5 }), null)!;
    runAll(core);
    expect([stop.finishReason, stop.numOutputTokens]).toEqual(['stop', 7]);
    expect([length.finishReason, length.numOutputTokens]).toEqual(['length', 5]);
  });

  it('runs at most max_loras adapters per batch; other adapters wait', () => {
    const core = new EngineCore({ ...CONFIG, maxLoras: 1 }, h100);
    const a = core.submit(spec(tokens(16, 1), { lora: 'a', maxTokens: 10 }), null)!;
    const b = core.submit(spec(tokens(16, 2), { lora: 'b', maxTokens: 10 }), null)!;
    const base = core.submit(spec(tokens(16, 3), { maxTokens: 10 }), null)!;
    core.step();
    expect([a.state, b.state, base.state]).toEqual(['running', 'waiting', 'running']);
    expect(core.loraNames()).toEqual({ running: ['a'], waiting: ['b'] });
    runAll(core);
    expect(b.firstScheduledS).toBeGreaterThanOrEqual(a.finishedS);
  });

  it('batches decodes: one step serves every running request', () => {
    const core = new EngineCore(CONFIG, h100);
    for (let i = 0; i < 64; i++) core.submit(spec(tokens(16, i), { maxTokens: 3 }), null);
    const s = core.step()!;
    expect(s.batchSize).toBe(64);
    expect(s.emitted).toHaveLength(64);
    const decode = core.step()!;
    expect([decode.prefillTokens, decode.scheduledTokens]).toEqual([0, 64]);
  });

  it('abort frees blocks and removes the request', () => {
    const core = new EngineCore(CONFIG, h100);
    const r = core.submit(spec(tokens(100), { maxTokens: 100 }), null)!;
    core.step();
    expect(core.pool.numUsed).toBeGreaterThan(0);
    core.abort(r);
    expect(core.pool.numUsed).toBe(0);
    expect(core.hasWork).toBe(false);
    expect(r.finishReason).toBe('abort');
  });

  it('skips a request held for remote KV (WAITING_FOR_REMOTE_KVS), runs the ones behind it, and admits it once released', () => {
    const core = new EngineCore(CONFIG, h100);
    const held = core.submit(spec(tokens(256, 7)), null)!;
    core.holdForRemoteKv(held);
    // Only a held request queued: nothing to step for.
    expect(core.hasWork).toBe(false);
    expect(core.step()).toBeNull();
    const behind = core.submit(spec(tokens(256, 8)), null)!;
    runAll(core);
    expect(behind.state).toBe('finished');
    expect(held.state).toBe('waiting');
    expect(core.numWaiting).toBe(1);
    core.releaseRemoteKv(held);
    expect(core.hasWork).toBe(true);
    runAll(core);
    expect(held.state).toBe('finished');
  });

  it('forgets the hold of an aborted request', () => {
    const core = new EngineCore(CONFIG, h100);
    const held = core.submit(spec(tokens(64, 9)), null)!;
    core.holdForRemoteKv(held);
    core.abort(held);
    core.releaseRemoteKv(held); // late release after the abort: a no-op
    const next = core.submit(spec(tokens(64, 10)), null)!;
    expect(core.hasWork).toBe(true);
    runAll(core);
    expect(next.state).toBe('finished');
    expect(core.hasWork).toBe(false);
  });
});
