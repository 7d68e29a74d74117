/**
 * The node cache's book of what takes room on disk: published models, partial pulls left in
 * staging, holds on models, and directories being removed. It decides evictions (through the
 * pure chooseEvictions) and performs them; NodeCache runs pulls on top of it.
 */
import { join } from 'node:path';
import { AppError, type Logger } from '../../shared/index.js';
import { chooseEvictions, type CacheEntry } from '../index.js';
import {
  directoryBytes,
  modifiedMs,
  readManifest,
  removeDirectory,
  subdirectories,
  type CacheDirs,
  type ModelManifest,
} from './cache-layout.js';

/** A partial pull left in staging (or a model directory without a valid manifest). */
export interface PartialPull {
  readonly key: string;
  readonly dir: string;
  readonly bytes: number;
  readonly lastUsedMs: number;
}

/** A pull in progress as the ledger counts it: its reservation is in use until it ends. */
export interface Reservation {
  readonly key: string;
  readonly reservedBytes: number;
}

/** See the file comment. */
export class CacheLedger {
  readonly dirs: CacheDirs;
  readonly models = new Map<string, ModelManifest>();
  /** By directory path: a model dir and a staging dir of one key are different entries. */
  readonly partials = new Map<string, PartialPull>();
  readonly #holds = new Map<string, number>();
  readonly #removals = new Map<string, Promise<void>>();
  readonly #log: Logger;

  constructor(dirs: CacheDirs, log: Logger) {
    this.dirs = dirs;
    this.#log = log;
  }

  /** Learns what is on disk: models with a valid manifest, and everything else as partial. */
  async scan(): Promise<void> {
    for (const key of await subdirectories(this.dirs.models)) {
      const dir = join(this.dirs.models, key);
      const manifest = await readManifest(dir);
      if (manifest?.key === key) this.models.set(key, manifest);
      else await this.addPartial(key, dir);
    }
    for (const key of await subdirectories(this.dirs.staging))
      await this.addPartial(key, join(this.dirs.staging, key));
  }

  /**
   * Records `dir` as a partial pull (its bytes as found on disk), last used at `lastUsedMs`
   * (default: the directory's mtime, for what start finds); an empty one is removed.
   */
  async addPartial(key: string, dir: string, lastUsedMs?: number): Promise<void> {
    const bytes = await directoryBytes(dir);
    if (bytes === 0) return this.remove(dir);
    lastUsedMs ??= await modifiedMs(dir).catch(() => 0);
    this.partials.set(dir, { key, dir, bytes, lastUsedMs });
  }

  /** Holds on `key` now. */
  holds(key: string): number {
    return this.#holds.get(key) ?? 0;
  }

  /** Pins `key` against eviction; the returned function releases it (idempotent). */
  hold(key: string, onRelease: () => void): () => void {
    this.#holds.set(key, this.holds(key) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.holds(key) - 1;
      if (left > 0) this.#holds.set(key, left);
      else this.#holds.delete(key);
      onRelease();
    };
  }

  /** Bytes on disk that the ledger knows: published models and partial pulls. */
  bytesKnown(): number {
    let total = 0;
    for (const m of this.models.values()) total += m.bytes;
    for (const p of this.partials.values()) total += p.bytes;
    return total;
  }

  /**
   * Makes room for `bytes` more under `budgetBytes`, given the other pulls' reservations:
   * evicts idle models and partial pulls least recently used first, or throws
   * WEIGHTS_CACHE_FULL (507) having evicted nothing.
   */
  makeRoom(uri: string, bytes: number, budgetBytes: number, others: Iterable<Reservation>): void {
    const entries: (CacheEntry & { readonly evict: () => void })[] = [];
    for (const [key, m] of this.models)
      entries.push({
        key: `model:${key}`,
        bytes: m.bytes,
        lastUsedMs: m.lastUsedMs,
        inUse: this.holds(key) > 0,
        evict: () => void this.evictModel(key),
      });
    for (const p of this.partials.values())
      entries.push({
        key: `partial:${p.dir}`,
        bytes: p.bytes,
        lastUsedMs: p.lastUsedMs,
        inUse: false,
        evict: () => void this.remove(p.dir),
      });
    for (const r of others)
      entries.push({
        key: `pull:${r.key}`,
        bytes: r.reservedBytes,
        lastUsedMs: 0,
        inUse: true,
        evict: () => undefined,
      });
    const choice = chooseEvictions(entries, budgetBytes, bytes);
    if (choice.kind === 'full')
      throw new AppError(
        'WEIGHTS_CACHE_FULL',
        `${uri} needs ${bytes} bytes; the cache's budget of ${budgetBytes} bytes has only ${choice.availableBytes} free once every model not in use is evicted`,
        { httpStatus: 507, detail: { neededBytes: bytes, availableBytes: choice.availableBytes } },
      );
    for (const id of choice.evict) entries.find((e) => e.key === id)?.evict();
  }

  /** Forgets a published model at once and removes its directory. */
  evictModel(key: string): Promise<void> {
    const model = this.models.get(key);
    if (model === undefined) return Promise.resolve();
    this.models.delete(key);
    this.#log.info({ uri: model.uri, key, bytes: model.bytes }, 'model evicted');
    return this.remove(join(this.dirs.models, key));
  }

  /** Forgets `dir` at once and removes it; {@link settled} lets a publish wait for it. */
  remove(dir: string): Promise<void> {
    this.partials.delete(dir);
    const removal = removeDirectory(this.dirs, dir)
      .catch((err: unknown) => this.#log.warn({ err, dir }, 'could not remove a cache directory'))
      .finally(() => this.#removals.delete(dir));
    this.#removals.set(dir, removal);
    return removal;
  }

  /** Resolves once any removal of `dir` under way has finished. */
  async settled(dir: string): Promise<void> {
    await this.#removals.get(dir);
  }
}
