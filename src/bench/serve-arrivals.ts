/**
 * `bench serve`'s arrival process, as vLLM's `bench serve`: the first request leaves at once,
 * each next one after a gamma-distributed gap with shape `burstiness` and mean `1/rate`
 * (burstiness 1 = Poisson arrivals; below 1 burstier, above 1 more regular). Rate `Infinity`
 * sends everything at once. Pure: randomness comes from the passed {@link Rng}.
 */
import type { Rng } from '../shared/index.js';

/** A standard normal sample (Box–Muller). */
function normal(rng: Rng): number {
  const u = 1 - rng.next(); // (0, 1]: log stays finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * A Gamma(shape, scale) sample: Marsaglia–Tsang for shape ≥ 1, and for shape < 1 the boost
 * Gamma(shape + 1) · U^(1/shape).
 */
export function gammaSample(rng: Rng, shape: number, scale: number): number {
  if (shape < 1) {
    const u = 1 - rng.next();
    return gammaSample(rng, shape + 1, scale) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * scale;
  }
}

/** Send times of `n` requests, ms from the start, for `rate` per second and `burstiness`. */
export function arrivalTimesMs(n: number, rate: number, burstiness: number, rng: Rng): number[] {
  const out: number[] = [];
  if (n <= 0) return out;
  if (!Number.isFinite(rate)) return new Array<number>(n).fill(0);
  const scaleS = 1 / (rate * burstiness);
  let t = 0;
  out.push(0);
  for (let i = 1; i < n; i++) {
    t += gammaSample(rng, burstiness, scaleS) * 1000;
    out.push(t);
  }
  return out;
}
