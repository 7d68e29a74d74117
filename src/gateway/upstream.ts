/**
 * One upstream attempt: POST the body to the engine over a pooled keep-alive agent, with named
 * timeouts for connecting and for the first byte (response headers). Failures come back as
 * AppErrors whose codes say which phase failed, so a dashboard can tell them apart.
 *
 * A reset on a REUSED pooled socket before any response byte is the engine having closed an idle
 * keep-alive connection under us (llama.cpp closes one ~2 ms after a stream although it
 * advertised `Keep-Alive: timeout=5`), not the engine failing: that send is retried once, at once,
 * on a fresh connection to the same engine, and only the fresh attempt's outcome counts.
 */
import http, {
  type ClientRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import https from 'node:https';
import type { EngineClientOptions } from '../discovery/index.js';
import { AppError, type ErrorCode } from '../shared/index.js';
import type { CancelHook } from './request-cancel.js';

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
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
  /** Pool for plain-HTTP engines; `https://` engines get a pool per TLS setting (see below). */
  readonly agent: http.Agent;
  /**
   * The engine's TLS options and API key (engineClientOptions); its `authorization` replaces any
   * Authorization header, so the gateway client's own key never reaches an engine.
   */
  readonly client?: EngineClientOptions;
  readonly timeouts: UpstreamTimeouts;
  /**
   * Cancels the call (client went away, drain deadline): it destroys the request, which ends
   * every socket wait; the connect and first-byte timers bound the call otherwise.
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
  readonly isHttps: boolean;
}

/** Parsed engine base URLs by string: `new URL()` per request is measurable on the hot path. */
const hostPorts = new Map<string, HostPort>();
const MAX_CACHED_URLS = 4096;

function hostPortOf(baseUrl: URL | string): HostPort {
  if (typeof baseUrl !== 'string')
    return {
      hostname: baseUrl.hostname,
      port: baseUrl.port,
      isHttps: baseUrl.protocol === 'https:',
    };
  let hp = hostPorts.get(baseUrl);
  if (hp === undefined) {
    const url = new URL(baseUrl);
    hp = { hostname: url.hostname, port: url.port, isHttps: url.protocol === 'https:' };
    if (hostPorts.size >= MAX_CACHED_URLS) hostPorts.clear();
    hostPorts.set(baseUrl, hp);
  }
  return hp;
}

/** A failed send, and whether it died on a reused socket before any response byte. */
class SendFailure extends Error {
  readonly error: AppError;
  readonly onReusedSocket: boolean;
  constructor(error: AppError, onReusedSocket: boolean) {
    super(error.message, { cause: error });
    this.error = error;
    this.onReusedSocket = onReusedSocket;
  }
}

/** Keep-alive pools for `https://` engines, one per TLS setting (few: one per CA in practice). */
const httpsAgents = new Map<string, https.Agent>();
const MAX_HTTPS_AGENTS = 64;

function httpsAgentFor(client: EngineClientOptions, like: http.Agent): https.Agent {
  let agent = httpsAgents.get(client.tlsKey);
  if (agent === undefined) {
    if (httpsAgents.size >= MAX_HTTPS_AGENTS) {
      for (const a of httpsAgents.values()) a.destroy();
      httpsAgents.clear();
    }
    agent = new https.Agent({ keepAlive: true, maxSockets: like.maxSockets, ...client.tls });
    httpsAgents.set(client.tlsKey, agent);
  }
  return agent;
}

/**
 * Sends the request; resolves with the response once headers arrive. Retries once on a fresh
 * connection after a reset on a reused keep-alive socket (see the file comment).
 */
export async function callUpstream(call: UpstreamCall): Promise<IncomingMessage> {
  try {
    const target = hostPortOf(call.baseUrl);
    const pooled =
      target.isHttps && call.client !== undefined
        ? httpsAgentFor(call.client, call.agent)
        : target.isHttps
          ? https.globalAgent
          : call.agent;
    return await sendOnce(call, pooled);
  } catch (err) {
    if (!(err instanceof SendFailure)) throw err;
    const retry =
      err.onReusedSocket && err.error.code === 'GW_UPSTREAM_RESET' && !call.cancel.cancelled;
    if (!retry) throw err.error;
  }
  // A one-off connection (not kept alive): the pool may hold more sockets the engine already
  // closed. The socket closes by itself once the response ends.
  try {
    const fresh = hostPortOf(call.baseUrl).isHttps
      ? new https.Agent({ keepAlive: false, ...call.client?.tls })
      : new http.Agent({ keepAlive: false });
    return await sendOnce(call, fresh);
  } catch (err) {
    throw err instanceof SendFailure ? err.error : err;
  }
}

function sendOnce(call: UpstreamCall, agent: http.Agent): Promise<IncomingMessage> {
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
    const target = hostPortOf(call.baseUrl);
    const authorization = call.client?.authorization;
    const options = {
      host: target.hostname,
      port: target.port,
      path: call.path,
      method: 'POST',
      headers: authorization === undefined ? call.headers : { ...call.headers, authorization },
      agent,
    };
    const req: ClientRequest = target.isHttps ? https.request(options) : http.request(options);
    let connectTimer: NodeJS.Timeout | undefined;
    let firstByteTimer: NodeJS.Timeout | undefined;
    let settled = false;
    let unhook = (): void => undefined;
    const fail = (err: AppError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(firstByteTimer);
      unhook();
      req.destroy();
      reject(new SendFailure(err, req.reusedSocket));
    };
    unhook = call.cancel.whenCancelled(() =>
      fail(new AppError('GW_UPSTREAM_RESET', 'client went away')),
    );
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
      unhook();
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
