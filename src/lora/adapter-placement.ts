/**
 * Where one adapter should be and which commands move it there: keeps what holds it (no churn),
 * reloads an instance whose engine lost it at once, trims a surplus, fills a shortfall by the
 * placement policy, and unloads strays. The status (phase, conditions) is derived from this
 * by adapter-status.ts; planAdapter (adapter-plan.ts) ties the two together.
 */
import { engineFit, engineHolds, engineMatches } from './adapter-candidates.js';
import { rankCandidates } from './placement-policies.js';
import type { EngineSlot, PlacementAction, PlanInput } from './placement-contract.js';

/** The placement part of a plan, with the sets the status needs. */
export interface Placement {
  /** Engines that should hold the adapter, in the order they were kept or chosen. */
  readonly desired: readonly EngineSlot[];
  readonly actions: readonly PlacementAction[];
  /** How many replicas the resource asks for (replicas, or every engine that could hold it). */
  readonly desiredCount: number;
  /** Desired engines not loaded now because their next try is not due. */
  readonly waiting: readonly EngineSlot[];
  /** Desired engines that were instances but no longer list the adapter (engine restart). */
  readonly reloading: readonly EngineSlot[];
}

interface Held {
  readonly engine: EngineSlot;
  /** A load is in flight on it: no new action. */
  readonly busy: boolean;
  /** It does not list the adapter now (needs a load). */
  readonly needsLoad: boolean;
}

/**
 * The placement for `input` (not deleting). `noNewLoads`: the adapter is known bad, so only
 * engines that already list it are kept or adopted.
 */
export function choosePlacement(
  input: PlanInput,
  candidates: readonly EngineSlot[],
  noNewLoads: boolean,
): Placement {
  const { want, engines, observed, nowMs } = input;
  const byId = new Map(engines.map((e) => [e.id, e]));
  const unloading = observed.unloading ?? new Set<string>();
  const instanceIds = new Set(observed.instances);
  const holds = (e: EngineSlot): boolean => engineHolds(e, want.name);
  // Could hold it: selected, and either listing it already or a candidate (room, rank, tries).
  const hostable = (e: EngineSlot): boolean =>
    e.ready &&
    engineMatches(e, want) &&
    (holds(e) || (!noNewLoads && engineFit(e, want, observed.attempts, nowMs) === 'candidate'));
  const isWaiting = (e: EngineSlot): boolean => {
    const attempt = observed.attempts.get(e.id);
    return attempt !== undefined && !attempt.givenUp && attempt.retryAtMs > nowMs;
  };

  const held: Held[] = [];
  const unloads: EngineSlot[] = [];
  for (const id of [...instanceIds].sort()) {
    const engine = byId.get(id);
    // A lost or unready engine is replaced elsewhere; nothing can be sent to it.
    if (engine === undefined || !engine.ready || unloading.has(id)) continue;
    if (observed.inFlight.has(id)) {
      // A reload in flight: count it while the engine is still selected; send nothing.
      if (engineMatches(engine, want)) held.push({ engine, busy: true, needsLoad: !holds(engine) });
    } else if (hostable(engine)) held.push({ engine, busy: false, needsLoad: !holds(engine) });
    else unloads.push(engine);
  }
  // A load in flight on a non-instance is a replica on its way: count it, send nothing.
  for (const id of [...observed.inFlight].sort()) {
    const engine = byId.get(id);
    if (instanceIds.has(id) || unloading.has(id) || engine === undefined) continue;
    if (engine.ready && engineMatches(engine, want))
      held.push({ engine, busy: true, needsLoad: !holds(engine) });
  }

  const heldIds = new Set(held.map((h) => h.engine.id));
  const pool = engines.filter(
    (e) =>
      hostable(e) && !heldIds.has(e.id) && !instanceIds.has(e.id) && !observed.inFlight.has(e.id),
  );
  const desiredCount =
    want.replicas ??
    new Set([...heldIds, ...pool.map((e) => e.id), ...candidates.map((e) => e.id)]).size;

  unloads.push(...trimSurplus(held, desiredCount));
  const chosen = fill(input, held, pool, desiredCount);
  const desired = [...held.map((h) => h.engine), ...chosen];
  const desiredIds = new Set(desired.map((e) => e.id));

  // Strays: ready engines that list it but are neither desired nor instances (a surplus from an
  // earlier controller, or engines the selector no longer picks).
  for (const e of engines) {
    if (
      e.ready &&
      holds(e) &&
      !desiredIds.has(e.id) &&
      !instanceIds.has(e.id) &&
      !observed.inFlight.has(e.id)
    )
      unloads.push(e);
  }

  const actions: PlacementAction[] = [];
  const waiting: EngineSlot[] = [];
  const reloading: EngineSlot[] = [];
  for (const h of held) {
    if (!h.needsLoad || h.busy) continue;
    if (instanceIds.has(h.engine.id)) reloading.push(h.engine);
    if (isWaiting(h.engine)) waiting.push(h.engine);
    else actions.push({ kind: 'load', engineId: h.engine.id, node: h.engine.node });
  }
  for (const e of chosen) {
    if (isWaiting(e)) waiting.push(e);
    else actions.push({ kind: 'load', engineId: e.id, node: e.node });
  }
  for (const e of unloads) actions.push({ kind: 'unload', engineId: e.id, node: e.node });
  return { desired, actions, desiredCount, waiting, reloading };
}

/**
 * Takes the surplus out of `held` (in place) and returns the engines to unload: instances that
 * need a reload go first, then those on the node with the most replicas of this adapter, then
 * the most loaded engine. Busy engines cannot be acted on now; if they alone are the surplus,
 * the newest (in-flight non-instances, last in `held`) leave the desired set without a command
 * and a later plan unloads them once their load has landed.
 */
function trimSurplus(held: Held[], desiredCount: number): EngineSlot[] {
  const removed: EngineSlot[] = [];
  while (held.length > desiredCount) {
    const perNode = new Map<string, number>();
    for (const h of held) perNode.set(h.engine.node, (perNode.get(h.engine.node) ?? 0) + 1);
    const removable = held
      .filter((h) => !h.busy)
      .sort(
        (a, b) =>
          Number(b.needsLoad) - Number(a.needsLoad) ||
          (perNode.get(b.engine.node) ?? 0) - (perNode.get(a.engine.node) ?? 0) ||
          b.engine.load - a.engine.load ||
          (a.engine.id < b.engine.id ? -1 : 1),
      );
    const victim = removable[0] ?? held[held.length - 1];
    if (victim === undefined) break;
    held.splice(held.indexOf(victim), 1);
    if (!victim.busy) removed.push(victim.engine);
  }
  return removed;
}

/**
 * New engines for the shortfall, best first: engines already listing the adapter (adopted at
 * no cost), then engines with a retry pending (the earlier choice, so a transient failure
 * does not move the adapter every reconcile), then the rest, each tier ranked by the policy.
 */
function fill(
  input: PlanInput,
  held: readonly Held[],
  pool: readonly EngineSlot[],
  desiredCount: number,
): EngineSlot[] {
  const { want, observed, random } = input;
  const nodesHolding = new Set(held.map((h) => h.engine.node));
  const left = [...pool];
  const chosen: EngineSlot[] = [];
  const tierOf = (e: EngineSlot): number =>
    engineHolds(e, want.name) ? 0 : observed.attempts.has(e.id) ? 1 : 2;
  while (held.length + chosen.length < desiredCount && left.length > 0) {
    const bestTier = Math.min(...left.map(tierOf));
    const tier = left.filter((e) => tierOf(e) === bestTier);
    const next = rankCandidates(tier, want.policy, { adapter: want.name, nodesHolding, random })[0];
    if (next === undefined) break;
    chosen.push(next);
    nodesHolding.add(next.node);
    left.splice(left.indexOf(next), 1);
  }
  return chosen;
}
