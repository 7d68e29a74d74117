/**
 * The static adapter of the discovery port: reads the cluster file, and re-reads it when it
 * changes, and with it the scale state file next to it (scale groups' desired replicas,
 * scale-state-file.ts). A bad edit is logged once and the last good view is kept.
 *
 * Noticing a change costs two `stat`s, not a read: the files are read only when their identity
 * (inode, size, mtime, ctime) differs from the last read's. An atomic write (temporary file +
 * rename) always gives a new inode, so two writes within one mtime tick are still seen. A
 * directory watch (file-change-wake.ts) wakes the check at once on a change, so the poll, which
 * covers file systems whose watch misses changes, runs every 2 s; where the directory cannot be
 * watched it runs at `pollIntervalMs`. Before this, the leader re-read the state file four times
 * a second while idle (bench/results/gateway-profile.md).
 */
import { stat } from 'node:fs/promises';
import { toError, type Logger } from '../../shared/index.js';
import { clusterEndpoints } from '../cluster-file.js';
import { withScaleGroupReplicas } from '../cluster-file-replicas.js';
import { FileChangeWake } from './file-change-wake.js';
import { readClusterFile } from './read-cluster-file.js';
import { readScaleState, scaleStatePath } from './scale-state-file.js';
import type { ClusterSource, ClusterView, EngineEndpoint } from '../cluster-source.js';

export interface StaticClusterSourceOptions {
  readonly path: string;
  readonly log: Logger;
  /** Keep only the endpoints of this node (agents); undefined = all (leader). */
  readonly node?: string;
  /**
   * How often to check the files when their directory cannot be watched. Default 250 ms: an edit
   * (a new ModelAdapter) waits half of this on average before anything acts on it.
   */
  readonly pollIntervalMs?: number;
  /** How often to check while the directory watch works (it may miss changes). Default 2000 ms. */
  readonly watchedPollIntervalMs?: number;
  /** Watch the directory for changes (default true); false polls at `pollIntervalMs` only. */
  readonly watch?: boolean;
}

/** A file's identity for change detection; '-' when it does not exist. */
async function identityOf(path: string, signal: AbortSignal): Promise<string> {
  try {
    const s = await stat(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
  } catch (err) {
    if (signal.aborted) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '-';
    throw err;
  }
}

export class StaticClusterSource implements ClusterSource {
  readonly name = 'static-cluster-source';
  readonly synced: Promise<void>;
  #view: ClusterView = { endpoints: [], resources: [] };
  #listeners = new Set<(view: ClusterView) => void>();
  #markSynced!: () => void;
  #loaded = false;
  /** Both files' identities when they were last read, valid or not ('' before the first read). */
  #identity = '';
  #reads = 0;
  #checks = 0;

  readonly options: StaticClusterSourceOptions;

  constructor(options: StaticClusterSourceOptions) {
    this.options = options;
    this.synced = new Promise((resolve) => (this.#markSynced = resolve));
  }

  current(): ClusterView {
    return this.#view;
  }

  /** How many times the files were read (loads), for diagnostics and tests. */
  get reads(): number {
    return this.#reads;
  }

  /** How many change checks (two stats each) ran since `run` started. */
  get checks(): number {
    return this.#checks;
  }

  onChange(listener: (view: ClusterView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads the file once; throws on a missing or invalid file (used at startup). */
  async load(signal: AbortSignal = new AbortController().signal): Promise<void> {
    const { path, node } = this.options;
    const scalePath = scaleStatePath(path);
    // Identities before the reads: a write between stat and read only causes one more reload.
    this.#identity = await this.#identityNow(signal);
    this.#reads++;
    const { file } = await readClusterFile(path, { signal });
    const scale = await readScaleState(scalePath, signal);
    // Scale groups' replicas are engines too, as many as desired now (cluster-file-replicas.ts).
    const expanded = withScaleGroupReplicas(file, scale.replicas);
    const endpoints: EngineEndpoint[] = clusterEndpoints(expanded).filter(
      (e) => node === undefined || e.node === node,
    );
    this.#view = { endpoints, resources: file.resources };
    this.#loaded = true;
    this.#markSynced();
    for (const listener of this.#listeners) listener(this.#view);
  }

  async run(signal: AbortSignal): Promise<void> {
    const { log, path, watch = true } = this.options;
    if (!this.#loaded) {
      try {
        await this.load(signal);
      } catch (err) {
        // A stop during the first read aborts it: a clean shutdown, not a bad file.
        if (signal.aborted) return;
        throw err;
      }
    }
    const wake = new FileChangeWake(watch ? [path, scaleStatePath(path)] : []);
    try {
      for (;;) {
        const interval = wake.watching
          ? (this.options.watchedPollIntervalMs ?? 2000)
          : (this.options.pollIntervalMs ?? 250);
        await wake.wait(interval, signal);
        if (signal.aborted) return;
        try {
          this.#checks++;
          if ((await this.#identityNow(signal)) === this.#identity) continue;
          await this.load(signal);
          log.info({ endpoints: this.#view.endpoints.length }, 'cluster file reloaded');
        } catch (err) {
          // Shutting down aborts the read: that is not a bad file. (`reason` is set only once
          // aborted; `aborted` itself is narrowed to false by the check above the try.)
          if (signal.reason !== undefined) return;
          // The bad version's identity is kept: it is reported once, not on every check.
          log.warn(
            { err: toError(err) },
            'cluster file unreadable or invalid; keeping the last good view',
          );
        }
      }
    } finally {
      wake.close();
    }
  }

  #identityNow(signal: AbortSignal): Promise<string> {
    const path = this.options.path;
    return Promise.all([identityOf(path, signal), identityOf(scaleStatePath(path), signal)]).then(
      ([a, b]) => `${a}|${b}`,
    );
  }
}
