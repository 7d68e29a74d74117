/**
 * Which engines could hold one adapter: the candidate filter of LoRA placement, with the reason
 * each other engine cannot, so the status can say why an adapter has nowhere to go.
 */
import { matchesSelector } from '../discovery/index.js';
import type { AdapterWant, EngineAttempt, EngineSlot } from './placement-contract.js';

/**
 * Why an engine can or cannot take the adapter, in the order checked: `eligible` engines are
 * ready and match the selector and base model; the rest of the checks are about room.
 */
export type EngineFit =
  | 'candidate'
  | 'unready'
  | 'selectorMismatch'
  | 'baseModelMismatch'
  | 'loraDisabled'
  | 'slotsFull'
  | 'rankTooHigh'
  | 'givenUp';

/** Whether `engine` serves what `want` selects: the selector and base model (ready or not). */
export function engineMatches(engine: EngineSlot, want: AdapterWant): boolean {
  return (
    matchesSelector(engine.labels, want.podSelector) &&
    (want.baseModel === undefined || engine.model === want.baseModel)
  );
}

/** True when the engine lists the adapter now. */
export function engineHolds(engine: EngineSlot, adapter: string): boolean {
  return engine.loaded.includes(adapter);
}

/** Adapters on the engine other than `adapter` (what its slots are used for). */
export function otherAdapterCount(engine: EngineSlot, adapter: string): number {
  return engine.loaded.filter((name) => name !== adapter).length;
}

/**
 * Why `engine` can (`candidate`) or cannot hold the adapter `want` asks for at `nowMs`. An
 * engine that answered "no free slot" is full until its retry time, whatever its last report
 * says (the report may predate the load that took the slot).
 */
export function engineFit(
  engine: EngineSlot,
  want: AdapterWant,
  attempts: ReadonlyMap<string, EngineAttempt>,
  nowMs: number,
): EngineFit {
  if (!engine.ready) return 'unready';
  if (!matchesSelector(engine.labels, want.podSelector)) return 'selectorMismatch';
  if (want.baseModel !== undefined && engine.model !== want.baseModel) return 'baseModelMismatch';
  if (!(engine.maxLoras > 0)) return 'loraDisabled';
  // An engine that already holds this adapter uses no new slot.
  const holds = engineHolds(engine, want.name);
  if (!holds && otherAdapterCount(engine, want.name) >= engine.maxLoras) return 'slotsFull';
  const attempt = attempts.get(engine.id);
  if (!holds && attempt?.noSlot === true && attempt.retryAtMs > nowMs) return 'slotsFull';
  if (want.rank !== undefined && want.rank > engine.maxLoraRank) return 'rankTooHigh';
  if (attempt?.givenUp === true) return 'givenUp';
  return 'candidate';
}

/** Engines that could hold the adapter at `nowMs` (ready, selected, slot, rank, not given up), by id. */
export function adapterCandidates(
  want: AdapterWant,
  engines: readonly EngineSlot[],
  attempts: ReadonlyMap<string, EngineAttempt>,
  nowMs: number,
): EngineSlot[] {
  return engines
    .filter((engine) => engineFit(engine, want, attempts, nowMs) === 'candidate')
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
