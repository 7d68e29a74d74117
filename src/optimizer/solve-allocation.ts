/**
 * Solves an AllocationProblem: slices no option can serve are set apart with a reason, the rest
 * go to the ILP (lp-model.ts) through an LpSolver port with the time budget; when the solver
 * throws, runs out of time or answers anything but an optimum, the greedy allocation is used
 * and says why. Pure apart from the port, so tests hand it a real HiGHS or a failing fake.
 */
import { toError } from '../shared/index.js';
import {
  costOf,
  type Allocation,
  type AllocationProblem,
  type SliceAssignment,
  type UnservableSlice,
} from './allocation.js';
import { greedyAllocation, replicasFor } from './greedy-allocation.js';
import { buildLpModel } from './lp-model.js';

/** What an LP/MILP solver answers. */
export interface LpSolution {
  /** `Optimal` when solved; anything else (e.g. `Time limit reached`, `Infeasible`) is not. */
  readonly status: string;
  /** Primal value per variable name. */
  readonly values: Readonly<Record<string, number>>;
}

/**
 * The solver port: adapters/highs-solver.ts runs HiGHS in process (bench, tests) and
 * adapters/highs-worker-solver.ts in a worker thread (the leader, whose event loop also serves
 * the gateway).
 */
export interface LpSolver {
  /** Solves CPLEX LP text within `timeLimitS` seconds. May reject. */
  solve(lpText: string, timeLimitS: number): Promise<LpSolution>;
}

/** Shares below this are solver noise, not an assignment. */
const SHARE_EPSILON = 1e-6;

/** See the file comment. */
export async function solveAllocation(
  problem: AllocationProblem,
  solver: LpSolver,
): Promise<Allocation> {
  const { options } = problem;
  const unservable: UnservableSlice[] = [];
  const servable = problem.slices.filter((slice) => {
    if (options.some((o) => o.maxRps(slice) > 0)) return true;
    unservable.push({
      sliceId: slice.id,
      reason:
        options.length === 0
          ? 'no deployment is configured for this model'
          : `no GPU type meets the SLO for ${slice.inputTokens} input / ${slice.outputTokens} output tokens (${options.map((o) => o.gpu).join(', ')} profiled)`,
    });
    return false;
  });
  if (servable.length === 0) {
    const replicas = Object.fromEntries(options.map((o) => [o.id, replicasFor(0, o.minReplicas)]));
    return {
      method: 'floor',
      replicas,
      costPerHour: costOf(options, replicas),
      assignments: [],
      unservable,
    };
  }
  const model = buildLpModel(servable, options);
  let solution: LpSolution;
  try {
    solution = await solver.solve(model.text, problem.timeBudgetS);
  } catch (err) {
    return greedyAllocation(
      servable,
      options,
      unservable,
      `solver failed: ${toError(err).message}`,
    );
  }
  if (solution.status !== 'Optimal')
    return greedyAllocation(servable, options, unservable, `solver status: ${solution.status}`);
  const replicas: Record<string, number> = {};
  options.forEach((o, g) => {
    const v = solution.values[model.replicaVars[g] as string] ?? 0;
    // Integer columns come back as 2.9999999: round to the integer HiGHS meant.
    replicas[o.id] = Math.max(replicasFor(0, o.minReplicas), Math.round(v));
  });
  const assignments: SliceAssignment[] = [];
  for (const v of model.shareVars) {
    const share = solution.values[v.name] ?? 0;
    if (share > SHARE_EPSILON)
      assignments.push({
        sliceId: servable[v.slice]?.id ?? '',
        optionId: options[v.option]?.id ?? '',
        share: Math.min(1, share),
      });
  }
  return {
    method: 'ilp',
    replicas,
    costPerHour: costOf(options, replicas),
    assignments,
    unservable,
  };
}
