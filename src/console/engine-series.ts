/**
 * The console's charts: per engine, the last minutes of running, waiting, KV usage and TTFT,
 * sampled every few seconds into a ring per engine. Bounded twice: points per engine by
 * window / interval, engines by `maxEngines` (an engine gone past the window is dropped).
 */
import { RingBuffer } from './ring-buffer.js';
import type { ConsoleEngine, ConsoleSample, ConsoleSeries } from './console-snapshot.js';

/** How the series are sampled and bounded. */
export interface EngineSeriesOptions {
  /** How often the leader samples, ms. */
  readonly intervalMs: number;
  /** How far back points are kept, ms. */
  readonly windowMs: number;
  /** Engines tracked at most; samples of further engines are not kept. */
  readonly maxEngines: number;
}

/** One sample per engine, from the engines as the console shows them. */
export function samplesOf(engines: readonly ConsoleEngine[], t: number): ConsoleSample[] {
  return engines.map((e) => ({
    engine: e.id,
    t,
    running: e.running,
    waiting: e.waiting,
    kvUsage: e.kvUsage,
    ttftMs: e.ttftMs,
  }));
}

/** Per-engine rings of samples. */
export class EngineSeries {
  readonly #options: EngineSeriesOptions;
  readonly #perEngine = new Map<string, RingBuffer<ConsoleSample>>();
  #newestT = -Infinity;

  constructor(options: EngineSeriesOptions) {
    this.#options = options;
  }

  /** Adds one sampling round and forgets engines with nothing inside the window. */
  add(samples: readonly ConsoleSample[]): void {
    // Two spare slots: timer jitter must not push a point still inside the window out of the ring.
    const points = Math.max(1, Math.ceil(this.#options.windowMs / this.#options.intervalMs)) + 2;
    for (const s of samples) {
      let ring = this.#perEngine.get(s.engine);
      if (ring === undefined) {
        if (this.#perEngine.size >= this.#options.maxEngines) continue;
        ring = new RingBuffer(points);
        this.#perEngine.set(s.engine, ring);
      }
      ring.push(s);
      if (s.t > this.#newestT) this.#newestT = s.t;
    }
    const oldest = this.#newestT - this.#options.windowMs;
    for (const [engine, ring] of this.#perEngine)
      if ((ring.newestFirst(1)[0]?.t ?? -Infinity) <= oldest) this.#perEngine.delete(engine);
  }

  /** Time of the newest sample; -Infinity before any. */
  get newestT(): number {
    return this.#newestT;
  }

  /** Samples newer than `t`, oldest first (what a delta carries). */
  since(t: number): ConsoleSample[] {
    const out: ConsoleSample[] = [];
    for (const ring of this.#perEngine.values())
      for (const s of ring.newestFirst()) {
        if (s.t <= t) break;
        out.push(s);
      }
    return out.sort((a, b) => a.t - b.t);
  }

  /** Everything held, in the snapshot's column shape, within the window. */
  series(): ConsoleSeries {
    const oldest = this.#newestT - this.#options.windowMs;
    const engines = [...this.#perEngine.entries()].map(([engine, ring]) => {
      const points = ring.oldestFirst().filter((s) => s.t > oldest);
      return {
        engine,
        t: points.map((s) => s.t),
        running: points.map((s) => s.running),
        waiting: points.map((s) => s.waiting),
        kvUsage: points.map((s) => s.kvUsage),
        ttftMs: points.map((s) => s.ttftMs),
      };
    });
    return { intervalMs: this.#options.intervalMs, windowMs: this.#options.windowMs, engines };
  }
}
