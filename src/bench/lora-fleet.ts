/**
 * A fleet of simulated engines driven in virtual time, in this process (virtual-engine.ts: the
 * simulator's pure EngineCore with no timers and no HTTP). One request stream is replayed against the
 * fleet in arrival order; before each arrival every engine is stepped up to that moment, so a
 * router sees exact in-flight counts. 64 engines cost no more CPU than the steps they take.
 *
 * Each core keeps its own clock, which only moves while it has work (an idle engine's clock
 * stands still, as in the simulator). A per-engine offset maps core time to stream time: it is
 * set when an idle engine receives a request, and stays fixed through a busy period, during
 * which steps run back to back.
 */
import type { CoreConfig, HardwareProfile } from '../sim/index.js';
import { VirtualEngine } from './virtual-engine.js';
import type { LoraRequest } from './lora-traffic.js';

/** One engine of the fleet. */
export interface FleetEngineSpec {
  readonly id: string;
  /** Adapters registered on it (loaded before the stream starts: a cached artifact). */
  readonly adapters: readonly string[];
  /** --max-loras: distinct adapters in one batch. */
  readonly maxLoras: number;
}

/** An engine as a router sees it at an arrival. */
export interface FleetEngineView {
  readonly spec: FleetEngineSpec;
  /** Requests running or waiting on it now. */
  readonly inFlight: number;
}

/** Chooses an engine (index into `engines`) for a request. */
export type FleetRouter = (request: LoraRequest, engines: readonly FleetEngineView[]) => number;

/** What a replay measured. */
export interface FleetRun {
  readonly engines: number;
  readonly requests: number;
  /** Requests refused because the chosen engine's waiting queue was full. */
  readonly rejected: number;
  /** Time to first token of each completed request, seconds (arrival to first token). */
  readonly ttftS: readonly number[];
  /** Stream time at which the last request finished (the fleet had to exist until then), s. */
  readonly lastFinishS: number;
  /** Σ over engines of the time they spent stepping (non-idle), seconds. */
  readonly busyS: number;
  /** Engine steps taken, all engines. */
  readonly steps: number;
}

/** Knobs shared by every engine of a replay. */
export interface FleetSettings {
  readonly profile: HardwareProfile;
  readonly maxNumSeqs: number;
  readonly maxNumBatchedTokens: number;
  readonly numGpuBlocks: number;
  readonly blockSizeTokens: number;
  readonly maxWaitingRequests: number;
}

/** An engine of the fleet: its spec and its virtual-time core. */
class FleetEngine {
  readonly spec: FleetEngineSpec;
  readonly engine: VirtualEngine<number>;
  lastFinishS = 0;

  constructor(spec: FleetEngineSpec, settings: FleetSettings, ttftS: number[]) {
    this.spec = spec;
    const config: CoreConfig = {
      maxNumSeqs: settings.maxNumSeqs,
      maxNumBatchedTokens: settings.maxNumBatchedTokens,
      numGpuBlocks: settings.numGpuBlocks,
      blockSizeTokens: settings.blockSizeTokens,
      maxLoras: spec.maxLoras,
      maxWaitingRequests: settings.maxWaitingRequests,
    };
    this.engine = new VirtualEngine<number>(config, settings.profile, (r, e) => {
      for (const req of r.finished) {
        ttftS.push(req.firstTokenS - req.arrivalS);
        this.lastFinishS = Math.max(this.lastFinishS, req.finishedS + e.offsetS);
      }
    });
  }

  get inFlight(): number {
    return this.engine.inFlight;
  }

  submit(request: LoraRequest): boolean {
    const spec = {
      promptLength: request.promptTokens,
      // No shared prefixes: each prompt is its own, so prefix caching plays no part.
      blockHashes: [],
      maxTokens: request.outputTokens,
      eosAfterTokens: Infinity,
      lora: request.adapter,
    };
    return this.engine.submit(spec, 0, request.arrivalS) !== null;
  }
}

/**
 * Replays `stream` (arrival order) against engines built from `specs`, routing each request with
 * `route`, then drains every engine.
 */
export function replayOnFleet(
  stream: readonly LoraRequest[],
  specs: readonly FleetEngineSpec[],
  settings: FleetSettings,
  route: FleetRouter,
): FleetRun {
  const ttftS: number[] = [];
  const engines = specs.map((s) => new FleetEngine(s, settings, ttftS));
  let rejected = 0;
  for (const request of stream) {
    for (const e of engines) e.engine.advanceTo(request.arrivalS);
    const at = route(request, engines);
    const engine = engines[at];
    if (engine === undefined)
      throw new RangeError(`router chose engine ${at} of ${engines.length}`);
    if (!engine.submit(request)) rejected++;
  }
  for (const e of engines) e.engine.drain();
  return {
    engines: engines.length,
    requests: stream.length,
    rejected,
    ttftS,
    lastFinishS: engines.reduce((m, e) => Math.max(m, e.lastFinishS), 0),
    busyS: engines.reduce((s, e) => s + e.engine.busyS, 0),
    steps: engines.reduce((s, e) => s + e.engine.steps, 0),
  };
}
