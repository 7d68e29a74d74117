/**
 * A follower's side of the replica feed, pure: applies the leader's welcome and its seq-numbered
 * deltas to the follower's own cluster state, KV block index and prefix index. A delta out of
 * order (a gap) is refused: the caller reconnects, and the new welcome resyncs everything.
 */
import type {
  KvFrame,
  KvMessage,
  NodeSnapshot,
  PrefixInsertion,
  ReplicaFeedMessage,
  ReplicaKvFrameMessage,
  StateMessage,
} from '../protocol/index.js';

/** Where the replicated state goes (the follower's ClusterStateStore and indexes fit). */
export interface ReplicaSinks {
  readonly store: {
    applySnapshot(node: string, agentVersion: string, snapshot: NodeSnapshot): boolean;
    applyDelta(node: string, delta: StateMessage): void;
    markAgentLost(node: string): void;
    nodes(): readonly { readonly node: string; readonly connected: boolean }[];
  };
  /** The follower's global KV block index (a binary batch as the agent sent it). */
  readonly kv?: (node: string, batch: KvMessage | KvFrame) => void;
  /** The follower's prefix index, written directly (not sent back to the leader). */
  readonly prefix?: (insertion: PrefixInsertion) => void;
}

/** What applying one message did. */
export type ApplyOutcome = 'applied' | 'gap' | 'not-welcomed';

/** Applies one connection's feed; make a new one per connection. */
export class ReplicaFeedApplier {
  readonly #sinks: ReplicaSinks;
  #seq: number | undefined;
  #leader: { readonly leader: string; readonly epoch: number } | undefined;

  constructor(sinks: ReplicaSinks) {
    this.#sinks = sinks;
  }

  /** The leader that welcomed this connection, once it has. */
  get leader(): { readonly leader: string; readonly epoch: number } | undefined {
    return this.#leader;
  }

  apply(msg: ReplicaFeedMessage | ReplicaKvFrameMessage): ApplyOutcome {
    const { store } = this.#sinks;
    if (msg.type === 'replica.welcome') {
      const present = new Set<string>();
      for (const n of msg.nodes) {
        present.add(n.node);
        store.applySnapshot(n.node, n.agentVersion, n.snapshot);
        if (!n.connected) store.markAgentLost(n.node);
      }
      // Nodes this follower heard of that the leader no longer has an agent for: stale now.
      for (const n of store.nodes())
        if (n.connected && !present.has(n.node)) store.markAgentLost(n.node);
      for (const p of msg.prefixes) this.#sinks.prefix?.(p);
      this.#seq = msg.seq;
      this.#leader = { leader: msg.leader, epoch: msg.epoch };
      return 'applied';
    }
    if (this.#seq === undefined) return 'not-welcomed';
    if (msg.seq !== this.#seq + 1) return 'gap';
    this.#seq = msg.seq;
    switch (msg.type) {
      case 'replica.node':
        store.applySnapshot(msg.node.node, msg.node.agentVersion, msg.node.snapshot);
        if (!msg.node.connected) store.markAgentLost(msg.node.node);
        break;
      case 'replica.state':
        store.applyDelta(msg.node, msg.delta);
        break;
      case 'replica.lost':
        store.markAgentLost(msg.node);
        break;
      case 'replica.kv':
        this.#sinks.kv?.(msg.node, msg.batch);
        break;
      case 'replica.prefix':
        for (const p of msg.insertions) this.#sinks.prefix?.(p);
        break;
    }
    return 'applied';
  }
}
