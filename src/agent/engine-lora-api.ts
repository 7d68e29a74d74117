/**
 * The adapter manager's conversation with one engine about adapters: which adapters it lists,
 * load one (sent one at a time per engine, since vLLM numbers loads in arrival order, each
 * answer told to the LoRA-id observer) and unload one. The HTTP itself is engine-lora-client.ts;
 * what an answer means is the pure mapping of src/lora. The manager's bookkeeping (holdings,
 * the node cache, serialising per adapter) stays in lora-manager.ts.
 */
import { engineClientOptions, type EngineEndpoint } from '../discovery/index.js';
import type { LoraLoadIdOutcome } from '../kvcache/index.js';
import { adapterNameProblem, mapLoadAnswer, mapUnloadAnswer } from '../lora/index.js';
import { AppError, toError } from '../shared/index.js';
import { engineDialectFor } from './engine-dialects.js';
import { postJson, servedModels, type LoraEngineCall } from './engine-lora-client.js';
import { loadIdOutcome } from './engine-lora-ids.js';
import { KeyedQueue } from './keyed-queue.js';

/** What the KV event path needs to learn of loads (EngineLoraIds has it). */
export interface LoraIdsObserver {
  loadAnswered(
    engineId: string,
    adapter: string,
    outcome: LoraLoadIdOutcome,
    listedBefore?: readonly string[],
  ): void;
  engineRestarted(engineId: string): void;
}

/** One load to send: the engine is known to have runtime LoRA paths (`runtimeLoraPaths`). */
export interface EngineLoad {
  readonly endpoint: EngineEndpoint;
  readonly adapter: string;
  /** Where the adapter's files are on this node, as the engine reads them. */
  readonly path: string;
  readonly call: LoraEngineCall;
  /** For the check that the engine lists the adapter after accepting it. */
  readonly modelsCall: LoraEngineCall;
  /** What the engine listed before this load (the id observer needs it). */
  readonly listedBefore: readonly string[];
}

/** The engine's runtime LoRA endpoints; LORA_ENGINE_REFUSED when its dialect has none. */
export function runtimeLoraPaths(endpoint: EngineEndpoint): {
  readonly loadPath: string;
  readonly unloadPath: string;
} {
  const paths = engineDialectFor(endpoint.engine).lora;
  if (paths === undefined)
    throw new AppError(
      'LORA_ENGINE_REFUSED',
      `engine ${endpoint.id} (${endpoint.engine}) cannot load adapters at runtime`,
    );
  return paths;
}

/**
 * Refuses, before anything is fetched, a load the engine cannot take: a bad adapter name
 * (LORA_BAD_ADAPTER), another base model or no runtime LoRA endpoints (LORA_ENGINE_REFUSED).
 */
export function checkLoadTarget(
  endpoint: EngineEndpoint,
  adapter: string,
  baseModel: string | undefined,
): void {
  const problem = adapterNameProblem(adapter, endpoint.model);
  if (problem !== undefined) throw new AppError('LORA_BAD_ADAPTER', problem);
  if (baseModel !== undefined && baseModel !== endpoint.model)
    throw new AppError(
      'LORA_ENGINE_REFUSED',
      `engine ${endpoint.id} serves ${endpoint.model}, not the adapter's base model ${baseModel}`,
    );
  runtimeLoraPaths(endpoint);
}

/** See the file comment; one per manager, so loads to one engine queue behind each other. */
export class EngineLoraApi {
  /** The load calls sent to one engine, one at a time (vLLM numbers them in arrival order). */
  readonly #engineLoads = new KeyedQueue();
  readonly #loraIds: LoraIdsObserver | undefined;

  constructor(loraIds: LoraIdsObserver | undefined) {
    this.#loraIds = loraIds;
  }

  /** How to reach `endpoint` for one call; LORA_ENGINE_UNAVAILABLE when its settings are bad. */
  call(
    endpoint: EngineEndpoint,
    timeoutMs: number,
    signal: AbortSignal,
    apiKey?: string,
  ): LoraEngineCall {
    let client;
    try {
      client = engineClientOptions(endpoint.connection);
    } catch (err) {
      throw new AppError(
        'LORA_ENGINE_UNAVAILABLE',
        `cannot call ${endpoint.id}: ${toError(err).message}`,
        {
          cause: err,
        },
      );
    }
    return {
      client,
      authorization: apiKey === undefined || apiKey === '' ? undefined : `Bearer ${apiKey}`,
      timeoutMs,
      signal,
    };
  }

  /** The adapters the engine's /v1/models lists now. */
  async listed(endpoint: EngineEndpoint, call: LoraEngineCall): Promise<readonly string[]> {
    return (await servedModels(endpoint.url, call)).adapters;
  }

  /**
   * Asks the engine to load the adapter and checks its /v1/models lists it after; resolves with
   * whether the engine said it had it already. LORA_* errors from the answer's mapping.
   */
  async load(load: EngineLoad): Promise<{ readonly alreadyLoaded: boolean }> {
    const { endpoint, adapter } = load;
    const url = `${endpoint.url}${runtimeLoraPaths(endpoint).loadPath}`;
    const answer = await this.#postLoad(load, url);
    const alreadyLoaded = mapLoadAnswer(adapter, answer.status, answer.body) === 'already-loaded';
    if (!(await this.listed(endpoint, load.modelsCall)).includes(adapter))
      throw new AppError(
        'LORA_NOT_VISIBLE',
        `engine ${endpoint.id} accepted ${adapter} but its /v1/models does not list it`,
      );
    return { alreadyLoaded };
  }

  /**
   * Asks the engine to drop the adapter; resolves with whether it had it. An engine without
   * runtime LoRA paths holds no runtime adapters: nothing is sent and the answer is false.
   */
  async unload(
    endpoint: EngineEndpoint,
    adapter: string,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    const paths = engineDialectFor(endpoint.engine).lora;
    if (paths === undefined) return false;
    const call = this.call(endpoint, timeoutMs, signal);
    const answer = await postJson(
      `${endpoint.url}${paths.unloadPath}`,
      { lora_name: adapter },
      call,
    );
    return mapUnloadAnswer(adapter, answer.status, answer.body) === 'unloaded';
  }

  /** POSTs one load, after the engine's earlier ones, and tells loraIds what it did to the ids. */
  #postLoad(
    load: EngineLoad,
    url: string,
  ): Promise<{ readonly status: number; readonly body: string }> {
    const { endpoint, adapter, listedBefore } = load;
    const told = (outcome: LoraLoadIdOutcome): void =>
      this.#loraIds?.loadAnswered(endpoint.id, adapter, outcome, listedBefore);
    return this.#engineLoads.run(endpoint.id, async () => {
      try {
        const answer = await postJson(url, { lora_name: adapter, lora_path: load.path }, load.call);
        told(loadIdOutcome(answer.status, answer.body));
        return answer;
      } catch (err) {
        told('unknown');
        throw err;
      }
    });
  }
}
