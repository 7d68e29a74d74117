/**
 * `bench kv` section `trace`: the Mooncake conversation trace replayed on a fresh local cluster
 * (2 nodes × engines/2 simulated H100s) once per mode of kv-trace-modes.ts, through the routing
 * bench's cluster and replay (routing-cluster.ts, routing-run.ts). Per mode: TTFT, throughput,
 * failures, and hit ratios per tier from the engines' and agents' metrics (kv-trace-tiers.ts).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { DEFAULT_KV_LINK_BYTES_PER_S, HARDWARE_PROFILES } from '../sim/index.js';
import { l1PricingFor } from './kv-bound-routers.js';
import { scrapeEngines, startRoutingCluster } from './routing-cluster.js';
import { replayOnCluster, traceWindowSummary, type TraceReplaySettings } from './routing-run.js';
import { readTrace, traceWindow } from './routing-trace.js';
import { tierStats } from './kv-trace-tiers.js';
import { parsePromHistogram, summarizeHistogram } from './latency-stats.js';
import {
  kvTraceVerdict,
  type KvTraceMode,
  type KvTraceModeResult,
  type KvTraceVerdict,
} from './kv-trace-modes.js';

/** Tokens per engine KV block (vLLM's default block size, the simulator's). */
const BLOCK_TOKENS = 16;
/** Llama-3-8B bf16 KV bytes per token (perf.md §3). */
const KV_BYTES_PER_TOKEN = 131_072;

/** The trace section's knobs (bench kv flags). */
export interface KvTraceSettings extends TraceReplaySettings {
  readonly engines: number;
  readonly profile: string;
  readonly numGpuBlocks: number;
  readonly maxModelLen: number;
  readonly maxNumSeqs: number;
  /** Each agent's L1 budget, MiB of real bytes. */
  readonly l1BudgetMib: number;
  /** Real bytes moved per true KV byte (the connector's bytesFraction). */
  readonly bytesFraction: number;
  /** The agents' L1 eviction policy. */
  readonly l1Policy: 's3fifo' | 'lru';
}

/** The leader's precise-scoring costs matched to the simulated engines (l1PricingFor), as flags. */
export function leaderFetchCostArgs(profileName: string): string[] {
  const profile = HARDWARE_PROFILES.get(profileName);
  if (profile === undefined) return [];
  const pricing = l1PricingFor(profile, DEFAULT_KV_LINK_BYTES_PER_S);
  return [
    '--routing-prefix-cache-prefill-micros-per-token',
    String(Math.round(pricing.prefillMicrosPerToken * 1000) / 1000),
    '--routing-prefix-cache-l1-fetch-bytes-per-second',
    String(pricing.l1FetchBytesPerSecond),
  ];
}

/** The section as written to kv.json. */
export interface KvTraceResult {
  readonly settings: Record<string, unknown>;
  readonly modes: readonly KvTraceModeResult[];
  readonly verdict: KvTraceVerdict;
  readonly note: string;
}

async function runMode(
  s: KvTraceSettings,
  mode: KvTraceMode,
  report: (line: string) => void,
): Promise<KvTraceModeResult> {
  const rc = await startRoutingCluster({
    engines: s.engines,
    model: s.model,
    profile: s.profile,
    speed: s.speed,
    numGpuBlocks: s.numGpuBlocks,
    maxModelLen: s.maxModelLen,
    maxNumSeqs: s.maxNumSeqs,
    leaderArgs: [
      '--routing-prefix-cache-mode',
      mode.prefixCacheMode,
      ...leaderFetchCostArgs(s.profile),
    ],
    kvEvents: mode.kvEvents,
    ...(mode.l1
      ? {
          l1: {
            budgetBytes: s.l1BudgetMib * 1024 * 1024,
            bytesFraction: s.bytesFraction,
            token: randomBytes(16).toString('hex'),
            policy: s.l1Policy,
          },
        }
      : {}),
  });
  let ok = false;
  try {
    const run = await replayOnCluster(rc, s, mode.strategy, mode.name, report);
    const tiers = tierStats(run.engineMetrics, await scrapeEngines(rc.agentUrls));
    const [leader = ''] = await scrapeEngines([rc.cluster.controlUrl]);
    const added = parsePromHistogram(leader, 'infernode_gateway_added_latency_seconds');
    const traceSeconds = run.result.wallSeconds * s.speed || NaN;
    ok = true;
    return {
      ...run.result,
      mode: mode.name,
      prefixCacheMode: mode.prefixCacheMode,
      kvEvents: mode.kvEvents,
      l1: mode.l1,
      requestsPerS: Math.round((run.result.completed / traceSeconds) * 1000) / 1000,
      tiers,
      outsideEngineMs: Math.round(run.result.ttftMs.mean - run.result.engineTtftMs.mean),
      gatewayAddedWallMs: added === undefined ? null : summarizeHistogram(added),
    };
  } finally {
    await rc.stop(!ok);
  }
}

/** Runs every mode in order, each on a fresh cluster, and judges them against the goal. */
export async function runKvTrace(
  s: KvTraceSettings,
  modes: readonly KvTraceMode[],
  report: (line: string) => void,
): Promise<KvTraceResult> {
  const window = traceWindow(readTrace(s.trace), s.duration);
  const started = Date.now();
  const loadAverageStart = os.loadavg();
  const results: KvTraceModeResult[] = [];
  for (const mode of modes) results.push(await runMode(s, mode, report));
  const gpuTokens = s.numGpuBlocks * BLOCK_TOKENS;
  const blockRealBytes = Math.round(BLOCK_TOKENS * KV_BYTES_PER_TOKEN * s.bytesFraction);
  return {
    settings: {
      trace: s.trace,
      ...traceWindowSummary(window),
      durationS: s.duration,
      speed: s.speed,
      rateScale: s.rateScale,
      nodes: 2,
      engines: s.engines,
      profile: s.profile,
      numGpuBlocks: s.numGpuBlocks,
      gpuKvTokensPerEngine: gpuTokens,
      maxModelLen: s.maxModelLen,
      maxNumSeqs: s.maxNumSeqs,
      l1BudgetBytesPerNode: s.l1BudgetMib * 1024 * 1024,
      l1Policy: s.l1Policy,
      leaderFetchCostArgs: leaderFetchCostArgs(s.profile).join(' '),
      l1TrueKvTokensPerNode:
        Math.floor((s.l1BudgetMib * 1024 * 1024) / blockRealBytes) * BLOCK_TOKENS,
      bytesFraction: s.bytesFraction,
      realBytesPerBlock: blockRealBytes,
      trueBytesPerBlock: BLOCK_TOKENS * KV_BYTES_PER_TOKEN,
      requestTimeoutTraceS: s.requestTimeout,
      timeUnits: 'latencies and tokens/s in trace time (wall × speed)',
      wallSeconds: Math.round((Date.now() - started) / 1000),
      loadAverageStart,
      loadAverageEnd: os.loadavg(),
      why:
        `each engine's GPU cache holds ${gpuTokens} tokens (${s.numGpuBlocks} blocks), about one long ` +
        'prompt of the trace, so the conversation reuse overflows it and evicted blocks go to L1 ' +
        `(${s.l1BudgetMib} MiB real per node ≈ ${Math.floor((s.l1BudgetMib * 1024 * 1024) / blockRealBytes) * BLOCK_TOKENS} ` +
        'true tokens); at the trace’s own rate the engines queue, so routing that counts the prompt ' +
        'tokens queued and held (prefix-cache) beats random',
    },
    modes: results,
    verdict: kvTraceVerdict(results),
    note:
      `KV bytes really moved between the engines and the agents are ${s.bytesFraction} of the true ` +
      `KV size (${blockRealBytes} real bytes per 16-token block of ${BLOCK_TOKENS * KV_BYTES_PER_TOKEN} ` +
      'true bytes, Llama-3-8B bf16); the modeled transfer times (and so TTFT) use the true size ' +
      'over the connector’s modeled link (100 GbE). tiers.fetchedBytes / offloadedBytes give both.',
  };
}
