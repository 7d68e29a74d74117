/**
 * `bench leader`'s requests through the real gateway: an open-loop stream of chat completions at
 * a steady rate spread over the cluster's models (each one a pick among that model's engines),
 * and single requests the probe uses to see whether routing still has an engine for a model.
 */
import http from 'node:http';
import { summarize, type LatencySummary } from './latency-stats.js';

/** What the steady requests saw, from the client's side. */
export interface PickLoadResult {
  readonly sent: number;
  readonly ok: number;
  /** Non-200 answers and transport errors, by status (or `error`). */
  readonly failures: Readonly<Record<string, number>>;
  readonly latency: LatencySummary;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One chat completion through the gateway; resolves with the status (0 on a transport error). */
export function postChat(
  gatewayUrl: string,
  model: string,
  prompt: string,
  timeoutMs: number,
): Promise<number> {
  const body = JSON.stringify({
    model,
    messages: [{ role: 'user', content: prompt }],
    max_tokens: 8,
  });
  return new Promise((resolve) => {
    const req = http.request(
      `${gatewayUrl}/v1/chat/completions`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/**
 * Sends `rate` requests per second for `durationMs`, round-robin over `models` and, in turns,
 * over `gatewayUrls` (gateway replicas, as a Service spreads them).
 */
export async function runPickLoad(options: {
  readonly gatewayUrls: readonly string[];
  readonly models: readonly string[];
  readonly rate: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
}): Promise<PickLoadResult> {
  const { gatewayUrls, models, rate, durationMs, timeoutMs } = options;
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const inFlight: Promise<void>[] = [];
  const total = Math.floor((rate * durationMs) / 1000);
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const model = models[i % models.length] ?? 'bench-model-0';
    // In turns by round of models, so every gateway sees every model.
    const gatewayUrl = gatewayUrls[Math.floor(i / models.length) % gatewayUrls.length] as string;
    // A shared system prefix and a varying tail, like chat traffic (the prefix index sees both).
    const prompt = `You are a helpful assistant. Conversation ${i % 97}. Question ${i}: why?`;
    const sentAt = performance.now();
    inFlight.push(
      postChat(gatewayUrl, model, prompt, timeoutMs).then((status) => {
        if (status === 200) latencies.push(performance.now() - sentAt);
        else failures[String(status || 'error')] = (failures[String(status || 'error')] ?? 0) + 1;
      }),
    );
  }
  // The window lasts `durationMs` whatever the rate (at --rate 0 too, where no pick is sent).
  const left = start + durationMs - performance.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left));
  await Promise.all(inFlight);
  return { sent: total, ok: latencies.length, failures, latency: summarize(latencies) };
}
