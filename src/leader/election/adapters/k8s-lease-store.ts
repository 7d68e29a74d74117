/**
 * The LeaseStore port on a coordination.k8s.io/v1 Lease (STYLE.md §9). Writes are guarded by the
 * resourceVersion last read (a stale one answers 409 → K8S_CONFLICT). Lease times are MicroTime:
 * client-node 1.x hands them back as strings, so both strings and Dates are read.
 */
import { V1Lease, V1LeaseSpec, V1MicroTime, V1ObjectMeta } from '@kubernetes/client-node';
// The adapter lives beside the port it implements (election's LeaseStore), so kube never
// imports leader: kube offers the client and the call wrapper, election adapts them.
import { kubeCall, type KubeClients } from '../../../kube/adapters/index.js';
import { hasCode } from '../../../shared/index.js';
import type { LeaseRecord } from '../lease-decision.js';
import type { LeaseStore, LeaseStoreCallOptions, StoredLease } from '../lease-store.js';

/** Which Lease the store reads and writes, through which clients, with what bound per request. */
export interface K8sLeaseStoreOptions {
  readonly clients: KubeClients;
  /** Namespace of the Lease (the leader's own, from POD_NAMESPACE). */
  readonly namespace: string;
  /** Lease name. Default `infernode-leader`. */
  readonly name?: string;
  /** Bound of each request in ms (`kube.requestTimeoutMs`). */
  readonly requestTimeoutMs: number;
}

const toMs = (value: unknown): number | undefined => {
  if (value === undefined || value === null) return undefined;
  const ms = new Date(value as string | Date).getTime();
  return Number.isNaN(ms) ? undefined : ms;
};

const toMicroTime = (ms: number | undefined): V1MicroTime | undefined =>
  ms === undefined ? undefined : new V1MicroTime(ms);

/** The Lease election record ↔ V1Lease mapping. */
export function leaseToRecord(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? new V1LeaseSpec();
  return {
    holderIdentity: spec.holderIdentity ?? undefined,
    leaseDurationSeconds: spec.leaseDurationSeconds ?? undefined,
    acquireTimeMs: toMs(spec.acquireTime),
    renewTimeMs: toMs(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/** A Lease-backed LeaseStore. */
export class K8sLeaseStore implements LeaseStore {
  readonly #options: K8sLeaseStoreOptions;
  readonly #name: string;

  constructor(options: K8sLeaseStoreOptions) {
    this.#options = options;
    this.#name = options.name ?? 'infernode-leader';
  }

  #lease(record: LeaseRecord, resourceVersion?: string): V1Lease {
    // client-node's models are classes (typescript-eslint forbids literals in their place).
    const metadata = Object.assign(new V1ObjectMeta(), {
      name: this.#name,
      namespace: this.#options.namespace,
      labels: { 'app.kubernetes.io/name': 'infernode' },
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    });
    const spec = Object.assign(new V1LeaseSpec(), {
      holderIdentity: record.holderIdentity,
      leaseDurationSeconds: record.leaseDurationSeconds,
      acquireTime: toMicroTime(record.acquireTimeMs),
      renewTime: toMicroTime(record.renewTimeMs),
      leaseTransitions: record.leaseTransitions,
    });
    return Object.assign(new V1Lease(), {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata,
      spec,
    });
  }

  #stored(lease: V1Lease): StoredLease {
    return { record: leaseToRecord(lease), version: lease.metadata?.resourceVersion ?? '' };
  }

  async get(options: LeaseStoreCallOptions): Promise<StoredLease | undefined> {
    const { clients, namespace, requestTimeoutMs: timeoutMs } = this.#options;
    try {
      const lease = await kubeCall(
        `get lease ${namespace}/${this.#name}`,
        { ...options, timeoutMs },
        (o) => clients.coordination.readNamespacedLease({ name: this.#name, namespace }, o),
      );
      return this.#stored(lease);
    } catch (err) {
      if (hasCode(err, 'K8S_NOT_FOUND')) return undefined;
      throw err;
    }
  }

  async create(record: LeaseRecord, options: LeaseStoreCallOptions): Promise<StoredLease> {
    const { clients, namespace, requestTimeoutMs: timeoutMs } = this.#options;
    const lease = await kubeCall(
      `create lease ${namespace}/${this.#name}`,
      { ...options, timeoutMs },
      (o) =>
        clients.coordination.createNamespacedLease({ namespace, body: this.#lease(record) }, o),
    );
    return this.#stored(lease);
  }

  async update(
    record: LeaseRecord,
    version: string,
    options: LeaseStoreCallOptions,
  ): Promise<StoredLease> {
    const { clients, namespace, requestTimeoutMs: timeoutMs } = this.#options;
    const lease = await kubeCall(
      `update lease ${namespace}/${this.#name}`,
      { ...options, timeoutMs },
      (o) =>
        clients.coordination.replaceNamespacedLease(
          { name: this.#name, namespace, body: this.#lease(record, version) },
          o,
        ),
    );
    return this.#stored(lease);
  }
}
