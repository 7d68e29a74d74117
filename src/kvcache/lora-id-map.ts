/**
 * One engine's vLLM `lora_int_id` → adapter name map, so the agent can seed a LoRA request's
 * BlockStored tokens with the adapter's name (adapterHashSeed) exactly as the gateway seeds that
 * adapter's prompts. vLLM's KV events carry only the int id.
 *
 * How vLLM (v0.10–v0.11, entrypoints/openai/serving_models.py) assigns the id: one counter per
 * server process, starting at 0. `init_static_loras` loads the `--lora-modules` in order first
 * (ids 1..n; any failure stops the server). Each `/v1/load_lora_adapter` then takes the next id
 * once it passes the name checks ("Both 'lora_name' and 'lora_path' must be provided.", "has
 * already been loaded") and before the engine reads the adapter, so a load the engine then
 * refuses (not found, rank too high, no slot) still uses one up. Unload frees no id; a reload of
 * the same name gets a new one. A restart starts again at 0.
 *
 * The map follows that counter from the agent's own loads (it serialises them per engine, so it
 * knows their order). When it cannot know the counter any more (a load with no answer, an
 * adapter loaded by someone else), new ids stay unknown until the engine restarts: their blocks
 * are dropped and counted, never guessed. A BlockStored id at or past the counter proves the
 * count wrong: the runtime bindings go too. Pure.
 */
import { adapterHashSeed } from './prefix-hashing.js';

/** What a `/v1/load_lora_adapter` call did to the engine's id counter. */
export type LoraLoadIdOutcome =
  /** Loaded: the next id is this adapter's. */
  | 'loaded'
  /** Refused by the name checks, before an id was taken. */
  | 'refused-before-id'
  /** Refused by the engine after the id was taken (not found, rank, slots, LoRA disabled). */
  | 'refused-after-id'
  /** No answer, or one that may not come from vLLM: whether an id was taken is unknown. */
  | 'unknown';

/** Options of LoraIdMap. */
export interface LoraIdMapOptions {
  /** The engine's `--lora-modules` names, in order (ids 1..n). Default none. */
  readonly staticAdapters?: readonly string[];
  /**
   * Whether the engine's counter is known to be at `staticAdapters.length` now (the agent saw it
   * start, or it lists no runtime adapter). False: runtime ids stay unknown until `restarted`.
   */
  readonly counterKnown: boolean;
  /** Most runtime ids remembered (the oldest goes first). Default 4096. */
  readonly maxIds?: number;
}

/** Counts of what the map could not translate or had to forget. */
export interface LoraIdMapCounters {
  /** seedFor calls for an id with no known adapter. */
  unknownIds: number;
  /** Times the map lost the engine's counter. */
  counterLost: number;
}

/** See the file comment. */
export class LoraIdMap {
  readonly #static: readonly string[];
  readonly #maxIds: number;
  /** Runtime id → adapter name, oldest first. */
  readonly #runtime = new Map<number, string>();
  /** The id vLLM gives the next load; undefined = unknown. */
  #next: number | undefined;
  /** Running totals. */
  readonly counters: LoraIdMapCounters = { unknownIds: 0, counterLost: 0 };

  constructor(options: LoraIdMapOptions) {
    this.#static = [...(options.staticAdapters ?? [])];
    this.#maxIds = options.maxIds ?? 4096;
    this.#next = options.counterKnown ? this.#static.length + 1 : undefined;
  }

  /** Whether the engine's counter is known (new loads get bound). */
  get counterKnown(): boolean {
    return this.#next !== undefined;
  }

  /** The adapter name of an id, if known. */
  nameOf(loraId: number): string | undefined {
    if (Number.isInteger(loraId) && loraId >= 1 && loraId <= this.#static.length)
      return this.#static[loraId - 1];
    return this.#runtime.get(loraId);
  }

  /** Whether some id is bound to `adapter` (a static one, or a runtime load we saw). */
  binds(adapter: string): boolean {
    return this.#static.includes(adapter) || [...this.#runtime.values()].includes(adapter);
  }

  /**
   * The hash seed of an id's blocks (the gateway's seed for that adapter), or undefined when the
   * id is unknown. An id the engine cannot have given yet by our count means the count is wrong.
   */
  seedFor(loraId: number): number | undefined {
    if (this.#next !== undefined && loraId >= this.#next) this.#lose(true);
    const name = this.nameOf(loraId);
    if (name === undefined) {
      this.counters.unknownIds++;
      return undefined;
    }
    return adapterHashSeed(name);
  }

  /** Records the outcome of one load call (calls must be recorded in the engine's order). */
  loadAnswered(adapter: string, outcome: LoraLoadIdOutcome): void {
    if (outcome === 'refused-before-id') return;
    if (outcome === 'unknown') {
      this.#lose(false);
      return;
    }
    if (this.#next === undefined) return;
    const id = this.#next++;
    if (outcome === 'loaded') {
      this.#runtime.set(id, adapter);
      if (this.#runtime.size > this.#maxIds) {
        const oldest = this.#runtime.keys().next().value as number;
        this.#runtime.delete(oldest);
      }
    }
  }

  /** The engine restarted: only the static adapters are loaded, the counter starts again. */
  restarted(): void {
    this.#runtime.clear();
    this.#next = this.#static.length + 1;
  }

  /**
   * The counter is unknown from now on. Bindings made before stay, unless the count is proven
   * wrong (`wrongCount`): then any of them may name the wrong adapter, and they go as well.
   */
  #lose(wrongCount: boolean): void {
    if (this.#next !== undefined) this.counters.counterLost++;
    this.#next = undefined;
    if (wrongCount) this.#runtime.clear();
  }
}
