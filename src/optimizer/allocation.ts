/**
 * The optimizer's problem and answer, as plain data: workload slices, the replica options that
 * can serve them (one per deployment: a GPU type with its profile), and how many replicas of
 * each serve the load at the lowest cost per hour within every slice's SLO.
 */
import type { WorkloadSlice } from './load-clustering.js';

/** One way to add capacity: a replica of one deployment (one GPU type). */
export interface ReplicaOption {
  /** Stable id (the deployment's `namespace/name`). */
  readonly id: string;
  /** GPU type, for reports. */
  readonly gpu: string;
  /** Cost of one replica per hour (from its profile). */
  readonly costPerHour: number;
  /** Replicas kept even without load (a floor), ≥ 0. */
  readonly minReplicas: number;
  /** Requests/s one replica sustains for the slice's shape within the SLO; 0: it cannot. */
  readonly maxRps: (slice: WorkloadSlice) => number;
}

/** What the solver is asked. */
export interface AllocationProblem {
  readonly slices: readonly WorkloadSlice[];
  readonly options: readonly ReplicaOption[];
  /** Wall-clock budget of the ILP solve, seconds; past it the greedy answer is used. */
  readonly timeBudgetS: number;
}

/** Part of a slice's rate served by one option. */
export interface SliceAssignment {
  readonly sliceId: string;
  readonly optionId: string;
  /** Fraction of the slice's rate, (0, 1]. */
  readonly share: number;
}

/** A slice no option can serve within its SLO, with why. */
export interface UnservableSlice {
  readonly sliceId: string;
  readonly reason: string;
}

/** The answer. */
export interface Allocation {
  /**
   * `ilp`: the solver's optimum; `greedy`: the fallback (solver failed or ran out of time, see
   * fallbackReason); `floor`: no servable load, every option at its minimum.
   */
  readonly method: 'ilp' | 'greedy' | 'floor';
  readonly fallbackReason?: string;
  /** Replicas per option id (every option present). */
  readonly replicas: Readonly<Record<string, number>>;
  /** Σ replicas × cost per hour. */
  readonly costPerHour: number;
  readonly assignments: readonly SliceAssignment[];
  /** Slices left out: served by no option (an empty list when all load fits some SLO). */
  readonly unservable: readonly UnservableSlice[];
}

/** Cost per hour of a replica count map. */
export function costOf(
  options: readonly ReplicaOption[],
  replicas: Readonly<Record<string, number>>,
): number {
  return options.reduce((sum, o) => sum + o.costPerHour * (replicas[o.id] ?? 0), 0);
}
