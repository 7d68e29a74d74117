/**
 * The cluster sections of the console snapshot (nodes, engines, KV), mapped from what the
 * leader's cluster state store and global KV block index hold. The input shapes are the store's,
 * restated here because the console room sits below the leader.
 */
import type { EngineEndpoint } from '../discovery/index.js';
import type { KvNodeSummary } from '../kvcache/index.js';
import type { EngineReport, GpuHealthSummary } from '../protocol/index.js';
import type {
  ConsoleEngine,
  ConsoleEngineState,
  ConsoleGpu,
  ConsoleKv,
  ConsoleNode,
} from './console-snapshot.js';
import { IdOrder } from './engine-order.js';
import { ConsoleRowMemo } from './row-memo.js';

/** One engine as the leader's cluster state store holds it (its EndpointState). */
export interface EngineStateInput {
  readonly endpoint: EngineEndpoint;
  readonly report: EngineReport | undefined;
  readonly stale: boolean;
  readonly agentSaysDown: boolean;
  readonly gpuFailed: boolean;
  readonly draining: boolean;
}

/** One node as the store holds it (its NodeState). */
export interface NodeStateInput {
  readonly node: string;
  readonly connected: boolean;
  readonly lastReportMs: number;
  readonly agentVersion: string;
  readonly gpus: readonly GpuHealthSummary[];
  readonly engineIds: readonly string[];
}

const orNull = (n: number | undefined): number | null =>
  n === undefined || !Number.isFinite(n) ? null : n;

/** The engine's state for routing; the first of gpuFailed, down, draining, stale wins. */
export function engineStateOf(s: EngineStateInput): ConsoleEngineState {
  if (s.gpuFailed) return 'gpuFailed';
  if (s.agentSaysDown || !s.endpoint.ready) return 'down';
  if (s.draining) return 'draining';
  if (s.stale) return 'stale';
  return 'ready';
}

/** One engine's row; `ejected`: passive health took it out of routing. */
export function consoleEngine(s: EngineStateInput, ejected: boolean): ConsoleEngine {
  const scrape = s.report?.metrics?.scrape;
  const window = s.report?.metrics?.window;
  const ttft = window?.meanTtftSeconds;
  return {
    id: s.endpoint.id,
    node: s.endpoint.node,
    model: s.endpoint.model,
    url: s.endpoint.url,
    state: engineStateOf(s),
    error: s.report?.error ?? null,
    running: orNull(scrape?.numRequestsRunning),
    waiting: orNull(scrape?.numRequestsWaiting),
    kvUsage: orNull(scrape?.kvCacheUsageRatio),
    ttftMs: ttft === undefined ? null : Math.round(ttft * 1000 * 10) / 10,
    generationTokensPerSecond:
      window === undefined || window.windowMs === 0 ? null : window.generationTokensPerSecond,
    adapters: [...(s.report?.adapters ?? [])],
    ejected,
  };
}

/**
 * Engines, sorted by id (`order` keeps the sort between calls); `ejected` are the ids passive
 * health took out of routing.
 */
export function consoleEngines(
  states: readonly EngineStateInput[],
  ejected: ReadonlySet<string>,
  order: IdOrder = new IdOrder(),
  memo: ConsoleRowMemo = new ConsoleRowMemo(),
): ConsoleEngine[] {
  return order.sort(states.map((s) => rowOf(s, ejected, memo)));
}

const rowOf = (s: EngineStateInput, ejected: ReadonlySet<string>, memo: ConsoleRowMemo) => {
  const out = ejected.has(s.endpoint.id);
  return memo.engine(s.endpoint, s, out, () => consoleEngine(s, out));
};

/**
 * {@link consoleEngines}, `perTurn` rows at a time with `between` awaited in between. `states`
 * must not change meanwhile (the store hands out lists it never changes after).
 */
export async function consoleEnginesSpread(
  states: readonly EngineStateInput[],
  ejected: ReadonlySet<string>,
  order: IdOrder,
  between: () => Promise<void>,
  perTurn: number,
  memo: ConsoleRowMemo = new ConsoleRowMemo(),
): Promise<ConsoleEngine[]> {
  const rows: ConsoleEngine[] = [];
  for (let from = 0; from < states.length; from += perTurn) {
    if (from > 0) await between();
    const to = Math.min(states.length, from + perTurn);
    for (let i = from; i < to; i++) rows.push(rowOf(states[i] as EngineStateInput, ejected, memo));
  }
  return order.sort(rows);
}

/** Nodes, sorted by name. GPU facts an agent has not reported (yet) are null. */
export function consoleNodes(
  nodes: readonly NodeStateInput[],
  memo: ConsoleRowMemo = new ConsoleRowMemo(),
): ConsoleNode[] {
  return nodes
    .map((n) => ({
      name: n.node,
      connected: n.connected,
      lastReportMs: n.lastReportMs > 0 ? n.lastReportMs : null,
      agentVersion: n.agentVersion === '' ? null : n.agentVersion,
      gpus: memo.gpus(n.gpus, () => n.gpus.map(consoleGpu)),
      engineIds: [...n.engineIds],
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const consoleGpu = (g: GpuHealthSummary): ConsoleGpu => ({
  index: g.index,
  uuid: g.uuid,
  health: g.health,
  reasons: [...g.reasons],
  temperatureC: g.facts?.temperatureC ?? null,
  memoryUsedBytes: g.facts?.memoryUsedBytes ?? null,
  memoryTotalBytes: g.facts?.memoryTotalBytes ?? null,
  powerW: g.facts?.powerW ?? null,
});

/**
 * Per-node L1 usage from the global block index, the GPU tier's hit ratio from the engines'
 * prefix cache counters (tokens hit / tokens queried, summed), and the L1 and L2 ratios from the
 * agents' block lookups (blocks found / blocks asked, summed over nodes; null before any).
 */
export function consoleKv(
  summary: readonly KvNodeSummary[],
  states: readonly EngineStateInput[],
): ConsoleKv {
  let queries = 0;
  let hits = 0;
  for (const s of states) {
    const scrape = s.report?.metrics?.scrape;
    if (scrape === undefined) continue;
    queries += scrape.prefixCacheQueriesTotal;
    hits += scrape.prefixCacheHitsTotal;
  }
  return {
    nodes: summary
      .map((n) => ({
        node: n.node,
        l1UsedBytes: n.store?.usedBytes ?? null,
        l1CapacityBytes: n.store?.budgetBytes ?? null,
        blocks: n.l1Blocks + n.engines.reduce((sum, e) => sum + e.blocks, 0),
      }))
      .sort((a, b) => a.node.localeCompare(b.node)),
    hitRatio: {
      gpu: queries > 0 ? hits / queries : null,
      l1: ratio(summary, 'l1Hits', 'l1Misses'),
      l2: ratio(summary, 'l2Hits', 'l2Misses'),
    },
  };
}

function ratio(
  summary: readonly KvNodeSummary[],
  hitsKey: 'l1Hits' | 'l2Hits',
  missesKey: 'l1Misses' | 'l2Misses',
): number | null {
  let hits = 0;
  let asked = 0;
  for (const n of summary) {
    const l = n.store?.lookups;
    if (l === undefined) continue;
    hits += l[hitsKey];
    asked += l[hitsKey] + l[missesKey];
  }
  return asked > 0 ? hits / asked : null;
}
