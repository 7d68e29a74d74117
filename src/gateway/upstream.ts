/**
 * One upstream attempt: POST the body to the engine over a pooled keep-alive agent, with named
 * timeouts for connecting and for the first byte (response headers). Failures come back as
 * AppErrors whose codes say which phase failed, so a dashboard can tell them apart.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { AppError, type ErrorCode } from '../shared/index.js';

export interface UpstreamTimeouts {
  /** TCP connect. Default 2000 ms. */
  readonly connectTimeoutMs: number;
  /** From sending the request to the response headers (covers queueing and prefill). Default 60000 ms. */
  readonly firstByteTimeoutMs: number;
  /** Longest gap between two body chunks. Default 30000 ms. */
  readonly streamIdleTimeoutMs: number;
}

export interface UpstreamCall {
  /** The engine's base URL; only its host and port are used (a string is parsed once and cached). */
  readonly baseUrl: URL | string;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
  readonly agent: http.Agent;
  readonly timeouts: UpstreamTimeouts;
  /** Aborts the call (client went away). */
  readonly signal: AbortSignal;
}

/** Codes for which the failure happened before the engine did any work: safe to retry elsewhere. */
export const CONNECT_FAILURES: ReadonlySet<ErrorCode> = new Set([
  'GW_UPSTREAM_CONNECT_FAILED',
  'GW_UPSTREAM_CONNECT_TIMEOUT',
  'GW_UPSTREAM_RESET',
  'GW_UPSTREAM_FIRST_BYTE_TIMEOUT',
]);

function classify(err: NodeJS.ErrnoException): AppError {
  if (err instanceof AppError) return err;
  const code: ErrorCode =
    err.code === 'ECONNREFUSED' || err.code === 'EHOSTUNREACH' || err.code === 'ENOTFOUND'
      ? 'GW_UPSTREAM_CONNECT_FAILED'
      : 'GW_UPSTREAM_RESET';
  return new AppError(
    code,
    `upstream ${code === 'GW_UPSTREAM_CONNECT_FAILED' ? 'connection failed' : 'connection reset'}: ${err.code ?? err.message}`,
    { cause: err },
  );
}

interface HostPort {
  readonly hostname: string;
  readonly port: string;
}

/** Parsed engine base URLs by string: `new URL()` per request is measurable on the hot path. */
const hostPorts = new Map<string, HostPort>();
const MAX_CACHED_URLS = 4096;

function hostPortOf(baseUrl: URL | string): HostPort {
  if (typeof baseUrl !== 'string') return baseUrl;
  let hp = hostPorts.get(baseUrl);
  if (hp === undefined) {
    const url = new URL(baseUrl);
    hp = { hostname: url.hostname, port: url.port };
    if (hostPorts.size >= MAX_CACHED_URLS) hostPorts.clear();
    hostPorts.set(baseUrl, hp);
  }
  return hp;
}

/** Sends the request; resolves with the response once headers arrive. */
export function callUpstream(call: UpstreamCall): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (call.signal.aborted) {
      reject(new AppError('GW_UPSTREAM_RESET', 'client went away before the upstream call'));
      return;
    }
    const target = hostPortOf(call.baseUrl);
    const req = http.request({
      host: target.hostname,
      port: target.port,
      path: call.path,
      method: 'POST',
      headers: call.headers,
      agent: call.agent,
    });
    let connectTimer: NodeJS.Timeout | undefined;
    let firstByteTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const fail = (err: AppError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(firstByteTimer);
      call.signal.removeEventListener('abort', onAbort);
      req.destroy();
      reject(err);
    };
    const onAbort = (): void => fail(new AppError('GW_UPSTREAM_RESET', 'client went away'));
    call.signal.addEventListener('abort', onAbort, { once: true });
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(
        () =>
          fail(
            new AppError(
              'GW_UPSTREAM_CONNECT_TIMEOUT',
              `upstream connect timed out after ${call.timeouts.connectTimeoutMs} ms`,
            ),
          ),
        call.timeouts.connectTimeoutMs,
      );
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.on('error', (err) => fail(classify(err)));
    req.on('response', (res) => {
      if (settled) {
        res.destroy();
        return;
      }
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(firstByteTimer);
      call.signal.removeEventListener('abort', onAbort);
      resolve(res);
    });
    req.end(call.body, () => {
      firstByteTimer = setTimeout(
        () =>
          fail(
            new AppError(
              'GW_UPSTREAM_FIRST_BYTE_TIMEOUT',
              `upstream sent no response headers within ${call.timeouts.firstByteTimeoutMs} ms`,
            ),
          ),
        call.timeouts.firstByteTimeoutMs,
      );
    });
  });
}

/** Reads a (small) upstream body, bounded; used for error bodies that get normalized. */
export async function readUpstreamBody(res: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      res.destroy();
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
