import { describe, expect, it } from 'vitest';
import { hashBlocks } from '../../../src/kvcache/index.js';
import { EngineCore } from '../../../src/sim/engine-core.js';
import type { CoreConfig } from '../../../src/sim/core-types.js';
import { loraLoadS, loraStepOverhead } from '../../../src/sim/lora-cost.js';
import { HARDWARE_PROFILES } from '../../../src/sim/profiles.js';
import { LoraRegistry } from '../../../src/sim/lora-registry.js';

const h100 = HARDWARE_PROFILES.get('llama-8b-h100')!;
const CONFIG: CoreConfig = {
  maxNumSeqs: 256,
  maxNumBatchedTokens: 8192,
  numGpuBlocks: 4096,
  blockSizeTokens: 16,
  maxLoras: 32,
  maxWaitingRequests: 1000,
};

/** Duration of the first step of a batch of `n` 16-token prompts with the given adapters. */
function firstStepS(n: number, loraOf: (i: number) => string | null, maxLoras = 32): number {
  const core = new EngineCore({ ...CONFIG, maxLoras }, h100);
  for (let i = 0; i < n; i++) {
    const prompt = new Uint32Array(16).map((_, j) => i * 1000 + j);
    core.submit(
      {
        promptLength: 16,
        blockHashes: hashBlocks(prompt),
        maxTokens: 4,
        eosAfterTokens: Infinity,
        lora: loraOf(i),
      },
      null,
    );
  }
  const step = core.step()!;
  return step.endS - step.startS;
}

describe('simulated LoRA cost', () => {
  it('slows a step by the BLIS tier of its distinct adapters', () => {
    expect([0, 1, 8, 9, 16, 17, 32, 64].map(loraStepOverhead)).toEqual([
      0, 0.02, 0.02, 0.035, 0.035, 0.06, 0.06, 0.06,
    ]);
  });

  it('a batch with adapters steps slower than the same batch on the base model, more with more adapters', () => {
    const base = firstStepS(32, () => null);
    const oneAdapter = firstStepS(32, () => 'a');
    const twelve = firstStepS(32, (i) => `a${i % 12}`);
    const thirtyTwo = firstStepS(32, (i) => `a${i}`);
    expect(oneAdapter / base).toBeCloseTo(1.02, 6);
    expect(twelve / base).toBeCloseTo(1.035, 6);
    expect(thirtyTwo / base).toBeCloseTo(1.06, 6);
  });

  it('counts only the adapters max_loras lets into the batch', () => {
    // 32 adapters asked for, 8 slots: the step carries 8 adapters (tier +2%), not 32.
    const capped = firstStepS(32, (i) => `a${i}`, 8);
    const eight = firstStepS(8, (i) => `a${i}`);
    expect(capped).toBeCloseTo(eight, 9);
  });

  it('loads an adapter in 1.5 ms plus its bytes at NVMe speed (perf.md §6: 27–84 MB in 15–40 ms)', () => {
    expect(loraLoadS(0)).toBeCloseTo(0.0015, 9);
    expect(loraLoadS(27e6)).toBeCloseTo(0.015, 9);
    expect(loraLoadS(84e6)).toBeCloseTo(0.0435, 9);
  });

  it('lists an adapter only once the engine has read it', async () => {
    const registry = new LoraRegistry({ enabled: true, maxLoraRank: 16, maxAdapters: 4 });
    let finishRead = (): void => undefined;
    const readBytes: number[] = [];
    const loading = registry.load(
      { lora_name: 'sql', lora_path: '/a' },
      () => Promise.resolve({ kind: 'found', rank: 8, bytes: 12345 }),
      (bytes) => {
        readBytes.push(bytes);
        return new Promise<void>((resolve) => (finishRead = resolve));
      },
    );
    await Promise.resolve();
    await Promise.resolve();
    expect(readBytes).toEqual([12345]);
    expect(registry.list()).toEqual([]);
    finishRead();
    await loading;
    expect(registry.list().map((a) => a.name)).toEqual(['sql']);
  });
});
