/**
 * Informer supervisor (STYLE.md §8): owns one client-node informer (ListWatch) and keeps it
 * running. client-node 1.x relists by itself on 410 Gone (an ERROR event or an HTTP 410 clears
 * its resourceVersion) but stops for good on any other error; this supervisor restarts it with
 * jittered exponential backoff (1 s doubling to 30 s, reset after a healthy period). A restart
 * resumes the watch from the last resourceVersion, so nothing is relisted unless the server
 * says that version is gone.
 */
import {
  ListWatch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import {
  DEFAULT_BACKOFF,
  backoffDelayMs,
  sleep,
  toError,
  type BackoffPolicy,
  type Clock,
  type Logger,
  type Rng,
  type Registry,
  type Runnable,
} from '../../shared/index.js';
import { BoundedWatch, type BoundedWatchOptions } from './bounded-watch.js';
import { kubeMetrics } from '../kube-metrics.js';

/** What to watch and how to recover. */
export interface InformerSupervisorOptions<T extends KubernetesObject> {
  /** Name in logs, e.g. `pods(node=gpu-1)`. */
  readonly name: string;
  readonly kubeConfig: KubeConfig;
  /** Collection path, e.g. `/api/v1/pods` or `/apis/infernode.io/v1alpha1/namespaces/ns/kvcaches`. */
  readonly path: string;
  /** Lists the collection (same selectors); the signal aborts it when the supervisor stops. */
  readonly list: (signal: AbortSignal) => Promise<KubernetesListObject<T>>;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly log: Logger;
  /** Restart backoff. Default 1000 ms doubling to 30000 ms, half-jittered. */
  readonly backoff?: BackoffPolicy;
  /** An informer that ran this long before failing restarts from the first delay again. Default 60000 ms. */
  readonly healthyResetMs?: number;
  /** Waits between restarts; injected so tests need no real time. Default: an abortable sleep. */
  readonly delay?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Times how long an informer ran (the healthy reset); from the composition root. */
  readonly clock: Clock;
  /** Jitters the restart backoff; from the composition root. */
  readonly rng: Rng;
  /** Watch tuning (server timeout, idle timeout). */
  readonly watch?: BoundedWatchOptions;
  /** Registry for `infernode_kube_informer_*` metrics; none when unset. */
  readonly registry?: Registry;
}

/** A supervised informer: a Runnable whose cache other parts read. */
export class InformerSupervisor<T extends KubernetesObject> implements Runnable {
  readonly name: string;
  /** Resolves after the first successful list; never rejects (it waits through failures). */
  readonly synced: Promise<void>;
  readonly #options: InformerSupervisorOptions<T>;
  readonly #informer: ListWatch<T>;
  readonly #listeners = new Set<() => void>();
  #markSynced!: () => void;
  #listSignal: AbortSignal = new AbortController().signal;
  #listed = false;
  #restarts = 0;
  #stopping = false;

  constructor(options: InformerSupervisorOptions<T>) {
    this.name = options.name;
    this.#options = options;
    this.synced = new Promise((resolve) => (this.#markSynced = resolve));
    const list = async (): Promise<KubernetesListObject<T>> => {
      const result = await options.list(this.#listSignal);
      this.#listed = true;
      return result;
    };
    this.#informer = new ListWatch<T>(
      options.path,
      new BoundedWatch(options.kubeConfig, options.watch),
      list,
      false,
      options.labelSelector,
      options.fieldSelector,
    );
    const changed = (): void => {
      for (const listener of this.#listeners) listener();
    };
    this.#informer.on('add', changed);
    this.#informer.on('update', changed);
    this.#informer.on('delete', changed);
  }

  /** The cached objects (empty until synced). */
  list(): readonly T[] {
    return this.#informer.list();
  }

  /** How many times the informer was restarted after an error. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Called after every add, update or delete in the cache; returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async run(signal: AbortSignal): Promise<void> {
    const { log, clock, rng } = this.#options;
    const policy = this.#options.backoff ?? DEFAULT_BACKOFF;
    const healthyResetMs = this.#options.healthyResetMs ?? 60_000;
    const delay = this.#options.delay ?? sleep;
    const metrics = this.#options.registry ? kubeMetrics(this.#options.registry) : undefined;
    metrics?.informerSynced.set({ informer: this.name }, this.#listed ? 1 : 0);
    this.#listSignal = signal;
    let wake: (() => void) | undefined;
    let lastError: unknown;
    const onError = (err: unknown): void => {
      // Stopping aborts the request, which client-node reports as one more error: ignore it.
      if (this.#stopping || signal.aborted) return;
      lastError = err;
      wake?.();
    };
    this.#informer.on('error', onError);
    // One abort listener for the whole run (not one per restart, which would pile up on the
    // process-lifetime signal): stopping wakes the wait for a failure.
    const onStop = (): void => wake?.();
    signal.addEventListener('abort', onStop, { once: true });
    let attempt = 0;
    try {
      while (!isAborted(signal)) {
        const failed = new Promise<void>((resolve) => (wake = resolve));
        const startedAtMs = clock.monotonicMs();
        try {
          await this.#informer.start();
        } catch (err) {
          onError(err);
        }
        if (this.#listed) {
          this.#markSynced();
          metrics?.informerSynced.set({ informer: this.name }, 1);
        }
        if (!isAborted(signal)) await failed;
        if (isAborted(signal)) break;
        if (clock.monotonicMs() - startedAtMs >= healthyResetMs) attempt = 0;
        const delayMs = backoffDelayMs(policy, attempt++, rng);
        this.#restarts++;
        metrics?.informerRestarts.inc({ informer: this.name });
        log.warn(
          { informer: this.name, err: toError(lastError), attempt, delayMs },
          'informer failed; restarting after backoff',
        );
        await delay(delayMs, signal);
      }
    } finally {
      this.#stopping = true;
      await this.#informer.stop();
      this.#informer.off('error', onError);
      signal.removeEventListener('abort', onStop);
    }
  }
}

/** Reads `signal.aborted` through a call, so TypeScript does not narrow it across awaits. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
