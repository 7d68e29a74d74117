/**
 * The routing benchmark's load generator, run as its own process (`node routing-client.js
 * <plan-json>`) so it never shares an event loop with the gateway. Replays a Mooncake trace
 * open-loop (each request leaves at its scheduled time whether or not earlier ones finished) as
 * streaming `/v1/completions` over keep-alive `node:http`, and prints one JSON line: every
 * request's outcome ({@link ReplaySample}).
 */
import http from 'node:http';
import { LineSplitter } from './line-splitter.js';
import {
  arrivalOffsetsMs,
  BlockTextCache,
  promptFor,
  readTrace,
  traceWindow,
  type TraceEntry,
} from './routing-trace.js';
import type { ReplayPlan, ReplaySample } from './routing-stats.js';

/** How long the replay keeps an idle keep-alive socket, ms (below the gateway's 65 s). */
const FREE_SOCKET_IDLE_MS = 30_000;

/** Longest SSE line kept while waiting for its end, bytes; a longer one fails the request. */
const MAX_LINE_BYTES = 1024 * 1024;

interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}

function send(
  agent: http.Agent,
  plan: ReplayPlan,
  entry: TraceEntry,
  index: number,
  cache: BlockTextCache,
): Promise<ReplaySample> {
  const body = Buffer.from(
    JSON.stringify({
      model: plan.model,
      prompt: promptFor(entry, index, cache),
      max_tokens: entry.outputLength,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
    }),
  );
  return new Promise((resolve) => {
    const t0 = performance.now();
    const sample: ReplaySample = {
      i: index,
      status: 0,
      ok: false,
      ttftMs: NaN,
      e2eMs: NaN,
      promptTokens: 0,
      cachedTokens: 0,
      outputTokens: 0,
      pod: '',
      error: '',
    };
    let done = false;
    const finish = (error: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sample.e2eMs = performance.now() - t0;
      sample.error = error;
      sample.ok = error === '' && sample.status === 200 && !Number.isNaN(sample.ttftMs);
      resolve(sample);
    };
    const req = http.request(
      {
        host: plan.host,
        port: plan.port,
        path: '/v1/completions',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          'routing-strategy': plan.strategy,
        },
      },
      (res) => {
        sample.status = res.statusCode ?? 0;
        sample.pod = String(res.headers['target-pod'] ?? '');
        res.setEncoding('utf8');
        let pending = '';
        const lines = new LineSplitter((line) => onLine(line), MAX_LINE_BYTES);
        res.on('data', (text: string) => {
          if (res.statusCode !== 200) {
            if (pending.length < 4096) pending += text;
            return;
          }
          if (!lines.push(text)) req.destroy(new Error('SSE line too long'));
        });
        res.on('end', () => finish(res.statusCode === 200 ? '' : pending.slice(0, 300)));
        res.on('error', (err) => finish(err.message));
      },
    );
    const onLine = (line: string): void => {
      if (!line.startsWith('data: {')) return;
      if (Number.isNaN(sample.ttftMs) && line.includes('"text":"'))
        sample.ttftMs = performance.now() - t0;
      if (line.includes('"usage":{')) {
        const usage = (JSON.parse(line.slice(6)) as { usage: Usage }).usage;
        sample.promptTokens = usage.prompt_tokens ?? 0;
        sample.outputTokens = usage.completion_tokens ?? 0;
        sample.cachedTokens = usage.prompt_tokens_details?.cached_tokens ?? 0;
      }
    };
    const timer = setTimeout(() => req.destroy(new Error('timeout')), plan.timeoutMs);
    req.on('error', (err) => finish(err.message || 'error'));
    req.end(body);
  });
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '{}') as ReplayPlan;
  const entries = traceWindow(readTrace(plan.tracePath), plan.durationS);
  const offsets = arrivalOffsetsMs(entries, plan.rateScale, plan.speed);
  // Idle sockets close on the client's side first (30 s, under the gateway's 65 s keep-alive):
  // a socket the server closes as a request is written on it fails that request ("socket hang
  // up"), one or two in a 10-minute replay at speed 1, where idle gaps are longest.
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: 8192,
    maxFreeSockets: 256,
    timeout: FREE_SOCKET_IDLE_MS,
  });
  const cache = new BlockTextCache(8192);
  const pending: Promise<ReplaySample>[] = [];
  const start = performance.now();
  let lagMaxMs = 0;
  for (let i = 0; i < entries.length; i++) {
    const due = start + (offsets[i] ?? 0);
    const wait = due - performance.now();
    if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
    lagMaxMs = Math.max(lagMaxMs, performance.now() - due);
    pending.push(send(agent, plan, entries[i] as TraceEntry, i, cache));
  }
  const sendSpanMs = performance.now() - start;
  const samples = await Promise.all(pending);
  const wallMs = performance.now() - start;
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ samples, sendSpanMs, wallMs, lagMaxMs })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`routing load generator failed: ${String(err)}\n`);
  process.exitCode = 1;
});
