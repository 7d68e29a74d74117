/**
 * The request stream of `infernode bench lora`: Poisson arrivals over a fixed window, each request
 * for one of N adapters drawn from a Zipf law (P(rank k) ∝ 1/k^s), with prompt and output lengths
 * drawn uniformly from ranges. Pure and seeded, so both arms of the density experiment replay
 * exactly the same stream. s ≈ 1.0 is the classic "few hot fine-tunes, a long cold tail" shape:
 * with 64 adapters the hottest takes ~21% of the requests and the coldest ~0.3%.
 */
import type { Rng } from '../shared/index.js';

/** Zipf probabilities of ranks 1..n (index 0 = rank 1), exponent `s` ≥ 0; they sum to 1. */
export function zipfProbabilities(n: number, s: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`zipf: n must be a positive integer`);
  if (!(s >= 0)) throw new RangeError(`zipf: s must be ≥ 0`);
  const weights = Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** Draws ranks (0-based) from a discrete distribution by inverse CDF (binary search). */
export class DiscreteSampler {
  readonly #cdf: Float64Array;

  constructor(probabilities: readonly number[]) {
    this.#cdf = new Float64Array(probabilities.length);
    let sum = 0;
    probabilities.forEach((p, i) => {
      sum += p;
      this.#cdf[i] = sum;
    });
    // Rounding may leave the last entry a hair under 1; a draw must always land somewhere.
    this.#cdf[probabilities.length - 1] = Infinity;
  }

  /** A 0-based index with its probability, given a uniform draw in [0, 1). */
  sample(u: number): number {
    let lo = 0;
    let hi = this.#cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (u < (this.#cdf[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Shape of one request stream. */
export interface LoraTrafficSpec {
  /** Adapters; request i names `adapters[k]`. */
  readonly adapters: readonly string[];
  /** Zipf exponent of adapter popularity. */
  readonly zipfS: number;
  /** Mean arrivals per second over the whole fleet (Poisson). */
  readonly requestsPerS: number;
  /** Arrivals stop after this many seconds (the stream then drains). */
  readonly durationS: number;
  /** Inclusive ranges of prompt and output lengths, tokens. */
  readonly promptTokens: readonly [number, number];
  readonly outputTokens: readonly [number, number];
}

/** One request of the stream. */
export interface LoraRequest {
  /** Arrival, seconds from the start of the stream. */
  readonly arrivalS: number;
  readonly adapter: string;
  /** Popularity rank of the adapter, 0 = hottest. */
  readonly rank: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
}

function uniformInt(rng: Rng, [lo, hi]: readonly [number, number]): number {
  return lo + Math.floor(rng.next() * (hi - lo + 1));
}

/**
 * The stream, in arrival order. Popularity ranks are dealt to the adapters by a seeded shuffle,
 * so an adapter's name (which is what placement sees) says nothing about how hot it is.
 */
export function generateLoraTraffic(spec: LoraTrafficSpec, rng: Rng): LoraRequest[] {
  if (spec.requestsPerS <= 0 || spec.durationS <= 0)
    throw new RangeError('traffic: rate and duration must be positive');
  const byRank = [...spec.adapters];
  for (let i = byRank.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [byRank[i], byRank[j]] = [byRank[j] as string, byRank[i] as string];
  }
  const sampler = new DiscreteSampler(zipfProbabilities(byRank.length, spec.zipfS));
  const out: LoraRequest[] = [];
  let t = 0;
  for (;;) {
    // Exponential gaps; 1 − u keeps log away from 0.
    t += -Math.log(1 - rng.next()) / spec.requestsPerS;
    if (t >= spec.durationS) break;
    const rank = sampler.sample(rng.next());
    out.push({
      arrivalS: t,
      adapter: byRank[rank] as string,
      rank,
      promptTokens: uniformInt(rng, spec.promptTokens),
      outputTokens: uniformInt(rng, spec.outputTokens),
    });
  }
  return out;
}
