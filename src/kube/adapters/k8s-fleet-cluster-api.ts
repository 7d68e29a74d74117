/**
 * The Kubernetes adapter of the RayClusterFleet controller's port (src/fleet
 * fleet-cluster-api.ts): informers on KubeRay RayClusters (`ray.io/v1`) and apps/v1
 * ControllerRevisions carrying `infernode.io/fleet-name`, one pair per watched namespace (or
 * cluster-wide for `all`), and the creates, deletes and merge patches a plan needs, each bounded
 * by `requestTimeoutMs`. A revision record is a ControllerRevision whose `data` is the fleet's
 * template, as StatefulSet and DaemonSet keep theirs.
 */
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import {
  FLEET_LABELS,
  type FleetCallOptions,
  type FleetClusterApi,
  type FleetRevisionRecord,
  type OwnerReference,
  type RayClusterObject,
} from '../../fleet/index.js';
import { hasCode, type Runnable } from '../../shared/index.js';
import type { KubeClients } from './clients.js';
import type { SupervisorTuning } from './k8s-cluster-source.js';
import { InformerSupervisor } from './informer-supervisor.js';
import { MERGE_PATCH, kubeCall } from './request.js';
import type { Logger } from '../../shared/index.js';

const RAY = { group: 'ray.io', version: 'v1', plural: 'rayclusters' } as const;
const FLEETS = { group: 'infernode.io', version: 'v1alpha1', plural: 'rayclusterfleets' } as const;

export interface K8sFleetClusterApiOptions {
  readonly clients: KubeClients;
  /** Namespaces watched (the discovery scope's), or `all`. */
  readonly namespaces: readonly string[] | 'all';
  readonly requestTimeoutMs: number;
  readonly log: Logger;
  readonly supervisor: SupervisorTuning;
}

type AnyList = KubernetesListObject<KubernetesObject>;

/** The ControllerRevision fields read back. */
interface RevisionObject {
  readonly metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  readonly revision: number;
  readonly data?: unknown;
}

/** RayClusters and revision records through the Kubernetes API. */
export class K8sFleetClusterApi implements FleetClusterApi, Runnable {
  readonly name = 'fleet-cluster-api';
  readonly #o: K8sFleetClusterApiOptions;
  readonly #clusters: InformerSupervisor<KubernetesObject>[] = [];
  readonly #revisions: InformerSupervisor<KubernetesObject>[] = [];

  constructor(options: K8sFleetClusterApiOptions) {
    this.#o = options;
    const namespaces = options.namespaces === 'all' ? [undefined] : options.namespaces;
    for (const ns of namespaces) {
      this.#clusters.push(this.#informer(ns, 'rayclusters'));
      this.#revisions.push(this.#informer(ns, 'controllerrevisions'));
    }
  }

  #informer(
    ns: string | undefined,
    kind: 'rayclusters' | 'controllerrevisions',
  ): InformerSupervisor<KubernetesObject> {
    const { clients, requestTimeoutMs: timeoutMs } = this.#o;
    const base = kind === 'rayclusters' ? '/apis/ray.io/v1' : '/apis/apps/v1';
    const path = ns === undefined ? `${base}/${kind}` : `${base}/namespaces/${ns}/${kind}`;
    const labelSelector = FLEET_LABELS.fleetName;
    const name = `${kind}${ns === undefined ? '' : `(ns=${ns})`}`;
    const list = (signal: AbortSignal): Promise<AnyList> =>
      kubeCall(`list ${name}`, { signal, timeoutMs }, async (o) => {
        if (kind === 'rayclusters')
          return (
            ns === undefined
              ? await clients.custom.listClusterCustomObject({ ...RAY, labelSelector }, o)
              : await clients.custom.listNamespacedCustomObject(
                  { ...RAY, namespace: ns, labelSelector },
                  o,
                )
          ) as AnyList;
        return ns === undefined
          ? await clients.apps.listControllerRevisionForAllNamespaces({ labelSelector }, o)
          : await clients.apps.listNamespacedControllerRevision(
              { namespace: ns, labelSelector },
              o,
            );
      });
    return new InformerSupervisor<KubernetesObject>({
      ...this.#o.supervisor,
      name,
      kubeConfig: clients.kubeConfig,
      path,
      labelSelector,
      list,
      log: this.#o.log,
    });
  }

  clusters(namespace: string, fleet: string): readonly RayClusterObject[] {
    return this.#clusters
      .flatMap((i) => i.list())
      .filter(
        (o) =>
          o.metadata?.namespace === namespace &&
          o.metadata.labels?.[FLEET_LABELS.fleetName] === fleet,
      )
      .map((o) => o as unknown as RayClusterObject);
  }

  revisions(namespace: string, fleet: string): readonly FleetRevisionRecord[] {
    return this.#revisions
      .flatMap((i) => i.list())
      .map((o) => o as unknown as RevisionObject)
      .filter(
        (o) =>
          o.metadata?.namespace === namespace &&
          o.metadata.labels?.[FLEET_LABELS.fleetName] === fleet,
      )
      .map((o) => ({
        name: o.metadata?.name ?? '',
        hash: o.metadata?.labels?.[FLEET_LABELS.templateHash] ?? '',
        revision: o.revision,
        template: o.data,
      }));
  }

  onChange(listener: (namespace: string, fleet: string) => void): () => void {
    const fire = (informer: InformerSupervisor<KubernetesObject>): (() => void) => {
      // The informer says only that something changed: name every fleet it holds objects of.
      let last = new Set<string>();
      return informer.onChange(() => {
        const now = new Set(
          informer
            .list()
            .map(
              (o) =>
                `${o.metadata?.namespace ?? ''}/${o.metadata?.labels?.[FLEET_LABELS.fleetName] ?? ''}`,
            ),
        );
        for (const key of new Set([...now, ...last])) {
          const [ns, fleet] = key.split('/') as [string, string];
          if (fleet !== '') listener(ns, fleet);
        }
        last = now;
      });
    };
    const offs = [...this.#clusters, ...this.#revisions].map(fire);
    return () => offs.forEach((off) => off());
  }

  async createCluster(cluster: RayClusterObject, options: FleetCallOptions): Promise<void> {
    const namespace = cluster.metadata.namespace;
    await kubeCall(
      `create raycluster ${namespace}/${cluster.metadata.name}`,
      this.#settings(options),
      (o) =>
        this.#o.clients.custom.createNamespacedCustomObject(
          { ...RAY, namespace, body: cluster },
          o,
        ),
    );
  }

  async deleteCluster(namespace: string, name: string, options: FleetCallOptions): Promise<void> {
    await this.#ignoreMissing(() =>
      kubeCall(`delete raycluster ${namespace}/${name}`, this.#settings(options), (o) =>
        this.#o.clients.custom.deleteNamespacedCustomObject({ ...RAY, namespace, name }, o),
      ),
    );
  }

  async writeRevision(
    namespace: string,
    fleet: string,
    owner: OwnerReference,
    record: FleetRevisionRecord,
    options: FleetCallOptions,
  ): Promise<void> {
    const body = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: record.name,
        namespace,
        labels: { [FLEET_LABELS.fleetName]: fleet, [FLEET_LABELS.templateHash]: record.hash },
        ownerReferences: [{ ...owner }],
      },
      data: record.template as object,
      revision: record.revision,
    };
    const what = `write controllerrevision ${namespace}/${record.name}`;
    try {
      await kubeCall(what, this.#settings(options), (o) =>
        this.#o.clients.apps.createNamespacedControllerRevision(
          // client-node's model classes are plain JSON on the wire; a literal is what it sends.
          // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
          { namespace, body: body },
          o,
        ),
      );
    } catch (err) {
      if (!hasCode(err, 'K8S_CONFLICT')) throw err;
      // A renumbered revision: only `revision` changes.
      await kubeCall(what, { ...this.#settings(options), contentType: MERGE_PATCH }, (o) =>
        this.#o.clients.apps.patchNamespacedControllerRevision(
          { namespace, name: record.name, body: { revision: record.revision } },
          o,
        ),
      );
    }
  }

  async deleteRevision(namespace: string, name: string, options: FleetCallOptions): Promise<void> {
    await this.#ignoreMissing(() =>
      kubeCall(`delete controllerrevision ${namespace}/${name}`, this.#settings(options), (o) =>
        this.#o.clients.apps.deleteNamespacedControllerRevision({ namespace, name }, o),
      ),
    );
  }

  async patchFleet(
    namespace: string,
    name: string,
    patch: {
      readonly annotations?: Readonly<Record<string, string | null>>;
      readonly template?: unknown;
    },
    options: FleetCallOptions,
  ): Promise<void> {
    const body = {
      ...(patch.annotations === undefined ? {} : { metadata: { annotations: patch.annotations } }),
      ...(patch.template === undefined ? {} : { spec: { template: patch.template } }),
    };
    await kubeCall(
      `patch rayclusterfleet ${namespace}/${name}`,
      { ...this.#settings(options), contentType: MERGE_PATCH },
      (o) =>
        this.#o.clients.custom.patchNamespacedCustomObject({ ...FLEETS, namespace, name, body }, o),
    );
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.#clusters, ...this.#revisions].map((i) => i.run(signal)));
  }

  #settings(options: FleetCallOptions): { signal?: AbortSignal; timeoutMs: number } {
    return {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      timeoutMs: this.#o.requestTimeoutMs,
    };
  }

  async #ignoreMissing(call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (err) {
      if (!hasCode(err, 'K8S_NOT_FOUND')) throw err;
    }
  }
}
