/**
 * Lets ejected engines back in: when an ejection expires, one `GET /health` decides. Success
 * clears the engine; failure ejects it again for a longer period.
 */
import http from 'node:http';
import https from 'node:https';
import { engineClientOptions, type EngineConnection } from '../discovery/index.js';
import { linkedSignal, sleep, type Clock, type Logger } from '../shared/index.js';
import type { EndpointCatalog } from './endpoint-catalog.js';
import type { PassiveHealth } from './passive-health.js';

/** What the prober watches (passive-health ejections) and how it reaches the engines. */
export interface HealthProberOptions {
  readonly health: PassiveHealth;
  readonly catalog: EndpointCatalog;
  readonly clock: Clock;
  readonly log: Logger;
  /** How often to look for expired ejections. Default 500 ms. */
  readonly intervalMs?: number;
  /** Timeout of one probe. Default 1000 ms. */
  readonly probeTimeoutMs?: number;
}

/**
 * GET <url>/health over HTTP or HTTPS with the engine's TLS settings and API key; true on a 2xx
 * within the timeout, false on anything else (including a missing CA or key reference).
 */
export function probeHealth(
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
  connection?: EngineConnection,
): Promise<boolean> {
  // Not AbortSignal.any on the process signal: that leaks per call on Node 20 (linked-signal.ts).
  const link = linkedSignal([signal], timeoutMs);
  return new Promise<boolean>((resolve) => {
    try {
      const client = engineClientOptions(connection);
      const isHttps = url.startsWith('https:');
      const options = {
        signal: link.signal,
        headers: client.authorization === undefined ? {} : { authorization: client.authorization },
        ...(isHttps ? client.tls : {}),
      };
      const onResponse = (res: http.IncomingMessage): void => {
        res.resume();
        resolve((res.statusCode ?? 500) < 300);
      };
      const req = isHttps
        ? https.get(`${url}/health`, options, onResponse)
        : http.get(`${url}/health`, options, onResponse);
      req.on('error', () => resolve(false));
    } catch {
      resolve(false);
    }
  }).finally(link.dispose);
}

/**
 * Probes each ejected engine's /health when its ejection expires, so a recovered engine returns
 * without risking a real request.
 */
export class HealthProber {
  readonly name = 'gateway-health-prober';
  readonly #options: HealthProberOptions;

  constructor(options: HealthProberOptions) {
    this.#options = options;
  }

  async run(signal: AbortSignal): Promise<void> {
    const { health, catalog, clock, log } = this.#options;
    while (!signal.aborted) {
      await sleep(this.#options.intervalMs ?? 500, signal);
      for (const id of health.dueForProbe(clock.now())) {
        const url = catalog.endpointUrl(id);
        if (url === undefined) {
          health.recordSuccess(id);
          continue;
        }
        const connection = catalog.endpointConnection?.(id);
        if (await probeHealth(url, this.#options.probeTimeoutMs ?? 1000, signal, connection)) {
          health.recordSuccess(id);
          log.info({ endpoint: id }, 'ejected engine passed its probe: back in rotation');
        } else {
          health.probeFailed(id, clock.now());
        }
      }
    }
  }
}
