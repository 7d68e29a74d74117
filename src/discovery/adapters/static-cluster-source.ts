/**
 * The static adapter of the discovery port: reads the cluster file, and re-reads it when it
 * changes (polling its mtime, which works on every file system), and with it the scale state file
 * next to it (scale groups' desired replicas, scale-state-file.ts). A bad edit is logged and the
 * last good view is kept.
 */
import { stat } from 'node:fs/promises';
import { sleep, toError, type Logger } from '../../shared/index.js';
import { clusterEndpoints } from '../cluster-file.js';
import { withScaleGroupReplicas } from '../cluster-file-replicas.js';
import { readClusterFile } from './read-cluster-file.js';
import { readScaleState, scaleStatePath } from './scale-state-file.js';
import type { ClusterSource, ClusterView, EngineEndpoint } from '../cluster-source.js';

export interface StaticClusterSourceOptions {
  readonly path: string;
  readonly log: Logger;
  /** Keep only the endpoints of this node (agents); undefined = all (leader). */
  readonly node?: string;
  /**
   * How often to check the file for changes. Default 250 ms: an edit (a new ModelAdapter) waits
   * half of this on average before anything acts on it, and a stat plus the small state file's
   * read four times a second costs nothing measurable (bench lora --mode apply).
   */
  readonly pollIntervalMs?: number;
}

export class StaticClusterSource implements ClusterSource {
  readonly name = 'static-cluster-source';
  readonly synced: Promise<void>;
  #view: ClusterView = { endpoints: [], resources: [] };
  #listeners = new Set<(view: ClusterView) => void>();
  #markSynced!: () => void;
  #mtimeMs = -1;
  /** The scale state file's text at the last load ('' when absent). */
  #scaleText = '';

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
    const scale = await readScaleState(scaleStatePath(path));
    this.#mtimeMs = mtimeMs;
    this.#scaleText = scale.text;
    // Scale groups' replicas are engines too, as many as desired now (cluster-file-replicas.ts).
    const expanded = withScaleGroupReplicas(file, scale.replicas);
    const endpoints: EngineEndpoint[] = clusterEndpoints(expanded).filter(
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
      await sleep(this.options.pollIntervalMs ?? 250, signal);
      if (signal.aborted) return;
      try {
        const info = await stat(this.options.path);
        // The state file is small: comparing its text also catches two writes in one mtime tick.
        const scale = await readScaleState(scaleStatePath(this.options.path), signal);
        if (info.mtimeMs !== this.#mtimeMs || scale.text !== this.#scaleText) {
          await this.load();
          log.info({ endpoints: this.#view.endpoints.length }, 'cluster file reloaded');
        }
      } catch (err) {
        // Shutting down aborts the read: that is not a bad file. (`reason` is set only once
        // aborted; `aborted` itself is narrowed to false by the check above the try.)
        if (signal.reason !== undefined) return;
        log.warn(
          { err: toError(err) },
          'cluster file unreadable or invalid; keeping the last good view',
        );
      }
    }
  }
}
