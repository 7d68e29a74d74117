/**
 * The static adapter of the discovery port: reads the cluster file, and re-reads it when it
 * changes (polling its mtime, which works on every file system). A bad edit is logged and the
 * last good view is kept.
 */
import { stat } from 'node:fs/promises';
import { sleep, toError, type Logger } from '../../shared/index.js';
import { clusterEndpoints } from '../cluster-file.js';
import { readClusterFile } from './read-cluster-file.js';
import type { ClusterSource, ClusterView, EngineEndpoint } from '../cluster-source.js';

export interface StaticClusterSourceOptions {
  readonly path: string;
  readonly log: Logger;
  /** Keep only the endpoints of this node (agents); undefined = all (leader). */
  readonly node?: string;
  /** How often to check the file for changes. Default 1000 ms. */
  readonly pollIntervalMs?: number;
}

export class StaticClusterSource implements ClusterSource {
  readonly name = 'static-cluster-source';
  readonly synced: Promise<void>;
  #view: ClusterView = { endpoints: [], resources: [] };
  #listeners = new Set<(view: ClusterView) => void>();
  #markSynced!: () => void;
  #mtimeMs = -1;

  readonly options: StaticClusterSourceOptions;

  constructor(options: StaticClusterSourceOptions) {
    this.options = options;
    this.synced = new Promise((resolve) => (this.#markSynced = resolve));
  }

  current(): ClusterView {
    return this.#view;
  }

  onChange(listener: (view: ClusterView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads the file once; throws on a missing or invalid file (used at startup). */
  async load(): Promise<void> {
    const { path, node } = this.options;
    const { file, mtimeMs } = await readClusterFile(path);
    this.#mtimeMs = mtimeMs;
    const endpoints: EngineEndpoint[] = clusterEndpoints(file).filter(
      (e) => node === undefined || e.node === node,
    );
    this.#view = { endpoints, resources: file.resources };
    this.#markSynced();
    for (const listener of this.#listeners) listener(this.#view);
  }

  async run(signal: AbortSignal): Promise<void> {
    const log = this.options.log;
    if (this.#mtimeMs < 0) await this.load();
    for (;;) {
      await sleep(this.options.pollIntervalMs ?? 1000, signal);
      if (signal.aborted) return;
      try {
        const info = await stat(this.options.path);
        if (info.mtimeMs !== this.#mtimeMs) {
          await this.load();
          log.info({ endpoints: this.#view.endpoints.length }, 'cluster file reloaded');
        }
      } catch (err) {
        log.warn(
          { err: toError(err) },
          'cluster file unreadable or invalid; keeping the last good view',
        );
      }
    }
  }
}
