/**
 * The ScaleClient port: read and set the replicas of anything with a scale subresource
 * (Deployment, StatefulSet, RayClusterFleet), as a PodAutoscaler's scaleTargetRef names it.
 * `K8sScaleClient` is the Kubernetes adapter; `InMemoryScaleClient` serves the static mode and tests.
 */
import { AppError } from '../shared/index.js';
import { INFERNODE_GROUP, INFERNODE_VERSION } from '../discovery/index.js';

/** Where a scale subresource lives. */
export interface ScaleTarget {
  /** API group; '' is not supported (no core type infernode scales). */
  readonly group: string;
  readonly version: string;
  /** Resource plural, e.g. `deployments`. */
  readonly plural: string;
  readonly namespace: string;
  readonly name: string;
}

/** The scale of a target. */
export interface ScaleState {
  /** Desired replicas (spec). */
  readonly replicas: number;
  /** Observed replicas (status). */
  readonly statusReplicas: number;
  /** Label selector of the target's pods, in string form, when the target reports one. */
  readonly selector: string | undefined;
}

/** Per-call options; adapters add their own request timeout. */
export interface ScaleCallOptions {
  readonly signal?: AbortSignal;
}

/** The port. Failures are AppErrors (K8S_NOT_FOUND when the target does not exist). */
export interface ScaleClient {
  getScale(target: ScaleTarget, options: ScaleCallOptions): Promise<ScaleState>;
  /** Sets desired replicas (idempotent). */
  setReplicas(target: ScaleTarget, replicas: number, options: ScaleCallOptions): Promise<void>;
  /**
   * The model the target's pod template declares (`spec.template.metadata.labels`
   * `model.infernode.io/name` or AIBrix's `model.aibrix.ai/name`, as discovery reads pods), so a
   * target at zero replicas is known by its model without engines to see. Undefined when the
   * template names none; clients that cannot read templates leave the method out. On a
   * RayClusterFleet the label is read from its head pod template or the fleet's own labels.
   */
  templateModel?(target: ScaleTarget, options: ScaleCallOptions): Promise<string | undefined>;
}

const KNOWN_KINDS: Readonly<Record<string, Omit<ScaleTarget, 'namespace' | 'name'>>> = {
  Deployment: { group: 'apps', version: 'v1', plural: 'deployments' },
  StatefulSet: { group: 'apps', version: 'v1', plural: 'statefulsets' },
  ReplicaSet: { group: 'apps', version: 'v1', plural: 'replicasets' },
  RayClusterFleet: {
    group: INFERNODE_GROUP,
    version: INFERNODE_VERSION,
    plural: 'rayclusterfleets',
  },
  // The static cluster file's group of simulated engines (cluster-file-scale-group.ts).
  ScaleGroup: { group: INFERNODE_GROUP, version: INFERNODE_VERSION, plural: 'scalegroups' },
};

/**
 * The scale target a PodAutoscaler's `scaleTargetRef` names. Known kinds map to their plural;
 * for others the plural is the lower-case kind + 's'. Throws K8S_INVALID for a core-group kind.
 */
export function scaleTargetOf(
  ref: {
    readonly apiVersion?: string;
    readonly kind: string;
    readonly name: string;
    readonly namespace?: string;
  },
  defaultNamespace: string,
): ScaleTarget {
  const known = KNOWN_KINDS[ref.kind];
  const [group, version] = ref.apiVersion?.includes('/')
    ? (ref.apiVersion.split('/') as [string, string])
    : [known?.group ?? '', ref.apiVersion ?? known?.version ?? 'v1'];
  if (group === '') throw new AppError('K8S_INVALID', `cannot scale core-group kind ${ref.kind}`);
  const plural = known?.group === group ? known.plural : `${ref.kind.toLowerCase()}s`;
  return { group, version, plural, namespace: ref.namespace ?? defaultNamespace, name: ref.name };
}

const keyOf = (t: ScaleTarget): string => `${t.group}/${t.plural}/${t.namespace}/${t.name}`;

/** Scales kept in memory; unknown targets answer K8S_NOT_FOUND until `define`d. */
export class InMemoryScaleClient implements ScaleClient {
  readonly #scales = new Map<string, ScaleState>();
  /** Every setReplicas call, in order (bounded to the last 1000). */
  readonly history: { readonly target: ScaleTarget; readonly replicas: number }[] = [];

  /** Declares a target with its current scale. */
  define(target: ScaleTarget, state: ScaleState): void {
    this.#scales.set(keyOf(target), state);
  }

  getScale(target: ScaleTarget): Promise<ScaleState> {
    const state = this.#scales.get(keyOf(target));
    if (!state)
      return Promise.reject(new AppError('K8S_NOT_FOUND', `no scale target ${keyOf(target)}`));
    return Promise.resolve(state);
  }

  setReplicas(target: ScaleTarget, replicas: number): Promise<void> {
    const state = this.#scales.get(keyOf(target));
    if (!state)
      return Promise.reject(new AppError('K8S_NOT_FOUND', `no scale target ${keyOf(target)}`));
    this.#scales.set(keyOf(target), { ...state, replicas, statusReplicas: replicas });
    this.history.push({ target, replicas });
    if (this.history.length > 1000) this.history.shift();
    return Promise.resolve();
  }
}
