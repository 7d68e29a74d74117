/**
 * Relays an upstream response to the client chunk by chunk with backpressure: when the client
 * is slow, the engine's socket pauses, so memory stays flat. A client that leaves aborts the
 * upstream; an upstream that dies mid-stream ends an SSE stream with an error event (the client
 * never hangs); a gap longer than the idle bound counts as a dead upstream (the upstream call
 * sets that bound on its connection: upstream.ts).
 */
import type { ServerResponse } from 'node:http';
import { AppError } from '../shared/index.js';
import type { UpstreamAnswer } from './upstream-answer.js';
import { UsageSniffer, type TokenUsage } from './usage-sniffer.js';

/** How a relayed response ended: fully sent, the client left, or the engine failed midway. */
export type RelayOutcome = 'complete' | 'client-gone' | 'upstream-failed';

/**
 * How the relay ended, with the token usage seen in the body and the error when the engine failed.
 */
export interface RelayResult {
  readonly outcome: RelayOutcome;
  readonly usage: TokenUsage | undefined;
  readonly error: AppError | undefined;
}

/**
 * How to relay one response: streaming or not, the idle bound between chunks, and headers to add.
 */
export interface RelayOptions {
  readonly stream: boolean;
  readonly headers: Record<string, string>;
  /** Called once, on the first body byte from the engine (the end of its prefill when streaming). */
  readonly onFirstByte?: () => void;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
]);

/** Copies the upstream headers that mean something end to end, plus ours. */
export function responseHeaders(
  upstream: UpstreamAnswer,
  extra: Record<string, string>,
): Record<string, string | string[]> {
  // One object, no intermediate entry arrays or spreads: this runs once per request.
  const out: Record<string, string | string[]> = {};
  const headers = upstream.headers;
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  for (const name in extra) out[name] = extra[name] as string;
  return out;
}

/**
 * Pipes the engine's response to the client, watching the usage it reports; resolves once either
 * side is done.
 */
export function relay(
  upstream: UpstreamAnswer,
  res: ServerResponse,
  options: RelayOptions,
): Promise<RelayResult> {
  const sniffer = new UsageSniffer(options.stream);
  res.writeHead(upstream.statusCode, responseHeaders(upstream, options.headers));
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: RelayOutcome, error?: AppError): void => {
      if (done) return;
      done = true;
      res.off('close', onClientClose);
      resolve({ outcome, usage: sniffer.usage(), error });
    };
    const upstreamFailed = (error: AppError): void => {
      if (done) return;
      finish('upstream-failed', error);
      if (options.stream && !res.writableEnded) {
        const event = {
          error: {
            message: error.message,
            type: 'api_error',
            code: error.code.toLowerCase(),
            param: null,
          },
        };
        res.end(`data: ${JSON.stringify(event)}\n\n`);
      } else {
        // A JSON body cut short cannot be repaired; closing the socket tells the client.
        res.destroy();
      }
    };
    const onClientClose = (): void => {
      if (!res.writableFinished) {
        finish('client-gone');
        upstream.destroy(new AppError('GW_UPSTREAM_RESET', 'client went away'));
      }
    };
    const onDrain = (): void => upstream.resume();
    let firstByte = options.onFirstByte;
    res.on('close', onClientClose);
    upstream.consume({
      onData(chunk) {
        if (firstByte !== undefined) {
          firstByte();
          firstByte = undefined;
        }
        sniffer.feed(chunk);
        if (res.write(chunk)) return true;
        res.once('drain', onDrain);
        return false;
      },
      onEnd() {
        if (done) return;
        res.end();
        finish('complete');
      },
      onError(err) {
        upstreamFailed(
          err instanceof AppError && err.code !== 'GW_UPSTREAM_RESET'
            ? err
            : new AppError('GW_UPSTREAM_RESET', 'upstream connection lost mid-response'),
        );
      },
    });
  });
}
