/**
 * Measures, in virtual time, the highest request rate one simulated engine sustains within an
 * SLO for requests of one shape: the simulator's EngineCore (same scheduler, KV cache and
 * step-time model as `infernode sim`) fed a seeded Poisson stream, p-th percentile TTFT and
 * TPOT checked, the rate found by doubling then bisection. The same unit-rate stream is scaled
 * for every rate tried, so a higher rate is the same requests closer together.
 */
import type { Rng } from '../shared/index.js';
import { EngineCore, type CoreConfig, type HardwareProfile } from '../sim/index.js';
import { quantile } from './latency-stats.js';

/** Engine knobs and the SLO of a measurement. */
export interface MeasureSettings {
  readonly profile: HardwareProfile;
  readonly numGpuBlocks: number;
  readonly maxNumSeqs: number;
  readonly maxNumBatchedTokens: number;
  /** Targets at `percentile`, ms. */
  readonly ttftMs: number;
  readonly tpotMs: number;
  readonly percentile: number;
  /** Fewest requests per trial. */
  readonly requests: number;
  /**
   * Virtual seconds of arrivals per trial (more requests at higher rates, up to the unit
   * stream's length): a burst shorter than a request's life would be absorbed by the batch
   * and overstate the sustainable rate.
   */
  readonly durationS: number;
}

/** What one trial at a rate saw. */
export interface TrialResult {
  readonly ttftMs: number;
  readonly tpotMs: number;
  readonly meets: boolean;
}

/** Unit-rate exponential gaps (mean 1 s), cumulated: arrival times at 1 request/s. */
export function unitArrivals(count: number, rng: Rng): number[] {
  const out: number[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    t += -Math.log(1 - rng.next());
    out.push(t);
  }
  return out;
}

/** Runs `unit` scaled to `rps` through one engine; every request `input` in, `output` out. */
export function trialAt(
  settings: MeasureSettings,
  unit: readonly number[],
  rps: number,
  input: number,
  output: number,
): TrialResult {
  const config: CoreConfig = {
    maxNumSeqs: settings.maxNumSeqs,
    maxNumBatchedTokens: settings.maxNumBatchedTokens,
    numGpuBlocks: settings.numGpuBlocks,
    blockSizeTokens: 16,
    maxLoras: 1,
    maxWaitingRequests: Number.MAX_SAFE_INTEGER,
  };
  const core = new EngineCore<number>(config, settings.profile);
  const spec = {
    promptLength: input,
    blockHashes: [],
    maxTokens: output,
    eosAfterTokens: Infinity,
    lora: null,
  };
  // The core's clock only moves while it works; offset maps it to stream time across idle gaps.
  let offset = 0;
  const ttft: number[] = [];
  const tpot: number[] = [];
  const collect = (): void => {
    const r = core.step();
    if (r === null) return;
    for (const req of r.finished) {
      ttft.push(req.firstTokenS - req.arrivalS);
      if (req.numOutputTokens > 1)
        tpot.push((req.finishedS - req.firstTokenS) / (req.numOutputTokens - 1));
    }
  };
  const count = Math.min(
    unit.length,
    Math.max(settings.requests, Math.ceil(rps * settings.durationS)),
  );
  for (const at of unit.slice(0, count)) {
    const t = at / rps;
    while (core.hasWork && core.nowS + offset < t) collect();
    if (!core.hasWork && core.nowS + offset < t) offset = t - core.nowS;
    core.submit(spec, 0, t - offset);
  }
  while (core.hasWork) collect();
  const q = settings.percentile / 100;
  const ttftMs =
    quantile(
      ttft.sort((a, b) => a - b),
      q,
    ) * 1000;
  const tpotMs =
    tpot.length === 0
      ? 0
      : quantile(
          tpot.sort((a, b) => a - b),
          q,
        ) * 1000;
  return { ttftMs, tpotMs, meets: ttftMs <= settings.ttftMs && tpotMs <= settings.tpotMs };
}

/** Lowest rate tried; below it a shape counts as not servable within the SLO. */
export const MIN_MEASURED_RPS = 0.01;
const MAX_MEASURED_RPS = 512;

/** The highest rate (3 significant digits, rounded down) meeting the SLO; 0 when none does. */
export function maxRateWithinSlo(
  settings: MeasureSettings,
  unit: readonly number[],
  input: number,
  output: number,
  bisections = 7,
): number {
  if (!trialAt(settings, unit, MIN_MEASURED_RPS, input, output).meets) return 0;
  let lo = MIN_MEASURED_RPS;
  let hi = 1;
  while (hi < MAX_MEASURED_RPS && trialAt(settings, unit, hi, input, output).meets) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < bisections; i++) {
    const mid = (lo + hi) / 2;
    if (trialAt(settings, unit, mid, input, output).meets) lo = mid;
    else hi = mid;
  }
  const digits = Math.pow(10, 2 - Math.floor(Math.log10(lo)));
  return Math.floor(lo * digits) / digits;
}
