/**
 * The cluster state store that also tells the replica feed what it applied: every agent snapshot,
 * delta and loss, whether it came from the agent hub (on the leader) or from the feed itself (on
 * a follower, so a follower that takes over already holds the state its own followers need).
 * A follower's store may judge freshness at another time than now: when its leader's feed
 * stopped, so a dead leader does not turn every engine stale before the agents reconnect.
 */
import type { NodeSnapshot, StateMessage } from '../protocol/index.js';
import { ClusterStateStore } from './cluster-state.js';

/** What was applied, in the feed's terms. */
export type AppliedState =
  | {
      readonly kind: 'node';
      readonly node: string;
      readonly agentVersion: string;
      readonly snapshot: NodeSnapshot;
    }
  | { readonly kind: 'delta'; readonly node: string; readonly delta: StateMessage }
  | { readonly kind: 'lost'; readonly node: string };

/** A ClusterStateStore with one observer of what it applies (set once the feed exists). */
export class ReplicatedClusterStateStore extends ClusterStateStore {
  /** Told after each change is applied. */
  onApplied: ((applied: AppliedState) => void) | undefined;
  /** When freshness is judged, given now (see replica-freshness.ts); unset: now. */
  judgeFreshnessAt: ((nowMs: number) => number) | undefined;

  protected override freshnessNow(): number {
    const now = super.freshnessNow();
    return this.judgeFreshnessAt?.(now) ?? now;
  }

  override applySnapshot(node: string, agentVersion: string, snapshot: NodeSnapshot): boolean {
    const admitted = super.applySnapshot(node, agentVersion, snapshot);
    if (admitted) this.onApplied?.({ kind: 'node', node, agentVersion, snapshot });
    return admitted;
  }

  override applyDelta(node: string, delta: StateMessage): void {
    super.applyDelta(node, delta);
    this.onApplied?.({ kind: 'delta', node, delta });
  }

  override markAgentLost(node: string): void {
    super.markAgentLost(node);
    this.onApplied?.({ kind: 'lost', node });
  }
}
