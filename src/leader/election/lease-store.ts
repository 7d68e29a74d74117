/**
 * The LeaseStore port: where the election record lives. `K8sLeaseStore` (./adapters) keeps it in a
 * coordination.k8s.io/v1 Lease; tests use an in-memory fake. Every write is guarded by the
 * version last read, so two candidates can never both win the same round.
 */
import type { LeaseRecord } from './lease-decision.js';

/** A record with the opaque version (Kubernetes resourceVersion) that guards the next write. */
export interface StoredLease {
  readonly record: LeaseRecord;
  readonly version: string;
}

/** Per-call options; the adapter adds its own request timeout. */
export interface LeaseStoreCallOptions {
  readonly signal?: AbortSignal;
}

/** The port. Failures are AppErrors; a lost write race is `K8S_CONFLICT`. */
export interface LeaseStore {
  /** The current record, or undefined when none exists. */
  get(options: LeaseStoreCallOptions): Promise<StoredLease | undefined>;
  /** Creates the record; rejects with K8S_CONFLICT when one already exists. */
  create(record: LeaseRecord, options: LeaseStoreCallOptions): Promise<StoredLease>;
  /** Replaces the record if it is still at `version`; rejects with K8S_CONFLICT otherwise. */
  update(
    record: LeaseRecord,
    version: string,
    options: LeaseStoreCallOptions,
  ): Promise<StoredLease>;
}
