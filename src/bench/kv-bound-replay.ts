/**
 * One `bench kv-bound` replay: the trace window at one rate scale on a fleet of virtual engines
 * (virtual-engine.ts), routed by one mode. Arrivals are taken in order; before each, every
 * engine is stepped up to it, so routers see exact counts. Per request it records TTFT and where
 * its prompt tokens came from: computed, hit in the engine's own GPU cache, or loaded by an
 * oracle.
 *
 * The oracles enter loaded blocks through the simulator's own connector path
 * (fetched-prefix.ts insertFetchedPrefix: cached, free, most recently used, found by the
 * request's admission) and hold the request while a modeled transfer runs
 * (`holdForRemoteKv`, vLLM's WAITING_FOR_REMOTE_KVS; requests behind it go on). Blocks are
 * entered when the request reaches the head of its engine's queue
 * ({@link ORACLE_WINDOW}), and entered again if evicted before admission, not at arrival: entered at arrival, a request queued
 * behind a GPU's worth of prompts would find them evicted by the time it is admitted, and a
 * bound must not lose what a just-in-time tier would keep.
 */
import {
  insertFetchedPrefix,
  leadingCachedBlocks,
  type BlockPool,
  type CoreConfig,
  type CoreRequestSpec,
  type HardwareProfile,
  type StepResult,
} from '../sim/index.js';
import type { BoundRequest } from './kv-bound-chains.js';
import {
  ComputedBlocks,
  knownPrefixBlocks,
  maxPrefixBlocks,
  planOracleLoad,
  type OracleCost,
} from './kv-bound-oracle.js';
import type { BoundEngineView, BoundRouter } from './kv-bound-routers.js';
import { tallyTracks, type BoundRun, type BoundTrack } from './kv-bound-tally.js';
import { VirtualEngine } from './virtual-engine.js';

/**
 * Waiting requests per engine, from the head of its queue, whose oracle blocks are entered
 * before a step. One: entering several queued prompts' prefixes into a GPU cache that holds about
 * nine prompts of this trace makes them evict one another and the cached prefixes of preempted
 * requests (which queue first), and lets admission take several long prompts in one step on
 * cached hits, which preemption then undoes. Measured at rate scale 1 on the default fleet:
 * window 4 gave oracle-free a mean TTFT of 296 s with 8,703 preemptions, window 1 2.2 s with 317.
 * A request admitted behind the head in the same step gets no oracle blocks (the bound is
 * conservative there).
 */
export const ORACLE_WINDOW = 1;

/** The fleet's knobs (the real bench's engine flags). */
export interface BoundFleetSettings {
  readonly engines: number;
  readonly profile: HardwareProfile;
  readonly numGpuBlocks: number;
  readonly blockSizeTokens: number;
  readonly maxNumSeqs: number;
  readonly maxNumBatchedTokens: number;
  /** Prompt + output above this is refused, as the simulator answers 400. */
  readonly maxModelLen: number;
  readonly maxWaitingRequests: number;
}

/**
 * Replays `requests` at `rateScale` on a fresh fleet routed by `route`; `oracle` (absent: none)
 * loads known prefixes. `onEngine` is told each engine's id and GPU pool (for routers that read
 * them) before the first arrival.
 */
export function replayBound(
  requests: readonly BoundRequest[],
  rateScale: number,
  s: BoundFleetSettings,
  route: BoundRouter,
  oracle?: OracleCost,
  onEngine?: (id: string, pool: BlockPool) => void,
): BoundRun {
  const bs = s.blockSizeTokens;
  const config: CoreConfig = {
    maxNumSeqs: s.maxNumSeqs,
    maxNumBatchedTokens: s.maxNumBatchedTokens,
    numGpuBlocks: s.numGpuBlocks,
    blockSizeTokens: bs,
    maxLoras: 1,
    maxWaitingRequests: s.maxWaitingRequests,
  };
  const tracks: BoundTrack[] = [];
  const pending = new Array<number>(s.engines).fill(0);
  const computed = new ComputedBlocks(requests.reduce((n, r) => n + r.chain.length, 0));
  let lastFinishS = 0;
  let engineQueryTokens = 0;
  let engineHitTokens = 0;
  let preemptions = 0;

  const onStep = (r: StepResult<number>, e: VirtualEngine<number>): void => {
    for (const req of r.emitted) {
      if (req.numOutputTokens !== 1) continue;
      const t = tracks[req.tag] as BoundTrack;
      pending[t.engine] = (pending[t.engine] ?? 0) - t.request.promptTokens;
      // Its prefill is done: every full prompt block now exists somewhere.
      if (oracle !== undefined) computed.add(t.request.chain);
    }
    engineQueryTokens += r.prefixQueryTokens;
    engineHitTokens += r.prefixHitTokens;
    preemptions += r.preemptions;
    for (const req of r.finished) lastFinishS = Math.max(lastFinishS, req.finishedS + e.offsetS);
  };
  const enter = (t: BoundTrack, engine: VirtualEngine<number>): void => {
    const pool = engine.core.pool;
    const max = maxPrefixBlocks(t.request.promptTokens, t.request.chain.length, bs);
    const to = t.loadTo >= 0 ? t.loadTo : knownPrefixBlocks(t.request.chain, max, pool, computed);
    const from = leadingCachedBlocks(pool, t.request.chain, to);
    if (t.nativeHitBlocks < 0) t.nativeHitBlocks = from;
    if (from >= to) return;
    const n = insertFetchedPrefix(pool, t.spec, from, to, bs, undefined);
    t.insertedTo = Math.max(t.insertedTo, from + n);
  };
  const beforeStep = (engine: VirtualEngine<number>): void => {
    let seen = 0;
    for (const req of engine.core.waiting) {
      if (seen >= ORACLE_WINDOW) break;
      if (req.remoteKvHeld) continue; // still loading; admission skips it
      seen++;
      const t = tracks[req.tag] as BoundTrack;
      if (oracle?.kind === 'link' && t.loadTo < 0) continue; // nothing was worth loading
      // Entered once, then again only if eviction took its tail (a run is evicted tail first).
      const tail = t.request.chain[t.insertedTo - 1];
      if (!t.refreshed || (tail !== undefined && engine.core.pool.lookup(tail) < 0))
        enter(t, engine);
      t.refreshed = true;
    }
  };
  const engines = Array.from(
    { length: s.engines },
    () =>
      new VirtualEngine<number>(
        config,
        s.profile,
        onStep,
        oracle === undefined ? undefined : beforeStep,
      ),
  );
  const ids = engines.map((_, i) => `engine-${i}`);
  engines.forEach((e, i) => onEngine?.(ids[i] as string, e.core.pool));
  const views = (): BoundEngineView[] =>
    engines.map((e, i) => ({
      id: ids[i] as string,
      node: `node-${Math.floor(i / 2)}`,
      inFlight: e.inFlight,
      pendingPrefillTokens: pending[i] ?? 0,
    }));

  let refused = 0;
  let loads = 0;
  let transferS = 0;
  for (const request of requests) {
    const arrivalS = request.traceS / rateScale;
    for (const e of engines) e.advanceTo(arrivalS);
    if (request.promptTokens + request.outputTokens > s.maxModelLen) {
      refused++;
      continue;
    }
    const at = route(request, views(), arrivalS);
    const engine = engines[at];
    if (engine === undefined) throw new RangeError(`router chose engine ${at} of ${s.engines}`);
    const spec: CoreRequestSpec = {
      promptLength: request.promptTokens,
      blockHashes: request.chain,
      maxTokens: request.outputTokens,
      eosAfterTokens: Infinity,
      lora: null,
    };
    const t: BoundTrack = {
      request,
      spec,
      engine: at,
      core: null,
      nativeHitBlocks: -1,
      loadTo: -1,
      insertedTo: 0,
      refreshed: false,
    };
    const req = engine.submit(spec, tracks.length, arrivalS);
    if (req === null) {
      refused++;
      continue;
    }
    t.core = req;
    tracks.push(t);
    pending[at] = (pending[at] ?? 0) + request.promptTokens;
    if (oracle === undefined) continue;
    if (oracle.kind === 'free') continue; // entered when it nears the head of the queue
    // Over a link the transfer starts at arrival, with what is known then.
    const pool = engine.core.pool;
    const max = maxPrefixBlocks(request.promptTokens, request.chain.length, bs);
    const gpu = leadingCachedBlocks(pool, request.chain, max);
    const plan = planOracleLoad(
      oracle,
      gpu,
      knownPrefixBlocks(request.chain, max, pool, computed),
      bs,
    );
    if (plan === null) continue;
    t.nativeHitBlocks = gpu;
    t.loadTo = plan.toBlock;
    loads++;
    transferS += plan.transferS;
    engine.core.holdForRemoteKv(req);
    engine.at(arrivalS + plan.transferS, () => engine.core.releaseRemoteKv(req));
  }
  for (const e of engines) e.drain();
  return tallyTracks(tracks, requests.length, refused, bs, {
    loads,
    transferS,
    lastFinishS,
    steps: engines.reduce((n, e) => n + e.steps, 0),
    engineQueryTokens,
    engineHitTokens,
    preemptions,
    computedOverflowed: computed.overflowed,
  });
}
