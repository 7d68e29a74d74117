/**
 * Lets ejected engines back in: when an ejection expires, one `GET /health` decides. Success
 * clears the engine; failure ejects it again for a longer period.
 */
import http from 'node:http';
import { linkedSignal, sleep, type Clock, type Logger } from '../shared/index.js';
import type { EndpointCatalog } from './endpoint-catalog.js';
import type { PassiveHealth } from './passive-health.js';

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

/** GET <url>/health; true on a 2xx within the timeout. */
export function probeHealth(url: string, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  // Not AbortSignal.any on the process signal: that leaks per call on Node 20 (linked-signal.ts).
  const link = linkedSignal([signal], timeoutMs);
  return new Promise<boolean>((resolve) => {
    const req = http.get(`${url}/health`, { signal: link.signal }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 300);
    });
    req.on('error', () => resolve(false));
  }).finally(link.dispose);
}

export class HealthProber {
  readonly name = 'gateway-health-prober';
  readonly #o: HealthProberOptions;

  constructor(options: HealthProberOptions) {
    this.#o = options;
  }

  async run(signal: AbortSignal): Promise<void> {
    const { health, catalog, clock, log } = this.#o;
    while (!signal.aborted) {
      await sleep(this.#o.intervalMs ?? 500, signal);
      for (const id of health.dueForProbe(clock.now())) {
        const url = catalog.endpointUrl(id);
        if (url === undefined) {
          health.recordSuccess(id);
          continue;
        }
        if (await probeHealth(url, this.#o.probeTimeoutMs ?? 1000, signal)) {
          health.recordSuccess(id);
          log.info({ endpoint: id }, 'ejected engine passed its probe: back in rotation');
        } else {
          health.probeFailed(id, clock.now());
        }
      }
    }
  }
}
