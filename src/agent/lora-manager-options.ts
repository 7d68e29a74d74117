/**
 * What the agent's adapter manager (lora-manager.ts) is built from and what each call gives it:
 * the node cache, the node's engines and their latest reports, the sources for a Secret's
 * credentials and the `lora` config section.
 */
import type { EngineEndpoint } from '../discovery/index.js';
import type { EngineReport, JsonObject } from '../protocol/index.js';
import type { ArtifactCredentials } from '../lora/index.js';
import type { Clock, ConfigOf } from '../shared/index.js';
import type { ResolveSource } from '../weights/adapters/index.js';
import type { LoraIdsObserver } from './engine-lora-api.js';
import type { loraConfigSpec } from './lora-config.js';
import type { LoraFetchCache } from './lora-fetch.js';

/** The agent's `lora` section. */
export type LoraConfig = ConfigOf<typeof loraConfigSpec>;

/** What the manager needs of the node cache (the agent's NodeCache has it). */
export interface LoraManagerCache extends LoraFetchCache {
  /** Pins a cached model against eviction until the returned function is called. */
  hold(key: string): () => void;
}

/** Artifact sources built with one adapter's credentials, and how to free them. */
export interface CredentialSources {
  readonly resolve: ResolveSource;
  readonly close: () => void;
}

/** Everything the manager is built from. */
export interface LoraManagerOptions {
  readonly cache: LoraManagerCache;
  /** This node's engines as discovery sees them now. */
  readonly engines: () => readonly EngineEndpoint[];
  /** The latest report of every engine on the node (what each lists). */
  readonly reports: () => readonly EngineReport[];
  /** Sources that use a Secret's credentials (configuredSources with them). */
  readonly sourcesFor: (credentials: ArtifactCredentials) => CredentialSources;
  readonly config: LoraConfig;
  readonly clock: Clock;
  /** Called after the manager changed what an engine serves (re-read its models soon). */
  readonly onEngineChanged?: (engineId: string) => void;
  /**
   * Told each load call's effect on the engine's LoRA id counter, in the engine's order (loads to
   * one engine are sent one at a time for this), and adapters an engine lost (engine-lora-ids.ts).
   */
  readonly loraIds?: LoraIdsObserver;
  /** Between progress messages while fetching, ms. Default 1000. */
  readonly progressEveryMs?: number;
}

/** What a command gives the manager. */
export interface LoraCallContext {
  readonly signal: AbortSignal;
  readonly progress: (progress: JsonObject) => void;
}
