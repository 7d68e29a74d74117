/**
 * Load tools of the `sim` bench scenario: start `infernode sim` as a child process (so the
 * simulator has a core of its own) and drive it with streaming completion clients that record
 * when each token chunk arrives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once, setMaxListeners } from 'node:events';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { AppError } from '../shared/index.js';

/** A simulator child process and its URL. */
export interface SimChild {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `node dist/cli/main.js sim --port 0 <args>` and waits for the URL it prints. */
export async function startSimChild(args: readonly string[]): Promise<SimChild> {
  const main = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [main, 'sim', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) resolve(line.trim());
    });
    child.once('exit', (code) =>
      reject(new AppError('PROC_CHILD_FAILED', `sim child exited with ${String(code)}`)),
    );
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** When each token of one streamed completion arrived (performance.now() ms). */
export interface StreamTrace {
  readonly tokenTimesMs: number[];
}

const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

/**
 * Streams one `/v1/completions` request and returns its token arrival times. Chunks that arrive
 * together share a timestamp; tokens are counted by their `data: {` frames.
 */
export function streamCompletion(
  url: string,
  body: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<StreamTrace> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const req = request(
      `${url}/v1/completions`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' }, signal },
      (res) => {
        res.setEncoding('latin1');
        res.on('data', (text: string) => {
          const now = performance.now();
          for (let at = text.indexOf('data: {'); at >= 0; at = text.indexOf('data: {', at + 7))
            times.push(now);
        });
        res.on('end', () => resolve({ tokenTimesMs: times }));
        res.on('error', () => resolve({ tokenTimesMs: times }));
      },
    );
    req.on('error', (err) =>
      signal?.aborted === true ? resolve({ tokenTimesMs: times }) : reject(err),
    );
    req.end(JSON.stringify({ stream: true, ignore_eos: true, ...body }));
  });
}

/**
 * Per trace, the mean gap between tokens `from` and `to - 1` (timer quantisation makes single
 * gaps jitter by ~1 ms, their mean does not); the median of those means, ms.
 */
export function meanGapMs(traces: readonly StreamTrace[], from: number, to: number): number {
  const means: number[] = [];
  for (const t of traces) {
    const last = Math.min(to, t.tokenTimesMs.length) - 1;
    if (last <= from) continue;
    means.push(
      ((t.tokenTimesMs[last] as number) - (t.tokenTimesMs[from] as number)) / (last - from),
    );
  }
  means.sort((a, b) => a - b);
  return means[Math.floor(means.length / 2)] ?? NaN;
}

/**
 * Runs `clients` closed-loop streaming clients for `durationMs`; returns tokens received and the
 * wall time they took.
 */
export async function streamLoad(
  url: string,
  clients: number,
  durationMs: number,
  maxTokens: number,
): Promise<{ tokens: number; seconds: number; requests: number }> {
  const stop = AbortSignal.timeout(durationMs);
  setMaxListeners(clients + 16, stop);
  let tokens = 0;
  let requests = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      while (!stop.aborted) {
        const trace = await streamCompletion(
          url,
          { prompt: `client ${c} request ${requests} tell me a story`, max_tokens: maxTokens },
          stop,
        );
        tokens += trace.tokenTimesMs.length;
        requests++;
      }
    }),
  );
  return { tokens, seconds: (performance.now() - start) / 1000, requests };
}
