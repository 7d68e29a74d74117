/**
 * ScaleClient on Kubernetes: the `/scale` subresource of any group's resource, through the
 * generic custom-objects paths (`/apis/<group>/<version>/namespaces/<ns>/<plural>/<name>/scale`),
 * which serve built-in kinds (apps/v1 deployments) and CRDs (rayclusterfleets) alike; and the
 * model a target declares (a GET of the target itself: its pod template's labels, a fleet's head
 * pod template or its own labels).
 */
import type { KubeClients } from './clients.js';
import { ENGINE_LABELS } from '../pod-endpoint.js';
import { MERGE_PATCH, kubeCall } from './request.js';
import type { ScaleCallOptions, ScaleClient, ScaleState, ScaleTarget } from '../scale.js';

export interface K8sScaleClientOptions {
  readonly clients: KubeClients;
  /** Bound of each request in ms (`kube.requestTimeoutMs`). */
  readonly requestTimeoutMs: number;
}

type Labels = Record<string, unknown> | undefined;

/** The parts of a Deployment, StatefulSet or RayClusterFleet a target's model is read from. */
interface TemplatedObject {
  metadata?: { labels?: Labels };
  spec?: {
    template?: {
      metadata?: { labels?: Labels };
      /** A RayClusterFleet's template is a RayCluster's: its head pod serves the model. */
      spec?: { headGroupSpec?: { template?: { metadata?: { labels?: Labels } } } };
    };
  };
}

/**
 * The label sets that may name a target's model, in the order its engines get theirs. A
 * Deployment's or StatefulSet's pods carry the pod template's labels. A RayClusterFleet's head
 * pods get the fleet's own model label first, then
 * its RayCluster template's, then the head pod template's own (src/fleet/ray-cluster-body.ts):
 * a fleet at zero has no head pod to show it.
 */
function labelSetsOf(object: TemplatedObject, fleet: boolean): Labels[] {
  const template = object.spec?.template;
  const head = template?.spec?.headGroupSpec?.template?.metadata?.labels;
  return fleet
    ? [object.metadata?.labels, template?.metadata?.labels, head]
    : [template?.metadata?.labels];
}

/** The first non-empty model label of the label sets, in order. */
function modelOf(sets: readonly Labels[]): string | undefined {
  for (const labels of sets)
    for (const key of ENGINE_LABELS.model) {
      const value = labels?.[key];
      if (typeof value === 'string' && value !== '') return value;
    }
  return undefined;
}

interface ScaleObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

const describe = (t: ScaleTarget): string => `${t.plural}.${t.group} ${t.namespace}/${t.name}`;

/** ScaleClient through the API server's scale subresource. */
export class K8sScaleClient implements ScaleClient {
  readonly #options: K8sScaleClientOptions;

  constructor(options: K8sScaleClientOptions) {
    this.#options = options;
  }

  async getScale(target: ScaleTarget, options: ScaleCallOptions): Promise<ScaleState> {
    const scale = (await kubeCall(
      `get scale of ${describe(target)}`,
      { ...options, timeoutMs: this.#options.requestTimeoutMs },
      (o) => this.#options.clients.custom.getNamespacedCustomObjectScale(target, o),
    )) as ScaleObject;
    return {
      replicas: scale.spec?.replicas ?? 0,
      statusReplicas: scale.status?.replicas ?? 0,
      selector: scale.status?.selector,
    };
  }

  async templateModel(target: ScaleTarget, options: ScaleCallOptions): Promise<string | undefined> {
    const object = (await kubeCall(
      `get ${describe(target)}`,
      { ...options, timeoutMs: this.#options.requestTimeoutMs },
      (o) => this.#options.clients.custom.getNamespacedCustomObject(target, o),
    )) as TemplatedObject;
    return modelOf(labelSetsOf(object, target.plural === 'rayclusterfleets'));
  }

  async setReplicas(
    target: ScaleTarget,
    replicas: number,
    options: ScaleCallOptions,
  ): Promise<void> {
    await kubeCall(
      `scale ${describe(target)} to ${replicas}`,
      { ...options, timeoutMs: this.#options.requestTimeoutMs, contentType: MERGE_PATCH },
      (o) =>
        this.#options.clients.custom.patchNamespacedCustomObjectScale(
          { ...target, body: { spec: { replicas } } },
          o,
        ),
    );
  }
}
