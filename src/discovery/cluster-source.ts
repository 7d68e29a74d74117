/**
 * The discovery port (DESIGN.md §2): where the leader and agents learn which engines exist and
 * which custom resources are declared. Two adapters implement it: the static cluster file
 * (`infernode up`, tests, benchmarks) and Kubernetes informers (src/kube).
 */
import type { Runnable } from '../shared/index.js';
import type { EngineKvEvents } from './engine-kv-events.js';

/** Engine dialects infernode knows; the agent reads each one's /metrics in its own names. */
export const ENGINE_KINDS = ['vllm', 'sglang', 'llamacpp'] as const;

/** Engine dialect, from the `model.infernode.io/engine` label or a cluster file's `engine`. */
export type EngineKind = (typeof ENGINE_KINDS)[number];

/**
 * How to reach an engine beyond its URL: TLS trust for `https://` engines and the engine's own
 * API key (vLLM `--api-key`), given by reference (environment variable or file), never in clear.
 */
export interface EngineConnection {
  /** PEM file of the CA that signed the engine's certificate; default: the system CAs. */
  readonly caFile?: string;
  /** Skip certificate verification (self-signed engines, testing). Default false. */
  readonly insecureSkipVerify?: boolean;
  /** Environment variable holding the engine's API key, sent as `Authorization: Bearer`. */
  readonly apiKeyEnv?: string;
  /** File holding the engine's API key (e.g. a mounted Secret); surrounding whitespace ignored. */
  readonly apiKeyFile?: string;
}

/** One engine endpoint (a vLLM pod, a simulator, or an external OpenAI-compatible server). */
export interface EngineEndpoint {
  /** Stable id: `<namespace>/<pod>` on Kubernetes, `<node>/<engine>` in the cluster file. */
  readonly id: string;
  /** Short name for headers and tables (pod name or engine name). */
  readonly name: string;
  /** Base model served. */
  readonly model: string;
  /** Base URL, e.g. `http://10.0.0.7:8000`. */
  readonly url: string;
  /** Node the engine runs on. */
  readonly node: string;
  readonly engine: EngineKind;
  /** GPU indices on its node it uses; undefined when unknown (then the whole node counts). */
  readonly gpuIndices: readonly number[] | undefined;
  /** Routable as far as discovery knows: has an address, is Ready, is not terminating. */
  readonly ready: boolean;
  /** TLS and API key settings; absent for a plain engine without a key. */
  readonly connection?: EngineConnection;
  /**
   * Pod labels (Kubernetes) or the cluster file's engine `labels:`; a ModelAdapter's podSelector
   * matches these. Absent: no labels.
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Highest LoRA rank the engine accepts (vLLM `--max-lora-rank`), from the pod's
   * `model.infernode.io/max-lora-rank` label or annotation or the cluster file. Absent:
   * {@link DEFAULT_MAX_LORA_RANK}.
   */
  readonly maxLoraRank?: number;
  /**
   * Where the engine publishes vLLM KV events (cluster file `kvEvents:`, or the pod's
   * `kv.infernode.io/events-endpoint` annotations). Absent: it publishes none.
   */
  readonly kvEvents?: EngineKvEvents;
}

/** vLLM's default `--max-lora-rank`, assumed when an engine does not say. */
export const DEFAULT_MAX_LORA_RANK = 16;

/** The pod label or annotation that gives an engine's max LoRA rank. */
export const MAX_LORA_RANK_LABEL = 'model.infernode.io/max-lora-rank';

/** A custom resource in Kubernetes shape (ModelAdapter, PodAutoscaler, RayClusterFleet, KVCache). */
export interface CustomResource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly resourceVersion?: string;
    readonly generation?: number;
    readonly uid?: string;
    /** RFC 3339; set once a delete waits on finalizers. */
    readonly deletionTimestamp?: string;
    readonly finalizers?: readonly string[];
  };
  readonly spec?: unknown;
  readonly status?: unknown;
}

/** Everything discovery knows at one moment. */
export interface ClusterView {
  readonly endpoints: readonly EngineEndpoint[];
  readonly resources: readonly CustomResource[];
}

/** The port. `run` keeps the view current until the signal aborts. */
export interface ClusterSource extends Runnable {
  /** The current view (empty until the first sync). */
  current(): ClusterView;
  /** Called after every change with the new view; returns an unsubscribe function. */
  onChange(listener: (view: ClusterView) => void): () => void;
  /** Resolves after the first full sync. */
  readonly synced: Promise<void>;
}
