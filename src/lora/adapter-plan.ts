/**
 * planAdapter: the whole pure decision for one ModelAdapter at one moment (placement-contract.ts
 * says what goes in and out). The controller calls it on every reconcile, sends the actions,
 * records their outcomes with recordAttempt (lora-retry.ts) and writes the status it returns.
 */
import type { Condition } from '../discovery/index.js';
import { adapterCandidates, engineHolds } from './adapter-candidates.js';
import { choosePlacement } from './adapter-placement.js';
import { ADAPTER_CONDITIONS, describeAdapterStatus } from './adapter-status.js';
import { adapterFatalAttempt } from './lora-retry.js';
import type { AdapterPlan, EngineSlot, PlacementAction, PlanInput } from './placement-contract.js';

/** The plan for one adapter: where it should be, the commands to send now, and its status. */
export function planAdapter(input: PlanInput): AdapterPlan {
  const { want, engines, observed, nowMs } = input;
  const candidates = adapterCandidates(want, engines, observed.attempts, nowMs);
  const candidateIds = candidates.map((e) => e.id);
  if (want.deleting) return planDeletion(input, candidateIds);

  const badAdapter = adapterFatalAttempt(observed.attempts);
  const placement = choosePlacement(input, candidates, badAdapter !== undefined);
  const status = describeAdapterStatus(
    want,
    engines,
    observed.attempts,
    placement,
    badAdapter,
    nowMs,
  );

  // The soonest retry among the engines this plan waits on, and of full engines (a shortfall
  // may go back to one once its wait is over).
  const dueTimes = [
    ...placement.waiting.map((e) => observed.attempts.get(e.id)?.retryAtMs),
    ...[...observed.attempts.values()].filter((a) => a.noSlot === true).map((a) => a.retryAtMs),
  ].filter((t): t is number => t !== undefined && t > nowMs);
  return {
    candidates: candidateIds,
    desired: sortedIds(placement.desired),
    actions: placement.actions,
    ...status,
    requeueAfterMs: dueTimes.length > 0 ? Math.min(...dueTimes) - nowMs : undefined,
    finalized: false,
  };
}

/**
 * Deleting: unload from every ready engine that is an instance or lists the adapter; finalized
 * once none is left and no command is in flight. An engine that is gone or unready cannot be
 * told anything, so it does not hold the finalizer (its agent frees the files when it returns).
 */
function planDeletion(input: PlanInput, candidates: readonly string[]): AdapterPlan {
  const { want, engines, observed } = input;
  const instances = new Set(observed.instances);
  const targets = engines.filter(
    (e) =>
      e.ready && (instances.has(e.id) || engineHolds(e, want.name)) && !observed.inFlight.has(e.id),
  );
  const holding = engines.filter((e) => e.ready && engineHolds(e, want.name));
  const actions: PlacementAction[] = targets.map((e) => ({
    kind: 'unload',
    engineId: e.id,
    node: e.node,
  }));
  const finalized = targets.length === 0 && observed.inFlight.size === 0;
  const message = finalized
    ? 'unloaded everywhere'
    : `unloading from ${boundedList(sortedIds([...targets, ...engines.filter((e) => observed.inFlight.has(e.id))]))}`;
  const deleting = (type: string, status: Condition['status']): Condition => ({
    type,
    status,
    reason: 'Deleting',
    message,
  });
  return {
    candidates,
    desired: [],
    actions,
    phase: holding.length > 0 ? 'Running' : 'Pending',
    conditions: [
      deleting(ADAPTER_CONDITIONS.scheduled, 'False'),
      deleting(ADAPTER_CONDITIONS.ready, holding.length > 0 ? 'True' : 'False'),
      deleting(ADAPTER_CONDITIONS.degraded, 'False'),
    ],
    desiredReplicas: 0,
    readyReplicas: holding.length,
    requeueAfterMs: undefined,
    finalized,
  };
}

function sortedIds(list: readonly EngineSlot[]): string[] {
  return [...new Set(list.map((e) => e.id))].sort();
}

/** Engines named in the deletion message at most; the rest are counted. */
const MAX_NAMED = 8;

function boundedList(ids: readonly string[]): string {
  const named = ids.slice(0, MAX_NAMED);
  return ids.length > named.length
    ? `${named.join(', ')}, ${ids.length - named.length} more`
    : named.join(', ');
}
