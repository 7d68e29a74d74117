/**
 * What the node cache hands out: a pull's handle, a published model, and its listing for
 * `GET /v1/weights`. Apart from the cache itself so the agent's API can name them.
 */
import type { Clock, Logger, Registry } from '../../shared/index.js';
import type {
  ArtifactFile,
  ArtifactRef,
  ArtifactSource,
  ArtifactStream,
  PullProgress,
  StreamArtifactOptions,
  StreamerSettings,
} from '../index.js';

/** A published model of the node cache. */
export interface CachedModel {
  readonly uri: string;
  readonly key: string;
  /** The model's directory (a hostPath for vLLM's default loader). */
  readonly path: string;
  readonly bytes: number;
  readonly files: readonly ArtifactFile[];
  readonly publishedAtMs: number;
  readonly lastUsedMs: number;
}

/** One caller's view of a pull (a hit, a new fetch, or a fetch already under way). */
export interface PullHandle {
  readonly key: string;
  /** The canonical URI. */
  readonly uri: string;
  progress(): PullProgress;
  /**
   * The published model. Rejects with an AppError (WEIGHTS_*): WEIGHTS_ABORTED when this
   * caller's signal aborted (the fetch goes on for other callers).
   */
  readonly done: Promise<CachedModel>;
}

/** `GET /v1/weights`: what the cache holds and what it is fetching. */
export interface CacheContents {
  readonly budgetBytes: number;
  readonly bytesOnDisk: number;
  readonly models: readonly {
    readonly uri: string;
    readonly key: string;
    readonly path: string;
    readonly bytes: number;
    readonly publishedAtMs: number;
    readonly lastUsedMs: number;
    /** Holds on it now (engines, read-through readers). */
    readonly inUse: number;
  }[];
  readonly pulls: readonly {
    readonly key: string;
    readonly uri: string;
    readonly waiters: number;
    readonly progress: PullProgress;
  }[];
  /** Partial pulls left on disk (kept for resume, evicted first when room is needed). */
  readonly partial: readonly { readonly key: string; readonly bytes: number }[];
}

/** Turns a URI into its reference and source; throws AppError WEIGHTS_* for a bad or refused URI. */
export type ResolveSource = (uri: string) => {
  readonly ref: ArtifactRef;
  readonly source: ArtifactSource;
};

/** Starts the ranged parallel streamer (adapters/artifact-streamer.ts in production). */
export type StreamArtifact = (options: StreamArtifactOptions) => ArtifactStream;

/** Everything the node cache is built from. */
export interface NodeCacheOptions {
  /** The agent's nodeCachePath; the cache lives under `<nodeCachePath>/weights/`. */
  readonly nodeCachePath: string;
  readonly budgetBytes: number;
  readonly resolveSource: ResolveSource;
  readonly stream: StreamArtifact;
  readonly settings: StreamerSettings;
  /** Bound of the source's list call, ms. */
  readonly listTimeoutMs: number;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly log: Logger;
  /** The agent's lifetime: aborting it stops every pull (their partial files stay for resume). */
  readonly signal: AbortSignal;
}
