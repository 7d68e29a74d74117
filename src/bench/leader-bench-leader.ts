/**
 * `bench leader`'s leader process: the real `infernode leader` (static discovery from the
 * generated cluster file) as a child — the leader, or a gateway replica following it — its log
 * in the bench's temp directory, readings of its own `/metrics` (CPU seconds, RSS, heap,
 * event-loop delay, agents connected, replica feed trouble), and the wait for every agent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../up/index.js';
import { sleep } from '../shared/index.js';
import { parsePromHistogram, type PromHistogram } from './latency-stats.js';

/** A running leader child. */
export interface LeaderProcess {
  readonly pid: number;
  readonly controlUrl: string;
  readonly gatewayUrl: string;
  /** Stops it (SIGTERM, then SIGKILL after 30 s); resolves once it has exited. */
  stop(): Promise<void>;
}

export interface LeaderProcessOptions {
  readonly clusterFile: string;
  readonly host: string;
  readonly gatewayPort: number;
  readonly controlPort: number;
  readonly secret: string;
  readonly logFile: string;
  /** The process's identity (replicas need distinct ones). Default `leader-bench`. */
  readonly identity?: string;
  /** More flags (a follower's `--replicas-follow`). */
  readonly extraArgs?: readonly string[];
  /** Extra environment (the CPU profile preload). */
  readonly env?: Readonly<Record<string, string>>;
  readonly readyTimeoutMs: number;
}

/**
 * Starts the leader (or a gateway replica following it) and waits until its control server
 * answers `/readyz` 200 (a follower: once the leader's feed reached it).
 */
export async function startLeaderProcess(options: LeaderProcessOptions): Promise<LeaderProcess> {
  const { host, gatewayPort, controlPort } = options;
  const log = createWriteStream(options.logFile);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(packageRoot(), 'dist', 'cli', 'main.js'),
      'leader',
      '--cluster-file',
      options.clusterFile,
      '--gateway-host',
      host,
      '--gateway-port',
      String(gatewayPort),
      '--control-host',
      host,
      '--control-port',
      String(controlPort),
      '--identity',
      options.identity ?? 'leader-bench',
      ...(options.extraArgs ?? []),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...options.env,
        INFERNODE_CLUSTER_SECRET: options.secret,
        INFERNODE_LOG_LEVEL: 'warn',
      },
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const controlUrl = `http://${host}:${controlPort}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    // 30 s: a profiled leader writes its CPU profile on exit, which takes seconds on a busy machine.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + options.readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the leader exited while starting (log: ${options.logFile})`);
    const ready = await fetch(`${controlUrl}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the leader was not ready in time (log: ${options.logFile})`);
    }
    await sleep(200);
  }
  return {
    pid: child.pid ?? -1,
    controlUrl,
    gatewayUrl: `http://${host}:${gatewayPort}`,
    stop,
  };
}

/** What one scrape of the leader's `/metrics` says about its resources. */
export interface LeaderSample {
  /** Wall clock of the scrape, ms. */
  readonly atMs: number;
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Event-loop delay p99 and max since the previous scrape, seconds. */
  readonly loopDelayP99S: number;
  readonly loopDelayMaxS: number;
  readonly agentsConnected: number;
  /** The state-report gap the leader asks its agents for (0: not paced), ms. */
  readonly paceStateMs: number;
  /** How long the scrape took (it is work the leader does too), ms. */
  readonly scrapeMs: number;
  /** The gateway's added-latency histogram (cumulative). */
  readonly addedLatency: PromHistogram | undefined;
  /**
   * The replica feed, cumulative: a follower's restarts for a fresh snapshot (any reason), and
   * the followers a leader dropped for a full send buffer.
   */
  readonly feed: { readonly resyncs: number; readonly slowDropped: number };
  /** Node's GC pauses of the main thread (prom-client's default metric), cumulative, by kind. */
  readonly gcPauses: {
    readonly minor: PromHistogram | undefined;
    readonly major: PromHistogram | undefined;
  };
}

const GC_PAUSES = 'infernode_nodejs_gc_duration_seconds';

/** The value of the first sample line of `name` (with the exact `labels` text, if given). */
export function metricValue(text: string, name: string, labels = ''): number {
  const prefix = `${name}${labels} `;
  for (const line of text.split('\n')) {
    if (line.startsWith(prefix)) return Number(line.slice(prefix.length));
  }
  return NaN;
}

/** The sum of every sample line of `name`, whatever its labels (0 when there is none). */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Scrapes the leader's `/metrics` once. */
export async function sampleLeader(controlUrl: string): Promise<LeaderSample> {
  const started = performance.now();
  const res = await fetch(`${controlUrl}/metrics`, { signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  const scrapeMs = performance.now() - started;
  return {
    atMs: Date.now(),
    cpuSeconds: metricValue(text, 'infernode_process_cpu_seconds_total'),
    rssBytes: metricValue(text, 'infernode_process_resident_memory_bytes'),
    heapUsedBytes: metricValue(text, 'infernode_nodejs_heap_size_used_bytes'),
    loopDelayP99S: metricValue(
      text,
      'infernode_leader_event_loop_delay_seconds',
      '{quantile="0.99"}',
    ),
    loopDelayMaxS: metricValue(text, 'infernode_leader_event_loop_delay_seconds', '{quantile="1"}'),
    agentsConnected: metricValue(text, 'infernode_leader_agents_connected'),
    paceStateMs: metricValue(text, 'infernode_leader_agent_pace_ms', '{report="state"}'),
    scrapeMs,
    addedLatency: parsePromHistogram(text, 'infernode_gateway_added_latency_seconds'),
    feed: {
      resyncs: metricSum(text, 'infernode_replica_feed_resyncs_total'),
      slowDropped: metricSum(text, 'infernode_replica_feed_slow_dropped_total'),
    },
    gcPauses: {
      minor: parsePromHistogram(text, GC_PAUSES, 'kind="minor"'),
      major: parsePromHistogram(text, GC_PAUSES, 'kind="major"'),
    },
  };
}

/** Samples the leader until every agent (and the probe) is connected; throws past `timeoutMs`. */
export async function waitForAgents(
  controlUrl: string,
  want: number,
  timeoutMs: number,
  agentsSay: () => string,
  report: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A scrape can fail while a thousand handshakes land at once: say so and look again.
    const s = await sampleLeader(controlUrl).catch((err: unknown) => {
      report(`leader /metrics did not answer: ${String(err)}`);
      return undefined;
    });
    if (s === undefined) {
      if (Date.now() > deadline) throw new Error('the leader stopped answering /metrics');
      await sleep(2000);
      continue;
    }
    report(`agents connected: ${s.agentsConnected}/${want} (the agents say: ${agentsSay()})`);
    if (s.agentsConnected >= want) return;
    if (Date.now() > deadline)
      throw new Error(`only ${s.agentsConnected}/${want} agents connected`);
    await sleep(2000);
  }
}
