/**
 * The pure placement the ModelAdapter controller calls, as a port: `plan` decides, `record`
 * folds a command's outcome into the per-engine attempts. The composition root passes the lora
 * room's `planAdapter` and `recordAttempt`; tests may pass their own.
 */
import type { AdapterPlan, EngineAttempt, PlanInput } from '../lora/index.js';

/** A command's outcome as placement records it. */
export type AttemptOutcome =
  { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

/** The placement functions the controller uses. */
export interface AdapterPlanner {
  plan(input: PlanInput): AdapterPlan;
  record(
    attempts: ReadonlyMap<string, EngineAttempt>,
    engineId: string,
    outcome: AttemptOutcome,
    nowMs: number,
  ): ReadonlyMap<string, EngineAttempt>;
}
