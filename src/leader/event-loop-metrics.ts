/**
 * The leader's event-loop delay (issue #18): one gauge per quantile over the time since the last
 * scrape, from perf_hooks' monitorEventLoopDelay. prom-client's default
 * `infernode_nodejs_eventloop_lag_*` gauges sample at 10 ms and report the timer period itself
 * (an idle loop reads ~10 ms), so a 20 ms goal cannot be read from them; this one subtracts the
 * period, so an idle loop reads ~0.
 *
 * The period is 10 ms, not 1: each sample wakes an idle process, and two 1 ms monitors (this one
 * and the pacer's) cost an idle leader about 30 ms of CPU a second (1,700 wakeups). A coarser
 * period also counts a stall nearer its share of time: a 20 ms stall is one sample either way,
 * but among ~100 samples a second instead of ~1,000, so p99 no longer dilutes stalls tenfold.
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

/** The sampling period of the leader's event-loop delay monitors (this gauge's and the pacer's). */
export const LOOP_DELAY_RESOLUTION_MS = 10;

/** Quantiles exported (a fixed set: bounded label values). */
const QUANTILES = [
  ['0.5', 50],
  ['0.99', 99],
  ['1', 100],
] as const;

/**
 * Registers `infernode_leader_event_loop_delay_seconds{quantile}`: the delay past the sampling
 * period over the window since the previous scrape (each scrape starts a new window, like
 * prom-client's own event-loop gauges). Without a `sampler` it starts a monitor that lives
 * as long as the process.
 */
export function registerEventLoopDelayMetrics(
  registry: Registry,
  sampler?: { readonly sampler: DelaySampler; readonly resolutionMs: number },
): void {
  const resolutionMs = sampler?.resolutionMs ?? LOOP_DELAY_RESOLUTION_MS;
  const source = sampler?.sampler ?? startMonitor(resolutionMs);
  const periodNs = resolutionMs * 1e6;
  new Gauge({
    name: 'infernode_leader_event_loop_delay_seconds',
    help: `Event-loop delay past the ${LOOP_DELAY_RESOLUTION_MS} ms sampling period since the previous scrape, by quantile`,
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
