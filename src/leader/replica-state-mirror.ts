/**
 * The leader's copy of each node's state as the replica feed tells it (pure): fed by the same
 * snapshots, deltas and losses the cluster state applies, read to build a follower's welcome.
 * Kept apart from ClusterStateStore, which holds only what routing reads. Bounded by `maxNodes`
 * (the oldest-reported node goes first) and trimmed to the store's nodes on each welcome.
 */
import type {
  EngineReport,
  GpuHealthSummary,
  ReplicaNode,
  StateMessage,
} from '../protocol/index.js';
import { setRefreshed } from './refresh-in-place.js';

interface MirroredNode {
  agentVersion: string;
  connected: boolean;
  readonly engines: Map<string, EngineReport>;
  gpus: readonly GpuHealthSummary[];
}

/** Per-node records for the replica feed's welcome snapshots. */
export class ReplicaStateMirror {
  readonly #nodes = new Map<string, MirroredNode>();
  readonly #maxNodes: number;

  constructor(maxNodes: number) {
    this.#maxNodes = maxNodes;
  }

  /** A full snapshot of one node (an agent's hello or resync). */
  applyNode(n: ReplicaNode): void {
    this.#nodes.delete(n.node); // re-inserted last: Map order is report order
    this.#nodes.set(n.node, {
      agentVersion: n.agentVersion,
      connected: n.connected,
      engines: new Map(n.snapshot.engines.map((e) => [e.id, e])),
      gpus: n.snapshot.gpus,
    });
    if (this.#nodes.size > this.#maxNodes) {
      const oldest = this.#nodes.keys().next().value;
      if (oldest !== undefined) this.#nodes.delete(oldest);
    }
  }

  /** A delta; ignored for a node never snapshotted (the store ignores it too). */
  applyDelta(node: string, delta: StateMessage): void {
    const record = this.#nodes.get(node);
    if (record === undefined) return;
    record.connected = true;
    // Written into the kept report, as the store does (refresh-in-place.ts): keeping each new
    // report here made every one of them outlive the young generation.
    for (const e of delta.engines ?? []) setRefreshed(record.engines, e.id, e);
    for (const id of delta.removedEngines ?? []) record.engines.delete(id);
    if (delta.gpus !== undefined) record.gpus = delta.gpus;
  }

  markLost(node: string): void {
    const record = this.#nodes.get(node);
    if (record !== undefined) record.connected = false;
  }

  /** Drops every node not in `nodes` (the cluster state forgot it). */
  retain(nodes: Iterable<string>): void {
    const keep = new Set(nodes);
    for (const node of [...this.#nodes.keys()]) if (!keep.has(node)) this.#nodes.delete(node);
  }

  /** Every node, as a welcome carries it. */
  nodes(): ReplicaNode[] {
    return [...this.#nodes.entries()].map(([node, r]) => ({
      node,
      agentVersion: r.agentVersion,
      connected: r.connected,
      snapshot: { engines: [...r.engines.values()], gpus: r.gpus },
    }));
  }
}
