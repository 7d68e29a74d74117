/**
 * Finalizers through the Kubernetes API: read the object, then a JSON merge patch of
 * `metadata.finalizers` carrying the resourceVersion read, so a concurrent writer makes it fail
 * with 409 and the edit is redone on the fresh object (up to 5 attempts).
 */
import { hasCode } from '../../shared/index.js';
import type { KubeClients } from './clients.js';
import { MERGE_PATCH, kubeCall } from './request.js';
import type { KubeCallOptions } from '../call-options.js';
import { infernodeKind, splitResourceKey } from '../resource-key.js';
import { editFinalizers, type ResourceFinalizers } from '../resource-finalizers.js';

export interface K8sResourceFinalizersOptions {
  readonly clients: KubeClients;
  /** The infernode plural, e.g. `modeladapters`. */
  readonly plural: string;
  /** Bound of each request in ms (`kube.requestTimeoutMs`). */
  readonly requestTimeoutMs: number;
}

interface ObjectMeta {
  metadata?: { resourceVersion?: string; finalizers?: string[] };
}

const MAX_ATTEMPTS = 5;

/** Finalizers through the Kubernetes API. */
export class K8sResourceFinalizers implements ResourceFinalizers {
  readonly #options: K8sResourceFinalizersOptions;
  readonly #kind: ReturnType<typeof infernodeKind>;

  constructor(options: K8sResourceFinalizersOptions) {
    this.#options = options;
    this.#kind = infernodeKind(options.plural);
  }

  add(key: string, finalizer: string, options: KubeCallOptions): Promise<boolean> {
    return this.#edit(key, finalizer, true, options);
  }

  remove(key: string, finalizer: string, options: KubeCallOptions): Promise<boolean> {
    return this.#edit(key, finalizer, false, options);
  }

  async #edit(
    key: string,
    finalizer: string,
    present: boolean,
    options: KubeCallOptions,
  ): Promise<boolean> {
    const { namespace, name } = splitResourceKey(key);
    const { group, version, plural } = this.#kind;
    const coordinates = { group, version, namespace, plural, name };
    const timeoutMs = this.#options.requestTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const obj = (await kubeCall(`get ${plural} ${key}`, { ...options, timeoutMs }, (o) =>
          this.#options.clients.custom.getNamespacedCustomObject(coordinates, o),
        )) as ObjectMeta;
        const next = editFinalizers(obj.metadata?.finalizers ?? [], finalizer, present);
        if (next === undefined) return false;
        const body = {
          metadata: { resourceVersion: obj.metadata?.resourceVersion, finalizers: next },
        };
        await kubeCall(
          `${present ? 'add' : 'remove'} finalizer ${finalizer} on ${plural} ${key}`,
          { ...options, timeoutMs, contentType: MERGE_PATCH },
          (o) =>
            this.#options.clients.custom.patchNamespacedCustomObject({ ...coordinates, body }, o),
        );
        return true;
      } catch (err) {
        if (hasCode(err, 'K8S_NOT_FOUND')) return false;
        if (!hasCode(err, 'K8S_CONFLICT') || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }
}
