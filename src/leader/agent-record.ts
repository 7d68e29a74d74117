/**
 * What the cluster state store keeps per agent, and how a snapshot or a delta changes it. The
 * store (cluster-state.ts) decides when records are made, forgotten and announced; this file only
 * shapes one record.
 */
import type {
  EngineReport,
  GpuHealthSummary,
  NodeSnapshot,
  ReplicaNode,
  StateMessage,
} from '../protocol/index.js';
import { setRefreshed } from './refresh-in-place.js';

/** A node as the leader sees it. */
export interface NodeState {
  readonly node: string;
  readonly connected: boolean;
  readonly lastReportMs: number;
  readonly agentVersion: string;
  readonly gpus: readonly GpuHealthSummary[];
  readonly engineIds: readonly string[];
}

/** One agent's record in the store; mutated in place by the store only. */
export interface AgentRecord {
  readonly node: string;
  /** Bumped (from the store's counter) on every change, so memoized engine states notice. */
  revision: number;
  connected: boolean;
  /** When the agent was last lost; undefined while connected. */
  disconnectedAtMs: number | undefined;
  lastReportMs: number;
  agentVersion: string;
  engines: Map<string, EngineReport>;
  gpus: readonly GpuHealthSummary[];
  /** Indices of the failed GPUs in `gpus`, kept with it so no read filters them again. */
  failedGpus: readonly number[];
}

const failedIndices = (gpus: readonly GpuHealthSummary[]): readonly number[] =>
  gpus.filter((g) => g.health === 'failed').map((g) => g.index);

/** A connected agent's record from its full snapshot (hello or resync), reported at `nowMs`. */
export function agentRecordFromSnapshot(
  node: string,
  agentVersion: string,
  snapshot: NodeSnapshot,
  revision: number,
  nowMs: number,
): AgentRecord {
  return {
    node,
    revision,
    connected: true,
    disconnectedAtMs: undefined,
    lastReportMs: nowMs,
    agentVersion,
    engines: new Map(snapshot.engines.map((e) => [e.id, e])),
    gpus: snapshot.gpus,
    failedGpus: failedIndices(snapshot.gpus),
  };
}

/**
 * Applies an agent's delta to its record, reported at `nowMs`. True when an engine came, went,
 * or changed readiness or adapters.
 */
export function applyDeltaToRecord(
  record: AgentRecord,
  delta: StateMessage,
  revision: number,
  nowMs: number,
): boolean {
  record.revision = revision;
  record.lastReportMs = nowMs;
  record.connected = true;
  record.disconnectedAtMs = undefined;
  let enginesChanged = (delta.removedEngines ?? []).length > 0;
  for (const e of delta.engines ?? []) {
    const before = record.engines.get(e.id);
    if (before?.ready !== e.ready || !sameList(before.adapters, e.adapters)) enginesChanged = true;
    setRefreshed(record.engines, e.id, e); // the kept report, written in place
  }
  for (const id of delta.removedEngines ?? []) record.engines.delete(id);
  if (delta.gpus !== undefined) {
    record.gpus = delta.gpus;
    record.failedGpus = failedIndices(delta.gpus);
  }
  return enginesChanged;
}

/** The record as `NodeState` (a fresh list of engine ids). */
export const nodeStateOf = (r: AgentRecord): NodeState => ({
  node: r.node,
  connected: r.connected,
  lastReportMs: r.lastReportMs,
  agentVersion: r.agentVersion,
  gpus: r.gpus,
  engineIds: [...r.engines.keys()],
});

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The record as a gateway replica's welcome carries it: the agent's state as its snapshot and
 * deltas left it (the reports are the agent's, written in place, with nothing the leader adds).
 */
export const replicaNodeOf = (r: AgentRecord): ReplicaNode => ({
  node: r.node,
  agentVersion: r.agentVersion,
  connected: r.connected,
  snapshot: { engines: [...r.engines.values()], gpus: r.gpus },
});
