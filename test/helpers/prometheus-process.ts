/**
 * A real Prometheus for tests: Debian's /usr/bin/prometheus on a free loopback port with an
 * empty temp TSDB, scraping the given `host:port` targets every second. Ready once `readyQuery`
 * answers a non-empty result (so the targets have been scraped).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../src/shared/index.js';
import { waitFor } from './wait-for.js';

/** A started Prometheus; `stop` kills it and removes its TSDB. */
export interface PrometheusProcess {
  readonly url: string;
  /** The instant query's result vector (Prometheus' HTTP API). */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `targets` (`host:port`, path /metrics) each second. */
export async function startPrometheus(
  targets: readonly string[],
  readyQuery: string,
): Promise<PrometheusProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'infernode-prometheus-'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: engines',
      `    static_configs: [{ targets: [${targets.map((t) => `'${t}'`).join(', ')}] }]`,
    ].join('\n'),
  );
  const [port] = await freePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    '/usr/bin/prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const query: PrometheusProcess['query'] = async (promql) => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, {
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json()) as {
      data?: { result?: { metric: Record<string, string>; value: [number, string] }[] };
    };
    return body.data?.result ?? [];
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => (await query(readyQuery).catch(() => [])).length > 0,
      'Prometheus answering the query',
      90_000,
      250,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, query, stop };
}
