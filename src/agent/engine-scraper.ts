/**
 * One engine's scrape: GET /metrics (and now and then /v1/models) with a timeout and the
 * caller's abort signal, normalized through the engine's dialect.
 */
import http from 'node:http';
import { parsePrometheusText, type EngineScrape } from '../engine/index.js';
import type { MetricsDialect } from './engine-dialects.js';
import { AppError } from '../shared/index.js';

/** GET a small text resource with a timeout; rejects on non-2xx. */
export function getText(
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
  limitBytes = 4 * 1024 * 1024,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) },
      (res) => {
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
      },
    );
    req.on('error', (err) =>
      reject(new AppError('AGENT_SCRAPE_FAILED', `${url}: ${err.message}`, { cause: err })),
    );
  });
}

/** Resolves when the engine's health endpoint answers 2xx; rejects otherwise or on timeout. */
export async function probeHealth(
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  await getText(url, timeoutMs, signal, 64 * 1024);
}

/** Scrapes an engine's metrics and normalizes them through its dialect. */
export async function scrapeEngine(
  baseUrl: string,
  dialect: MetricsDialect,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<EngineScrape> {
  const text = await getText(`${baseUrl}/metrics`, timeoutMs, signal);
  return dialect(parsePrometheusText(text).samples);
}

/** Adapters an engine lists in /v1/models (entries whose parent is set). */
export async function fetchAdapters(
  baseUrl: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<string[]> {
  const body = JSON.parse(await getText(`${baseUrl}/v1/models`, timeoutMs, signal)) as {
    data?: { id?: unknown; parent?: unknown }[];
  };
  return (body.data ?? [])
    .filter((m) => typeof m.parent === 'string' && typeof m.id === 'string')
    .map((m) => m.id as string);
}
