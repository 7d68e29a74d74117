/**
 * The agent's adapter manager (issue #13): `load` fetches a LoRA adapter into the node cache,
 * validates it, asks the engine to load it through its dialect's runtime endpoint and checks the
 * engine lists it; `unload` asks the engine to drop it and frees the cached files once no engine
 * on the node uses them. Both are idempotent: an engine that already lists the adapter is not
 * asked again, one that does not have it unloads as a success. Calls for one engine and adapter
 * run one after the other. Errors are the LORA_* codes of src/lora/lora-commands.ts. What is
 * said to the engine, and how, is engine-lora-api.ts; this file keeps the node's bookkeeping.
 */
import type { EngineEndpoint } from '../discovery/index.js';
import type { EngineReport, JsonObject } from '../protocol/index.js';
import {
  artifactCredentials,
  noCredentials,
  type ArtifactCredentials,
  type LoraLoadArgs,
  type LoraLoadResult,
  type LoraUnloadArgs,
  type LoraUnloadResult,
} from '../lora/index.js';
import { AppError, toError, type Clock, type ConfigOf } from '../shared/index.js';
import type { ResolveSource } from '../weights/adapters/index.js';
import { checkLoadTarget, EngineLoraApi, type LoraIdsObserver } from './engine-lora-api.js';
import type { loraConfigSpec } from './lora-config.js';
import { fetchAdapter, type LoraFetchCache } from './lora-fetch.js';
import { LoraHoldings, type AdapterHolding } from './lora-holdings.js';
import { KeyedQueue } from './keyed-queue.js';

export type { LoraIdsObserver } from './engine-lora-api.js';

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

/** See the file comment. */
export class LoraManager {
  readonly #o: LoraManagerOptions;
  readonly #holdings: LoraHoldings;
  /** The tail of the calls for one engine and adapter (bounded by the calls in flight). */
  readonly #queues = new KeyedQueue();
  /** The engine side: list, load (one at a time per engine), unload. */
  readonly #api: EngineLoraApi;

  constructor(options: LoraManagerOptions) {
    this.#o = options;
    this.#holdings = new LoraHoldings(options.config.maxAdapters);
    this.#api = new EngineLoraApi(options.loraIds);
  }

  /** Which engines hold which adapter (the agent's record). */
  holdings(): AdapterHolding[] {
    return this.#holdings.list();
  }

  /**
   * The engine stopped listing these adapters (it restarted, or something else unloaded them):
   * its holdings go, and files no engine uses any more are freed, so a restart leaks no disk.
   * A load or unload of the pair in progress decides for itself. Never rejects.
   */
  forgetLost(engineId: string, adapters: readonly string[]): void {
    // Lost without our unload: a restart, or someone else's unload (its ids may have moved on).
    if (adapters.length > 0) this.#o.loraIds?.engineRestarted(engineId);
    for (const name of adapters) {
      if (this.#queues.has(`${engineId}\n${name}`)) continue;
      const held = this.#holdings.heldBy(name, engineId);
      this.#holdings.drop(name, engineId);
      for (const h of held) void this.#freeIfUnused(name, h.uri, engineId).catch(() => undefined);
    }
  }

  /** Loads an adapter into one engine; see the file comment. */
  load(args: LoraLoadArgs, context: LoraCallContext): Promise<LoraLoadResult> {
    return this.#serial(args.engineId, args.adapter, () => this.#load(args, context));
  }

  /** Unloads an adapter from one engine; see the file comment. */
  unload(args: LoraUnloadArgs, context: LoraCallContext): Promise<LoraUnloadResult> {
    return this.#serial(args.engineId, args.adapter, () => this.#unload(args, context));
  }

  #serial<T>(engineId: string, adapter: string, run: () => Promise<T>): Promise<T> {
    return this.#queues.run(`${engineId}\n${adapter}`, run);
  }

  /** The engine, after forgetting records of engines gone from the node. */
  #engine(engineId: string): EngineEndpoint | undefined {
    const engines = this.#o.engines();
    this.#holdings.prune((id) => engines.some((e) => e.id === id));
    return engines.find((e) => e.id === engineId);
  }

  async #load(args: LoraLoadArgs, context: LoraCallContext): Promise<LoraLoadResult> {
    const { config, clock } = this.#o;
    const endpoint = this.#engine(args.engineId);
    if (endpoint === undefined)
      throw new AppError('LORA_UNKNOWN_ENGINE', `no engine ${args.engineId} on this node`);
    checkLoadTarget(endpoint, args.adapter, args.baseModel);
    const fetchStart = clock.monotonicMs();
    const credentials = artifactCredentials(args.credentials);
    const sources = noCredentials(credentials) ? undefined : this.#o.sourcesFor(credentials);
    let fetched;
    try {
      context.progress({ phase: 'fetching', adapter: args.adapter });
      fetched = await fetchAdapter({
        cache: this.#o.cache,
        uri: args.artifactUrl,
        maxBytes: config.maxAdapterBytes,
        ...(sources === undefined ? {} : { resolveSource: sources.resolve }),
        signal: context.signal,
        progress: context.progress,
        tickMs: 100,
        progressEveryMs: this.#o.progressEveryMs ?? 1000,
      });
    } finally {
      sources?.close();
    }
    const fetchMs = Math.round(clock.monotonicMs() - fetchStart);
    const { model, config: adapterConfig } = fetched;
    if (config.maxRank > 0 && adapterConfig.rank > config.maxRank)
      throw new AppError(
        'LORA_RANK_TOO_HIGH',
        `adapter ${args.adapter} has rank ${adapterConfig.rank}, over the node's max LoRA rank ${config.maxRank}`,
      );
    const apiKey = args.additionalConfig?.['api-key'];
    const modelsCall = this.#api.call(endpoint, config.modelsTimeoutMs, context.signal, apiKey);
    const loadStart = clock.monotonicMs();
    const listedBefore = await this.#api.listed(endpoint, modelsCall);
    const listed = listedBefore.includes(args.adapter);
    // Pin the files before the engine reads them; a failed load below lets them go again.
    const holding = {
      name: args.adapter,
      uri: args.artifactUrl,
      key: model.key,
      path: model.path,
      bytes: model.bytes,
      rank: adapterConfig.rank,
    };
    this.#holdings.add(holding, endpoint.id, () => this.#o.cache.hold(model.key));
    let alreadyLoaded = listed;
    try {
      if (!listed) {
        context.progress({ phase: 'loading', adapter: args.adapter, engineId: endpoint.id });
        const loaded = await this.#api.load({
          endpoint,
          adapter: args.adapter,
          path: model.path,
          call: this.#api.call(endpoint, config.loadTimeoutMs, context.signal, apiKey),
          modelsCall,
          listedBefore,
        });
        alreadyLoaded = loaded.alreadyLoaded;
      }
    } catch (err) {
      this.#holdings.drop(args.adapter, endpoint.id, args.artifactUrl);
      // Full: the engine's list changed behind our last read (another load took the slot).
      // Re-read it now so the leader's next view of the engine's slots is the true one.
      if (err instanceof AppError && err.code === 'LORA_NO_SLOT')
        this.#o.onEngineChanged?.(endpoint.id);
      if (context.signal.aborted && !(err instanceof AppError))
        throw toError(context.signal.reason);
      throw err;
    }
    this.#o.onEngineChanged?.(endpoint.id);
    return {
      adapter: args.adapter,
      engineId: endpoint.id,
      path: model.path,
      rank: adapterConfig.rank,
      bytes: model.bytes,
      alreadyLoaded,
      fetchMs,
      loadMs: Math.round(clock.monotonicMs() - loadStart),
    };
  }

  async #unload(args: LoraUnloadArgs, context: LoraCallContext): Promise<LoraUnloadResult> {
    const endpoint = this.#engine(args.engineId);
    let wasLoaded = false;
    if (endpoint !== undefined) {
      wasLoaded = await this.#api.unload(
        endpoint,
        args.adapter,
        this.#o.config.loadTimeoutMs,
        context.signal,
      );
      this.#o.onEngineChanged?.(endpoint.id);
    }
    // An engine gone from the node holds nothing: its record goes as well.
    const known = this.#holdings.heldBy(args.adapter, args.engineId);
    const uris = new Set([
      ...known.map((h) => h.uri),
      ...(args.artifactUrl === undefined ? [] : [args.artifactUrl]),
    ]);
    this.#holdings.drop(args.adapter, args.engineId, args.artifactUrl);
    let freedBytes = 0;
    for (const uri of uris)
      freedBytes += await this.#freeIfUnused(args.adapter, uri, args.engineId);
    return { adapter: args.adapter, engineId: args.engineId, wasLoaded, freedBytes };
  }

  /**
   * Evicts the adapter's files when no engine on the node holds it by the record nor lists it
   * in its latest report (the leader or another path may have loaded it). Returns bytes freed.
   */
  async #freeIfUnused(name: string, uri: string, droppedBy: string): Promise<number> {
    if (this.#holdings.get(name, uri) !== undefined) return 0;
    const listing = this.#o.reports().some((r) => r.id !== droppedBy && r.adapters.includes(name));
    if (listing) return 0;
    try {
      return (await this.#o.cache.evict(uri)).bytes;
    } catch (err) {
      // Not cached, or in use by a pull or a reader: nothing to free now.
      if (err instanceof AppError && err.code.startsWith('WEIGHTS_')) return 0;
      throw err;
    }
  }
}
