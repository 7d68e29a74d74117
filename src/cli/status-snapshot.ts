/**
 * What `infernode status` shows, read from the leader's control API in one go: the cluster
 * (`/v1/cluster`), the custom resources with their statuses (`/v1/resources`: adapters,
 * autoscalers, KV caches) and the global KV block index (`/v1/kv`). The last two are optional: a
 * leader without them (an older one, or one with the part off) answers 404 and the section is
 * null. The JSON is a peer's answer, so every field is read defensively.
 */
import { linkedSignal } from '../shared/index.js';

/** The leader's `/v1/cluster`, as far as status reads it. */
export interface ClusterView {
  leader?: string;
  epoch?: number;
  version?: string;
  ejected?: string[];
  nodes: {
    node: string;
    connected: boolean;
    agentVersion: string;
    gpus: { index: number; health: string }[];
  }[];
  engines: {
    id: string;
    model: string;
    ready: boolean;
    stale: boolean;
    agentSaysDown: boolean;
    gpuFailed: boolean;
    draining?: boolean;
    running?: number;
    waiting?: number;
    kvCacheUsageRatio?: number;
  }[];
}

/** One ModelAdapter: where it is loaded and how it stands. */
export interface AdapterRow {
  readonly name: string;
  readonly baseModel: string | null;
  readonly phase: string;
  readonly ready: number | null;
  readonly desired: number | null;
  readonly instances: string[];
  /** The newest engine error, `<engine>: <code> <message>`. */
  readonly lastError: string | null;
}

/** One PodAutoscaler: its target, replicas and last decision. */
export interface AutoscalerRow {
  readonly name: string;
  readonly target: string;
  readonly strategy: string | null;
  readonly current: number | null;
  readonly desired: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** The signal the last decision read: `<source> <value>/<target>`. */
  readonly signal: string | null;
  readonly lastDecision: string | null;
}

/** One KVCache resource's per-node L1 stores. */
export interface KvCacheRow {
  readonly name: string;
  readonly current: number | null;
  readonly nodes: { node: string; usedBytes: number; budgetBytes: number; blocks: number }[];
}

/** The global KV block index (`/v1/kv`) in brief. */
export interface KvIndexRow {
  readonly entries: number;
  readonly nodeCount: number;
  readonly engineCount: number;
  readonly nodes: { node: string; l1Blocks: number; engineBlocks: number }[];
}

/** Everything one `infernode status` frame shows; `--json` prints exactly this. */
export interface StatusSnapshot {
  /** When it was read (ISO 8601). */
  readonly at: string;
  readonly leaderUrl: string;
  readonly cluster: ClusterView;
  /** null: the leader has no `/v1/resources`. */
  readonly adapters: AdapterRow[] | null;
  readonly autoscalers: AutoscalerRow[] | null;
  readonly kvCaches: KvCacheRow[] | null;
  /** null: the leader has no `/v1/kv`. */
  readonly kvIndex: KvIndexRow | null;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A GET that answers the parsed body, or null on 404 (the leader lacks that part). */
async function getJson(url: string, signal: AbortSignal): Promise<unknown> {
  const res = await fetch(url, { signal });
  if (res.status === 404) {
    await res.arrayBuffer();
    return null;
  }
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  return res.json();
}

function resourceName(r: Json): string {
  const meta = obj(r.metadata);
  const ns = text(meta.namespace);
  return `${ns === null ? '' : `${ns}/`}${text(meta.name) ?? '?'}`;
}

function adapterRow(r: Json): AdapterRow {
  const spec = obj(r.spec);
  const status = obj(r.status);
  const error = obj(arr(status.engineErrors)[0]);
  return {
    name: resourceName(r),
    baseModel: text(spec.baseModel),
    phase: text(status.phase) ?? 'Unknown',
    ready: num(status.readyReplicas),
    desired: num(status.desiredReplicas),
    instances: arr(status.instances).filter((i): i is string => typeof i === 'string'),
    lastError:
      text(error.code) === null
        ? null
        : `${text(error.engine) ?? '?'}: ${text(error.code)} ${text(error.message) ?? ''}`.trim(),
  };
}

function autoscalerRow(r: Json): AutoscalerRow {
  const spec = obj(r.spec);
  const status = obj(r.status);
  const ref = obj(spec.scaleTargetRef);
  const metric = obj(arr(status.metricValues)[0]);
  const history = arr(status.scalingHistory);
  const last = obj(history[history.length - 1]);
  const value = num(metric.value);
  return {
    name: resourceName(r),
    target: `${text(ref.kind) ?? '?'}/${text(ref.name) ?? '?'}`,
    strategy: text(spec.scalingStrategy),
    current: num(status.actualScale),
    desired: num(status.desiredScale),
    min: num(spec.minReplicas),
    max: num(spec.maxReplicas),
    signal:
      value === null
        ? null
        : `${text(metric.name) ?? '?'} ${value}${num(metric.target) === null ? '' : `/${num(metric.target)}`}`,
    lastDecision:
      num(last.newScale) === null
        ? null
        : `${num(last.previousScale)}→${num(last.newScale)}${last.success === false ? ' failed' : ''}${text(last.reason) === null ? '' : ` (${text(last.reason)})`}`,
  };
}

function kvCacheRow(r: Json): KvCacheRow {
  const status = obj(r.status);
  return {
    name: resourceName(r),
    current: num(status.current),
    nodes: arr(status.nodes).map((n) => {
      const o = obj(n);
      return {
        node: text(o.node) ?? '?',
        usedBytes: num(o.usedBytes) ?? 0,
        budgetBytes: num(o.budgetBytes) ?? 0,
        blocks: num(o.blocks) ?? 0,
      };
    }),
  };
}

function kvIndexRow(v: unknown): KvIndexRow {
  const o = obj(v);
  return {
    entries: num(o.entries) ?? 0,
    nodeCount: num(o.nodeCount) ?? 0,
    engineCount: num(o.engineCount) ?? 0,
    nodes: arr(o.nodes).map((n) => {
      const node = obj(n);
      return {
        node: text(node.node) ?? '?',
        l1Blocks: num(node.l1Blocks) ?? 0,
        engineBlocks: arr(node.engines).reduce<number>((s, e) => s + (num(obj(e).blocks) ?? 0), 0),
      };
    }),
  };
}

/**
 * Reads one snapshot from the leader at `leaderUrl` (the three GETs in parallel, each within
 * `timeoutMs`). Rejects when `/v1/cluster` cannot be read; the optional parts become null.
 */
export async function readStatusSnapshot(
  leaderUrl: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<StatusSnapshot> {
  const base = leaderUrl.replace(/\/+$/, '');
  const { signal: linked, dispose } = linkedSignal([signal], timeoutMs);
  try {
    const [cluster, resources, kv] = await Promise.all([
      getJson(`${base}/v1/cluster`, linked),
      getJson(`${base}/v1/resources`, linked),
      getJson(`${base}/v1/kv`, linked),
    ]);
    if (cluster === null) throw new Error(`${base}/v1/cluster answered HTTP 404`);
    const all = resources === null ? null : arr(obj(resources).resources).map(obj);
    const ofKind = <T>(kind: string, row: (r: Json) => T): T[] | null =>
      all === null ? null : all.filter((r) => r.kind === kind).map(row);
    return {
      at: new Date().toISOString(),
      leaderUrl: base,
      cluster: cluster as ClusterView,
      adapters: ofKind('ModelAdapter', adapterRow),
      autoscalers: ofKind('PodAutoscaler', autoscalerRow),
      kvCaches: ofKind('KVCache', kvCacheRow),
      kvIndex: kv === null ? null : kvIndexRow(kv),
    };
  } finally {
    dispose();
  }
}
