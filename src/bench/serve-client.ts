/**
 * `bench serve`'s HTTP side: one streaming completion against any OpenAI-compatible server, timed
 * chunk by chunk. Uses `node:http(s)` with a keep-alive agent (fetch's per-request cost would show
 * in what is measured), a per-request timeout and the run's AbortSignal. Never rejects: a failure
 * is an outcome with a short stable reason, so one bad reply cannot end a run.
 */
import http from 'node:http';
import https from 'node:https';
import { AppError, linkedSignal } from '../shared/index.js';
import type { RequestOutcome } from './serve-metrics.js';
import { LineSplitter } from './line-splitter.js';
import { promptText, type WorkloadRequest } from './serve-workload.js';

/** Where and how requests go. */
export interface ServeTarget {
  /** Server root, e.g. `http://127.0.0.1:8080` (the endpoint path is appended). */
  readonly baseUrl: URL;
  readonly endpoint: '/v1/completions' | '/v1/chat/completions';
  readonly model: string;
  /** Sent as `Authorization: Bearer`; '' = none. */
  readonly apiKey: string;
  /** Send vLLM's `ignore_eos` so exactly `max_tokens` come back (off for servers refusing it). */
  readonly ignoreEos: boolean;
  readonly timeoutMs: number;
  readonly agent: http.Agent;
}

/** Longest SSE line kept while waiting for its end; a longer one fails the request. */
const MAX_LINE_BYTES = 1024 * 1024;

/** A keep-alive agent for `sockets` concurrent requests, of the base URL's protocol. */
export function serveAgent(baseUrl: URL, sockets: number): http.Agent {
  const o = { keepAlive: true, maxSockets: sockets, maxFreeSockets: Math.min(sockets, 256) };
  return baseUrl.protocol === 'https:' ? new https.Agent(o) : new http.Agent(o);
}

/** The JSON body of one request. */
export function requestBody(target: ServeTarget, req: WorkloadRequest): Buffer {
  const messages = req.messages();
  const input =
    target.endpoint === '/v1/chat/completions' ? { messages } : { prompt: promptText(messages) };
  return Buffer.from(
    JSON.stringify({
      model: target.model,
      ...input,
      max_tokens: req.outputTokens,
      ...(target.ignoreEos ? { ignore_eos: true } : {}),
      stream: true,
      stream_options: { include_usage: true },
    }),
  );
}

interface StreamChunk {
  choices?: { text?: string | null; delta?: { content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: unknown;
}

/** Common headers: JSON body, bearer key when given. */
export function headersFor(target: ServeTarget, length?: number): http.OutgoingHttpHeaders {
  return {
    'content-type': 'application/json',
    ...(length === undefined ? {} : { 'content-length': length }),
    ...(target.apiKey === '' ? {} : { authorization: `Bearer ${target.apiKey}` }),
  };
}

/** Sends `req` and times it; `runStart` is the run's `performance.now()` origin. */
export function sendStreaming(
  target: ServeTarget,
  req: WorkloadRequest,
  runStart: number,
  signal: AbortSignal,
): Promise<RequestOutcome> {
  const body = requestBody(target, req);
  const url = new URL(target.endpoint, target.baseUrl);
  const transport = url.protocol === 'https:' ? https : http;
  const link = linkedSignal([signal], target.timeoutMs);
  return new Promise((resolve) => {
    const t0 = performance.now();
    let ttft = NaN;
    let last = 0;
    const itl: number[] = [];
    let chunks = 0;
    let usage: StreamChunk['usage'];
    let failure = '';
    let settled = false;
    const finish = (error: string): void => {
      if (settled) return;
      settled = true;
      link.dispose();
      const e2el = performance.now() - t0;
      const reason = error !== '' ? error : chunks === 0 ? 'empty response' : '';
      resolve({
        ok: reason === '',
        error: reason,
        startMs: t0 - runStart,
        ttftMs: ttft,
        e2elMs: e2el,
        itlMs: itl,
        inputTokens: usage?.prompt_tokens ?? req.inputTokens,
        outputTokens: usage?.completion_tokens ?? chunks,
      });
    };
    const onLine = (line: string): void => {
      if (!line.startsWith('data:')) return;
      const data = line.slice(5).trim();
      if (data === '[DONE]' || data === '') return;
      let chunk: StreamChunk;
      try {
        chunk = JSON.parse(data) as StreamChunk;
      } catch {
        failure = 'malformed stream';
        return;
      }
      if (chunk.error !== undefined) failure = 'error in stream';
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      const text = choice?.text ?? choice?.delta?.content;
      if (typeof text !== 'string' || text === '') return;
      const now = performance.now();
      if (chunks === 0) ttft = now - t0;
      else itl.push(now - last);
      last = now;
      chunks++;
    };
    const r = transport.request(
      url,
      {
        method: 'POST',
        agent: target.agent,
        headers: headersFor(target, body.length),
        signal: link.signal,
      },
      (res) => {
        res.setEncoding('utf8');
        const lines = new LineSplitter(onLine, MAX_LINE_BYTES);
        res.on('data', (text: string) => {
          if (res.statusCode === 200 && !lines.push(text))
            r.destroy(new Error('SSE line too long'));
        });
        res.on('end', () => {
          lines.end();
          finish(res.statusCode === 200 ? failure : `http ${String(res.statusCode)}`);
        });
        res.on('error', (err) => finish(reasonOf(err, link.timedOut)));
      },
    );
    r.on('error', (err) => finish(reasonOf(err, link.timedOut)));
    r.end(body);
  });
}

/** A short stable failure reason (the report counts failures by it; no unbounded text). */
function reasonOf(err: Error & { code?: string }, timedOut: boolean): string {
  if (timedOut) return 'timeout';
  if (err.name === 'AbortError') return 'aborted';
  if (err.message === 'SSE line too long') return 'malformed stream';
  return err.code ?? 'connection error';
}

/** Largest `/v1/models` reply read, bytes. */
const MAX_MODELS_BYTES = 4 * 1024 * 1024;

/**
 * The first model `GET /v1/models` lists (what vLLM's `bench serve` uses without `--model`).
 * Throws `CLI_USAGE` when the server answers none.
 */
export async function firstServedModel(
  target: Omit<ServeTarget, 'model'>,
  signal: AbortSignal,
): Promise<string> {
  const link = linkedSignal([signal], target.timeoutMs);
  try {
    const res = await fetch(new URL('/v1/models', target.baseUrl), {
      headers: headersFor({ ...target, model: '' }) as Record<string, string>,
      signal: link.signal,
    });
    const text = await res.text();
    if (text.length > MAX_MODELS_BYTES) throw new Error('reply too large');
    const id = (JSON.parse(text) as { data?: { id?: unknown }[] }).data?.[0]?.id;
    if (!res.ok || typeof id !== 'string') throw new Error(`HTTP ${res.status}, no model listed`);
    return id;
  } catch (err) {
    throw new AppError(
      'CLI_USAGE',
      `cannot find a model at ${target.baseUrl.href}v1/models (pass --model): ${String(err)}`,
      { cause: err },
    );
  } finally {
    link.dispose();
  }
}
