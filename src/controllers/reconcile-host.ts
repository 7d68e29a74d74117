/**
 * The reconcile host: the one loop every controller shares (DESIGN.md §8b), in the spirit of
 * controller-runtime's controller. Sources name keys; a bounded, de-duplicating work queue feeds
 * a fixed number of workers; each reconcile gets its own signal, timeout and child logger; errors
 * back off per key, `requeueAfterMs` and the periodic resync bring keys back, and metrics follow
 * controller-runtime's names. It is a Runnable: it runs only where it is started (the leader
 * lists it among its leader-only parts) and its `run` resolves once in-flight reconciles finish.
 *
 * Listeners: the caller's long-lived signal gets exactly one abort listener per `run`, removed
 * when `run` ends; idle workers wait on the queue, not on the signal (issue 10's leak).
 */
import {
  AppError,
  DEFAULT_BACKOFF,
  toError,
  type BackoffPolicy,
  type Clock,
  type Logger,
  type Registry,
  type Rng,
  type Runnable,
} from '../shared/index.js';
import { ControllerMetrics } from './controller-metrics.js';
import { DelayedKeys } from './delayed-keys.js';
import { KeyBackoff } from './key-backoff.js';
import type { KeySource } from './key-source.js';
import { reconcileOutcome, type ReconcileSettled } from './reconcile-outcome.js';
import type { Reconciler } from './reconciler.js';
import type { Timers } from './timers.js';
import { WorkQueue } from './work-queue.js';

/** Tunables of one host; every field has a default. */
export interface ReconcileHostSettings {
  /** Most keys waiting (queued, and separately delayed); more are dropped until a resync. Default 10000. */
  readonly maxQueuedKeys: number;
  /** Reconciles running at once (never two for one key). Default 1. */
  readonly workers: number;
  /** Every key from every source is queued again this often, ms; 0 turns it off. Default 60000. */
  readonly resyncIntervalMs: number;
  /** A reconcile's signal aborts after this, ms. Default 60000. */
  readonly reconcileTimeoutMs: number;
  /** Per-key retry delays after errors. Default 1 s doubling to 30 s, with jitter. */
  readonly backoff: BackoffPolicy;
}

export const DEFAULT_RECONCILE_HOST_SETTINGS: ReconcileHostSettings = {
  maxQueuedKeys: 10_000,
  workers: 1,
  resyncIntervalMs: 60_000,
  reconcileTimeoutMs: 60_000,
  backoff: DEFAULT_BACKOFF,
};

export interface ReconcileHostOptions {
  /** The `controller` label and log field; a fixed name from code (e.g. 'gpu-remediation'). */
  readonly name: string;
  readonly reconciler: Reconciler;
  readonly sources: readonly KeySource[];
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timers: Timers;
  readonly settings?: Partial<ReconcileHostSettings>;
}

export class ReconcileHost implements Runnable {
  readonly name: string;
  readonly #options: ReconcileHostOptions;
  readonly #settings: ReconcileHostSettings;
  readonly #metrics: ControllerMetrics;
  readonly #queue: WorkQueue;
  readonly #backoff: KeyBackoff;
  readonly #delayed: DelayedKeys;
  /** Idle workers waiting for a key; each is woken once and removes itself. */
  readonly #waiters = new Set<() => void>();
  /** Per-reconcile controllers, aborted together on stop. */
  readonly #inFlight = new Set<AbortController>();
  #reconcileCount = 0;
  #running = false;
  #isFullReported = false;

  constructor(options: ReconcileHostOptions) {
    this.name = options.name;
    this.#options = options;
    this.#settings = { ...DEFAULT_RECONCILE_HOST_SETTINGS, ...options.settings };
    const { maxQueuedKeys } = this.#settings;
    this.#metrics = ControllerMetrics.for(options.registry);
    this.#queue = new WorkQueue(maxQueuedKeys);
    this.#backoff = new KeyBackoff(this.#settings.backoff, options.rng, maxQueuedKeys);
    this.#delayed = new DelayedKeys(options.timers, options.clock, maxQueuedKeys, (key) =>
      this.enqueue(key),
    );
  }

  /** Queues a key for reconcile (sources do this; anything else may too). */
  enqueue(key: string): void {
    const outcome = this.#queue.add(key);
    if (outcome === 'full') {
      this.#metrics.dropped.inc({ controller: this.name });
      // One line per episode, not per key: a full queue may refuse thousands of keys.
      if (!this.#isFullReported) {
        this.#options.log.warn({ controller: this.name, key }, 'work queue full: keys dropped');
      }
      this.#isFullReported = true;
    } else {
      this.#isFullReported = false;
    }
    this.#updateDepth();
    if (outcome === 'queued') this.#wakeOne();
  }

  /** Runs the workers until `signal` aborts, then waits for in-flight reconciles to finish. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error(`${this.name}: already running`);
    if (signal.aborted) return;
    this.#running = true;
    const stop = (): void => {
      for (const controller of this.#inFlight) controller.abort(signal.reason);
      for (const wake of [...this.#waiters]) wake();
    };
    signal.addEventListener('abort', stop, { once: true });
    const unsubscribes = this.#options.sources.map((s) => s.watch((key) => this.enqueue(key)));
    let cancelResync: (() => void) | undefined;
    const resync = (): void => {
      for (const source of this.#options.sources)
        for (const key of source.list()) this.enqueue(key);
      const everyMs = this.#settings.resyncIntervalMs;
      if (everyMs > 0) cancelResync = this.#options.timers.schedule(everyMs, resync);
    };
    resync();
    try {
      const workers = Array.from({ length: Math.max(1, this.#settings.workers) }, () =>
        this.#work(signal),
      );
      await Promise.all(workers);
    } finally {
      signal.removeEventListener('abort', stop);
      for (const unsubscribe of unsubscribes) unsubscribe();
      cancelResync?.();
      this.#delayed.clear();
      this.#running = false;
    }
  }

  async #work(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const key = this.#queue.next();
      if (key === undefined) {
        await new Promise<void>((resolve) => {
          const wake = (): void => {
            this.#waiters.delete(wake);
            resolve();
          };
          this.#waiters.add(wake);
        });
        continue;
      }
      this.#updateDepth();
      await this.#process(key, signal);
    }
  }

  #wakeOne(): void {
    const wake = this.#waiters.values().next();
    if (wake.done !== true) wake.value();
  }

  #updateDepth(): void {
    this.#metrics.depth.set({ controller: this.name }, this.#queue.depth);
  }

  async #process(key: string, signal: AbortSignal): Promise<void> {
    const { clock, timers, reconciler } = this.#options;
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const cancelTimeout = timers.schedule(this.#settings.reconcileTimeoutMs, () =>
      controller.abort(
        new AppError(
          'CONTROLLER_RECONCILE_TIMEOUT',
          `${this.name}: reconcile of ${key} ran past ${this.#settings.reconcileTimeoutMs} ms`,
        ),
      ),
    );
    const reconcileId = (++this.#reconcileCount).toString(36);
    const log = this.#options.log.child({ controller: this.name, key, reconcileId });
    const labels = { controller: this.name };
    this.#metrics.activeWorkers.inc(labels);
    const startMs = clock.monotonicMs();
    let settled: ReconcileSettled;
    try {
      settled = {
        kind: 'returned',
        result: await reconciler.reconcile(key, { signal: controller.signal, log }),
      };
    } catch (error) {
      settled = { kind: 'threw', error };
    } finally {
      cancelTimeout();
      this.#inFlight.delete(controller);
      this.#metrics.activeWorkers.dec(labels);
      this.#metrics.reconcileTime.observe(labels, (clock.monotonicMs() - startMs) / 1000);
    }
    this.#settle(key, settled, log, signal.aborted);
  }

  #settle(key: string, settled: ReconcileSettled, log: Logger, isStopping: boolean): void {
    const outcome = reconcileOutcome(settled);
    const labels = { controller: this.name };
    this.#metrics.reconcileTotal.inc({ ...labels, result: outcome.label });
    this.#queue.done(key);
    switch (outcome.next) {
      case 'forget':
        this.#backoff.reset(key);
        break;
      case 'after':
        this.#backoff.reset(key);
        if (!isStopping) this.#delayed.addAfter(key, outcome.delayMs);
        break;
      case 'backoff': {
        this.#metrics.reconcileErrors.inc(labels);
        if (isStopping) {
          log.info({ err: toError(outcome.error) }, 'reconcile ended by stop');
          break;
        }
        const delayMs = this.#backoff.nextDelayMs(key);
        this.#metrics.retries.inc(labels);
        log.warn(
          { err: toError(outcome.error), retryInMs: delayMs },
          'reconcile failed; will retry',
        );
        if (!this.#delayed.addAfter(key, delayMs)) this.#metrics.dropped.inc(labels);
        break;
      }
      case 'terminal':
        this.#metrics.reconcileErrors.inc(labels);
        this.#metrics.terminalErrors.inc(labels);
        this.#backoff.reset(key);
        log.error(
          { err: outcome.error },
          'reconcile failed for good; not retried until the key changes',
        );
        break;
    }
    this.#updateDepth();
  }
}
