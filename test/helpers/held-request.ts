/**
 * A request whose body is sent only in part (or not at all), to see what a server answers
 * before it has the body: the headers go out at once, the rest never does.
 */
import http from 'node:http';

export interface HeldResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** Milliseconds from sending the headers to the end of the response. */
  readonly elapsedMs: number;
}

/**
 * Sends the headers (and `partialBody`, if any) and waits up to `timeoutMs` for the server's
 * answer; rejects when none comes. The socket is destroyed either way.
 */
export function heldRequest(
  baseUrl: string,
  options: {
    readonly method?: string;
    readonly path: string;
    readonly headers: Record<string, string>;
    readonly partialBody?: string;
    readonly timeoutMs?: number;
  },
): Promise<HeldResponse> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${options.path}`, {
      method: options.method ?? 'POST',
      headers: options.headers,
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${options.timeoutMs ?? 3000} ms`));
    }, options.timeoutMs ?? 3000);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
          elapsedMs: performance.now() - started,
        });
      });
    });
    req.flushHeaders();
    if (options.partialBody !== undefined) req.write(options.partialBody);
  });
}
