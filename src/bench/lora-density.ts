/**
 * The density experiment of `infernode bench lora`: one Zipf request stream over N adapters,
 * replayed on two fleets of simulated engines in virtual time.
 *  - dense: a few engines with `max_loras` batch slots each; every adapter registered on one
 *    engine by leastAdapters (each to the engine with the fewest, ties by id), and each request
 *    routed by the gateway's own `lora-affinity` strategy through `pick()`;
 *  - dedicated: one engine per adapter (`max_loras` 1), each request to its adapter's engine.
 * Adapters are registered before the stream starts in both arms (a cached artifact): load time
 * is not part of this figure.
 */
import { PrefixIndex } from '../kvcache/index.js';
import {
  createRoutingState,
  defaultRoutingConfig,
  parseStrategy,
  pick,
  type EndpointLoad,
  type RoutingContext,
  type StrategyMix,
} from '../routing/index.js';
import { SeededRng } from '../shared/index.js';
import { armCost, densityGain, type ArmCost } from './lora-cost.js';
import {
  replayOnFleet,
  type FleetEngineSpec,
  type FleetRouter,
  type FleetSettings,
} from './lora-fleet.js';
import type { LoraRequest } from './lora-traffic.js';

const BASE_MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

/**
 * leastAdapters over a static set: adapters in creation order, each to the engine holding the
 * fewest so far (ties: the lowest index). Returns the adapters of each engine.
 */
export function placeLeastAdapters(adapters: readonly string[], engines: number): string[][] {
  const held: string[][] = Array.from({ length: engines }, () => []);
  for (const adapter of adapters) {
    let best = 0;
    for (let i = 1; i < engines; i++)
      if ((held[i] as string[]).length < (held[best] as string[]).length) best = i;
    (held[best] as string[]).push(adapter);
  }
  return held;
}

function loraAffinityMix(): StrategyMix {
  const parsed = parseStrategy('lora-affinity');
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.mix;
}

/** Routes with the gateway's `lora-affinity` through `pick()`, as the gateway would. */
export function loraAffinityRouter(seed: number): FleetRouter {
  const mix = loraAffinityMix();
  const config = defaultRoutingConfig();
  const ctx: RoutingContext = {
    rng: new SeededRng(seed),
    state: createRoutingState(config),
    prefixIndex: new PrefixIndex(config.prefixCache),
  };
  let n = 0;
  return (request, engines) => {
    const endpoints: EndpointLoad[] = engines.map((e, i) => ({
      id: e.spec.id,
      name: e.spec.id,
      model: BASE_MODEL,
      node: `node-${i}`,
      ready: true,
      healthy: true,
      inFlight: e.inFlight,
      pendingPrefillTokens: 0,
      metrics: undefined,
      stale: false,
      adapters: e.spec.adapters,
      maxLoras: e.spec.maxLoras,
    }));
    const chosen = pick(
      { endpoints, nowMs: request.arrivalS * 1000 },
      {
        model: request.adapter,
        baseModel: BASE_MODEL,
        adapter: request.adapter,
        promptText: '',
        promptTokens: request.promptTokens,
        maxTokens: request.outputTokens,
        user: undefined,
        sessionId: undefined,
        requestId: `r${n++}`,
      },
      mix,
      ctx,
    );
    return endpoints.indexOf(chosen);
  };
}

/** The experiment's shape (one traffic level). */
export interface DensitySetup {
  readonly adapters: readonly string[];
  readonly denseEngines: number;
  readonly maxLoras: number;
  readonly fleet: FleetSettings;
  readonly seed: number;
  /** p99 TTFT the sized dense fleet must meet, ms. */
  readonly ttftSloMs: number;
}

/** The smallest dense fleet that met the TTFT objective, and its gain over dedicated. */
export interface SizedDense {
  readonly cost: ArmCost;
  readonly provisionedGain: number;
  readonly busyGain: number;
  /** False when even one engine per adapter's worth of dense engines missed the objective. */
  readonly metSlo: boolean;
}

/** Both arms at one traffic level, and how much cheaper dense is. */
export interface DensityLevel {
  readonly dense: ArmCost;
  readonly dedicated: ArmCost;
  /** Dedicated ÷ dense provisioned GPU-seconds per 1,000 requests. */
  readonly provisionedGain: number;
  /** Dedicated ÷ dense busy GPU-seconds per 1,000 requests (AIBrix-like counting). */
  readonly busyGain: number;
  /** The dense arm grown until its p99 TTFT meets the objective (a fair comparison under load). */
  readonly sizedDense: SizedDense;
}

function denseArm(stream: readonly LoraRequest[], setup: DensitySetup, engines: number): ArmCost {
  const specs: FleetEngineSpec[] = placeLeastAdapters(setup.adapters, engines).map(
    (adapters, i) => ({ id: `dense-${i}`, adapters, maxLoras: setup.maxLoras }),
  );
  return armCost(replayOnFleet(stream, specs, setup.fleet, loraAffinityRouter(setup.seed)));
}

function dedicatedArm(stream: readonly LoraRequest[], setup: DensitySetup): ArmCost {
  const index = new Map(setup.adapters.map((a, i) => [a, i]));
  const specs: FleetEngineSpec[] = setup.adapters.map((a, i) => ({
    id: `dedicated-${i}`,
    adapters: [a],
    maxLoras: 1,
  }));
  return armCost(replayOnFleet(stream, specs, setup.fleet, (r) => index.get(r.adapter) ?? -1));
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function gains(dedicated: ArmCost, dense: ArmCost): { provisionedGain: number; busyGain: number } {
  return {
    provisionedGain: r3(
      densityGain(dedicated.provisionedGpuSecondsPer1000, dense.provisionedGpuSecondsPer1000),
    ),
    busyGain: r3(densityGain(dedicated.busyGpuSecondsPer1000, dense.busyGpuSecondsPer1000)),
  };
}

/**
 * Grows the dense fleet from `setup.denseEngines` (steps of an eighth, at least one engine) until
 * its p99 TTFT meets `setup.ttftSloMs`, up to one engine per adapter.
 */
function sizeDense(
  stream: readonly LoraRequest[],
  setup: DensitySetup,
  first: ArmCost,
  dedicated: ArmCost,
): SizedDense {
  let engines = setup.denseEngines;
  let cost = first;
  while (cost.ttftP99Ms > setup.ttftSloMs && engines < setup.adapters.length) {
    engines = Math.min(setup.adapters.length, engines + Math.max(1, Math.ceil(engines / 8)));
    cost = denseArm(stream, setup, engines);
  }
  return { cost, ...gains(dedicated, cost), metSlo: cost.ttftP99Ms <= setup.ttftSloMs };
}

/** Replays `stream` on both fleets, then on dense fleets grown until they meet the objective. */
export function runDensityLevel(stream: readonly LoraRequest[], setup: DensitySetup): DensityLevel {
  const dense = denseArm(stream, setup, setup.denseEngines);
  const dedicated = dedicatedArm(stream, setup);
  return {
    dense,
    dedicated,
    ...gains(dedicated, dense),
    sizedDense: sizeDense(stream, setup, dense, dedicated),
  };
}
