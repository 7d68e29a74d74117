/**
 * The cost arithmetic of `infernode bench lora`. Two ways to count GPU time for one request stream:
 *  - provisioned: every engine of a static fleet exists from the first arrival until the last
 *    request finishes — engines × wall seconds. This is what a fleet that does not scale to
 *    zero pays, and what the brief asks for.
 *  - busy: Σ over engines of the seconds they spent stepping. This is closer to AIBrix's
 *    "Overall Resource Time Used", which ran a fixed workload per deployment and counted each
 *    pod's time to finish it (reference/perf.md §6): idle gaps between requests do not count.
 * Both are normalized per 1,000 requests so arms and traffic levels compare directly.
 */
import type { FleetRun } from './lora-fleet.js';
import { quantile } from './latency-stats.js';

/** GPU-seconds per 1,000 requests. */
export function gpuSecondsPer1000(gpuSeconds: number, requests: number): number {
  if (requests <= 0) throw new RangeError('gpuSecondsPer1000: no requests');
  return (gpuSeconds / requests) * 1000;
}

/** Engines × the wall seconds they had to exist (all of a static fleet, start to last finish). */
export function provisionedGpuSeconds(engines: number, wallSeconds: number): number {
  return engines * wallSeconds;
}

/** How many times cheaper the dense arm is than the dedicated one (dedicated ÷ dense). */
export function densityGain(dedicatedPer1000: number, densePer1000: number): number {
  return dedicatedPer1000 / densePer1000;
}

/** One arm's figures at one traffic level. */
export interface ArmCost {
  readonly engines: number;
  readonly requests: number;
  readonly completed: number;
  readonly rejected: number;
  readonly wallSeconds: number;
  readonly provisionedGpuSeconds: number;
  readonly provisionedGpuSecondsPer1000: number;
  readonly busyGpuSeconds: number;
  readonly busyGpuSecondsPer1000: number;
  /** Mean engine utilisation: busy ÷ provisioned. */
  readonly utilisation: number;
  readonly ttftP50Ms: number;
  readonly ttftP99Ms: number;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The figures of one replay. */
export function armCost(run: FleetRun): ArmCost {
  const provisioned = provisionedGpuSeconds(run.engines, run.lastFinishS);
  const sorted = Float64Array.from(run.ttftS).sort();
  const ttft = Array.from(sorted);
  return {
    engines: run.engines,
    requests: run.requests,
    completed: run.ttftS.length,
    rejected: run.rejected,
    wallSeconds: r3(run.lastFinishS),
    provisionedGpuSeconds: r3(provisioned),
    provisionedGpuSecondsPer1000: r3(gpuSecondsPer1000(provisioned, run.requests)),
    busyGpuSeconds: r3(run.busyS),
    busyGpuSecondsPer1000: r3(gpuSecondsPer1000(run.busyS, run.requests)),
    utilisation: r3(provisioned > 0 ? run.busyS / provisioned : 0),
    ttftP50Ms: r3(quantile(ttft, 0.5) * 1000),
    ttftP99Ms: r3(quantile(ttft, 0.99) * 1000),
  };
}
