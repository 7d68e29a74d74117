/**
 * One engine's scrape: GET /metrics, its health endpoint and now and then /v1/models, with a
 * timeout and the caller's abort signal, over HTTP or HTTPS with the engine's TLS settings and
 * API key (the same ones the gateway uses), normalized through the engine's dialect.
 */
import http from 'node:http';
import https from 'node:https';
import { parsePrometheusText, type EngineScrape } from '../engine/index.js';
import type { EngineClientOptions } from '../discovery/index.js';
import { AppError, linkedSignal } from '../shared/index.js';
import type { MetricsDialect } from './engine-dialects.js';

/** How to reach one engine: its client options, a timeout per call and the caller's signal. */
export interface EngineCall {
  readonly client: EngineClientOptions;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** GET a small text resource with a timeout; rejects on non-2xx. */
export function getText(
  url: string,
  call: EngineCall,
  limitBytes = 4 * 1024 * 1024,
): Promise<string> {
  // Not AbortSignal.any on the process signal: that leaks per call on Node 20 (linked-signal.ts).
  const link = linkedSignal([call.signal], call.timeoutMs);
  return new Promise<string>((resolve, reject) => {
    const isHttps = url.startsWith('https:');
    const options = {
      signal: link.signal,
      headers:
        call.client.authorization === undefined ? {} : { authorization: call.client.authorization },
      ...(isHttps ? call.client.tls : {}),
    };
    const onResponse = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limitBytes) req.destroy(new Error(`response over ${limitBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        if ((res.statusCode ?? 500) >= 300)
          reject(new AppError('AGENT_SCRAPE_FAILED', `${url} answered ${res.statusCode ?? 0}`));
        else resolve(Buffer.concat(chunks).toString('utf8'));
      });
      res.on('error', reject);
    };
    const req = isHttps ? https.get(url, options, onResponse) : http.get(url, options, onResponse);
    req.on('error', (err) =>
      reject(new AppError('AGENT_SCRAPE_FAILED', `${url}: ${err.message}`, { cause: err })),
    );
  }).finally(link.dispose);
}

/** Resolves when the engine's health endpoint answers 2xx; rejects otherwise or on timeout. */
export async function probeHealth(url: string, call: EngineCall): Promise<void> {
  await getText(url, call, 64 * 1024);
}

/** Scrapes an engine's metrics and normalizes them through its dialect. */
export async function scrapeEngine(
  baseUrl: string,
  dialect: MetricsDialect,
  call: EngineCall,
): Promise<EngineScrape> {
  const text = await getText(`${baseUrl}/metrics`, call);
  return dialect(parsePrometheusText(text).samples);
}

/** What an engine lists in /v1/models: base models and loaded adapters (entries with a parent). */
export interface ServedModels {
  readonly models: string[];
  readonly adapters: string[];
}

/** Reads an engine's /v1/models. */
export async function fetchModels(baseUrl: string, call: EngineCall): Promise<ServedModels> {
  const body = JSON.parse(await getText(`${baseUrl}/v1/models`, call)) as {
    data?: { id?: unknown; parent?: unknown }[];
  };
  const entries = (body.data ?? []).filter((m) => typeof m.id === 'string');
  return {
    models: entries.filter((m) => typeof m.parent !== 'string').map((m) => m.id as string),
    adapters: entries.filter((m) => typeof m.parent === 'string').map((m) => m.id as string),
  };
}
