/**
 * The wire contract of the agent's LoRA commands (DESIGN.md §4.2): what the leader's
 * ModelAdapter controller sends in `lora.load` / `lora.unload` and what the agent's adapter
 * manager answers. Both sides code against these shapes; the agent validates them on arrival.
 */

/** Command kinds. */
export const LORA_LOAD = 'lora.load';
export const LORA_UNLOAD = 'lora.unload';

/** `lora.load`: fetch the artifact into the node cache and load it into one engine. */
export interface LoraLoadArgs {
  /** Adapter (= served model) name: the ModelAdapter's metadata.name. */
  readonly adapter: string;
  /** Engine id (`<namespace>/<pod>` or `<node>/<engine>`) on the agent's node. */
  readonly engineId: string;
  /** The engine's base model; the load is refused when the engine serves another. */
  readonly baseModel?: string;
  /** spec.artifactURL (huggingface://, s3://, http(s)://, file path). */
  readonly artifactUrl: string;
  /**
   * The referenced Secret's data (decoded strings), read by the leader and sent over the
   * authenticated agent channel, as AIBrix's runtime sidecar receives it; never logged.
   */
  readonly credentials?: Readonly<Record<string, string>>;
  /** spec.additionalConfig (e.g. `api-key` for the engine). */
  readonly additionalConfig?: Readonly<Record<string, string>>;
}

/** A successful `lora.load`'s value. */
export interface LoraLoadResult {
  readonly adapter: string;
  readonly engineId: string;
  /** Local path the engine was given (`lora_path`). */
  readonly path: string;
  /** LoRA rank read from adapter_config.json (`r`). */
  readonly rank: number;
  /** Bytes of the adapter's files in the node cache. */
  readonly bytes: number;
  /** True when the engine already listed the adapter (nothing was loaded). */
  readonly alreadyLoaded: boolean;
  /** Time spent fetching and loading, ms. */
  readonly fetchMs: number;
  readonly loadMs: number;
}

/** `lora.unload`: unload from one engine; free the files once no engine on the node uses them. */
export interface LoraUnloadArgs {
  readonly adapter: string;
  readonly engineId: string;
  /** The artifact, so its cached files can be released when unused. */
  readonly artifactUrl?: string;
}

/** A successful `lora.unload`'s value. */
export interface LoraUnloadResult {
  readonly adapter: string;
  readonly engineId: string;
  /** False when the engine did not have it (idempotent success). */
  readonly wasLoaded: boolean;
  /** Bytes freed in the node cache (0 while another engine still uses the files). */
  readonly freedBytes: number;
}

/**
 * Stable error codes a failed LoRA command carries (AppError codes, in ERROR_CODES): the leader
 * decides from them whether to retry the engine or move on.
 */
export const LORA_ERROR_CODES = [
  /** Artifact unreachable, missing, or its Secret is missing (retry on this engine later). */
  'LORA_ARTIFACT_FAILED',
  /** adapter_config.json missing or not a LoRA (no retry anywhere: the adapter is bad). */
  'LORA_BAD_ADAPTER',
  /** Adapter bigger than the configured limit (no retry). */
  'LORA_TOO_LARGE',
  /** Rank above the engine's max LoRA rank (another engine may take it). */
  'LORA_RANK_TOO_HIGH',
  /** The engine refused the load (error text kept) or does not serve the base model. */
  'LORA_ENGINE_REFUSED',
  /**
   * The engine has no free adapter slot (another adapter took the last one first): retriable,
   * the controller places the adapter elsewhere now and comes back to this engine later.
   */
  'LORA_NO_SLOT',
  /** The engine did not answer in time or the connection failed (retriable). */
  'LORA_ENGINE_UNAVAILABLE',
  /** The load call succeeded but /v1/models does not list the adapter. */
  'LORA_NOT_VISIBLE',
  /** No engine with that id on this node. */
  'LORA_UNKNOWN_ENGINE',
] as const;

/** One of {@link LORA_ERROR_CODES}. */
export type LoraErrorCode = (typeof LORA_ERROR_CODES)[number];
