/**
 * The planner's scratch state for one plan: the revision groups, which one is new, and the
 * size each group is headed for after the actions chosen so far (a ReplicaSet's spec.replicas).
 * Shrinking picks the clusters to delete; growing counts clusters to create. Pure.
 */
import {
  groupByRevision,
  isAvailable,
  pickForDeletion,
  pickUnavailable,
  type FleetCluster,
  type RevisionGroup,
} from './fleet-cluster.js';
import type { FleetAction, FleetPlanInput } from './rollout-types.js';

/** The groups of one plan and the changes chosen for them. */
export class RolloutWork {
  readonly replicas: number;
  readonly minReadySeconds: number;
  readonly nowMs: number;
  readonly newHash: string;
  /** Live groups, oldest first (the new one included when it has clusters). */
  readonly groups: readonly RevisionGroup[];
  readonly #revisions: Map<string, number>;
  readonly #creates = new Map<string, number>();
  readonly #deletes: FleetCluster[] = [];
  readonly #deleted = new Set<string>();

  constructor(input: FleetPlanInput) {
    this.replicas = input.spec.replicas ?? 1;
    this.minReadySeconds = input.spec.minReadySeconds ?? 0;
    this.nowMs = input.nowMs;
    this.newHash = input.templateHash;
    this.#revisions = new Map(input.revisions.map((r) => [r.hash, r.revision]));
    this.groups = groupByRevision(
      input.clusters,
      this.#revisions,
      this.minReadySeconds,
      this.nowMs,
    );
  }

  /** The group of the current template, when it has live clusters. */
  get newGroup(): RevisionGroup | undefined {
    return this.groups.find((g) => g.hash === this.newHash);
  }

  /** Every other live group, oldest first. */
  get oldGroups(): RevisionGroup[] {
    return this.groups.filter((g) => g.hash !== this.newHash);
  }

  /** The size `hash` is headed for. */
  size(hash: string): number {
    const group = this.groups.find((g) => g.hash === hash);
    const live =
      group === undefined ? 0 : group.clusters.filter((c) => !this.#deleted.has(c.name)).length;
    return live + (this.#creates.get(hash) ?? 0);
  }

  /** Sum of every group's target size. */
  totalSize(): number {
    const hashes = new Set([...this.groups.map((g) => g.hash), ...this.#creates.keys()]);
    let total = 0;
    for (const hash of hashes) total += this.size(hash);
    return total;
  }

  /** The revision recorded for `hash` (0 when none). */
  revisionOf(hash: string): number {
    return this.#revisions.get(hash) ?? 0;
  }

  /** Sets the revision `hash` will be recorded with. */
  setRevision(hash: string, revision: number): void {
    this.#revisions.set(hash, revision);
  }

  /** True when a template for `hash` can be found (a history record or the current template). */
  hasTemplate(hash: string): boolean {
    return hash === this.newHash || this.#revisions.has(hash);
  }

  /** Moves `hash` to `target` clusters; returns true when anything changes. */
  scaleTo(hash: string, target: number): boolean {
    const now = this.size(hash);
    if (target > now) return this.grow(hash, target - now) > 0;
    if (target < now) return this.shrink(hash, now - target, false) > 0;
    return false;
  }

  /** Plans `count` more clusters of `hash`. */
  grow(hash: string, count: number): number {
    if (count <= 0) return 0;
    this.#creates.set(hash, (this.#creates.get(hash) ?? 0) + count);
    return count;
  }

  /**
   * Removes up to `count` clusters of `hash`: planned creates first, then live clusters in
   * deletion order (only not-yet-available ones when `unavailableOnly`). Returns how many.
   */
  shrink(hash: string, count: number, unavailableOnly: boolean): number {
    if (count <= 0) return 0;
    const pending = this.#creates.get(hash) ?? 0;
    const cancelled = Math.min(pending, count);
    if (cancelled > 0) this.#creates.set(hash, pending - cancelled);
    const group = this.groups.find((g) => g.hash === hash);
    if (group === undefined || cancelled === count) return cancelled;
    const live = group.clusters.filter((c) => !this.#deleted.has(c.name));
    const rest = count - cancelled;
    const picked = unavailableOnly
      ? pickUnavailable(live, rest, this.minReadySeconds, this.nowMs)
      : pickForDeletion(live, rest);
    for (const c of picked) {
      this.#deleted.add(c.name);
      this.#deletes.push(c);
    }
    return cancelled + picked.length;
  }

  /** Available clusters of `hash` that are not planned for deletion. */
  availableLeft(hash: string): number {
    const group = this.groups.find((g) => g.hash === hash);
    if (group === undefined) return 0;
    const deletedAvailable = this.#deletes.filter(
      (c) =>
        c.hash === hash &&
        group.clusters.includes(c) &&
        isAvailable(c, this.minReadySeconds, this.nowMs),
    ).length;
    return group.available - deletedAvailable;
  }

  /** True once any create or delete is planned. */
  get changed(): boolean {
    return this.#deletes.length > 0 || [...this.#creates.values()].some((n) => n > 0);
  }

  /** The planned creates and deletes as actions (deletes first: they free GPUs). */
  actions(): FleetAction[] {
    const out: FleetAction[] = [];
    if (this.#deletes.length > 0)
      out.push({ kind: 'delete', clusters: this.#deletes.map((c) => c.name) });
    for (const [hash, count] of this.#creates)
      if (count > 0) out.push({ kind: 'create', hash, revision: this.revisionOf(hash), count });
    return out;
  }
}
