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
import {
  artifactCredentials,
  noCredentials,
  type LoraLoadArgs,
  type LoraLoadResult,
  type LoraUnloadArgs,
  type LoraUnloadResult,
} from '../lora/index.js';
import { AppError, toError } from '../shared/index.js';
import { checkLoadTarget, EngineLoraApi } from './engine-lora-api.js';
import { fetchAdapter } from './lora-fetch.js';
import type { LoraCallContext, LoraManagerOptions } from './lora-manager-options.js';
import { LoraHoldings, type AdapterHolding } from './lora-holdings.js';
import { AdapterFileReaper, type AdapterFilesUse } from './adapter-file-reaper.js';
import { KeyedQueue } from './keyed-queue.js';

export type { LoraIdsObserver } from './engine-lora-api.js';
export type {
  CredentialSources,
  LoraCallContext,
  LoraConfig,
  LoraManagerCache,
  LoraManagerOptions,
} from './lora-manager-options.js';

/** See the file comment. */
export class LoraManager {
  readonly #o: LoraManagerOptions;
  readonly #holdings: LoraHoldings;
  /** The tail of the calls for one engine and adapter (bounded by the calls in flight). */
  readonly #queues = new KeyedQueue();
  /** The engine side: list, load (one at a time per engine), unload. */
  readonly #api: EngineLoraApi;
  readonly #reaper: AdapterFileReaper;

  constructor(options: LoraManagerOptions) {
    this.#o = options;
    this.#holdings = new LoraHoldings(options.config.maxAdapters);
    this.#api = new EngineLoraApi(options.loraIds);
    this.#reaper = new AdapterFileReaper({
      cache: options.cache,
      use: (name, uri, except) => this.#use(name, uri, except),
      max: options.config.maxAdapters,
    });
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
      for (const h of held) void this.#reaper.free(name, h.uri, engineId).catch(() => undefined);
    }
  }

  /**
   * Frees the files of adapters whose freeing waited for fresh reports (adapter-file-reaper.ts);
   * the agent runs it after each scrape cycle. Returns the bytes freed; never rejects.
   */
  sweep(): Promise<number> {
    return this.#reaper.sweep();
  }

  /** Loads an adapter into one engine; see the file comment. */
  load(args: LoraLoadArgs, context: LoraCallContext): Promise<LoraLoadResult> {
    return this.#serial(args.engineId, args.adapter, () =>
      this.#reaper.whileLoading(args.adapter, args.artifactUrl, () => this.#load(args, context)),
    );
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
    const gone = this.#holdings.prune((id) => engines.some((e) => e.id === id));
    // Their engines left the node (a pod replaced): nothing else will free these files.
    for (const h of gone) void this.#reaper.free(h.name, h.uri).catch(() => undefined);
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
      // The engine's list may not be what we read (another load took the last slot, or a load
      // that timed out landed after all): re-read it now, so the leader's next view of the
      // engine's slots and the sweep that frees the files both go by the true one.
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
    for (const uri of uris) freedBytes += await this.#reaper.free(args.adapter, uri, args.engineId);
    return { adapter: args.adapter, engineId: args.engineId, wasLoaded, freedBytes };
  }

  /**
   * What keeps the adapter's files on the node besides a load in progress: an engine holding it
   * by the record, or an engine other than `except` listing it in its latest report (the leader
   * or another path may have loaded it).
   */
  #use(name: string, uri: string, except?: string): AdapterFilesUse {
    if (this.#holdings.get(name, uri) !== undefined) return 'held';
    const listed = this.#o.reports().some((r) => r.id !== except && r.adapters.includes(name));
    return listed ? 'listed' : undefined;
  }
}
