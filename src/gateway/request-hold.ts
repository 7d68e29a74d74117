/**
 * Holds requests for a model that is expected but has no ready engine yet (scale from zero, an
 * adapter still loading): each waits in a bounded queue for at most its hold time, the first
 * request of a model signals demand, and when the model becomes ready its requests are released
 * in arrival order. A request that cannot wait is answered at once (queue full) and one whose
 * client leaves is taken out of the queue: nothing is dropped silently.
 */
import { Counter, Gauge, Histogram, linkedSignal, toError } from '../shared/index.js';
import type { Logger, Registry } from '../shared/index.js';
import type { ExpectedModels } from './expected-models.js';

/** How a hold ended: released (the model is ready), timed out, refused (queue full), or the client left. */
export type HoldOutcome = 'released' | 'timeout' | 'full' | 'client-gone';

/** The hold's settings (leader config `gateway.holdTimeoutMs`, `gateway.maxHeldRequests`). */
export interface RequestHoldSettings {
  /** Longest wait of one request, ms, unless the model names its own. */
  readonly holdTimeoutMs: number;
  /** Requests held at once, all models together; more are refused at once. */
  readonly maxHeldRequests: number;
}

/** What the hold is built from. */
export interface RequestHoldOptions extends RequestHoldSettings {
  readonly expected: ExpectedModels;
  readonly registry: Registry;
  readonly log: Logger;
}

interface Waiter {
  readonly settle: (outcome: HoldOutcome) => void;
}

interface ModelQueue {
  readonly waiters: Waiter[];
  /** Stops this model's readiness watch once nobody waits. */
  readonly watch: AbortController;
}

const WAIT_BUCKETS_SECONDS = [0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

/** The gateway's queue of held requests (see the file comment). */
export class RequestHold {
  readonly #options: RequestHoldOptions;
  readonly #queues = new Map<string, ModelQueue>();
  #held = 0;
  readonly #heldGauge: Gauge;
  readonly #outcomes: Counter<'outcome'>;
  readonly #waitSeconds: Histogram;

  constructor(options: RequestHoldOptions) {
    this.#options = options;
    const registers = [options.registry];
    this.#heldGauge = new Gauge({
      name: 'infernode_gateway_held_requests',
      help: 'Requests waiting for a model that has no ready engine yet (scale from zero, adapter loading)',
      registers,
    });
    this.#outcomes = new Counter({
      name: 'infernode_gateway_hold_outcomes_total',
      help: 'Held requests by how their wait ended: released, timeout, full (refused at once), client-gone',
      labelNames: ['outcome'],
      registers,
    });
    this.#waitSeconds = new Histogram({
      name: 'infernode_gateway_hold_wait_seconds',
      help: 'How long held requests waited, whatever the outcome',
      buckets: WAIT_BUCKETS_SECONDS,
      registers,
    });
  }

  /** True when a request for `model` should wait: expected and no engine ready for it now. */
  shouldHold(model: string): boolean {
    const { expected } = this.#options;
    return expected.isExpected(model) && !expected.isReady(model);
  }

  /** True when `model` is declared to be served, ready or not. */
  expects(model: string): boolean {
    return this.#options.expected.isExpected(model);
  }

  /** Requests held now for `model`, or for every model when none is named. */
  held(model?: string): number {
    return model === undefined ? this.#held : (this.#queues.get(model)?.waiters.length ?? 0);
  }

  /** The hold time of `model`, ms. */
  timeoutMsFor(model: string): number {
    return this.#options.expected.holdTimeoutMs?.(model) ?? this.#options.holdTimeoutMs;
  }

  /**
   * Waits until `model` is ready, at most `timeoutMs` (default: the model's hold time), or until
   * `signal` (the client leaving) aborts. Never throws.
   */
  async wait(model: string, signal: AbortSignal, timeoutMs?: number): Promise<HoldOutcome> {
    if (this.#held >= this.#options.maxHeldRequests) {
      this.#outcomes.inc({ outcome: 'full' });
      return 'full';
    }
    const started = performance.now();
    const linked = linkedSignal([signal], timeoutMs ?? this.timeoutMsFor(model));
    const queue = this.#queueOf(model);
    let waiter!: Waiter;
    const outcome = new Promise<HoldOutcome>((resolve) => {
      waiter = { settle: resolve };
    });
    queue.waiters.push(waiter);
    this.#held++;
    this.#heldGauge.set(this.#held);
    const onAbort = (): void => {
      this.#remove(model, waiter);
      waiter.settle(linked.timedOut ? 'timeout' : 'client-gone');
    };
    linked.signal.addEventListener('abort', onAbort, { once: true });
    if (linked.signal.aborted) onAbort();
    this.#options.expected.demand(model);
    try {
      const result = await outcome;
      this.#outcomes.inc({ outcome: result });
      this.#waitSeconds.observe((performance.now() - started) / 1000);
      return result;
    } finally {
      linked.signal.removeEventListener('abort', onAbort);
      linked.dispose();
    }
  }

  /** The model's queue; the first waiter starts the readiness watch. */
  #queueOf(model: string): ModelQueue {
    const existing = this.#queues.get(model);
    if (existing !== undefined) return existing;
    const queue: ModelQueue = { waiters: [], watch: new AbortController() };
    this.#queues.set(model, queue);
    this.#options.expected.whenReady(model, queue.watch.signal).then(
      () => this.#release(model, queue),
      (err: unknown) => {
        if (queue.watch.signal.aborted) return;
        // A failing readiness source must not strand requests: release them to normal routing.
        this.#options.log.warn({ err: toError(err), model }, 'readiness watch failed');
        this.#release(model, queue);
      },
    );
    return queue;
  }

  /** Releases every waiter of the model in arrival order. */
  #release(model: string, queue: ModelQueue): void {
    if (this.#queues.get(model) === queue) this.#queues.delete(model);
    const waiters = queue.waiters.splice(0);
    this.#held -= waiters.length;
    this.#heldGauge.set(this.#held);
    for (const w of waiters) w.settle('released');
  }

  #remove(model: string, waiter: Waiter): void {
    const queue = this.#queues.get(model);
    const at = queue?.waiters.indexOf(waiter) ?? -1;
    if (queue === undefined || at < 0) return;
    queue.waiters.splice(at, 1);
    this.#held--;
    this.#heldGauge.set(this.#held);
    if (queue.waiters.length === 0) {
      this.#queues.delete(model);
      queue.watch.abort();
    }
  }
}
