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
}

/** Both arms at one traffic level, and how much cheaper dense is. */
export interface DensityLevel {
  readonly dense: ArmCost;
  readonly dedicated: ArmCost;
  /** Dedicated ÷ dense provisioned GPU-seconds per 1,000 requests. */
  readonly provisionedGain: number;
  /** Dedicated ÷ dense busy GPU-seconds per 1,000 requests (AIBrix-like counting). */
  readonly busyGain: number;
}

/** Replays `stream` on both fleets. */
export function runDensityLevel(stream: readonly LoraRequest[], setup: DensitySetup): DensityLevel {
  const placement = placeLeastAdapters(setup.adapters, setup.denseEngines);
  const denseSpecs: FleetEngineSpec[] = placement.map((adapters, i) => ({
    id: `dense-${i}`,
    adapters,
    maxLoras: setup.maxLoras,
  }));
  const dense = armCost(
    replayOnFleet(stream, denseSpecs, setup.fleet, loraAffinityRouter(setup.seed)),
  );
  const index = new Map(setup.adapters.map((a, i) => [a, i]));
  const dedicatedSpecs: FleetEngineSpec[] = setup.adapters.map((a, i) => ({
    id: `dedicated-${i}`,
    adapters: [a],
    maxLoras: 1,
  }));
  const dedicated = armCost(
    replayOnFleet(stream, dedicatedSpecs, setup.fleet, (r) => index.get(r.adapter) ?? -1),
  );
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    dense,
    dedicated,
    provisionedGain: r3(
      densityGain(dedicated.provisionedGpuSecondsPer1000, dense.provisionedGpuSecondsPer1000),
    ),
    busyGain: r3(densityGain(dedicated.busyGpuSecondsPer1000, dense.busyGpuSecondsPer1000)),
  };
}
