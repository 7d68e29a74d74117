/**
 * The leader's event-loop delay (issue #18): one gauge per quantile over the time since the last
 * scrape, from perf_hooks' monitorEventLoopDelay. prom-client's default
 * `infernode_nodejs_eventloop_lag_*` gauges sample at 10 ms and report the timer period itself
 * (an idle loop reads ~10 ms), so a 20 ms goal cannot be read from them; this one samples every
 * millisecond and subtracts the period, so an idle loop reads ~0.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from '../shared/index.js';

/** The part of perf_hooks' IntervalHistogram this metric reads (a fake in tests). */
export interface DelaySampler {
  /** Nanoseconds. */
  percentile(p: number): number;
  /** Nanoseconds. */
  readonly max: number;
  readonly count: number;
  reset(): void;
}

/** Quantiles exported (a fixed set: bounded label values). */
const QUANTILES = [
  ['0.5', 50],
  ['0.99', 99],
  ['1', 100],
] as const;

/**
 * Registers `infernode_leader_event_loop_delay_seconds{quantile}`: the delay past the sampling
 * period over the window since the previous scrape (each scrape starts a new window, like
 * prom-client's own event-loop gauges). Without a `sampler` it starts a 1 ms monitor that lives
 * as long as the process.
 */
export function registerEventLoopDelayMetrics(
  registry: Registry,
  sampler?: { readonly sampler: DelaySampler; readonly resolutionMs: number },
): void {
  const resolutionMs = sampler?.resolutionMs ?? 1;
  const source = sampler?.sampler ?? startMonitor(resolutionMs);
  const periodNs = resolutionMs * 1e6;
  new Gauge({
    name: 'infernode_leader_event_loop_delay_seconds',
    help: 'Event-loop delay past the 1 ms sampling period since the previous scrape, by quantile',
    labelNames: ['quantile'],
    registers: [registry],
    collect() {
      for (const [quantile, p] of QUANTILES) {
        // No sample yet (a scrape right after the last): report 0 rather than a stale window.
        const ns = source.count === 0 ? periodNs : p === 100 ? source.max : source.percentile(p);
        this.set({ quantile }, Math.max(0, ns - periodNs) / 1e9);
      }
      source.reset();
    },
  });
}

function startMonitor(resolutionMs: number): DelaySampler {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  return histogram;
}
