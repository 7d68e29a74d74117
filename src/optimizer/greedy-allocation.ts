/**
 * The feasible fallback when the ILP cannot answer in time: each slice goes whole to the option
 * that serves it at the lowest cost per request/s (cost per hour ÷ max rate), then each option
 * gets enough replicas for the load it took (rounded up, at least its floor). Always feasible
 * when every slice has some option; never cheaper than the ILP, often close.
 */
import {
  costOf,
  type Allocation,
  type ReplicaOption,
  type SliceAssignment,
  type UnservableSlice,
} from './allocation.js';
import type { WorkloadSlice } from './load-clustering.js';

/** Small slack so float noise (3.0000000001 replicas of load) does not buy a whole replica. */
const ROUNDING_SLACK = 1e-9;

/** Replicas for `load` (in replica units), at least `floor`. */
export function replicasFor(load: number, floor: number): number {
  return Math.max(floor, Math.ceil(load - ROUNDING_SLACK));
}

/** Greedy allocation of `slices` (all servable by some option) over `options`. */
export function greedyAllocation(
  slices: readonly WorkloadSlice[],
  options: readonly ReplicaOption[],
  unservable: readonly UnservableSlice[],
  fallbackReason?: string,
): Allocation {
  const load = new Map<string, number>(options.map((o) => [o.id, 0]));
  const assignments: SliceAssignment[] = [];
  for (const slice of slices) {
    let best: { option: ReplicaOption; rate: number } | undefined;
    for (const option of options) {
      const rate = option.maxRps(slice);
      if (rate <= 0) continue;
      if (best === undefined || option.costPerHour / rate < best.option.costPerHour / best.rate)
        best = { option, rate };
    }
    if (best === undefined) continue; // the caller already listed it as unservable
    load.set(best.option.id, (load.get(best.option.id) ?? 0) + slice.rps / best.rate);
    assignments.push({ sliceId: slice.id, optionId: best.option.id, share: 1 });
  }
  const replicas = Object.fromEntries(
    options.map((o) => [o.id, replicasFor(load.get(o.id) ?? 0, o.minReplicas)]),
  );
  return {
    method: 'greedy',
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
    replicas,
    costPerHour: costOf(options, replicas),
    assignments,
    unservable,
  };
}
