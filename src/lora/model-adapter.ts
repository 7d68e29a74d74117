/**
 * The ModelAdapter resource (AIBrix's spec field names; reference/aibrix.md §5): which LoRA
 * adapter to load on which engines, and the status the placement controller writes. Unlike
 * AIBrix, `replicas` may be any N ≥ 1 (AIBrix accepts only unset or 1).
 */
import type { Condition, LabelSelector, TypedResource } from '../discovery/index.js';

export interface ModelAdapterSpec {
  readonly baseModel?: string;
  readonly podSelector: LabelSelector;
  /** `leastAdapters` (default), `binPack`, `leastLatency`, `leastThroughput`, `random`. */
  readonly schedulerName?: string;
  /** `huggingface://`, `hf://`, `s3://`, `gs://`, `tos://`, `http(s)://`, `file://` or an absolute path. */
  readonly artifactURL: string;
  readonly credentialsSecretRef?: { readonly name: string };
  /** Unset: load on every matching engine; N ≥ 1: on N scheduled engines. */
  readonly replicas?: number;
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

/** The last failed command on one engine, as the agent reported it. */
export interface ModelAdapterEngineError {
  /** Engine id (`<namespace>/<pod>` or `<node>/<engine>`). */
  readonly engine: string;
  /** Stable error code (LORA_*, COMMAND_*). */
  readonly code: string;
  readonly message: string;
  /** RFC 3339 time of the failure. */
  readonly time: string;
}

/** Most entries kept in `status.engineErrors` (the CRD's maxItems): the newest win. */
export const MAX_ENGINE_ERRORS = 16;

export interface ModelAdapterStatus {
  readonly phase?: ModelAdapterPhase;
  readonly conditions?: readonly Condition[];
  /** Engines (pod names on Kubernetes, engine ids in the cluster file) the adapter is loaded on. */
  readonly instances?: readonly string[];
  readonly candidates?: readonly string[];
  readonly readyReplicas?: number;
  readonly desiredReplicas?: number;
  /** The last error per engine, newest first, at most {@link MAX_ENGINE_ERRORS}. */
  readonly engineErrors?: readonly ModelAdapterEngineError[];
  /** metadata.generation this status was computed from. */
  readonly observedGeneration?: number;
}

/** A ModelAdapter object. */
export type ModelAdapter = TypedResource<'ModelAdapter', ModelAdapterSpec, ModelAdapterStatus>;

/** The finalizer the leader puts on a ModelAdapter so it can unload it everywhere first. */
export const MODEL_ADAPTER_FINALIZER = 'infernode.io/model-adapter';
