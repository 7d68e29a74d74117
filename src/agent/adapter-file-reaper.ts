/**
 * Frees a LoRA adapter's files from the node cache once nothing on the node uses them, and
 * keeps trying while that cannot be settled yet. The manager asks right after an unload, an
 * engine restart or a failed load. An adapter still listed in another engine's latest report may
 * only be listed there because that report was read before the engine's own unload or restart;
 * such files wait here and every scrape cycle checks them again against fresh reports, so no
 * stale listing can pin them for good. Files held by a record or by a load in progress do not
 * wait: the drop of that record, or the end of that load, asks again. Bounded: past `max` waiting
 * files the oldest is forgotten (the node cache's LRU still bounds the disk).
 */
import { AppError } from '../shared/index.js';
import type { LoraFetchCache } from './lora-fetch.js';

/** Why an adapter's files must stay, besides a load in progress; undefined: nothing uses them. */
export type AdapterFilesUse = 'held' | 'listed' | undefined;

/** Everything the reaper is built from. */
export interface AdapterFileReaperOptions {
  readonly cache: Pick<LoraFetchCache, 'evict'>;
  /** What uses adapter `name` from `uri` now (a load aside), not counting engine `except`'s report. */
  readonly use: (name: string, uri: string, except?: string) => AdapterFilesUse;
  /** Most files kept waiting. */
  readonly max: number;
}

interface Waiting {
  readonly name: string;
  readonly uri: string;
}

const keyOf = (name: string, uri: string): string => `${name}\n${uri}`;

/** See the file comment. */
export class AdapterFileReaper {
  readonly #o: AdapterFileReaperOptions;
  /** Insertion order is age: the first entry is the one forgotten past the bound. */
  readonly #waiting = new Map<string, Waiting>();
  /** Loads in progress per artifact URI: their files may not be recorded as held yet. */
  readonly #loading = new Map<string, number>();
  #sweeping = false;

  constructor(options: AdapterFileReaperOptions) {
    this.#o = options;
  }

  /** Files waiting for a later sweep. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Frees the files now when nothing but engine `except` (which just dropped the adapter) uses
   * them; returns the bytes freed. Files a report still lists wait for a sweep. Rejects only on
   * an I/O failure of the cache.
   */
  async free(name: string, uri: string, except?: string): Promise<number> {
    const use = this.#use(name, uri, except);
    if (use === 'listed') this.#wait(name, uri);
    if (use !== undefined) return 0;
    return this.#evict(name, uri);
  }

  /**
   * Runs a load of adapter `name` from `uri`: its files stay while it runs. Files a failed load
   * fetched are freed by a sweep, not at once: the engine's next listing settles whether it
   * took them after all (a load that timed out may still land).
   */
  async whileLoading<T>(name: string, uri: string, load: () => Promise<T>): Promise<T> {
    this.#loading.set(uri, (this.#loading.get(uri) ?? 0) + 1);
    try {
      return await load();
    } finally {
      const left = (this.#loading.get(uri) ?? 1) - 1;
      if (left > 0) this.#loading.set(uri, left);
      else this.#loading.delete(uri);
      if (this.#use(name, uri) !== 'held') this.#wait(name, uri);
    }
  }

  /**
   * Checks every waiting file against the reports now (run after each scrape cycle); returns the
   * bytes freed. One sweep at a time; never rejects.
   */
  async sweep(): Promise<number> {
    if (this.#sweeping || this.#waiting.size === 0) return 0;
    this.#sweeping = true;
    let freed = 0;
    try {
      for (const [key, { name, uri }] of [...this.#waiting]) {
        const use = this.#use(name, uri);
        if (use === 'listed') continue;
        this.#waiting.delete(key);
        // Held or loading: the drop of that record or the end of that load asks again.
        if (use === undefined) freed += await this.#evict(name, uri).catch(() => 0);
      }
    } finally {
      this.#sweeping = false;
    }
    return freed;
  }

  #use(name: string, uri: string, except?: string): AdapterFilesUse | 'loading' {
    return this.#loading.has(uri) ? 'loading' : this.#o.use(name, uri, except);
  }

  #wait(name: string, uri: string): void {
    const key = keyOf(name, uri);
    this.#waiting.delete(key);
    this.#waiting.set(key, { name, uri });
    const oldest = this.#waiting.keys().next().value;
    if (this.#waiting.size > this.#o.max && oldest !== undefined) this.#waiting.delete(oldest);
  }

  async #evict(name: string, uri: string): Promise<number> {
    try {
      return (await this.#o.cache.evict(uri)).bytes;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // Read by a pull or a reader right now: try again on a later sweep.
      if (err.code === 'WEIGHTS_IN_USE') this.#wait(name, uri);
      // Not cached (never fetched, or freed already): nothing to free.
      if (err.code.startsWith('WEIGHTS_')) return 0;
      throw err;
    }
  }
}
