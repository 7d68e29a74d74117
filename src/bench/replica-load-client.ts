/**
 * The HTTP side of the gateway-replicas load generator: one POST that records what a failure
 * looked like (connection refused, reset after the request was on the wire, HTTP status) and
 * which engine served it (the gateway's `target-pod` header), and a closed loop that spreads its
 * requests round-robin over several gateway replicas, retrying on the next replica a refused
 * connection (nothing was sent) and a reset of a reused keep-alive connection before any response
 * byte (the server closed an idle socket, or died, as the request went out), as the official
 * openai client does: it retries every connection error (node_modules/openai, `retryRequest`).
 */
import http from 'node:http';

/** One request's outcome. */
export interface ReplicaSample {
  readonly ok: boolean;
  /** HTTP status; 0 when none arrived. */
  readonly status: number;
  /** Index of the replica (or engine, for direct load) that took the final attempt. */
  readonly target: number;
  /** Wall-clock send and end times of the final attempt, ms since the epoch. */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly totalMs: number;
  /** The final attempt's socket was connected (the request could have reached the gateway). */
  readonly connected: boolean;
  /** Error code of a failed attempt (ECONNREFUSED, ECONNRESET, timeout...); absent when ok. */
  readonly error?: string;
  /** The engine that served it (`target-pod`), when the gateway named one. */
  readonly engine?: string;
  /** Attempts after the first (each after a refused connection or a stale keep-alive reset). */
  readonly retries: number;
  /** Of them, those after a reset of a reused keep-alive connection before any response byte. */
  readonly resetRetries: number;
  /** The final attempt went out on a reused keep-alive connection. */
  readonly reused: boolean;
  /** When the first attempt was sent (a retry's `startedAtMs` is its own). */
  readonly firstStartedAtMs: number;
}

/** A JSON POST body maker by request sequence number. */
export type BodyFor = (i: number) => Buffer;

/** One POST to `host:port`; never rejects. */
export function postOnce(
  host: string,
  port: number,
  path: string,
  agent: http.Agent,
  body: Buffer,
  timeoutMs: number,
  target: number,
): Promise<Omit<ReplicaSample, 'retries' | 'resetRetries' | 'firstStartedAtMs'>> {
  return new Promise((resolve) => {
    const startedAtMs = Date.now();
    const t0 = performance.now();
    let connected = false;
    let reused = false;
    let settled = false;
    let status = 0;
    let engine: string | undefined;
    const settle = (ok: boolean, error?: string): void => {
      if (settled) return;
      settled = true;
      resolve({
        ok,
        status,
        target,
        startedAtMs,
        endedAtMs: Date.now(),
        totalMs: performance.now() - t0,
        connected,
        reused,
        ...(error === undefined ? {} : { error }),
        ...(engine === undefined ? {} : { engine }),
      });
    };
    const req = http.request(
      {
        host,
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        status = res.statusCode ?? 0;
        const pod = res.headers['target-pod'];
        if (typeof pod === 'string') engine = pod;
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () =>
          settle(status === 200 && bytes > 0, status === 200 ? undefined : `http_${status}`),
        );
        res.on('error', (err: NodeJS.ErrnoException) => settle(false, err.code ?? err.message));
        res.on('aborted', () => settle(false, 'ECONNRESET'));
      },
    );
    req.on('socket', (socket) => {
      reused = req.reusedSocket;
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })),
    );
    req.on('error', (err: NodeJS.ErrnoException) => settle(false, err.code ?? err.message));
    req.end(body);
  });
}

/** Where a closed loop sends: ports tried round-robin, one pooled agent for all of them. */
export interface Spread {
  readonly host: string;
  readonly ports: readonly number[];
  readonly path: string;
  readonly agent: http.Agent;
  /**
   * Retry a refused connection, or a reset of a reused keep-alive connection before any response
   * byte, on the next port (up to one try per port).
   */
  readonly retryRefused: boolean;
}

let cursor = 0;

/** One request to the next port of `spread`, retried on a refused connection when allowed. */
export async function sendSpread(
  spread: Spread,
  body: Buffer,
  timeoutMs: number,
): Promise<ReplicaSample> {
  const first = cursor++ % spread.ports.length;
  const attempts = spread.retryRefused ? spread.ports.length : 1;
  let retries = 0;
  let resetRetries = 0;
  const firstStartedAtMs = Date.now();
  for (;;) {
    const target = (first + retries) % spread.ports.length;
    const port = spread.ports[target] ?? 0;
    const s = await postOnce(spread.host, port, spread.path, spread.agent, body, timeoutMs, target);
    const staleReset =
      s.reused && s.status === 0 && (s.error === 'ECONNRESET' || s.error === 'EPIPE');
    const retryable = s.error === 'ECONNREFUSED' || staleReset;
    if (s.ok || !retryable || retries + 1 >= attempts)
      return { ...s, retries, resetRetries, firstStartedAtMs };
    retries++;
    if (staleReset) resetRetries++;
  }
}

/**
 * Closed loop: `concurrency` workers, each sending its next request when one completes, for
 * `durationMs`; every sample (requests finishing after the window included, flagged by time).
 */
export async function closedLoopSpread(
  spread: Spread,
  bodyFor: BodyFor,
  concurrency: number,
  durationMs: number,
  timeoutMs: number,
  onTick?: (elapsedMs: number) => void,
): Promise<{ samples: ReplicaSample[]; startedAtMs: number; endedAtMs: number }> {
  const samples: ReplicaSample[] = [];
  let seq = 0;
  const startedAtMs = Date.now();
  const end = startedAtMs + durationMs;
  const worker = async (): Promise<void> => {
    while (Date.now() < end) {
      samples.push(await sendSpread(spread, bodyFor(seq++), timeoutMs));
      onTick?.(Date.now() - startedAtMs);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { samples, startedAtMs, endedAtMs: end };
}

/** Samples that completed inside [fromMs, toMs), ok ones only. */
export function completedWithin(
  samples: readonly ReplicaSample[],
  fromMs: number,
  toMs: number,
): ReplicaSample[] {
  return samples.filter((s) => s.ok && s.endedAtMs >= fromMs && s.endedAtMs < toMs);
}
