/**
 * A ModelAdapter resource → the placement's AdapterWant, or the reason it cannot be placed. Pure.
 * The CRD's schema and CEL rules refuse most bad input on Kubernetes; the static cluster file has
 * no API server in front of it, so everything is checked again here, and what no schema can check
 * (a name equal to a base model some engine serves) is checked only here.
 */
import type { ModelAdapter } from './model-adapter.js';
import {
  PLACEMENT_POLICIES,
  type AdapterWant,
  type PlacementPolicy,
} from './placement-contract.js';

/** A served model id the adapter's name must be: a DNS-1123 label, at most 63 characters. */
const MODEL_ID = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;

/** AIBrix's policy names → ours (`default` is leastAdapters; latency/throughput → leastLoad). */
const POLICY_ALIASES: Readonly<Record<string, PlacementPolicy>> = {
  default: 'leastAdapters',
  leastLatency: 'leastLoad',
  leastThroughput: 'leastLoad',
};

/** Why a resource cannot be placed: a stable reason for conditions and Events, and a message. */
export interface InvalidAdapter {
  readonly ok: false;
  /** `InvalidName`, `NameIsBaseModel`, `InvalidReplicas`, `InvalidScheduler`, `InvalidSpec`. */
  readonly reason: string;
  readonly message: string;
}

/** The normalized want, or why there is none. */
export type AdapterWantResult = { readonly ok: true; readonly want: AdapterWant } | InvalidAdapter;

const invalid = (reason: string, message: string): InvalidAdapter => ({
  ok: false,
  reason,
  message,
});

/** The placement policy a schedulerName means, or undefined for an unknown one. */
export function placementPolicy(schedulerName: string | undefined): PlacementPolicy | undefined {
  const name = schedulerName ?? 'default';
  return POLICY_ALIASES[name] ?? PLACEMENT_POLICIES.find((p) => p === name);
}

/**
 * Checks and normalizes one ModelAdapter. `key` is `<namespace>/<name>`; `baseModels` are the
 * models engines serve (an adapter may not shadow one); `rank` is what a load reported, if any.
 */
export function adapterWant(
  key: string,
  resource: ModelAdapter,
  baseModels: ReadonlySet<string>,
  rank: number | undefined,
): AdapterWantResult {
  const name = resource.metadata.name;
  const spec = resource.spec as Partial<ModelAdapter['spec']> | undefined;
  if (!MODEL_ID.test(name))
    return invalid(
      'InvalidName',
      `"${name}" is not a valid model id (at most 63 lowercase letters, digits, '-' or '.')`,
    );
  if (spec === undefined || typeof spec !== 'object')
    return invalid('InvalidSpec', 'the resource has no spec');
  if (name === spec.baseModel || baseModels.has(name))
    return invalid(
      'NameIsBaseModel',
      `"${name}" is the name of a base model; requests could not tell them apart`,
    );
  if (typeof spec.artifactURL !== 'string' || spec.artifactURL === '')
    return invalid('InvalidSpec', 'spec.artifactURL is required');
  const replicas = spec.replicas;
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 1))
    return invalid(
      'InvalidReplicas',
      `spec.replicas must be an integer ≥ 1, got ${String(replicas)}`,
    );
  const policy = placementPolicy(spec.schedulerName);
  if (policy === undefined)
    return invalid('InvalidScheduler', `unknown schedulerName "${String(spec.schedulerName)}"`);
  const deleting = resource.metadata.deletionTimestamp !== undefined;
  return {
    ok: true,
    want: {
      key,
      name,
      baseModel:
        typeof spec.baseModel === 'string' && spec.baseModel !== '' ? spec.baseModel : undefined,
      podSelector: spec.podSelector ?? {},
      replicas,
      policy,
      rank,
      deleting,
    },
  };
}
