/**
 * The routing benchmark's cluster and processes: a fresh local cluster of simulated engines on
 * free loopback ports (engines spread over two nodes), the engines' /metrics scrape, and the load
 * generator child process. `bench kv`'s trace section uses the same cluster with the KV cache's
 * parts switched on (engines' KV events, agents' L1 store with the engines' KV connector).
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
  /** Extra leader flags (e.g. `--routing-prefix-cache-mode precise`). */
  readonly leaderArgs?: readonly string[];
  /** Every engine publishes vLLM KV events (its entry's `kvEvents:`), which its agent forwards. */
  readonly kvEvents?: boolean;
  /** Every agent runs its L1 store and every engine its KV connector to it, with these settings. */
  readonly l1?: L1Settings;
}

/** The agents' L1 store and the engines' KV connector (issue #14). */
export interface L1Settings {
  /** Each agent's L1 budget, real bytes. */
  readonly budgetBytes: number;
  /** Real bytes moved per true KV byte (the connector's `bytesFraction`). */
  readonly bytesFraction: number;
  /** The cluster's KV token. */
  readonly token: string;
  /** The agents' L1 eviction policy (their `kv.policy`; the agent's default when absent). */
  readonly policy?: 's3fifo' | 'lru';
}

/**
 * The node env that turns the L1 store on for a node's agent and the KV connector on for its
 * engines (src/up/sim-kv-wiring.ts reads the same variables).
 */
export function l1NodeEnv(l1: L1Settings, kvPort: number): Record<string, string> {
  return {
    INFERNODE_AGENT_KV_ENABLED: 'true',
    INFERNODE_AGENT_KV_HOST: '127.0.0.1',
    INFERNODE_AGENT_KV_PORT: String(kvPort),
    INFERNODE_AGENT_KV_BUDGET_BYTES: String(l1.budgetBytes),
    INFERNODE_KV_TOKEN: l1.token,
    INFERNODE_SIM_KV_BYTES_FRACTION: String(l1.bytesFraction),
    ...(l1.policy === undefined ? {} : { INFERNODE_AGENT_KV_POLICY: l1.policy }),
  };
}

/** A running cluster with its engines' URLs. */
export interface RoutingCluster extends TempCluster {
  readonly host: string;
  readonly gatewayPort: number;
  readonly engineUrls: readonly string[];
  /** Each agent's local API (its /metrics), in node order. */
  readonly agentUrls: readonly string[];
}

/** Starts a fresh cluster: `engines` simulators over min(2, engines) nodes, one leader, agents. */
export async function startRoutingCluster(o: RoutingClusterOptions): Promise<RoutingCluster> {
  const nodes = Math.min(2, o.engines);
  // Per engine: its HTTP port and, with KV events, its publisher and replay ports; per node: the
  // agent's API port and, with L1, its block service port.
  const perEngine = o.kvEvents === true ? 3 : 1;
  const perNode = o.l1 === undefined ? 1 : 2;
  const [gatewayPort = 0, controlPort = 0, ...rest] = await freePorts(
    2 + nodes * perNode + o.engines * perEngine,
  );
  const agentPorts = rest.slice(0, nodes);
  const kvPorts = rest.slice(nodes, nodes * perNode);
  const enginePorts = rest.slice(nodes * perNode, nodes * perNode + o.engines);
  const eventPorts = rest.slice(nodes * perNode + o.engines);
  const host = '127.0.0.1';
  const file = {
    leader: { host, gatewayPort, controlPort },
    nodes: agentPorts.map((agentPort, n) => ({
      name: `node-${n}`,
      agentPort,
      ...(o.l1 === undefined ? {} : { env: l1NodeEnv(o.l1, kvPorts[n] ?? 0) }),
      engines: enginePorts
        .map((port, i) => ({ port, i }))
        .filter(({ i }) => i % nodes === n)
        .map(({ port, i }, k) => ({
          name: `engine-${i}`,
          model: o.model,
          gpus: [k],
          ...(o.kvEvents === true
            ? {
                kvEvents: {
                  endpoint: `tcp://${host}:${eventPorts[2 * i] ?? 0}`,
                  replayEndpoint: `tcp://${host}:${eventPorts[2 * i + 1] ?? 0}`,
                },
              }
            : {}),
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
    ...(o.leaderArgs === undefined ? {} : { leaderArgs: o.leaderArgs }),
  });
  return {
    ...started,
    host,
    gatewayPort,
    engineUrls: enginePorts.map((p) => `http://${host}:${p}`),
    agentUrls: agentPorts.map((p) => `http://${host}:${p}`),
  };
}

/** Every URL's /metrics text (5 s timeout each; one that does not answer gives ''). */
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
