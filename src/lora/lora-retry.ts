/**
 * How the ModelAdapter controller retries a failed `lora.load` on one engine, and its memory
 * of the attempts: AIBrix's schedule (reference/aibrix.md §5: 5 tries, 5·2^n s capped at
 * 300 s), then the adapter moves to another candidate. Error codes that no retry can fix end
 * the tries at once, on that engine or, for a bad adapter, everywhere.
 */
import type { LoraErrorCode } from './lora-commands.js';
import type { EngineAttempt } from './placement-contract.js';

/** How many loads one engine gets and how long to wait between them. */
export interface LoraRetrySchedule {
  readonly maxTries: number;
  readonly baseMs: number;
  readonly capMs: number;
}

/** The retry schedule per engine (AIBrix's `MaxLoadingRetries` and backoff). */
export const LORA_RETRY: LoraRetrySchedule = { maxTries: 5, baseMs: 5_000, capMs: 300_000 };

/** Codes that say the adapter itself is bad: no engine will take it, stop trying everywhere. */
export const ADAPTER_FATAL_CODES: ReadonlySet<string> = new Set<LoraErrorCode>([
  'LORA_BAD_ADAPTER',
  'LORA_TOO_LARGE',
]);

/** Codes that say this engine will not take it (rank limit, refusal): try another engine. */
export const ENGINE_FATAL_CODES: ReadonlySet<string> = new Set<LoraErrorCode>([
  'LORA_RANK_TOO_HIGH',
  'LORA_ENGINE_REFUSED',
]);

/**
 * Codes that say this engine is full now (another adapter took its last slot): retriable, the
 * adapter goes elsewhere at once and this engine is tried again after the backoff, never given
 * up for it (a slot frees when another adapter leaves).
 */
export const NO_SLOT_CODES: ReadonlySet<string> = new Set<LoraErrorCode>(['LORA_NO_SLOT']);

/**
 * Wait after the `failures`-th consecutive failure on one engine: 5 s, 10 s, 20 s, 40 s ...
 * capped at 300 s (5·2^n s with n = failures − 1); 0 before any failure.
 */
export function loraRetryDelayMs(
  failures: number,
  schedule: LoraRetrySchedule = LORA_RETRY,
): number {
  if (!(failures >= 1)) return 0;
  return Math.min(schedule.capMs, schedule.baseMs * 2 ** (failures - 1));
}

/** What one `lora.load` on one engine came to, as the controller records it. */
export type LoadOutcome =
  { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * The attempts map after one load's outcome (a new map; the input is not changed): success
 * clears the engine's record; a failure counts, schedules the next try, and gives up on the
 * engine after `schedule.maxTries` ({@link LORA_RETRY} by default) or at once on a code no
 * retry can fix here. A full engine ({@link NO_SLOT_CODES}) is marked `noSlot` and never given up.
 */
export function recordAttempt(
  attempts: ReadonlyMap<string, EngineAttempt>,
  engineId: string,
  outcome: LoadOutcome,
  nowMs: number,
  schedule: LoraRetrySchedule = LORA_RETRY,
): ReadonlyMap<string, EngineAttempt> {
  const next = new Map(attempts);
  if (outcome.ok) {
    next.delete(engineId);
    return next;
  }
  const failures = (attempts.get(engineId)?.failures ?? 0) + 1;
  const fatal = ADAPTER_FATAL_CODES.has(outcome.code) || ENGINE_FATAL_CODES.has(outcome.code);
  const noSlot = NO_SLOT_CODES.has(outcome.code);
  next.set(engineId, {
    engineId,
    failures,
    retryAtMs: nowMs + loraRetryDelayMs(failures, schedule),
    lastError: { code: outcome.code, message: outcome.message, atMs: nowMs },
    givenUp: !noSlot && (fatal || failures >= schedule.maxTries),
    ...(noSlot ? { noSlot: true } : {}),
  });
  return next;
}

/** The failure that proves the adapter bad (a given-up attempt with an adapter-fatal code), if any. */
export function adapterFatalAttempt(
  attempts: ReadonlyMap<string, EngineAttempt>,
): EngineAttempt | undefined {
  // Smallest engine id first, so the reason shown does not depend on map order.
  const fatal = [...attempts.values()]
    .filter((a) => a.givenUp && a.lastError && ADAPTER_FATAL_CODES.has(a.lastError.code))
    .sort((a, b) => compareIds(a.engineId, b.engineId));
  return fatal[0];
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
