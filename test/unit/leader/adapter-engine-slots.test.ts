import { describe, expect, it } from 'vitest';
import { MAX_ADAPTERS_LABEL, engineSlot } from '../../../src/leader/adapter-engine-slots.js';
import type { EndpointState } from '../../../src/leader/cluster-state.js';
import type { EngineReport } from '../../../src/protocol/index.js';

/** An endpoint whose engine reports `maxLoras` (0: LoRA off) and carries `labels`. */
function state(maxLoras: number, labels: Record<string, string> = {}): EndpointState {
  const report = {
    id: 'node-a/e0',
    model: 'm',
    url: 'http://127.0.0.1:1',
    ready: true,
    adapters: ['x'],
    metrics: {
      scrape: {
        numRequestsRunning: 2,
        numRequestsWaiting: 1,
        lora: maxLoras > 0 ? { maxLoras, running: [], waiting: [] } : undefined,
      },
    },
  } as unknown as EngineReport;
  return {
    endpoint: {
      id: 'node-a/e0',
      name: 'e0',
      model: 'm',
      url: 'http://127.0.0.1:1',
      node: 'node-a',
      engine: 'vllm',
      gpuIndices: [0],
      ready: true,
      labels,
    },
    report,
    stale: false,
    agentSaysDown: false,
    gpuFailed: false,
    draining: false,
  };
}

describe('engineSlot', () => {
  it('holds max_loras adapters by default, and what the max-adapters label says when larger', () => {
    expect(engineSlot(state(8)).maxLoras).toBe(8);
    expect(engineSlot(state(8, { [MAX_ADAPTERS_LABEL]: '16' })).maxLoras).toBe(16);
    // The label never shrinks the batch slots, and a malformed one is ignored.
    expect(engineSlot(state(8, { [MAX_ADAPTERS_LABEL]: '4' })).maxLoras).toBe(8);
    expect(engineSlot(state(8, { [MAX_ADAPTERS_LABEL]: '-3' })).maxLoras).toBe(8);
  });

  it('an engine without LoRA hosts none, whatever its labels say', () => {
    expect(engineSlot(state(0, { [MAX_ADAPTERS_LABEL]: '16' })).maxLoras).toBe(0);
  });

  it('reads load, loaded adapters and readiness from the report', () => {
    const slot = engineSlot(state(8));
    expect(slot).toMatchObject({ load: 3, loaded: ['x'], ready: true, maxLoraRank: 16 });
    expect(engineSlot({ ...state(8), draining: true }).ready).toBe(false);
  });
});
