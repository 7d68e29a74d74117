/**
 * A ranged HTTP file server for the weights tests, on 127.0.0.1 port 0, serving objects from
 * memory with ETag, Range (one range) and If-Range, and faults injected per request:
 *
 *   const server = await startArtifactHttpServer();
 *   server.put('m/model.safetensors', bytes);          // ETag changes with every put
 *   server.fault({ path: 'm/model.safetensors', kind: 'reset', afterBytes: 1000 });
 *   server.count('GET', 'm/model.safetensors');        // requests seen
 *   await server.close();
 *
 * Fault kinds: `status` (answer that status), `reset` (TCP RST after `afterBytes` of body),
 * `truncate` (honest Content-Length, then FIN after `afterBytes`), `stall` (send `afterBytes`, then
 * nothing until the client gives up), `replace` (the object is replaced with `bytes` just before
 * this request is answered: a mid-pull ETag change), `redirect` (302 to `location`), `hang` (no
 * answer at all, not even headers).
 * Each fault applies to the next `times` (default 1) matching requests.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One injected fault; see the file comment. */
export type ArtifactFault = {
  /** Object path the fault applies to (no leading slash); any path when absent. */
  readonly path?: string;
  readonly method?: 'GET' | 'HEAD';
  readonly times?: number;
} & (
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'reset' | 'truncate' | 'stall'; readonly afterBytes: number }
  | { readonly kind: 'replace'; readonly bytes: Buffer }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'hang' }
);

/** One request the server saw. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
}

/** A running server; see the file comment. */
export interface ArtifactHttpServer {
  /** `http://127.0.0.1:<port>/`. */
  readonly baseUrl: string;
  readonly port: number;
  /** Stores (or replaces) an object; returns its new ETag. */
  put(path: string, bytes: Buffer): string;
  remove(path: string): void;
  etagOf(path: string): string | undefined;
  fault(fault: ArtifactFault): void;
  /** Requests seen for `path` with `method` (all paths when `path` is absent). */
  count(method: 'GET' | 'HEAD', path?: string): number;
  readonly requests: readonly SeenRequest[];
  close(): Promise<void>;
}

interface StoredObject {
  readonly bytes: Buffer;
  readonly etag: string;
}

/** Starts the server; see the file comment. */
export async function startArtifactHttpServer(): Promise<ArtifactHttpServer> {
  const objects = new Map<string, StoredObject>();
  const faults: (ArtifactFault & { left: number })[] = [];
  const requests: SeenRequest[] = [];
  let version = 0;
  const put = (path: string, bytes: Buffer): string => {
    version += 1;
    const hash = createHash('md5').update(bytes).digest('hex').slice(0, 16);
    const etag = `"${hash}-${version}"`;
    objects.set(path, { bytes, etag });
    return etag;
  };
  const takeFault = (method: string, path: string): ArtifactFault | undefined => {
    const index = faults.findIndex(
      (f) =>
        (f.path === undefined || f.path === path) &&
        (f.method === undefined || f.method === method),
    );
    const fault = faults[index];
    if (fault === undefined) return undefined;
    fault.left -= 1;
    if (fault.left <= 0) faults.splice(index, 1);
    return fault;
  };

  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    const method = req.method ?? 'GET';
    requests.push({ method, path, headers: req.headers });
    const fault = takeFault(method, path);
    if (fault?.kind === 'hang') return; // close() destroys the socket
    if (fault?.kind === 'status') return void res.writeHead(fault.status).end();
    if (fault?.kind === 'redirect')
      return void res.writeHead(302, { location: fault.location }).end();
    if (fault?.kind === 'replace') put(path, fault.bytes);
    const object = objects.get(path);
    if (object === undefined) return void res.writeHead(404).end();
    answer(req, res, object, fault);
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    port,
    put,
    remove: (path) => void objects.delete(path),
    etagOf: (path) => objects.get(path)?.etag,
    fault: (fault) => void faults.push({ ...fault, left: fault.times ?? 1 }),
    count: (method, path) =>
      requests.filter((r) => r.method === method && (path === undefined || r.path === path)).length,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(
  req: IncomingMessage,
  res: ServerResponse,
  object: StoredObject,
  fault: ArtifactFault | undefined,
): void {
  const size = object.bytes.length;
  const headers = { etag: object.etag, 'accept-ranges': 'bytes' };
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const ifRange = req.headers['if-range'];
  // If-Range naming another version: the range is ignored and the whole new object is sent.
  const isRanged = range !== null && (ifRange === undefined || ifRange === object.etag);
  let start = 0;
  let end = size;
  if (isRanged) {
    start = Number(range[1]);
    end = range[2] === '' ? size : Math.min(size, Number(range[2]) + 1);
    if (start >= size || end <= start) {
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(206, {
      ...headers,
      'content-length': end - start,
      'content-range': `bytes ${start}-${end - 1}/${size}`,
    });
  } else res.writeHead(200, { ...headers, 'content-length': size });
  if (req.method === 'HEAD') return void res.end();
  const body = object.bytes.subarray(start, end);
  if (fault === undefined || fault.kind === 'replace') return void res.end(body);
  if (fault.kind !== 'reset' && fault.kind !== 'truncate' && fault.kind !== 'stall')
    return void res.end(body);
  res.write(body.subarray(0, fault.afterBytes), () => {
    if (fault.kind === 'reset') req.socket.resetAndDestroy();
    else if (fault.kind === 'truncate') req.socket.end();
    // stall: hold the socket open with nothing more to send; close() destroys it.
  });
}
