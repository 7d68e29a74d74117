/**
 * Answering before the request body has been read, without losing the answer. If the gateway
 * closes the socket while the client is still sending, the client's kernel receives a reset and
 * throws away the response it had not read yet: the client sees ECONNRESET/EPIPE instead of the
 * 413 (one run in three with Node's fetch sending 64 MiB). So, as nginx's lingering close does,
 * the whole response is written with `Connection: close`, the rest of the body is read and
 * discarded for a bounded time and size, and only then is the response ended (Node then closes
 * the socket). Bounded, because a client may send forever.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../shared/index.js';

/** How long and how much of an unread body is drained after an early answer. */
export interface LingerLimits {
  /** Longest drain, ms. */
  readonly lingerMs: number;
  /** Most bytes drained before the socket is closed anyway. */
  readonly lingerMaxBytes: number;
}

/** nginx's lingering_time is 30 s; 5 s is enough for a client on the same network to finish. */
export const DEFAULT_LINGER: LingerLimits = { lingerMs: 5000, lingerMaxBytes: 64 * 1024 * 1024 };

/** Whether the request carries a body at all (Node marks even an empty one complete only later). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Sends a JSON reply. When the request body is already read, a plain reply; otherwise the reply
 * carries `Connection: close` and the body is drained (discarded) within `limits` before the
 * response ends.
 */
export function replyAndLinger(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
  limits: LingerLimits = DEFAULT_LINGER,
): void {
  // A client that stalled (408) is not drained: waiting for it is what just timed out.
  if (req.complete || req.destroyed || !hasBody(req) || status === 408) {
    sendJson(res, status, body, headers);
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
    connection: 'close',
  });
  // The whole response goes out now (its length is declared), so the client can read it while
  // it is still sending; only end() waits, because end() is what lets Node close the socket.
  res.write(text);
  // A HEAD answer has no body, and Node sends headers only with the first body byte or end().
  res.flushHeaders();
  let drainedBytes = 0;
  const finish = (): void => {
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', finish);
    req.off('error', finish);
    res.off('close', finish);
    if (!res.writableEnded && !res.destroyed) res.end();
  };
  const onData = (chunk: Buffer): void => {
    drainedBytes += chunk.length;
    if (drainedBytes > limits.lingerMaxBytes) finish();
  };
  const timer = setTimeout(finish, limits.lingerMs);
  req.on('data', onData);
  req.once('end', finish);
  req.once('error', finish);
  res.once('close', finish);
  req.resume();
}
