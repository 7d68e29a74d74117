/**
 * The agent's LoraIdMap per engine (src/kvcache/lora-id-map.ts): the adapter manager records
 * each load's outcome, the KV event path asks for the hash seed of a BlockStored's `lora_id`.
 *
 * Whether an engine's id counter is known, when the agent first needs its map: yes if the engine
 * is not up yet or lists no runtime adapter (nothing was loaded since it started, or all of it
 * was unloaded: then only a BlockStored id past the count can tell, and the map drops its runtime
 * bindings when one shows), no if it lists adapters the agent did not see loaded. After the
 * engine went down or its counters went back (engineRestarted), blocks are dropped until its
 * next ready report: listing no runtime adapter means it restarted (a restart loses them), still
 * listing the ones bound means it only missed health checks, anything else leaves ids unknown.
 */
import type { EngineReport } from '../protocol/index.js';
import { LoraIdMap, type LoraLoadIdOutcome } from '../kvcache/index.js';

/** Options of EngineLoraIds. */
export interface EngineLoraIdsOptions {
  /** The latest report of every engine on the node (what each lists, whether it is up). */
  readonly reports: () => readonly EngineReport[];
  /** An engine's `--lora-modules` names in order; default none (infernode starts none today). */
  readonly staticAdapters?: (engineId: string) => readonly string[];
  /** Engines remembered at most (a node has a handful). Default 1024. */
  readonly maxEngines?: number;
}

/** Totals over every engine, for metrics. */
export interface EngineLoraIdsStats {
  /** BlockStored events with a `lora_id` the agent could not name (their blocks dropped). */
  unknownIds: number;
  /** Times an engine's id counter was lost (a load without answer, a foreign load, a wrong count). */
  counterLost: number;
}

/** A load's own view of the engine. */
interface LoadContext {
  readonly listedBefore: readonly string[] | undefined;
  readonly adapter: string;
}

interface Entry {
  map: LoraIdMap;
  /** Went down or restarted: re-decided at the next ready report. */
  suspect: boolean;
}

/**
 * Classifies a `/v1/load_lora_adapter` answer by vLLM's id rule (lora-id-map.ts): only its two
 * name checks come before the id is taken. `status` undefined: no answer.
 */
export function loadIdOutcome(status: number | undefined, body: string): LoraLoadIdOutcome {
  if (status === undefined || status >= 500) return 'unknown';
  if (status >= 200 && status < 300) return 'loaded';
  if (/already (been )?loaded|must be provided/i.test(body)) return 'refused-before-id';
  return 'refused-after-id';
}

/** See the file comment. */
export class EngineLoraIds {
  readonly #o: EngineLoraIdsOptions;
  readonly #engines = new Map<string, Entry>();
  readonly #retired: EngineLoraIdsStats = { unknownIds: 0, counterLost: 0 };

  constructor(options: EngineLoraIdsOptions) {
    this.#o = options;
  }

  /** The hash seed of an engine's adapter blocks by `lora_id`; undefined = unknown (dropped). */
  seedFor(engineId: string, loraId: number): number | undefined {
    const entry = this.#entry(engineId);
    if (entry === undefined) {
      this.#retired.unknownIds++;
      return undefined;
    }
    return entry.map.seedFor(loraId);
  }

  /**
   * The adapter manager's load call to an engine was answered (or not); in call order.
   * `listedBefore`: what the engine's /v1/models listed just before (decides a new engine's
   * counter when the watcher has not read its models yet); default the watcher's report.
   */
  loadAnswered(
    engineId: string,
    adapter: string,
    outcome: LoraLoadIdOutcome,
    listedBefore?: readonly string[],
  ): void {
    // A listing may already show this very adapter: it says nothing of the counter before it.
    const entry = this.#entry(engineId, { listedBefore, adapter });
    if (entry !== undefined) entry.map.loadAnswered(adapter, outcome);
    else if (outcome !== 'refused-before-id') this.#retired.counterLost++;
  }

  /** The engine went down or restarted (the KV event path's restart signal). */
  engineRestarted(engineId: string): void {
    const entry = this.#engines.get(engineId);
    if (entry !== undefined) entry.suspect = true;
  }

  /** Forgets engines no longer on the node. */
  prune(keep: (engineId: string) => boolean): void {
    for (const [id, e] of this.#engines) if (!keep(id)) this.#retire(id, e);
  }

  /** Totals over every engine this agent followed. */
  stats(): EngineLoraIdsStats {
    const sum = { ...this.#retired };
    for (const e of this.#engines.values()) {
      sum.unknownIds += e.map.counters.unknownIds;
      sum.counterLost += e.map.counters.counterLost;
    }
    return sum;
  }

  #retire(id: string, e: Entry): void {
    this.#retired.unknownIds += e.map.counters.unknownIds;
    this.#retired.counterLost += e.map.counters.counterLost;
    this.#engines.delete(id);
  }

  /**
   * The engine's map, created or re-decided from what it lists: `fresh` (the adapter manager's
   * own read just before its load, without the adapter it loads) or else the watcher's latest
   * report. Undefined while that cannot be decided.
   */
  #entry(engineId: string, fresh?: LoadContext): Entry | undefined {
    let entry = this.#engines.get(engineId);
    if (entry !== undefined && !entry.suspect) return entry;
    const report = this.#o.reports().find((r) => r.id === engineId);
    const view =
      fresh?.listedBefore !== undefined
        ? { ready: true, adapters: fresh.listedBefore }
        : // Up, but its adapters not read yet: nothing can be decided.
          report?.ready === true && report.servedModels === undefined
          ? undefined
          : report;
    if (view === undefined) return undefined;
    const staticAdapters = this.#o.staticAdapters?.(engineId) ?? [];
    const runtime = view.adapters.filter(
      (a) => !staticAdapters.includes(a) && a !== fresh?.adapter,
    );
    if (entry === undefined) {
      if (this.#engines.size >= (this.#o.maxEngines ?? 1024)) {
        // Pods come and go on a node: make room from engines no longer reported.
        const present = new Set(this.#o.reports().map((r) => r.id));
        this.prune((id) => present.has(id));
        if (this.#engines.size >= (this.#o.maxEngines ?? 1024)) return undefined;
      }
      const counterKnown = !view.ready || runtime.length === 0;
      entry = { map: new LoraIdMap({ staticAdapters, counterKnown }), suspect: false };
      this.#engines.set(engineId, entry);
      return entry;
    }
    if (!view.ready) return undefined;
    entry.suspect = false;
    if (runtime.length === 0) entry.map.restarted();
    else if (!runtime.every((a) => (entry as Entry).map.binds(a))) {
      // Some listed adapter was loaded by someone else: its id, and the counter, are unknown.
      const lost = new LoraIdMap({ staticAdapters, counterKnown: false });
      lost.counters.counterLost = 1;
      this.#retire(engineId, entry);
      entry = { map: lost, suspect: false };
      this.#engines.set(engineId, entry);
    }
    return entry;
  }
}
