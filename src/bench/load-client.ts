/**
 * The load generator's HTTP side: one timed POST over a keep-alive `node:http` agent (not fetch,
 * whose per-request cost would swamp what is measured), and the three load shapes the gateway
 * benchmark uses — sequential pairs, paced open-loop arrivals and closed-loop concurrency.
 */
import http from 'node:http';

/** What the gateway benchmark passes its load-generator process on the command line (JSON). */
export interface LoadPlan {
  readonly host: string;
  readonly gatewayPort: number;
  readonly directPorts: readonly number[];
  readonly controlPort: number;
  readonly model: string;
  readonly rounds: number;
  readonly requests: number;
  readonly warmup: number;
  /** Closed-loop warm-up per target, ms. */
  readonly warmupMs: number;
  readonly rate: number;
  readonly durationMs: number;
  readonly concurrency: readonly number[];
  readonly maxTokens: number;
  readonly promptBytes: number;
  readonly variants: readonly ('non-streaming' | 'streaming')[];
  readonly timeoutMs: number;
  /** What listens on `gatewayPort`: the gateway (default) or the bare reference proxy. */
  readonly underTest?: 'gateway' | 'reference-proxy';
  /**
   * Where the bare reference proxy listens, when it is measured too: every phase then runs on
   * the gateway and on the proxy in turn (gateway-load.ts), not one whole pass after the other.
   */
  readonly referencePort?: number;
}

/** Where requests go: the engine directly or the gateway, over its own connection pool. */
export interface Target {
  readonly name: 'direct' | 'gateway';
  readonly host: string;
  /** Ports to spread requests over (direct: every engine; gateway: one). */
  readonly ports: readonly number[];
  readonly path: string;
  readonly agent: http.Agent;
}

/** One request's outcome; latencies in milliseconds. */
export interface Sample {
  readonly ok: boolean;
  /** Send to response headers. */
  readonly ttfbMs: number;
  /** Send to the end of the body. */
  readonly totalMs: number;
}

/** A keep-alive agent sized for `sockets` concurrent requests. */
export function keepAliveAgent(sockets: number): http.Agent {
  return new http.Agent({
    keepAlive: true,
    maxSockets: sockets,
    maxFreeSockets: sockets,
    scheduling: 'lifo',
  });
}

let portCursor = 0;

/** Sends `body` to `target` and resolves when the response has fully arrived (never rejects). */
export function timedRequest(target: Target, body: Buffer, timeoutMs: number): Promise<Sample> {
  const port = target.ports[portCursor++ % target.ports.length] ?? 0;
  return new Promise((resolve) => {
    const t0 = performance.now();
    let ttfb = NaN;
    let settled = false;
    const settle = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      resolve({ ok, ttfbMs: ttfb, totalMs: performance.now() - t0 });
    };
    const req = http.request(
      {
        host: target.host,
        port,
        path: target.path,
        method: 'POST',
        agent: target.agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        ttfb = performance.now() - t0;
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => settle(res.statusCode === 200 && bytes > 0));
        res.on('error', () => settle(false));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', () => settle(false));
    req.end(body);
  });
}

/** Sequential results: per-target samples and the paired (gateway − direct) differences. */
export interface SequentialResult {
  readonly direct: number[];
  readonly gateway: number[];
  readonly paired: number[];
  /** The paired differences, round by round. */
  readonly rounds: number[][];
  errors: number;
}

/**
 * `rounds` × `perRound` pairs, one request at a time, strictly alternating targets (D G D G …),
 * so every request follows one to the other target: state a request leaves behind in the
 * engine (a just-finished generation, a warm socket) hits both alike. Odd rounds start with the
 * gateway, so neither target is always first in its pair. Rounds are numbered from
 * `firstRound` (a caller running one round at a time keeps the alternation).
 */
export async function runSequential(
  direct: Target,
  gateway: Target,
  bodyFor: (i: number) => Buffer,
  rounds: number,
  perRound: number,
  timeoutMs: number,
  firstRound = 0,
): Promise<SequentialResult> {
  const out: SequentialResult = { direct: [], gateway: [], paired: [], rounds: [], errors: 0 };
  for (let r = firstRound; r < firstRound + rounds; r++) {
    const round: number[] = [];
    const gatewayFirst = r % 2 === 1;
    for (let i = 0; i < perRound; i++) {
      const body = bodyFor(r * perRound + i);
      const a = await timedRequest(gatewayFirst ? gateway : direct, body, timeoutMs);
      const b = await timedRequest(gatewayFirst ? direct : gateway, body, timeoutMs);
      const [d, g] = gatewayFirst ? [b, a] : [a, b];
      if (!d.ok || !g.ok) {
        out.errors++;
        continue;
      }
      out.direct.push(d.totalMs);
      out.gateway.push(g.totalMs);
      out.paired.push(g.totalMs - d.totalMs);
      round.push(g.totalMs - d.totalMs);
    }
    out.rounds.push(round);
  }
  return out;
}

/**
 * Open-loop arrivals at `rate` per second for `durationMs`, alternating targets (each gets half):
 * requests start on schedule whether or not earlier ones finished.
 */
export async function runPaced(
  targets: readonly [Target, Target],
  bodyFor: (i: number) => Buffer,
  rate: number,
  durationMs: number,
  timeoutMs: number,
): Promise<{
  samples: [number[], number[]];
  /** The same samples by one-second window of their send time: [target][window]. */
  windows: [number[][], number[][]];
  errors: number;
  achievedRps: number;
}> {
  const samples: [number[], number[]] = [[], []];
  const windows: [number[][], number[][]] = [[], []];
  const pending: Promise<void>[] = [];
  let errors = 0;
  const start = performance.now();
  const total = Math.floor((rate * durationMs) / 1000);
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    for (; sent < due; sent++) {
      const which = sent % 2 === 0 ? 0 : 1;
      const into = samples[which];
      const byWindow = windows[which];
      const w = Math.floor((sent * 1000) / rate / 1000);
      pending.push(
        timedRequest(targets[which], bodyFor(sent), timeoutMs).then((s) => {
          if (!s.ok) {
            errors++;
            return;
          }
          into.push(s.totalMs);
          (byWindow[w] ??= []).push(s.totalMs);
        }),
      );
    }
    const nextAt = start + ((sent + 1) * 1000) / rate;
    const wait = nextAt - performance.now();
    await new Promise((resolve) => (wait >= 1 ? setTimeout(resolve, wait) : setImmediate(resolve)));
  }
  await Promise.all(pending);
  return { samples, windows, errors, achievedRps: (total * 1000) / (performance.now() - start) };
}

/** Closed-loop load: `concurrency` workers, each sending its next request when one completes. */
export async function runClosedLoop(
  target: Target,
  bodyFor: (i: number) => Buffer,
  concurrency: number,
  durationMs: number,
  timeoutMs: number,
): Promise<{ completed: number; errors: number; elapsedMs: number; latencies: number[] }> {
  const latencies: number[] = [];
  let completed = 0;
  let errors = 0;
  let seq = 0;
  const start = performance.now();
  const end = start + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const s = await timedRequest(target, bodyFor(seq++), timeoutMs);
      if (performance.now() > end) break; // finished after the window: not counted
      if (s.ok) {
        completed++;
        latencies.push(s.totalMs);
      } else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { completed, errors, elapsedMs: durationMs, latencies };
}
