/**
 * The agent's record of which engines on its node hold which adapter, and the cache pin that
 * keeps the adapter's files on disk while any of them does (vLLM re-reads `lora_path` when an
 * adapter drops out of its CPU cache, so the files must outlive the load call). Keyed by name
 * and artifact: a ModelAdapter whose artifactURL changed is a different set of files. Bounded:
 * a record goes when its last engine drops it, and no more than `maxEntries` engine holdings
 * are kept (a load beyond is refused). Synchronous: one JS turn decides each change.
 */
import { AppError } from '../shared/index.js';

/** One adapter's files and the engines that loaded them. */
export interface AdapterHolding {
  readonly name: string;
  readonly uri: string;
  readonly key: string;
  readonly path: string;
  readonly bytes: number;
  readonly rank: number;
  readonly engines: ReadonlySet<string>;
}

interface Entry extends AdapterHolding {
  readonly engines: Set<string>;
  readonly release: () => void;
}

const keyOf = (name: string, uri: string): string => `${name}\n${uri}`;

/** See the file comment. */
export class LoraHoldings {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** Engine holdings recorded, all adapters together. */
  get size(): number {
    let n = 0;
    for (const e of this.#entries.values()) n += e.engines.size;
    return n;
  }

  /** Every record, for the agent API and tests. */
  list(): AdapterHolding[] {
    return [...this.#entries.values()].map(({ release: _release, ...h }) => ({
      ...h,
      engines: new Set(h.engines),
    }));
  }

  /** The record of `name` from `uri`, if any. */
  get(name: string, uri: string): AdapterHolding | undefined {
    return this.#entries.get(keyOf(name, uri));
  }

  /** Records of `name` held by `engineId` (any artifact). */
  heldBy(name: string, engineId: string): AdapterHolding[] {
    return [...this.#entries.values()].filter((e) => e.name === name && e.engines.has(engineId));
  }

  /**
   * Records that `engineId` holds the adapter. `pin` is called only for a new record and returns
   * the release of its cache pin. Throws LORA_ENGINE_REFUSED past the bound.
   */
  add(holding: Omit<AdapterHolding, 'engines'>, engineId: string, pin: () => () => void): void {
    const key = keyOf(holding.name, holding.uri);
    const entry = this.#entries.get(key);
    if (entry?.engines.has(engineId)) return;
    if (this.size >= this.#maxEntries)
      throw new AppError(
        'LORA_ENGINE_REFUSED',
        `the agent already records ${this.#maxEntries} adapter loads (lora.maxAdapters)`,
      );
    if (entry !== undefined) {
      entry.engines.add(engineId);
      return;
    }
    this.#entries.set(key, { ...holding, engines: new Set([engineId]), release: pin() });
  }

  /**
   * Forgets that `engineId` holds `name` (from `uri`, or from any artifact). Returns the records
   * no engine holds any more, their pins released, so the caller may free their files.
   */
  drop(name: string, engineId: string, uri?: string): AdapterHolding[] {
    const freed: AdapterHolding[] = [];
    for (const [key, entry] of this.#entries) {
      if (entry.name !== name || (uri !== undefined && entry.uri !== uri)) continue;
      entry.engines.delete(engineId);
      if (entry.engines.size > 0) continue;
      this.#entries.delete(key);
      entry.release();
      freed.push(entry);
    }
    return freed;
  }

  /**
   * Forgets engines that are gone from the node (`alive` false); returns the records left with
   * no engine, their pins released.
   */
  prune(alive: (engineId: string) => boolean): AdapterHolding[] {
    const freed: AdapterHolding[] = [];
    for (const [key, entry] of this.#entries) {
      for (const id of entry.engines) if (!alive(id)) entry.engines.delete(id);
      if (entry.engines.size > 0) continue;
      this.#entries.delete(key);
      entry.release();
      freed.push(entry);
    }
    return freed;
  }
}
