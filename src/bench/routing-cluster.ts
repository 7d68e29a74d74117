/**
 * The routing benchmark's cluster and processes: a fresh local cluster of simulated engines on
 * free loopback ports (engines spread over two nodes), the engines' /metrics scrape, and the load
 * generator child process.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../shared/index.js';
import { startTempCluster, type TempCluster } from './bench-cluster.js';
import { reviveSamples, type ReplayOutput, type ReplayPlan } from './routing-stats.js';

/** The simulated fleet. */
export interface RoutingClusterOptions {
  readonly engines: number;
  readonly model: string;
  readonly profile: string;
  readonly speed: number;
  readonly numGpuBlocks: number;
  readonly maxModelLen: number;
  readonly maxNumSeqs: number;
}

/** A running cluster with its engines' URLs. */
export interface RoutingCluster extends TempCluster {
  readonly host: string;
  readonly gatewayPort: number;
  readonly engineUrls: readonly string[];
}

/** Starts a fresh cluster: `engines` simulators over min(2, engines) nodes, one leader, agents. */
export async function startRoutingCluster(o: RoutingClusterOptions): Promise<RoutingCluster> {
  const nodes = Math.min(2, o.engines);
  const [gatewayPort = 0, controlPort = 0, ...rest] = await freePorts(2 + nodes + o.engines);
  const agentPorts = rest.slice(0, nodes);
  const enginePorts = rest.slice(nodes);
  const host = '127.0.0.1';
  const file = {
    leader: { host, gatewayPort, controlPort },
    nodes: agentPorts.map((agentPort, n) => ({
      name: `node-${n}`,
      agentPort,
      engines: enginePorts
        .map((port, i) => ({ port, i }))
        .filter(({ i }) => i % nodes === n)
        .map(({ port, i }, k) => ({
          name: `engine-${i}`,
          model: o.model,
          gpus: [k],
          sim: {
            port,
            profile: o.profile,
            speed: o.speed,
            numGpuBlocks: o.numGpuBlocks,
            maxNumSeqs: o.maxNumSeqs,
          },
        })),
    })),
    resources: [],
  };
  const started = await startTempCluster('infernode-routing-bench-', file, {
    readyTimeoutMs: 60_000,
    simArgs: ['--max-model-len', String(o.maxModelLen)],
  });
  return {
    ...started,
    host,
    gatewayPort,
    engineUrls: enginePorts.map((p) => `http://${host}:${p}`),
  };
}

/** Every engine's /metrics text (5 s timeout each; an engine that does not answer gives ''). */
export async function scrapeEngines(urls: readonly string[]): Promise<string[]> {
  return Promise.all(
    urls.map(async (url) => {
      try {
        const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
        return res.ok ? await res.text() : '';
      } catch {
        return '';
      }
    }),
  );
}

/** Largest load-generator output accepted, bytes. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/** Runs the load generator for one strategy; kills it after `timeoutMs` (wall). */
export function runReplay(plan: ReplayPlan, timeoutMs: number): Promise<ReplayOutput> {
  const script = fileURLToPath(new URL('./routing-client.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(plan)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    let bytes = 0;
    child.stdout.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes > MAX_OUTPUT_BYTES) child.kill('SIGKILL');
      else chunks.push(c);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`routing load generator exited with ${signal ?? `code ${String(code)}`}`));
        return;
      }
      try {
        const raw = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReplayOutput;
        resolve({
          ...raw,
          samples: reviveSamples(raw.samples as unknown as Record<string, unknown>[]),
        });
      } catch (err) {
        reject(new Error('routing load generator printed no JSON result', { cause: err }));
      }
    });
  });
}
