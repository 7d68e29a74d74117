/**
 * Small helpers shared by every HTTP server of the project: bounded body reading, JSON replies,
 * listening and closing with a grace period.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { once } from 'node:events';
import { AppError } from './errors.js';

/**
 * Reads a request body up to `limitBytes`. Rejects with GW_BODY_TOO_LARGE (413) as soon as the
 * limit is passed, without buffering the rest; with GW_BAD_REQUEST if the client aborts. Plain
 * 'data' events, not the async iterator: this runs once per gateway request and the iterator's
 * promise per chunk costs measurably more.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const tooLarge = (detail: string): AppError =>
    new AppError(
      'GW_BODY_TOO_LARGE',
      `request body ${detail} exceeds the limit of ${limitBytes} bytes`,
      { httpStatus: 413 },
    );
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limitBytes) return Promise.reject(tooLarge(`of ${declared} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        req.resume();
        reject(tooLarge(''));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(
        new AppError('GW_BAD_REQUEST', `request body could not be read: ${err.message}`, {
          httpStatus: 400,
          cause: err,
        }),
      );
    };
    const onAborted = (): void => onError(new Error('client aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** Writes a JSON reply with the given status and extra headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Writes a plain-text reply. */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Listens on host:port (0 = any free port) and returns the bound port. */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return address.port;
}

/**
 * Stops accepting, lets in-flight requests finish for up to `graceMs`, then destroys what is
 * left. Idle keep-alive sockets are closed at once.
 */
export async function closeServer(server: Server, graceMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
}

/**
 * Listens, reports the bound port, serves until `signal` aborts, then closes with `closeGraceMs`
 * for in-flight requests. The shape every long-lived server of the project runs in.
 */
export async function serveUntilAborted(
  server: Server,
  options: {
    readonly host: string;
    readonly port: number;
    readonly closeGraceMs: number;
    readonly signal: AbortSignal;
    readonly onListening: (port: number) => void;
  },
): Promise<void> {
  options.onListening(await listen(server, options.port, options.host));
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await closeServer(server, options.closeGraceMs);
}

/** What the operational routes need: the process registry and a readiness check. */
export interface OpsRoutes {
  readonly registry: {
    metrics(): Promise<string>;
    getSingleMetric(name: string): unknown;
    getSingleMetricAsString(name: string): Promise<string>;
    readonly contentType: string;
  };
  readonly isReady: () => boolean;
}

/** Most metric names one `/metrics?name=…` read may ask for. */
const MAX_NAMED_METRICS = 16;

/**
 * The exposition text of the metrics `names` asks for (`/metrics?name=a&name=b`), or all of them.
 * Rendering the leader's whole registry costs it ~2 ms of CPU more than a one-series read; a
 * reader that follows a few series (the gateway bench, around each measured window) should not
 * bill that to what it measures.
 * Unknown names are left out.
 */
async function metricsText(ops: OpsRoutes, names: readonly string[]): Promise<string> {
  if (names.length === 0) return ops.registry.metrics();
  const known = names
    .slice(0, MAX_NAMED_METRICS)
    .filter((n) => ops.registry.getSingleMetric(n) !== undefined);
  // In the order asked: a metric's collect may update others (prom-client's process CPU user
  // counter sets the system and total ones), so a reader names that one first.
  let text = '';
  for (const name of known) text += `${await ops.registry.getSingleMetricAsString(name)}\n`;
  return text;
}

/**
 * Serves `/metrics` (all, or the `name`s its query asks for), `/healthz` (and `/livez`) and
 * `/readyz`, the same on every process. `url` is the request's URL (path and query). Returns
 * false when its path is none of them.
 */
export async function serveOpsRoute(
  url: string,
  res: ServerResponse,
  ops: OpsRoutes,
): Promise<boolean> {
  const [path = '/', query] = url.split('?', 2);
  if (path === '/metrics') {
    const names = new URLSearchParams(query ?? '').getAll('name');
    sendText(res, 200, await metricsText(ops, names), ops.registry.contentType);
  } else if (path === '/healthz' || path === '/livez') sendText(res, 200, 'ok\n');
  else if (path === '/readyz')
    sendText(res, ops.isReady() ? 200 : 503, ops.isReady() ? 'ready\n' : 'not ready\n');
  else return false;
  return true;
}

/**
 * An HTTP server for an async handler: a handler that throws answers 500 with a JSON body
 * (never a stack trace) instead of leaving the request hanging. With `tls` it serves HTTPS.
 */
export function createJsonServer(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  tls?: { readonly cert: Buffer; readonly key: Buffer },
): Server {
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  };
  return tls === undefined
    ? createServer(listener)
    : createTlsServer({ cert: tls.cert, key: tls.key }, listener);
}
