/**
 * ScaleClient on Kubernetes: the `/scale` subresource of any group's resource, through the
 * generic custom-objects paths (`/apis/<group>/<version>/namespaces/<ns>/<plural>/<name>/scale`),
 * which serve built-in kinds (apps/v1 deployments) and CRDs (rayclusterfleets) alike; and the
 * model a target's pod template declares (a GET of the target itself).
 */
import type { KubeClients } from './clients.js';
import { ENGINE_LABELS } from './pod-endpoint.js';
import { MERGE_PATCH, kubeCall } from './request.js';
import type { ScaleCallOptions, ScaleClient, ScaleState, ScaleTarget } from './scale.js';

export interface K8sScaleClientOptions {
  readonly clients: KubeClients;
  /** Bound of each request in ms (`kube.requestTimeoutMs`). */
  readonly requestTimeoutMs: number;
}

/** The part of a Deployment, StatefulSet or RayClusterFleet the template's model is read from. */
interface TemplatedObject {
  spec?: { template?: { metadata?: { labels?: Record<string, unknown> } } };
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
    const labels = object.spec?.template?.metadata?.labels ?? {};
    for (const key of ENGINE_LABELS.model) {
      const value = labels[key];
      if (typeof value === 'string' && value !== '') return value;
    }
    return undefined;
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
