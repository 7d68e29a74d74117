/**
 * The console's Server-Sent Events fan-out (`GET /v1/console/stream`): each stream gets the
 * feed's snapshot on connect, then every delta the wiring broadcasts, and a keep-alive comment
 * between them. Bounded: at most `maxStreams` at once (503 past it), and a stream whose unsent
 * bytes pass `maxBufferedBytes` is dropped (a slow tab reconnects and gets a fresh snapshot,
 * it is never buffered without bound).
 */
import type http from 'node:http';
import { Counter, Gauge, sendJson, type Logger, type Registry } from '../shared/index.js';
import type { ConsoleDelta, ConsoleSnapshot } from '../console/index.js';

/** Bounds of the stream hub. */
export interface ConsoleStreamOptions {
  readonly maxStreams: number;
  readonly maxBufferedBytes: number;
  readonly log: Logger;
  readonly registry: Registry;
}

/** One SSE frame. */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The open streams and their metrics. */
export class ConsoleStreams {
  readonly #options: ConsoleStreamOptions;
  readonly #streams = new Set<http.ServerResponse>();
  readonly #open: Gauge;
  readonly #dropped: Counter;
  readonly #refused: Counter;

  constructor(options: ConsoleStreamOptions) {
    this.#options = options;
    this.#open = new Gauge({
      name: 'infernode_console_streams_open',
      help: 'Console event streams open now',
      registers: [options.registry],
    });
    this.#dropped = new Counter({
      name: 'infernode_console_streams_dropped_total',
      help: 'Console streams closed because the client read too slowly',
      registers: [options.registry],
    });
    this.#refused = new Counter({
      name: 'infernode_console_streams_refused_total',
      help: 'Console streams refused because the most allowed were open',
      registers: [options.registry],
    });
  }

  /** Streams open now. */
  get size(): number {
    return this.#streams.size;
  }

  /** Opens a stream that starts with `snapshot`; 503 when the bound is reached. */
  open(req: http.IncomingMessage, res: http.ServerResponse, snapshot: ConsoleSnapshot): void {
    if (this.#streams.size >= this.#options.maxStreams) {
      this.#refused.inc();
      sendJson(
        res,
        503,
        { error: `too many console streams open (${this.#options.maxStreams}); retry later` },
        { 'retry-after': '5' },
      );
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Proxies (nginx) must pass events on as they come.
      'x-accel-buffering': 'no',
    });
    this.#streams.add(res);
    this.#open.set(this.#streams.size);
    const gone = (): void => {
      this.#streams.delete(res);
      this.#open.set(this.#streams.size);
    };
    req.on('close', gone);
    res.on('close', gone);
    this.#write(res, sseFrame('snapshot', snapshot));
  }

  /** Sends a delta to every stream. */
  broadcast(delta: ConsoleDelta): void {
    if (this.#streams.size === 0) return; // a frame can be large: build none for nobody
    const frame = sseFrame('delta', delta);
    for (const res of this.#streams) this.#write(res, frame);
  }

  /** A comment line that keeps proxies and the browser from timing the stream out. */
  keepAlive(): void {
    for (const res of this.#streams) this.#write(res, ': keep-alive\n\n');
  }

  /** Ends every stream (shutdown, leadership lost). */
  closeAll(): void {
    for (const res of this.#streams) res.end();
    this.#streams.clear();
    this.#open.set(0);
  }

  #write(res: http.ServerResponse, frame: string): void {
    if (res.destroyed || res.writableEnded) return;
    res.write(frame);
    if (res.writableLength > this.#options.maxBufferedBytes) {
      this.#dropped.inc();
      this.#options.log.warn(
        { buffered: res.writableLength },
        'console stream dropped: the client reads too slowly',
      );
      this.#streams.delete(res);
      this.#open.set(this.#streams.size);
      res.destroy();
    }
  }
}
