/**
 * An engine's answer as undici delivers it: status and headers first, then the body pushed to
 * one consumer. This replaces node:http's IncomingMessage on the gateway's hot path: no Readable
 * per response, no event emitter, the socket paused directly when the client is slow.
 *
 * Body bytes that arrive before a consumer attaches (most often the same socket read as the
 * headers: a small answer is whole before the gateway has screened its status) are queued; past
 * MAX_QUEUED_BYTES the socket is paused until the consumer comes. Not pausing for the first
 * bytes matters: a pause and resume per request cost ~4 % of the gateway's CPU in a profile.
 */
import type { Dispatcher } from 'undici';

/** Bytes queued before a consumer attaches without pausing the socket. */
const MAX_QUEUED_BYTES = 64 * 1024;

/** Where an answer's body goes. */
export interface BodySink {
  /** One chunk; returning false pauses the engine's socket until `resume()` is called. */
  onData(chunk: Buffer): boolean;
  /** The whole body arrived. */
  onEnd(): void;
  /** The body was cut: the connection died, the idle bound passed, or it was destroyed here. */
  onError(err: Error): void;
}

/** Status, headers and the body of one answer; see the file comment. */
export class UpstreamAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly #controller: Dispatcher.DispatchController;
  #sink: BodySink | undefined;
  #queued: Buffer[] = [];
  #queuedBytes = 0;
  #ended = false;
  #error: Error | undefined;

  constructor(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ) {
    this.#controller = controller;
    this.statusCode = statusCode;
    this.headers = headers;
  }

  /** Attaches the one consumer; what arrived before is handed over first. */
  consume(sink: BodySink): void {
    if (this.#sink !== undefined) throw new Error('an upstream answer has one consumer');
    this.#sink = sink;
    const queued = this.#queued;
    this.#queued = [];
    this.#queuedBytes = 0;
    let more = true;
    for (const chunk of queued) more = sink.onData(chunk) && more;
    if (this.#error !== undefined) sink.onError(this.#error);
    else if (this.#ended) sink.onEnd();
    else if (more) this.resume();
  }

  /** Reads the socket again after a consumer returned false (or before one attached). */
  resume(): void {
    if (this.#controller.paused && !this.#controller.aborted) this.#controller.resume();
  }

  /** Cuts the answer: its connection is closed, and a consumer hears `onError(reason)`. */
  destroy(reason: Error = new Error('upstream answer destroyed')): void {
    if (this.#ended || this.#error !== undefined) return;
    this.#controller.abort(reason);
  }

  /** Reads the rest and drops it, so the connection goes back to the pool. */
  discard(): void {
    this.consume({ onData: () => true, onEnd: () => undefined, onError: () => undefined });
  }

  /** Reads the whole body up to `limitBytes`; a longer one is cut and its first bytes returned. */
  read(limitBytes: number): Promise<Buffer> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      this.consume({
        onData: (chunk) => {
          size += chunk.length;
          if (size > limitBytes) {
            this.destroy(new Error(`upstream body over ${limitBytes} bytes`));
            return false;
          }
          chunks.push(chunk);
          return true;
        },
        onEnd: () => resolve(Buffer.concat(chunks)),
        onError: () => resolve(Buffer.concat(chunks)),
      });
    });
  }

  /** From the dispatch handler: a body chunk. */
  pushData(chunk: Buffer): void {
    const sink = this.#sink;
    if (sink === undefined) {
      this.#queued.push(chunk);
      this.#queuedBytes += chunk.length;
      if (this.#queuedBytes > MAX_QUEUED_BYTES) this.#controller.pause();
    } else if (!sink.onData(chunk)) {
      this.#controller.pause();
    }
  }

  /** From the dispatch handler: the body is complete. */
  pushEnd(): void {
    this.#ended = true;
    this.#sink?.onEnd();
  }

  /** From the dispatch handler: the body was cut. */
  pushError(err: Error): void {
    if (this.#ended || this.#error !== undefined) return;
    this.#error = err;
    this.#sink?.onError(err);
  }
}
