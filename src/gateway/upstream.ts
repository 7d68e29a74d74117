/**
 * One upstream attempt: POST the body to the engine over a pooled keep-alive connection
 * (upstream-pools.ts), with named bounds for connecting, for the first byte (response headers)
 * and for gaps in the body. Failures come back as AppErrors whose codes say which phase failed,
 * so a dashboard can tell them apart.
 *
 * A reset before any response byte is most often the engine having closed an idle keep-alive
 * connection under us (llama.cpp closes one ~2 ms after a stream although it advertised
 * `Keep-Alive: timeout=5`), not the engine failing: that send is retried once, at once, on a
 * connection of its own to the same engine, and only that attempt's outcome counts. (undici does
 * not say whether the connection was reused, so a reset on a fresh one is retried too: one more
 * connection to an engine that is failing anyway.)
 */
import type { Dispatcher } from 'undici';
import type { EngineClientOptions } from '../discovery/index.js';
import { AppError, type ErrorCode } from '../shared/index.js';
import type { CancelHook } from './request-cancel.js';
import { UpstreamAnswer } from './upstream-answer.js';
import type { UpstreamPools } from './upstream-pools.js';

/** The bound of each phase of an engine call, each with its own error code (STYLE.md §12). */
export interface UpstreamTimeouts {
  /** TCP connect. Default 2000 ms. */
  readonly connectTimeoutMs: number;
  /** From sending the request to the response headers (covers queueing and prefill). Default 60000 ms. */
  readonly firstByteTimeoutMs: number;
  /** Longest gap between two body chunks. Default 30000 ms. */
  readonly streamIdleTimeoutMs: number;
}

/** One request to an engine: where, what, with which pool and timeouts. */
export interface UpstreamCall {
  /** The engine's base URL; only its host and port are used (a string is parsed once and cached). */
  readonly baseUrl: URL | string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The gateway's connections to engines (a pool per origin and TLS setting). */
  readonly pools: UpstreamPools;
  /**
   * The engine's TLS options and API key (engineClientOptions); its `authorization` replaces any
   * Authorization header, so the gateway client's own key never reaches an engine.
   */
  readonly client?: EngineClientOptions;
  readonly timeouts: UpstreamTimeouts;
  /**
   * Cancels the call (client went away, drain deadline): it fails at once, and the request is
   * aborted before it is written (or its connection closed, if it was); the connect and
   * first-byte bounds hold otherwise.
   */
  readonly cancel: CancelHook;
}

/** Codes for which the failure happened before the engine did any work: safe to retry elsewhere. */
export const CONNECT_FAILURES: ReadonlySet<ErrorCode> = new Set([
  'GW_UPSTREAM_CONNECT_FAILED',
  'GW_UPSTREAM_CONNECT_TIMEOUT',
  'GW_UPSTREAM_RESET',
  'GW_UPSTREAM_FIRST_BYTE_TIMEOUT',
]);

/** Codes of a connection the engine reset or closed before answering. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

function classify(err: Error & { code?: string }, timeouts: UpstreamTimeouts): AppError {
  if (err instanceof AppError) return err;
  const code = err.code;
  if (code === 'UND_ERR_CONNECT_TIMEOUT')
    return new AppError(
      'GW_UPSTREAM_CONNECT_TIMEOUT',
      `upstream connect timed out after ${timeouts.connectTimeoutMs} ms`,
      { cause: err },
    );
  if (code === 'UND_ERR_HEADERS_TIMEOUT')
    return new AppError(
      'GW_UPSTREAM_FIRST_BYTE_TIMEOUT',
      `upstream sent no response headers within ${timeouts.firstByteTimeoutMs} ms`,
      { cause: err },
    );
  if (code === 'UND_ERR_BODY_TIMEOUT')
    return new AppError(
      'GW_UPSTREAM_STREAM_IDLE_TIMEOUT',
      `upstream sent nothing for ${timeouts.streamIdleTimeoutMs} ms`,
      { cause: err },
    );
  const failedToConnect =
    code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND';
  return new AppError(
    failedToConnect ? 'GW_UPSTREAM_CONNECT_FAILED' : 'GW_UPSTREAM_RESET',
    `upstream ${failedToConnect ? 'connection failed' : 'connection reset'}: ${code ?? err.message}`,
    { cause: err },
  );
}

/** Engine origins (`http://host:port`) by base URL string: `new URL()` per request is measurable. */
const origins = new Map<string, string>();
const MAX_CACHED_URLS = 4096;

function originOf(baseUrl: URL | string): string {
  if (typeof baseUrl !== 'string') return baseUrl.origin;
  let origin = origins.get(baseUrl);
  if (origin === undefined) {
    origin = new URL(baseUrl).origin;
    if (origins.size >= MAX_CACHED_URLS) origins.clear();
    origins.set(baseUrl, origin);
  }
  return origin;
}

/** A failed send, and whether the engine reset the connection before answering. */
class SendFailure extends Error {
  readonly error: AppError;
  readonly reset: boolean;
  constructor(error: AppError, reset: boolean) {
    super(error.message, { cause: error });
    this.error = error;
    this.reset = reset;
  }
}

/**
 * Sends the request; resolves with the answer once its headers arrive. Retries once on a
 * connection of its own after a reset before any response byte (see the file comment).
 */
export async function callUpstream(call: UpstreamCall): Promise<UpstreamAnswer> {
  const origin = originOf(call.baseUrl);
  try {
    return await sendOnce(call, call.pools.poolFor(origin, call.client));
  } catch (err) {
    if (!(err instanceof SendFailure)) throw err;
    if (!err.reset || call.cancel.cancelled) throw err.error;
  }
  const single = call.pools.oneOff(origin, call.client);
  try {
    const answer = sendOnce(call, single);
    void single.close().catch(() => undefined);
    return await answer;
  } catch (err) {
    throw err instanceof SendFailure ? err.error : err;
  }
}

function sendOnce(call: UpstreamCall, dispatcher: Dispatcher): Promise<UpstreamAnswer> {
  return new Promise((resolve, reject) => {
    if (call.cancel.cancelled) {
      reject(
        new SendFailure(
          new AppError('GW_UPSTREAM_RESET', 'client went away before the upstream call'),
          false,
        ),
      );
      return;
    }
    const authorization = call.client?.authorization;
    let controller: Dispatcher.DispatchController | undefined;
    let answer: UpstreamAnswer | undefined;
    let settled = false;
    let unhook = (): void => undefined;
    const fail = (error: AppError, reset: boolean): void => {
      if (settled) return;
      settled = true;
      unhook();
      reject(new SendFailure(error, reset));
    };
    const cancelled = (): AppError => new AppError('GW_UPSTREAM_RESET', 'client went away');
    unhook = call.cancel.whenCancelled(() => {
      // Fail now; a request still queued for a connection is aborted before it is written.
      fail(cancelled(), false);
      controller?.abort(cancelled());
    });
    dispatcher.dispatch(
      {
        path: call.path,
        method: 'POST',
        headers: authorization === undefined ? call.headers : { ...call.headers, authorization },
        body: call.body,
        headersTimeout: call.timeouts.firstByteTimeoutMs,
        bodyTimeout: call.timeouts.streamIdleTimeoutMs,
      },
      {
        onRequestStart(ctl) {
          controller = ctl;
          if (settled) ctl.abort(cancelled());
        },
        onResponseStart(ctl, statusCode, headers) {
          if (statusCode < 200) return; // informational (100 Continue): the answer follows
          answer = new UpstreamAnswer(ctl, statusCode, headers);
          if (settled) {
            ctl.abort(cancelled());
            return;
          }
          settled = true;
          unhook();
          resolve(answer);
        },
        onResponseData(_ctl, chunk) {
          answer?.pushData(chunk);
        },
        onResponseEnd() {
          answer?.pushEnd();
        },
        onResponseError(_ctl, err: Error & { code?: string }) {
          if (answer !== undefined) answer.pushError(classify(err, call.timeouts));
          else fail(classify(err, call.timeouts), RESET_CODES.has(err.code ?? ''));
        },
      },
    );
  });
}
