/**
 * One optimizer round: for each model, the window of its finished requests is clustered into
 * slices, each of its deployments with a profile becomes a replica option, and the allocation
 * (ILP or greedy fallback) gives every deployment its replica count. A deployment without a
 * profile gets no number (and a reason): publishing none makes its PodAutoscaler keep its
 * current scale instead of acting on a guess.
 */
import type { Allocation, ReplicaOption } from './allocation.js';
import { profileMaxRps, type GpuProfile } from './gpu-profile.js';
import { clusterLoad, type LengthPoint, type WorkloadSlice } from './load-clustering.js';
import { deploymentKey, type OptimizerDeployment } from './optimizer-deployment.js';
import { solveAllocation, type LpSolver } from './solve-allocation.js';

/** A deployment's answer in one round. */
export interface DeploymentRecommendation {
  readonly deployment: OptimizerDeployment;
  /** Recommended replicas; null when there is no profile for it. */
  readonly replicas: number | null;
  /** Why there is no number (stable code and message). */
  readonly problem?: { readonly code: 'OPTIMIZER_PROFILE_MISSING'; readonly message: string };
}

/** A model's share of a round. */
export interface ModelRound {
  readonly model: string;
  readonly slices: readonly WorkloadSlice[];
  readonly allocation: Allocation;
}

/** What a round produced. */
export interface OptimizerRound {
  readonly atMs: number;
  readonly models: readonly ModelRound[];
  readonly recommendations: readonly DeploymentRecommendation[];
}

/** Inputs of a round. */
export interface RoundInput {
  readonly atMs: number;
  readonly deployments: readonly OptimizerDeployment[];
  /** Valid profiles (invalid ones were reported by whoever loaded them). */
  readonly profiles: readonly GpuProfile[];
  /** The window's finished requests of a model. */
  readonly requests: (model: string) => readonly LengthPoint[];
  readonly windowS: number;
  readonly timeBudgetS: number;
  readonly cellsPerOctave?: number;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Finds the profile of (model, gpu); the GPU type matches case-insensitively. */
export function findProfile(
  profiles: readonly GpuProfile[],
  model: string,
  gpu: string,
): GpuProfile | undefined {
  return profiles.find((p) => p.model === model && same(p.gpu, gpu));
}

/** Runs one round (see the file comment). */
export async function recommendReplicas(
  input: RoundInput,
  solver: LpSolver,
): Promise<OptimizerRound> {
  const recommendations: DeploymentRecommendation[] = [];
  const models: ModelRound[] = [];
  for (const model of [...new Set(input.deployments.map((d) => d.model))]) {
    const options: ReplicaOption[] = [];
    for (const d of input.deployments.filter((x) => x.model === model)) {
      const profile = findProfile(input.profiles, model, d.gpu);
      if (profile === undefined) {
        recommendations.push({
          deployment: d,
          replicas: null,
          problem: {
            code: 'OPTIMIZER_PROFILE_MISSING',
            message: `no GPU profile for model ${model} on ${d.gpu}`,
          },
        });
        continue;
      }
      options.push({
        id: deploymentKey(d),
        gpu: profile.gpu,
        costPerHour: profile.costPerHour,
        minReplicas: d.minReplicas,
        maxRps: (s) => profileMaxRps(profile, s.inputTokens, s.outputTokens),
      });
    }
    const slices = clusterLoad(input.requests(model), input.windowS, input.cellsPerOctave);
    const allocation = await solveAllocation(
      { slices, options, timeBudgetS: input.timeBudgetS },
      solver,
    );
    models.push({ model, slices, allocation });
    for (const d of input.deployments.filter((x) => x.model === model)) {
      const replicas = allocation.replicas[deploymentKey(d)];
      if (replicas !== undefined) recommendations.push({ deployment: d, replicas });
    }
  }
  return { atMs: input.atMs, models, recommendations };
}
