/**
 * A StatusStore (src/controllers/status-writer.ts) over the status subresource of any infernode
 * custom resource, keyed `<namespace>/<name>`: read with GET …/status, written with PUT
 * …/status carrying the resourceVersion read, so a concurrent writer makes the write fail with
 * 409 → `K8S_CONFLICT` and ConflictRetryingStatusWriter reads again. PUT (not a merge patch)
 * because a status is replaced whole: a field the controller drops must go. Shared by every
 * controller that writes a custom resource's status (ModelAdapter, PodAutoscaler, …).
 */
import type { StatusCallOptions, StatusStore, VersionedStatus } from '../../controllers/index.js';
import { hasCode } from '../../shared/index.js';
import type { KubeClients } from './clients.js';
import { kubeCall } from './request.js';
import { infernodeKind, splitResourceKey } from '../resource-key.js';

export interface K8sResourceStatusStoreOptions {
  readonly clients: KubeClients;
  /** The infernode plural, e.g. `modeladapters`. */
  readonly plural: string;
  /** Bound of each request in ms (`kube.requestTimeoutMs`). */
  readonly requestTimeoutMs: number;
}

interface StatusObject {
  metadata?: { resourceVersion?: string };
  status?: unknown;
}

/** Statuses of one kind through the Kubernetes API. */
export class K8sResourceStatusStore<S> implements StatusStore<S> {
  readonly #options: K8sResourceStatusStoreOptions;
  readonly #kind: ReturnType<typeof infernodeKind>;

  constructor(options: K8sResourceStatusStoreOptions) {
    this.#options = options;
    this.#kind = infernodeKind(options.plural);
  }

  async read(key: string, options: StatusCallOptions): Promise<VersionedStatus<S> | undefined> {
    const { namespace, name } = splitResourceKey(key);
    const { group, version, plural } = this.#kind;
    try {
      const obj = (await kubeCall(
        `get status of ${plural} ${key}`,
        { ...options, timeoutMs: this.#options.requestTimeoutMs },
        (o) =>
          this.#options.clients.custom.getNamespacedCustomObjectStatus(
            { group, version, namespace, plural, name },
            o,
          ),
      )) as StatusObject;
      return { status: (obj.status ?? {}) as S, version: obj.metadata?.resourceVersion ?? '' };
    } catch (err) {
      if (hasCode(err, 'K8S_NOT_FOUND')) return undefined;
      throw err;
    }
  }

  async write(
    key: string,
    status: S,
    version: string,
    options: StatusCallOptions,
  ): Promise<VersionedStatus<S>> {
    const { namespace, name } = splitResourceKey(key);
    const { group, version: apiVersion, plural, kind } = this.#kind;
    const body = {
      apiVersion: `${group}/${apiVersion}`,
      kind,
      metadata: { name, namespace, resourceVersion: version },
      status,
    };
    const obj = (await kubeCall(
      `update status of ${plural} ${key}`,
      { ...options, timeoutMs: this.#options.requestTimeoutMs },
      (o) =>
        this.#options.clients.custom.replaceNamespacedCustomObjectStatus(
          { group, version: apiVersion, namespace, plural, name, body },
          o,
        ),
    )) as StatusObject;
    return { status: (obj.status ?? status) as S, version: obj.metadata?.resourceVersion ?? '' };
  }
}
