/**
 * The ModelAdapter status the controller writes, from a plan and its memory. Pure. A condition's
 * lastTransitionTime changes only when its status changes (metav1 semantics), and an unchanged
 * status yields no write, so a level-triggered reconcile that repeats itself costs no API call.
 */
import type { Condition } from '../discovery/index.js';
import {
  MAX_ENGINE_ERRORS,
  type ModelAdapterEngineError,
  type ModelAdapterPhase,
  type ModelAdapterStatus,
} from './model-adapter.js';
import type { EngineAttempt } from './placement-contract.js';

/** What one reconcile decided, before times are stamped. */
export interface StatusDraft {
  readonly phase: ModelAdapterPhase;
  readonly conditions: readonly Condition[];
  readonly instances: readonly string[];
  readonly candidates: readonly string[];
  readonly desiredReplicas: number;
  readonly readyReplicas: number;
  readonly engineErrors: readonly ModelAdapterEngineError[];
  readonly observedGeneration: number | undefined;
}

/** RFC 3339 without milliseconds, as Kubernetes writes times. */
export const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** The last error per engine from the controller's attempts, newest first, bounded. */
export function engineErrorsOf(
  attempts: ReadonlyMap<string, EngineAttempt>,
  engineName: (id: string) => string,
): ModelAdapterEngineError[] {
  return [...attempts.values()]
    .flatMap((a) => (a.lastError === undefined ? [] : [{ engineId: a.engineId, ...a.lastError }]))
    .sort((a, b) => b.atMs - a.atMs || a.engineId.localeCompare(b.engineId))
    .slice(0, MAX_ENGINE_ERRORS)
    .map((e) => ({
      engine: engineName(e.engineId),
      code: e.code,
      message: e.message.slice(0, 1024),
      time: rfc3339(e.atMs),
    }));
}

/** Conditions with lastTransitionTime kept from `previous` where the status did not change. */
export function stampConditions(
  previous: readonly Condition[] | undefined,
  next: readonly Condition[],
  nowMs: number,
  generation: number | undefined,
): Condition[] {
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const lastTransitionTime =
      before?.status === c.status && before.lastTransitionTime !== undefined
        ? before.lastTransitionTime
        : rfc3339(nowMs);
    return {
      ...c,
      lastTransitionTime,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    };
  });
}

/** The status to write, or undefined when it equals `previous` (no write needed). */
export function nextAdapterStatus(
  previous: ModelAdapterStatus | undefined,
  draft: StatusDraft,
  nowMs: number,
): ModelAdapterStatus | undefined {
  const { observedGeneration, conditions, ...rest } = draft;
  const next: ModelAdapterStatus = {
    ...rest,
    instances: [...draft.instances].sort(),
    candidates: [...draft.candidates].sort(),
    conditions: stampConditions(previous?.conditions, conditions, nowMs, observedGeneration),
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
  };
  return previous !== undefined && sameJson(previous, next) ? undefined : next;
}

/** Structural equality of two JSON values, ignoring key order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}
