/**
 * `bench leader`'s plan: the cluster file for N nodes × M engines (static discovery), and what a
 * simulated agent says about its engines — the same EngineReport shape a real agent sends, with
 * load that moves every period so every delta carries every engine, as under real traffic.
 */
import type { EngineMetrics } from '../engine/index.js';
import type { EngineReport, GpuHealthSummary } from '../protocol/index.js';
import type { IntervalHistogram } from 'node:perf_hooks';
import type { PickLoadResult } from './leader-bench-picks.js';

/** The period a bench process samples its own event loop at (`monitorEventLoopDelay`), ms. */
export const LOOP_SAMPLE_MS = 10;

/**
 * A process's event-loop delay p99 and max past the sampling period, as the leader's own gauge
 * reports it. The max matters: one long stall is one sample, and every request in flight waits it out.
 */
export function loopDelayMs(h: IntervalHistogram): { p99Ms: number; maxMs: number } {
  const past = (ns: number): number =>
    Math.round(Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS) * 100) / 100;
  return { p99Ms: past(h.percentile(99)), maxMs: past(h.max) };
}

/** The pick client's process: its stub engines (leader-bench-pick-child.ts). */
export interface PickChildPlan {
  readonly host: string;
  readonly stubEngines: number;
}

/** Asks the pick client's process for one run of steady picks. */
export interface PickChildRequest {
  /** The gateways the picks go to, in turns. */
  readonly gatewayUrls: readonly string[];
  readonly models: readonly string[];
  readonly rate: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
}

/** What the pick client's process says: its stubs' ports, then each run's picks. */
export type PickChildReply =
  | { readonly type: 'ready'; readonly ports: readonly number[] }
  | {
      readonly type: 'picks';
      readonly picks: PickLoadResult;
      /** Its own event-loop delay over the run, past the 10-ms sampling period, ms. */
      readonly loopDelayP99Ms: number;
      readonly loopDelayMaxMs: number;
    };

/** What one agents child simulates (sent to it as JSON on its command line). */
export interface AgentsChildPlan {
  /** `ws://host:port/v1/agents`. */
  readonly hubUrl: string;
  /** The cluster secret; each node's token derives from it. */
  readonly secret: string;
  /** Node indices [from, to). */
  readonly from: number;
  readonly to: number;
  readonly engines: number;
  readonly models: number;
  /** State delta period, ms (the agent's scrape interval). */
  readonly periodMs: number;
  /** KV blocks each node stores per second (0 = no KV messages). */
  readonly kvBlocksPerS: number;
  /** Blocks each engine holds at most; older ones are reported removed. */
  readonly kvBlocksPerEngine: number;
  /** KV flush period, ms (the agent's KV reporter batches this long). */
  readonly kvFlushMs: number;
  /** Offer binary `kv` frames in the hello and send them when the welcome accepts (kv-binary). */
  readonly kvBinary: boolean;
  /** Offer the `pace` feature in the hello (false: report at the full rate whatever the leader asks). */
  readonly paced: boolean;
  /** New connections opened per second by this child (a reconnect storm is not the test). */
  readonly connectPerS: number;
}

/** What an agents child tells the bench over IPC, every second and when asked to stop. */
export interface AgentsChildStats {
  readonly type: 'stats';
  readonly connected: number;
  readonly welcomed: number;
  readonly stateSent: number;
  readonly kvSent: number;
  readonly resyncs: number;
  readonly kvResyncs: number;
  readonly closes: number;
  /** Sends skipped because the socket's buffer was over its bound (the leader fell behind). */
  readonly backpressured: number;
  /** The leader's latest pace for state deltas and KV batches, ms (0: not paced). */
  readonly paceStateMs: number;
  readonly paceKvMs: number;
  readonly cpuMicros: number;
}

/** The model of engine `e` on node `n`: engines are spread evenly over `models` models. */
export const modelOf = (n: number, e: number, engines: number, models: number): string =>
  `bench-model-${(n * engines + e) % models}`;

export const nodeName = (n: number): string => `node-${String(n).padStart(4, '0')}`;
export const engineName = (e: number): string => `engine-${e}`;
export const engineId = (n: number, e: number): string => `${nodeName(n)}/${engineName(e)}`;

/** The probe node: its one engine serves its own model, so routing's view of it is observable. */
export const PROBE_NODE = 'probe-node';
export const PROBE_MODEL = 'probe-model';
export const PROBE_ENGINE_ID = `${PROBE_NODE}/engine-0`;

/** Ports and sizes the cluster file needs. */
export interface LeaderClusterLayout {
  readonly host: string;
  readonly gatewayPort: number;
  readonly controlPort: number;
  readonly nodes: number;
  readonly engines: number;
  readonly models: number;
  /** Stub engine servers' ports: every engine's URL points at one of them. */
  readonly stubPorts: readonly number[];
}

/**
 * The cluster file: nodes with `url` engines (no simulators are started; the bench starts only
 * the leader). Agent ports are placeholders: nothing listens there, the leader never calls them.
 */
export function leaderClusterFile(layout: LeaderClusterLayout): unknown {
  const { host, stubPorts } = layout;
  const stub = (i: number): string => `http://${host}:${stubPorts[i % stubPorts.length] ?? 1}`;
  const nodes = Array.from({ length: layout.nodes }, (_, n) => ({
    name: nodeName(n),
    agentPort: 20_000 + n,
    engines: Array.from({ length: layout.engines }, (_, e) => ({
      name: engineName(e),
      model: modelOf(n, e, layout.engines, layout.models),
      gpus: [e],
      url: stub(n * layout.engines + e),
    })),
  }));
  nodes.push({
    name: PROBE_NODE,
    agentPort: 20_000 + layout.nodes,
    engines: [{ name: 'engine-0', model: PROBE_MODEL, gpus: [0], url: stub(0) }],
  });
  return {
    leader: { host, gatewayPort: layout.gatewayPort, controlPort: layout.controlPort },
    nodes,
    resources: [],
  };
}

/** One engine's report at tick `tick` (load moves with the tick, so every delta changes it). */
export function engineReport(
  id: string,
  model: string,
  url: string,
  tick: number,
  ready = true,
): EngineReport {
  const phase = (tick * 7 + id.length) % 32;
  const requests = tick * 3;
  const metrics: EngineMetrics = {
    scrape: {
      numRequestsRunning: phase,
      numRequestsWaiting: phase % 5,
      kvCacheUsageRatio: phase / 40,
      hasRequestCounters: true,
      prefixCacheQueriesTotal: requests * 900,
      prefixCacheHitsTotal: requests * 400,
      numPreemptionsTotal: 0,
      promptTokensTotal: requests * 900,
      generationTokensTotal: requests * 150,
      requestSuccessTotal: requests,
      ttftSeconds: { sum: requests * 0.12, count: requests },
      itlSeconds: { sum: requests * 150 * 0.02, count: requests * 150 },
      e2eSeconds: { sum: requests * 3.1, count: requests },
      queueSeconds: { sum: requests * 0.01, count: requests },
      prefillSeconds: { sum: requests * 0.1, count: requests },
      decodeSeconds: { sum: requests * 3, count: requests },
      lora: undefined,
      kvCapacityTokens: 262_144,
    },
    window: {
      windowMs: 10_000,
      promptTokensPerSecond: 5400 + phase * 10,
      generationTokensPerSecond: 900 + phase,
      requestsPerSecond: 6,
      meanTtftSeconds: 0.12,
      meanItlSeconds: 0.02,
      meanQueueSeconds: 0.01,
      meanPrefillSeconds: 0.1,
      meanDecodeSeconds: 3,
      meanPromptTokens: 900,
      meanGenerationTokens: 150,
      prefixCacheHitRatio: 0.44,
    },
    scrapedAtMs: Date.now(),
  };
  return { id, model, url, ready, metrics, adapters: [], servedModels: [model] };
}

/** `count` healthy GPUs, or with `failedIndex` failed by an Xid. */
export function gpuSummaries(count: number, failedIndex?: number): GpuHealthSummary[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    uuid: `GPU-bench-${index}`,
    health: index === failedIndex ? 'failed' : 'healthy',
    reasons: index === failedIndex ? ['Xid 79: GPU has fallen off the bus'] : [],
    facts: {
      temperatureC: 61,
      memoryUsedBytes: 70 * 2 ** 30,
      memoryTotalBytes: 80 * 2 ** 30,
      powerW: 410,
      utilizationPct: 93,
    },
  }));
}
