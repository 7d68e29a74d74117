/**
 * Forwards one HTTP request to a server on loopback and streams the answer back: the counting
 * (and, in tests, fault-injecting) proxy in front of s3rver, which emits no event per GET.
 */
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';

/** Sends `req` on to `127.0.0.1:port` and pipes the answer to `res`; a broken side ends both. */
export function forwardToLoopback(port: number, req: IncomingMessage, res: ServerResponse): void {
  const forward = request(
    { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
    (up: IncomingMessage) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      pipeline(up, res).catch(() => res.destroy());
    },
  );
  forward.on('error', () => res.destroy());
  pipeline(req, forward).catch(() => forward.destroy());
}
