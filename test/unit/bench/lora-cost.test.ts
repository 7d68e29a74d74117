import { describe, expect, it } from 'vitest';
import {
  armCost,
  densityGain,
  gpuSecondsPer1000,
  provisionedGpuSeconds,
} from '../../../src/bench/lora-cost.js';
import { loraAffinityRouter, placeLeastAdapters } from '../../../src/bench/lora-density.js';
import { replayOnFleet, type FleetSettings } from '../../../src/bench/lora-fleet.js';
import type { LoraRequest } from '../../../src/bench/lora-traffic.js';
import { HARDWARE_PROFILES, stepTimeS } from '../../../src/sim/index.js';

const profile = HARDWARE_PROFILES.get('llama-8b-h100');
if (profile === undefined) throw new Error('no profile');
const settings: FleetSettings = {
  profile,
  maxNumSeqs: 256,
  maxNumBatchedTokens: 8192,
  numGpuBlocks: 1000,
  blockSizeTokens: 16,
  maxWaitingRequests: 100,
};
const req = (arrivalS: number, adapter: string, outputTokens = 3): LoraRequest => ({
  arrivalS,
  adapter,
  rank: 0,
  promptTokens: 100,
  outputTokens,
});

describe('GPU-seconds arithmetic', () => {
  it('normalizes GPU-seconds per 1,000 requests', () => {
    expect(gpuSecondsPer1000(100, 50)).toBe(2000);
    expect(gpuSecondsPer1000(3, 3000)).toBe(1);
    expect(() => gpuSecondsPer1000(1, 0)).toThrow(RangeError);
  });

  it('counts a static fleet as engines × wall seconds, and the gain as dedicated ÷ dense', () => {
    expect(provisionedGpuSeconds(64, 10)).toBe(640);
    expect(provisionedGpuSeconds(4, 2.5)).toBe(10);
    expect(densityGain(640, 40)).toBe(16);
    expect(densityGain(150, 100)).toBe(1.5);
  });

  it('summarizes a replay: provisioned, busy, utilisation and TTFT percentiles', () => {
    const ttftS = Array.from({ length: 100 }, (_, i) => (i + 1) / 1000);
    const cost = armCost({
      engines: 4,
      requests: 50,
      rejected: 0,
      ttftS,
      lastFinishS: 25,
      busyS: 60,
      steps: 9,
    });
    expect(cost).toMatchObject({
      engines: 4,
      requests: 50,
      completed: 100,
      wallSeconds: 25,
      provisionedGpuSeconds: 100,
      provisionedGpuSecondsPer1000: 2000,
      busyGpuSeconds: 60,
      busyGpuSecondsPer1000: 1200,
      utilisation: 0.6,
      ttftP50Ms: 50,
      ttftP99Ms: 99,
    });
  });
});

describe('replayOnFleet (virtual time)', () => {
  // Every step batches one request of one adapter: the simulator's LoRA tier applies.
  const prefill = stepTimeS(profile, {
    batchSize: 1,
    prefillTokens: 100,
    decodeContextTokens: 0,
    activeAdapters: 1,
  });
  const decode = (ctx: number): number =>
    stepTimeS(profile, {
      batchSize: 1,
      prefillTokens: 0,
      decodeContextTokens: ctx,
      activeAdapters: 1,
    });

  it('times one request from its arrival, and an idle gap is provisioned but not busy', () => {
    const run = replayOnFleet(
      [req(5, 'x')],
      [{ id: 'e', adapters: ['x'], maxLoras: 1 }],
      settings,
      () => 0,
    );
    // Prefill emits token 1; two decode steps (context 101 and 102) emit tokens 2 and 3.
    const busy = prefill + decode(101) + decode(102);
    expect(run.ttftS).toEqual([expect.closeTo(prefill, 12)]);
    expect(run.busyS).toBeCloseTo(busy, 12);
    expect(run.lastFinishS).toBeCloseTo(5 + busy, 12);
    expect(run.steps).toBe(3);
    const cost = armCost(run);
    expect(cost.provisionedGpuSeconds).toBeCloseTo(5 + busy, 3);
    expect(cost.utilisation).toBeLessThan(0.01);
  });

  it('holds back a second adapter when max_loras is full, and batches it when a slot is free', () => {
    const stream = [req(1, 'x', 50), req(1.0001, 'y', 50)];
    const one = replayOnFleet(
      stream,
      [{ id: 'e', adapters: ['x', 'y'], maxLoras: 1 }],
      settings,
      () => 0,
    );
    const two = replayOnFleet(
      stream,
      [{ id: 'e', adapters: ['x', 'y'], maxLoras: 2 }],
      settings,
      () => 0,
    );
    // With one slot, y waits for all 50 of x's tokens; with two, it joins the next step.
    expect(Math.max(...one.ttftS)).toBeGreaterThan(50 * decode(100));
    expect(Math.max(...two.ttftS)).toBeLessThan(3 * prefill);
    expect(two.lastFinishS).toBeLessThan(one.lastFinishS);
  });

  it('counts a request refused by a full waiting queue as rejected', () => {
    const stream = Array.from({ length: 5 }, (_, i) => req(1 + i * 1e-6, 'x'));
    const run = replayOnFleet(
      stream,
      [{ id: 'e', adapters: ['x'], maxLoras: 1 }],
      { ...settings, maxWaitingRequests: 2 },
      () => 0,
    );
    expect(run.rejected).toBeGreaterThan(0);
    expect(run.ttftS.length + run.rejected).toBe(5);
  });
});

describe('dense placement and routing', () => {
  it('places by leastAdapters: even counts, ties to the lowest engine', () => {
    const names = Array.from({ length: 64 }, (_, i) => `a${i}`);
    const held = placeLeastAdapters(names, 4);
    expect(held.map((h) => h.length)).toEqual([16, 16, 16, 16]);
    expect(held[0]?.slice(0, 3)).toEqual(['a0', 'a4', 'a8']);
    expect(placeLeastAdapters(['a', 'b', 'c', 'd', 'e'], 2)).toEqual([
      ['a', 'c', 'e'],
      ['b', 'd'],
    ]);
  });

  it('routes each request with lora-affinity to the engine holding its adapter', () => {
    const held = placeLeastAdapters(['a', 'b', 'c', 'd'], 2);
    const specs = held.map((adapters, i) => ({ id: `e${i}`, adapters, maxLoras: 8 }));
    const route = loraAffinityRouter(1);
    const views = specs.map((spec, i) => ({ spec, inFlight: i === 0 ? 50 : 0 }));
    // e0 is busier, yet holds a and c: the adapter tier outranks load.
    expect(route(req(0, 'a'), views)).toBe(0);
    expect(route(req(0, 'c'), views)).toBe(0);
    expect(route(req(0, 'b'), views)).toBe(1);
    expect(route(req(0, 'd'), views)).toBe(1);
  });
});
