/**
 * The status one placement implies: phase, the Scheduled/Ready/Degraded conditions with stable
 * reasons and messages that name engines and their errors, and the replica counts. No
 * lastTransitionTime: the controller stamps it when a condition's status changes.
 */
import type { Condition } from '../discovery/index.js';
import { engineFit, engineHolds, engineMatches, type EngineFit } from './adapter-candidates.js';
import type { Placement } from './adapter-placement.js';
import type { ModelAdapterPhase } from './model-adapter.js';
import type { AdapterWant, EngineAttempt, EngineSlot } from './placement-contract.js';

/** Condition types the ModelAdapter status carries. */
export const ADAPTER_CONDITIONS = {
  scheduled: 'Scheduled',
  ready: 'Ready',
  degraded: 'Degraded',
} as const;

/** The status part of a plan. */
export interface AdapterStatusView {
  readonly phase: ModelAdapterPhase;
  readonly conditions: readonly Condition[];
  readonly desiredReplicas: number;
  readonly readyReplicas: number;
}

/** Why nothing can be placed: a reason, whether waiting can fix it, and the detail. */
interface Blocked {
  readonly reason: string;
  readonly failed: boolean;
  readonly message: string;
}

/** Engines named in one message at most; the rest are counted. */
const MAX_NAMED = 8;
/** Characters kept of one engine's error text. */
const MAX_ERROR_CHARS = 160;

/** The status of a (not deleting) plan. `badAdapter`: the attempt that proved the adapter bad. */
export function describeAdapterStatus(
  want: AdapterWant,
  engines: readonly EngineSlot[],
  attempts: ReadonlyMap<string, EngineAttempt>,
  placement: Placement,
  badAdapter: EngineAttempt | undefined,
  nowMs: number,
): AdapterStatusView {
  const { desired, actions, waiting, reloading, desiredCount } = placement;
  const ready = desired.filter((e) => engineHolds(e, want.name));
  const loading = desired.filter((e) => !engineHolds(e, want.name) && !waiting.includes(e));
  const desiredReplicas = want.replicas ?? desiredCount;
  const view = (phase: ModelAdapterPhase, conditions: Condition[]): AdapterStatusView => ({
    phase,
    conditions,
    desiredReplicas,
    readyReplicas: ready.length,
  });
  const bad: Blocked | undefined = badAdapter && {
    reason: 'AdapterInvalid',
    failed: true,
    message: `adapter rejected: ${describeError(badAdapter)}`,
  };
  const blocked =
    bad ?? (desired.length === 0 ? whyNowhere(want, engines, attempts, nowMs) : undefined);

  const scheduled: Condition =
    desired.length > 0
      ? cond(ADAPTER_CONDITIONS.scheduled, 'True', 'Scheduled', `placed on ${names(desired)}`)
      : cond(
          ADAPTER_CONDITIONS.scheduled,
          'False',
          blocked?.reason ?? 'NoReplicasWanted',
          blocked?.message ?? 'no replica wanted',
        );

  let readyCond: Condition;
  if (ready.length > 0) {
    readyCond = cond(
      ADAPTER_CONDITIONS.ready,
      'True',
      'AdapterLoaded',
      `loaded on ${names(ready)}`,
    );
  } else if (blocked !== undefined) {
    readyCond = cond(ADAPTER_CONDITIONS.ready, 'False', blocked.reason, blocked.message);
  } else if (loading.length > 0) {
    readyCond = cond(ADAPTER_CONDITIONS.ready, 'False', 'Loading', `loading on ${names(loading)}`);
  } else {
    readyCond = cond(
      ADAPTER_CONDITIONS.ready,
      'False',
      'RetryWaiting',
      failures(waiting, attempts),
    );
  }

  const gaps: { reason: string; message: string }[] = [];
  if (bad) gaps.push(bad);
  if (want.replicas !== undefined && desired.length < want.replicas)
    gaps.push({
      reason: 'NotEnoughCandidates',
      message: `${want.replicas} replicas wanted, ${desired.length} engines can hold it`,
    });
  if (reloading.length > 0)
    gaps.push({
      reason: 'Reloading',
      message: `${names(reloading)} lost the adapter (engine restart); reloading`,
    });
  const failing = desired.filter((e) => attempts.get(e.id)?.lastError !== undefined);
  if (failing.length > 0)
    gaps.push({ reason: 'LoadFailing', message: failures(failing, attempts) });
  if (loading.length > 0) gaps.push({ reason: 'Loading', message: `loading on ${names(loading)}` });
  if (blocked && !bad) gaps.push(blocked);
  // Nowhere to go with nothing ready is degraded too, even when no replica can be counted.
  const short = ready.length < desiredReplicas || (ready.length === 0 && blocked !== undefined);
  const degraded: Condition = short
    ? cond(
        ADAPTER_CONDITIONS.degraded,
        'True',
        gaps[0]?.reason ?? 'Loading',
        `${ready.length} of ${desiredReplicas} ready: ${gaps.map((g) => g.message).join('; ') || 'waiting'}`,
      )
    : cond(
        ADAPTER_CONDITIONS.degraded,
        'False',
        'AllReplicasReady',
        `${ready.length} of ${desiredReplicas} ready`,
      );

  const conditions = [scheduled, readyCond, degraded];
  if (ready.length > 0) return view('Running', conditions);
  if (blocked !== undefined) return view(blocked.failed ? 'Failed' : 'Pending', conditions);
  const sending = actions.some((a) => a.kind === 'load') || loading.length > 0;
  return view(sending ? 'Scheduled' : 'Pending', conditions);
}

/** Why no engine can take the adapter, from every engine's fit. */
function whyNowhere(
  want: AdapterWant,
  engines: readonly EngineSlot[],
  attempts: ReadonlyMap<string, EngineAttempt>,
  nowMs: number,
): Blocked {
  if (engines.length === 0)
    return { reason: 'NoEngines', failed: false, message: 'no engine discovered yet' };
  const matching = engines.filter((e) => engineMatches(e, want));
  if (matching.length === 0)
    return {
      reason: 'NoMatchingEngine',
      failed: true,
      message: `no engine matches the podSelector${want.baseModel === undefined ? '' : ` and serves ${want.baseModel}`}`,
    };
  const byFit = new Map<EngineFit, EngineSlot[]>();
  for (const e of matching) {
    const fit = engineFit(e, want, attempts, nowMs);
    byFit.set(fit, [...(byFit.get(fit) ?? []), e]);
  }
  const detail = [...byFit.entries()].map(([fit, list]) => `${fit}: ${names(list)}`).join('; ');
  if (byFit.has('unready') && byFit.size === 1)
    return {
      reason: 'NoReadyEngine',
      failed: false,
      message: `no matching engine is ready (${detail})`,
    };
  // A slot frees up when another adapter goes, so full slots are a wait, not a failure.
  if (byFit.has('slotsFull') || byFit.has('unready'))
    return {
      reason: 'NoFreeSlot',
      failed: false,
      message: `no ready matching engine has a free LoRA slot (${detail})`,
    };
  if (byFit.has('givenUp'))
    return {
      reason: 'AllEnginesGivenUp',
      failed: true,
      message: `every matching engine failed: ${failures(byFit.get('givenUp') ?? [], attempts)}${byFit.size > 1 ? ` (${detail})` : ''}`,
    };
  if (byFit.has('rankTooHigh'))
    return {
      reason: 'RankTooHigh',
      failed: true,
      message: `rank ${want.rank} is above every engine's max LoRA rank (${detail})`,
    };
  return {
    reason: 'LoraDisabled',
    failed: true,
    message: `no matching engine has LoRA enabled (${detail})`,
  };
}

function failures(
  list: readonly EngineSlot[],
  attempts: ReadonlyMap<string, EngineAttempt>,
): string {
  const parts = list.slice(0, MAX_NAMED).map((e) => {
    const attempt = attempts.get(e.id);
    return attempt === undefined ? e.id : `${e.id}: ${describeError(attempt)}`;
  });
  return more(parts, list.length).join('; ');
}

function describeError(attempt: EngineAttempt): string {
  const error = attempt.lastError;
  const text =
    error === undefined ? 'failed' : `${error.code}: ${error.message.slice(0, MAX_ERROR_CHARS)}`;
  return attempt.givenUp
    ? `${text} (gave up after ${attempt.failures} ${attempt.failures === 1 ? 'try' : 'tries'})`
    : `${text} (try ${attempt.failures})`;
}

function names(list: readonly EngineSlot[]): string {
  return more(
    list.slice(0, MAX_NAMED).map((e) => e.id),
    list.length,
  ).join(', ');
}

function more(parts: string[], total: number): string[] {
  return total > parts.length ? [...parts, `${total - parts.length} more`] : parts;
}

function cond(
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
): Condition {
  return { type, status, reason, message };
}
