/**
 * What the process under test (the gateway's leader, or the reference proxy) says about one
 * measured window of the gateway benchmark: the gateway's own added-latency histogram and, for
 * both, process CPU time over the requests that process served. Read by the load generator
 * before and after each phase; a failed read leaves the phase without these figures.
 */
import http from 'node:http';
import {
  histogramDelta,
  ms3,
  parsePromHistogram,
  parsePromValue,
  summarizeHistogram,
  type PromHistogram,
} from './latency-stats.js';
import type { LoadPlan } from './load-client.js';

const HISTOGRAM = 'infernode_gateway_added_latency_seconds';
/** Process CPU, user and system: the user counter's collect sets both (prom-client), so it goes first. */
const CPU_USER = 'infernode_process_cpu_user_seconds_total';
const CPU_SYSTEM = 'infernode_process_cpu_system_seconds_total';

/** The reference proxy's stats path: `{ cpuUs, requests }` from its own process. */
export const REFERENCE_STATS_PATH = '/__bench/stats';

interface Scrape {
  readonly hist: PromHistogram | undefined;
  /** Process CPU (user + system), seconds. */
  readonly cpuS: number;
  /** Requests the process served so far (the histogram count for the gateway). */
  readonly requests: number;
}

const NONE: Scrape = { hist: undefined, cpuS: NaN, requests: NaN };

function get(host: string, port: number, path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(text));
      res.on('error', () => resolve(undefined));
    });
    req.setTimeout(5000, () => req.destroy(new Error(`${path} read timed out`)));
    req.on('error', (err) => {
      process.stderr.write(`${path} read failed: ${err.message}\n`);
      resolve(undefined);
    });
  });
}

/** Reads the leader's /metrics, or the reference proxy's stats, whichever `plan` points at. */
async function scrape(plan: LoadPlan): Promise<Scrape> {
  if (plan.underTest === 'reference-proxy') {
    const text = await get(plan.host, plan.gatewayPort, REFERENCE_STATS_PATH);
    if (text === undefined) return NONE;
    try {
      const s = JSON.parse(text) as { cpuUs?: unknown; requests?: unknown };
      if (typeof s.cpuUs !== 'number' || typeof s.requests !== 'number') return NONE;
      return { hist: undefined, cpuS: s.cpuUs / 1e6, requests: s.requests };
    } catch {
      return NONE;
    }
  }
  // Only the series read here: the whole registry costs the leader ~2 ms more per read.
  const names = [CPU_USER, CPU_SYSTEM, HISTOGRAM].map((n) => `name=${n}`).join('&');
  const text = await get(plan.host, plan.controlPort, `/metrics?${names}`);
  if (text === undefined) return NONE;
  const hist = parsePromHistogram(text, HISTOGRAM);
  const cpuS = (parsePromValue(text, CPU_USER) ?? NaN) + (parsePromValue(text, CPU_SYSTEM) ?? NaN);
  return { hist, cpuS, requests: hist?.count ?? NaN };
}

/** CPU over requests for one window (or several pooled), ms. */
export interface CpuPerRequest {
  readonly cpuMs: number;
  readonly requests: number;
  readonly cpuMsPerRequest: number;
}

/** Accumulates the process's histogram, CPU and request count over one or more windows. */
export class GatewayView {
  #hist: PromHistogram | undefined;
  #cpuS = 0;
  #requests = 0;
  #wallMs = 0;
  #beganAt = 0;
  #before: Scrape | undefined;
  readonly #plan: LoadPlan;
  constructor(plan: LoadPlan) {
    this.#plan = plan;
  }
  /** Starts a window. */
  async begin(): Promise<void> {
    this.#before = await scrape(this.#plan);
    this.#beganAt = performance.now();
  }
  /** Ends the window begun last and adds its deltas. */
  async end(): Promise<void> {
    const endedAt = performance.now();
    const after = await scrape(this.#plan);
    const before = this.#before;
    if (before === undefined) return;
    this.#wallMs += endedAt - this.#beganAt;
    this.#cpuS += after.cpuS - before.cpuS;
    this.#requests += after.requests - before.requests;
    if (before.hist === undefined || after.hist === undefined) return;
    const d = histogramDelta(before.hist, after.hist);
    const acc = this.#hist;
    this.#hist =
      acc === undefined
        ? d
        : {
            buckets: d.buckets.map((b, i) => ({
              le: b.le,
              count: b.count + (acc.buckets[i]?.count ?? 0),
            })),
            sum: d.sum + acc.sum,
            count: d.count + acc.count,
          };
  }
  /** CPU per second of wall time over the windows, ms/s: the idle rate when nothing was sent. */
  cpuMsPerSecond(): number {
    return this.#wallMs > 0 ? ms3((this.#cpuS * 1e6) / this.#wallMs) : NaN;
  }
  /** The gateway's histogram summary (none for the reference proxy) and CPU per request. */
  summary(): Record<string, number> {
    const h = this.#hist;
    const cpu: Record<string, number> =
      Number.isFinite(this.#cpuS) && this.#requests > 0
        ? {
            cpuMs: ms3(this.#cpuS * 1000),
            wallMs: Math.round(this.#wallMs),
            requests: this.#requests,
            cpuMsPerRequest: ms3((this.#cpuS * 1000) / this.#requests),
          }
        : {};
    if (h === undefined || h.count <= 0) return cpu;
    return {
      ...summarizeHistogram(h),
      ...cpu,
      leaderCpuMsPerRequest: ms3((this.#cpuS * 1000) / h.count),
    };
  }
}
