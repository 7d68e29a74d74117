/**
 * The ModelAdapter resource (AIBrix's spec field names; reference/aibrix.md §5): which LoRA
 * adapter to load on which engines, and the status the placement controller writes.
 */
import type { Condition, LabelSelector, TypedResource } from '../discovery/index.js';

export interface ModelAdapterSpec {
  readonly baseModel?: string;
  readonly podSelector: LabelSelector;
  /** `leastAdapters` (default), `binPack`, `leastLatency`, `leastThroughput`, `random`. */
  readonly schedulerName?: string;
  /** `huggingface://`, `s3://`, `gs://`, `tos://`, `http(s)://` or an absolute path. */
  readonly artifactURL: string;
  readonly credentialsSecretRef?: { readonly name: string };
  /** Unset: load on every matching pod; 1: on one scheduled pod. */
  readonly replicas?: 1;
  readonly additionalConfig?: Readonly<Record<string, string>>;
}

export type ModelAdapterPhase =
  | 'Pending'
  | 'Scheduled'
  | 'Bound'
  | 'ResourceCreated'
  | 'Running'
  | 'Failed'
  | 'Unknown'
  | 'Scaled';

export interface ModelAdapterStatus {
  readonly phase?: ModelAdapterPhase;
  readonly conditions?: readonly Condition[];
  /** Pod names the adapter is loaded on. */
  readonly instances?: readonly string[];
  readonly candidates?: readonly string[];
  readonly readyReplicas?: number;
  readonly desiredReplicas?: number;
}

/** A ModelAdapter object. */
export type ModelAdapter = TypedResource<'ModelAdapter', ModelAdapterSpec, ModelAdapterStatus>;
