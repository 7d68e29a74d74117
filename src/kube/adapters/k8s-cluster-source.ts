/**
 * The Kubernetes adapter of the discovery port (DESIGN.md §2, §5). The leader and the agents
 * watch engine pods in the namespaces of their {@link DiscoveryScope} (by default their own), one
 * informer per namespace, or cluster-wide only when the scope says `*`; an agent watches only its
 * node's pods (field selector `spec.nodeName=<node>`). Pods outside the scope (a required label
 * or owner kind missing) are never endpoints. Engine pods carry `model.infernode.io/name` or
 * AIBrix's `model.aibrix.ai/name`; a label selector cannot OR two keys, so there is one informer
 * per key and the view merges them. The infernode custom resources are watched too (leader).
 * Each informer runs under an InformerSupervisor.
 */
import {
  V1ObjectMeta,
  type KubernetesListObject,
  type KubernetesObject,
  type V1Pod,
} from '@kubernetes/client-node';
import type {
  ClusterSource,
  ClusterView,
  CustomResource,
  EngineEndpoint,
} from '../../discovery/index.js';
import { setMaxListeners } from 'node:events';
import {
  ConfigError,
  linkedSignal,
  systemClock,
  systemRng,
  toError,
  type Logger,
} from '../../shared/index.js';
import type { KubeClients } from './clients.js';
import { CRD_KINDS, INFERNODE_GROUP, INFERNODE_VERSION } from '../../discovery/index.js';
import { InformerSupervisor, type InformerSupervisorOptions } from './informer-supervisor.js';
import { isPodInScope, scopeLabelSelector, type DiscoveryScope } from '../discovery-scope.js';
import { ENGINE_LABELS, podToEndpoint } from '../pod-endpoint.js';
import { kubeCall } from './request.js';

/** Restart tuning shared by every informer of the source, with the root's clock and random source. */
export type SupervisorTuning = Pick<
  InformerSupervisorOptions<KubernetesObject>,
  'backoff' | 'healthyResetMs' | 'delay' | 'clock' | 'rng' | 'watch' | 'registry'
>;

/**
 * The tuning a K8sClusterSource takes. Both mains pass their clock and random source; tests that
 * leave them out get the system ones.
 */
export type ClusterSourceTuning = Omit<SupervisorTuning, 'clock' | 'rng'> &
  Partial<Pick<SupervisorTuning, 'clock' | 'rng'>>;

export interface K8sClusterSourceOptions {
  readonly clients: KubeClients;
  readonly log: Logger;
  /** Agent mode: only pods bound to this node. Undefined: every node (leader). */
  readonly node?: string;
  /** Which pods may be engines: namespaces, required labels and owner kinds (discovery-scope.ts). */
  readonly scope: DiscoveryScope;
  /**
   * Also watch ModelAdapter, PodAutoscaler, RayClusterFleet and KVCache. Default: true for the
   * leader (no `node`), false for agents (their RBAC does not grant it).
   */
  readonly watchCustomResources?: boolean;
  /** Bound of each list request in ms (`kube.requestTimeoutMs`). */
  readonly requestTimeoutMs: number;
  readonly supervisor?: ClusterSourceTuning;
}

type AnyList = KubernetesListObject<KubernetesObject>;

/** Discovery from Kubernetes informers. Throws ConfigError for an empty `node`. */
export class K8sClusterSource implements ClusterSource {
  readonly name = 'k8s-cluster-source';
  readonly synced: Promise<void>;
  readonly #options: K8sClusterSourceOptions;
  readonly #pods: InformerSupervisor<V1Pod>[] = [];
  readonly #resources: InformerSupervisor<KubernetesObject>[] = [];
  readonly #listeners = new Set<(view: ClusterView) => void>();
  #view: ClusterView = { endpoints: [], resources: [] };
  #scheduled = false;
  #isSynced = false;

  constructor(options: K8sClusterSourceOptions) {
    // An empty node name would select the unscheduled pods of every node.
    if (options.node?.trim() === '')
      throw new ConfigError([
        { path: 'node', message: 'an agent needs its node name (NODE_NAME)' },
      ]);
    this.#options = options;
    const { namespaces: scoped } = options.scope;
    const namespaces: readonly (string | undefined)[] = scoped === 'all' ? [undefined] : scoped;
    for (const ns of namespaces) {
      for (const label of ENGINE_LABELS.model) this.#pods.push(this.#podInformer(ns, label));
      if (options.watchCustomResources ?? options.node === undefined)
        for (const { plural } of CRD_KINDS) this.#resources.push(this.#crInformer(ns, plural));
    }
    for (const s of [...this.#pods, ...this.#resources]) s.onChange(() => this.#schedule());
    this.synced = Promise.all([...this.#pods, ...this.#resources].map((s) => s.synced)).then(() => {
      this.#isSynced = true;
      this.#recompute();
    });
  }

  current(): ClusterView {
    return this.#view;
  }

  onChange(listener: (view: ClusterView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = [...this.#pods, ...this.#resources];
    // Every informer listens on this one signal (its run loop, its list and watch calls): with
    // several namespaces and resource kinds that passes Node's default bound of 10 listeners
    // legitimately, so the fan-out gets its own signal with a bound sized to it.
    const group = linkedSignal([signal]);
    setMaxListeners(Math.max(10, informers.length * 4), group.signal);
    try {
      await Promise.all(informers.map((s) => s.run(group.signal)));
    } finally {
      group.dispose();
    }
  }

  #tuning(name: string, path: string): Omit<InformerSupervisorOptions<KubernetesObject>, 'list'> {
    const { clients, log, supervisor } = this.#options;
    const clock = supervisor?.clock ?? systemClock;
    const rng = supervisor?.rng ?? systemRng;
    return { ...supervisor, clock, rng, name, path, kubeConfig: clients.kubeConfig, log };
  }

  #podInformer(ns: string | undefined, label: string): InformerSupervisor<V1Pod> {
    const { clients, node, requestTimeoutMs: timeoutMs } = this.#options;
    const fieldSelector = node === undefined ? undefined : `spec.nodeName=${node}`;
    const path = ns === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${ns}/pods`;
    const labelSelector = scopeLabelSelector(label, this.#options.scope);
    const query = { labelSelector, ...(fieldSelector ? { fieldSelector } : {}) };
    const name = `pods(${label}${ns ? `, ns=${ns}` : ''}${node ? `, node=${node}` : ''})`;
    return new InformerSupervisor<V1Pod>({
      ...this.#tuning(name, path),
      labelSelector,
      ...(fieldSelector ? { fieldSelector } : {}),
      list: (signal) =>
        kubeCall(`list ${name}`, { signal, timeoutMs }, (o) =>
          ns === undefined
            ? clients.core.listPodForAllNamespaces(query, o)
            : clients.core.listNamespacedPod({ ...query, namespace: ns }, o),
        ),
    });
  }

  #crInformer(ns: string | undefined, plural: string): InformerSupervisor<KubernetesObject> {
    const { clients, requestTimeoutMs: timeoutMs } = this.#options;
    const base = `/apis/${INFERNODE_GROUP}/${INFERNODE_VERSION}`;
    const path = ns === undefined ? `${base}/${plural}` : `${base}/namespaces/${ns}/${plural}`;
    const gvp = { group: INFERNODE_GROUP, version: INFERNODE_VERSION, plural };
    const name = `${plural}${ns ? `(ns=${ns})` : ''}`;
    return new InformerSupervisor<KubernetesObject>({
      ...this.#tuning(name, path),
      list: (signal) =>
        kubeCall(
          `list ${name}`,
          { signal, timeoutMs },
          async (o) =>
            (ns === undefined
              ? await clients.custom.listClusterCustomObject(gvp, o)
              : await clients.custom.listNamespacedCustomObject(
                  { ...gvp, namespace: ns },
                  o,
                )) as AnyList,
        ),
    });
  }

  /** Coalesces bursts (a relist of 1000 pods) into one recompute on the next turn. */
  #schedule(): void {
    if (this.#scheduled || !this.#isSynced) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#recompute();
    });
  }

  #recompute(): void {
    const endpoints = new Map<string, EngineEndpoint>();
    for (const s of this.#pods) {
      for (const pod of s.list()) {
        if (!isPodInScope(pod, this.#options.scope)) continue;
        const endpoint = podToEndpoint(pod);
        // A pod with both labels shows up in both informers; the first (infernode's) wins.
        if (endpoint && !endpoints.has(endpoint.id)) endpoints.set(endpoint.id, endpoint);
      }
    }
    const resources: CustomResource[] = [];
    for (const s of this.#resources) resources.push(...s.list().map(toCustomResource));
    const byKey = (r: CustomResource): string =>
      `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`;
    resources.sort((a, b) => byKey(a).localeCompare(byKey(b)));
    this.#view = {
      endpoints: [...endpoints.values()].sort((a, b) => a.id.localeCompare(b.id)),
      resources,
    };
    for (const listener of this.#listeners) {
      try {
        listener(this.#view);
      } catch (err) {
        this.#options.log.error({ err: toError(err) }, 'cluster view listener failed');
      }
    }
  }
}

function toCustomResource(obj: KubernetesObject): CustomResource {
  const raw = obj as KubernetesObject & { spec?: unknown; status?: unknown };
  const md = obj.metadata ?? new V1ObjectMeta();
  return {
    apiVersion: obj.apiVersion ?? `${INFERNODE_GROUP}/${INFERNODE_VERSION}`,
    kind: obj.kind ?? '',
    metadata: {
      name: md.name ?? '',
      ...(md.namespace !== undefined ? { namespace: md.namespace } : {}),
      ...(md.labels !== undefined ? { labels: md.labels } : {}),
      ...(md.annotations !== undefined ? { annotations: md.annotations } : {}),
      ...(md.resourceVersion !== undefined ? { resourceVersion: md.resourceVersion } : {}),
      ...(md.generation !== undefined ? { generation: md.generation } : {}),
      ...(md.uid !== undefined ? { uid: md.uid } : {}),
      ...(md.finalizers !== undefined ? { finalizers: md.finalizers } : {}),
      ...(md.deletionTimestamp == null
        ? {}
        : { deletionTimestamp: new Date(md.deletionTimestamp).toISOString() }),
    },
    spec: raw.spec,
    status: raw.status,
  };
}
