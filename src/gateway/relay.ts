/**
 * Relays an upstream response to the client chunk by chunk with backpressure: when the client
 * is slow, the upstream read pauses, so memory stays flat. A client that leaves aborts the
 * upstream; an upstream that dies mid-stream ends an SSE stream with an error event (the client
 * never hangs); a gap longer than the idle timeout counts as a dead upstream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../shared/index.js';
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
  readonly streamIdleTimeoutMs: number;
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
  upstream: IncomingMessage,
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
 * Pipes the engine's response to the client, watching the usage it reports and aborting on a
 * stalled stream; resolves once either side is done.
 */
export function relay(
  upstream: IncomingMessage,
  res: ServerResponse,
  options: RelayOptions,
): Promise<RelayResult> {
  const sniffer = new UsageSniffer(options.stream);
  res.writeHead(upstream.statusCode ?? 502, responseHeaders(upstream, options.headers));
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: RelayOutcome, error?: AppError): void => {
      if (done) return;
      done = true;
      clearTimeout(idleTimer);
      upstream.off('data', onData);
      res.off('close', onClientClose);
      resolve({ outcome, usage: sniffer.usage(), error });
    };
    const upstreamFailed = (error: AppError): void => {
      if (done) return;
      // Settle first: destroying the upstream emits its own 'aborted'/'error', which must not
      // replace the real cause (e.g. an idle timeout reported as a reset).
      finish('upstream-failed', error);
      upstream.destroy();
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
    const onIdle = (): void =>
      upstreamFailed(
        new AppError(
          'GW_UPSTREAM_STREAM_IDLE_TIMEOUT',
          `upstream sent nothing for ${options.streamIdleTimeoutMs} ms`,
        ),
      );
    let firstByte = options.onFirstByte;
    const onData = (chunk: Buffer): void => {
      if (firstByte !== undefined) {
        firstByte();
        firstByte = undefined;
      }
      // Re-arm the idle timer in place: refresh() is far cheaper than a new timer per chunk.
      idleTimer.refresh();
      sniffer.feed(chunk);
      if (!res.write(chunk)) {
        upstream.pause();
        res.once('drain', () => upstream.resume());
      }
    };
    const onClientClose = (): void => {
      if (!res.writableFinished) {
        upstream.destroy();
        finish('client-gone');
      }
    };
    const idleTimer = setTimeout(onIdle, options.streamIdleTimeoutMs);
    upstream.on('data', onData);
    upstream.on('end', () => {
      if (upstream.complete) {
        res.end();
        finish('complete');
      } else {
        upstreamFailed(new AppError('GW_UPSTREAM_RESET', 'upstream closed the response early'));
      }
    });
    upstream.on('error', () =>
      upstreamFailed(new AppError('GW_UPSTREAM_RESET', 'upstream connection lost mid-response')),
    );
    upstream.on('aborted', () =>
      upstreamFailed(new AppError('GW_UPSTREAM_RESET', 'upstream connection lost mid-response')),
    );
    res.on('close', onClientClose);
  });
}
