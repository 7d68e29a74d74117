/**
 * One `bench kv-bound` replay: the trace window at one rate scale on a fleet of virtual engines
 * (virtual-engine.ts), routed by one mode. Arrivals are taken in order; before each, every
 * engine is stepped up to it, so routers see exact counts. Per request it records TTFT and where
 * its prompt tokens came from: computed, hit in the engine's own GPU cache, or loaded by an
 * oracle.
 *
 * The oracles enter loaded blocks through the simulator's own connector path
 * (fetched-prefix.ts insertFetchedPrefix: cached, free, most recently used, found by the
 * request's admission) and hold the request meanwhile (`holdForRemoteKv`, vLLM's
 * WAITING_FOR_REMOTE_KVS; requests behind it go on). A request with a known prefix past its GPU
 * hit is held from arrival; once its load has landed (at once for `free`, after the modeled
 * transfer over a link), its blocks are entered right before a step and it is released into
 * that step's admission — one such request per engine per step, as the simulator's connector
 * enters its loads (sim landed-prefix-entry.ts, LANDED_RELEASES_PER_STEP).
 * A released request whose entered tail was evicted before admission gets it entered again.
 */
import {
  enterLandedPrefixes,
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
  knownPrefixBlocks,
  oracleTier,
  maxPrefixBlocks,
  planOracleLoad,
  type OracleCost,
} from './kv-bound-oracle.js';
import type { BoundEngineView, BoundRouter } from './kv-bound-routers.js';
import type { KnownBlocks } from './kv-bound-l1.js';
import { tallyTracks, type BoundRun, type BoundTrack } from './kv-bound-tally.js';
import { VirtualEngine } from './virtual-engine.js';

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

/** Engines per node, as `bench kv`'s fleet has them (2 nodes × 2 engines). */
const ENGINES_PER_NODE = 2;

const nodeOf = (engine: number): string => `node-${Math.floor(engine / ENGINES_PER_NODE)}`;

/**
 * Replays `requests` at `rateScale` on a fresh fleet routed by `route`; `oracle` (absent: none)
 * loads known prefixes. `onEngine` is told each engine's id, GPU pool, node and the oracle's tier
 * (for routers that read them) before the first arrival.
 */
export function replayBound(
  requests: readonly BoundRequest[],
  rateScale: number,
  s: BoundFleetSettings,
  route: BoundRouter,
  oracle?: OracleCost,
  onEngine?: (id: string, pool: BlockPool, node: string, tier: KnownBlocks) => void,
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
  const chainBlocks = requests.reduce((n, r) => n + r.chain.length, 0);
  const computed = oracleTier(oracle, Math.ceil(s.engines / ENGINES_PER_NODE), chainBlocks);
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
      if (oracle !== undefined) computed.add(t.request.chain, undefined, nodeOf(t.engine));
    }
    engineQueryTokens += r.prefixQueryTokens;
    engineHitTokens += r.prefixHitTokens;
    preemptions += r.preemptions;
    for (const req of r.finished) lastFinishS = Math.max(lastFinishS, req.finishedS + e.offsetS);
  };
  const enter = (t: BoundTrack, engine: VirtualEngine<number>): void => {
    const pool = engine.core.pool;
    const max = maxPrefixBlocks(t.request.promptTokens, t.request.chain.length, bs);
    const to =
      t.loadTo >= 0
        ? t.loadTo
        : knownPrefixBlocks(t.request.chain, max, pool, computed, nodeOf(t.engine));
    const from = leadingCachedBlocks(pool, t.request.chain, to);
    if (t.nativeHitBlocks < 0) t.nativeHitBlocks = from;
    if (from >= to) return;
    const n = insertFetchedPrefix(pool, t.spec, from, to, bs, undefined);
    t.insertedTo = Math.max(t.insertedTo, from + n);
  };
  // Landed loads enter the GPU cache just before the step that can admit them, as the
  // simulator's connector enters them (sim landed-prefix-entry.ts).
  const beforeStep = (engine: VirtualEngine<number>): void =>
    enterLandedPrefixes(engine.core, {
      landed: (req) => (tracks[req.tag] as BoundTrack).landed,
      enter: (req) => enter(tracks[req.tag] as BoundTrack, engine),
      missing: (req) => {
        const t = tracks[req.tag] as BoundTrack;
        const tail = t.request.chain[t.insertedTo - 1];
        return tail !== undefined && engine.core.pool.lookup(tail) < 0;
      },
    });
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
  engines.forEach((e, i) => onEngine?.(ids[i] as string, e.core.pool, nodeOf(i), computed));
  const views = (): BoundEngineView[] =>
    engines.map((e, i) => ({
      id: ids[i] as string,
      node: nodeOf(i),
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
      landed: false,
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
    // Held from arrival while anything past its GPU hit is known; a link prices the transfer.
    const pool = engine.core.pool;
    const max = maxPrefixBlocks(request.promptTokens, request.chain.length, bs);
    const gpu = leadingCachedBlocks(pool, request.chain, max);
    const known = knownPrefixBlocks(request.chain, max, pool, computed, nodeOf(at));
    const plan = planOracleLoad(oracle, gpu, known, bs);
    if (plan === null) continue;
    engine.core.holdForRemoteKv(req);
    if (oracle.kind === 'free') {
      t.landed = true; // entered with what is known when it is released
      continue;
    }
    t.nativeHitBlocks = gpu;
    t.loadTo = plan.toBlock;
    computed.read(request.chain, plan.fromBlock, plan.toBlock, nodeOf(at));
    loads++;
    transferS += plan.transferS;
    engine.at(arrivalS + plan.transferS, () => (t.landed = true));
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
