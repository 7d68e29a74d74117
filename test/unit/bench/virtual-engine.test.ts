import { describe, expect, it } from 'vitest';
import { VirtualEngine } from '../../../src/bench/virtual-engine.js';
import { HARDWARE_PROFILES } from '../../../src/sim/index.js';

const config = {
  maxNumSeqs: 8,
  maxNumBatchedTokens: 8192,
  numGpuBlocks: 256,
  blockSizeTokens: 16,
  maxLoras: 1,
  maxWaitingRequests: 16,
};
const spec = {
  promptLength: 100,
  blockHashes: [],
  maxTokens: 3,
  eosAfterTokens: Infinity,
  lora: null,
};

describe('VirtualEngine', () => {
  it('runs timed callbacks in time order once stream time reaches them, idle clock following', () => {
    const seen: [string, number][] = [];
    const e = new VirtualEngine<number>(
      config,
      HARDWARE_PROFILES.get('llama-8b-h100')!,
      () => undefined,
    );
    e.at(5, () => seen.push(['b', e.streamNowS]));
    e.at(2, () => seen.push(['a', e.streamNowS]));
    e.advanceTo(4);
    expect(seen).toEqual([['a', 2]]);
    e.advanceTo(10);
    expect(seen).toEqual([
      ['a', 2],
      ['b', 5],
    ]);
    expect(e.streamNowS).toBe(10);
  });

  it('stamps a request at its stream arrival and reports its steps', () => {
    const firstTokens: number[] = [];
    const e = new VirtualEngine<number>(
      config,
      HARDWARE_PROFILES.get('llama-8b-h100')!,
      (r, eng) => {
        for (const req of r.emitted)
          if (req.numOutputTokens === 1) firstTokens.push(req.firstTokenS + eng.offsetS);
      },
    );
    e.advanceTo(3);
    const req = e.submit(spec, 0, 3);
    e.drain();
    expect(req?.state).toBe('finished');
    expect(e.steps).toBe(3);
    expect(firstTokens).toHaveLength(1);
    expect(firstTokens[0]).toBeGreaterThan(3);
    expect(e.busyS).toBeGreaterThan(0);
  });
});

describe('VirtualEngine with a request held for remote KV', () => {
  it('counts the hold in its TTFT even while the engine idles', () => {
    const e = new VirtualEngine<number>(
      config,
      HARDWARE_PROFILES.get('llama-8b-h100')!,
      () => undefined,
    );
    const req = e.submit(spec, 0, 0)!;
    e.core.holdForRemoteKv(req);
    e.at(5, () => e.core.releaseRemoteKv(req));
    e.drain();
    expect(req.state).toBe('finished');
    expect(req.firstTokenS - req.arrivalS).toBeGreaterThan(5);
    expect(req.firstTokenS - req.arrivalS).toBeLessThan(6);
  });
});
