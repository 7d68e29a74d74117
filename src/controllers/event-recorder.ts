/**
 * Kubernetes Events from controllers, through a port. The recorder is in the spirit of
 * client-go's event correlator, in a simple form: an Event identical to one sent within
 * `dedupeWindowMs` (same object, type, reason and message) is counted, not sent again, so a
 * reconcile that repeats itself cannot flood the API server; the memory of recent Events is an
 * LRU bounded by `maxKeys`. Recording never fails a reconcile: a sink error is logged and dropped
 * (Events are best effort, as in client-go).
 */
import { toError, type Clock, type Logger } from '../shared/index.js';

/** The object an Event is about (the fields of a core/v1 ObjectReference that we use). */
export interface EventObjectReference {
  readonly kind: string;
  readonly name: string;
  /** Unset for cluster-scoped objects (nodes). */
  readonly namespace?: string;
}

/** A core/v1 Event as a controller records it. */
export interface ControllerEvent {
  readonly involvedObject: EventObjectReference;
  readonly type: 'Normal' | 'Warning';
  /** UpperCamelCase and stable, e.g. `GpuFailed`. */
  readonly reason: string;
  readonly message: string;
}

/** Per-call options; the sink adds its own request timeout. */
export interface EventCallOptions {
  readonly signal?: AbortSignal;
}

/** Where Events end up: the Kubernetes API, the log, or memory. May reject; the recorder catches. */
export type EventSink = (event: ControllerEvent, options: EventCallOptions) => Promise<void>;

/** The port controllers use. Never rejects. */
export interface EventRecorder {
  record(event: ControllerEvent, options: EventCallOptions): Promise<void>;
}

export interface CorrelatingEventRecorderOptions {
  readonly sink: EventSink;
  readonly clock: Clock;
  readonly log: Logger;
  /** An identical Event within this many ms is counted, not sent. Default 60000. */
  readonly dedupeWindowMs?: number;
  /** Most distinct Events remembered (LRU). Default 4096, client-go's cache size. */
  readonly maxKeys?: number;
}

interface Seen {
  readonly sentMs: number;
  suppressed: number;
}

export class CorrelatingEventRecorder implements EventRecorder {
  readonly #options: CorrelatingEventRecorderOptions;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  /** Recently sent Events by identity; Map order is least recently sent first. */
  readonly #seen = new Map<string, Seen>();

  constructor(options: CorrelatingEventRecorderOptions) {
    this.#options = options;
    this.#windowMs = options.dedupeWindowMs ?? 60_000;
    this.#maxKeys = options.maxKeys ?? 4096;
  }

  /** Events remembered now (for tests of the bound). */
  get remembered(): number {
    return this.#seen.size;
  }

  async record(event: ControllerEvent, options: EventCallOptions): Promise<void> {
    const { clock, log, sink } = this.#options;
    const key = eventIdentity(event);
    const nowMs = clock.monotonicMs();
    const seen = this.#seen.get(key);
    if (seen !== undefined && nowMs - seen.sentMs < this.#windowMs) {
      seen.suppressed++;
      return;
    }
    this.#seen.delete(key);
    if (this.#seen.size >= this.#maxKeys) {
      const oldest = this.#seen.keys().next();
      if (oldest.done !== true) this.#seen.delete(oldest.value);
    }
    this.#seen.set(key, { sentMs: nowMs, suppressed: 0 });
    try {
      await sink(event, options);
    } catch (err) {
      log.warn({ err: toError(err), reason: event.reason }, 'could not record an Event');
    }
  }
}

const eventIdentity = (e: ControllerEvent): string =>
  JSON.stringify([
    e.involvedObject.kind,
    e.involvedObject.namespace ?? '',
    e.involvedObject.name,
    e.type,
    e.reason,
    e.message,
  ]);

/**
 * Events kept in memory, the newest `maxEvents` (default 1000), and logged: the sink for the
 * static cluster file (no API server to write to) and for tests.
 */
export class InMemoryEventSink {
  readonly events: ControllerEvent[] = [];
  readonly #maxEvents: number;
  readonly #log: Logger | undefined;

  constructor(options: { readonly maxEvents?: number; readonly log?: Logger } = {}) {
    this.#maxEvents = options.maxEvents ?? 1000;
    this.#log = options.log;
  }

  /** The {@link EventSink}, bound to this store. */
  readonly sink: EventSink = (event) => {
    this.events.push(event);
    if (this.events.length > this.#maxEvents) this.events.shift();
    this.#log?.info({ event }, `event ${event.type} ${event.reason}: ${event.message}`);
    return Promise.resolve();
  };
}
