/**
 * The scale decision (pure): per-source recommendations by strategy → max across sources →
 * KPA panic memory → stabilization windows → HPA rate policy → reversal cooldowns → schedule
 * and min/max bounds → scale to zero and activation from zero. The caller pushes
 * `decision.record` into its history (appendRecommendation) for the next call.
 *
 * Safety rules: no usable signal holds the current replicas (a failed source is never a
 * scale to zero); held requests at zero replicas activate at once (past every cooldown); zero is
 * reached only when scale-to-zero is on, the effective min is 0, nothing is held and no demand
 * was seen for scaleToZeroDelayMs (an unknown last demand is not "no demand").
 */
import { HPA_SCALE_UP_PERIOD_MS, hpaScaleUpLimit } from './hpa.js';
import { kpaPanicState } from './kpa-panic.js';
import type { DecideInput, RecommendationRecord, ScaleDecision } from './scaling-contract.js';
import { effectiveBounds } from './scaling-schedules.js';
import { recommendBySources } from './source-recommendations.js';
import { cooldownHold, stabilizeRecommendation } from './stabilization.js';

/** Decides the target's replicas (see the file comment for the order of the rules). */
export function decideScale(input: DecideInput): ScaleDecision {
  const { tunables, nowMs } = input;
  const current = Math.max(0, Math.floor(input.currentReplicas));
  const bounds = effectiveBounds(input.minReplicas, input.maxReplicas, input.schedules, input.now);
  const sources = recommendBySources(input);
  const reasons: string[] = [input.strategy, ...sources.notes];
  const canBeZero = tunables.scaleToZero && bounds.min === 0;
  const floor = Math.min(bounds.max, canBeZero && current === 0 ? 0 : Math.max(1, bounds.min));
  const clamp = (n: number): number => Math.min(bounds.max, Math.max(floor, n));
  const decision = (
    desired: number,
    recommendation: number,
    panic: boolean,
    record: RecommendationRecord,
  ): ScaleDecision => ({
    desired,
    recommendation,
    perSource: sources.perSource,
    panic,
    reason: `${reasons.join('; ')} → ${desired === current ? `hold ${current}` : `${current} → ${desired}`}`,
    bounds,
    record,
  });

  if (current === 0 && input.heldRequests > 0) {
    const desired = Math.min(bounds.max, Math.max(1, bounds.min, sources.recommendation ?? 1));
    reasons.push(`activation: ${input.heldRequests} request(s) held at zero replicas`);
    if (bounds.max === 0) reasons.push('max replicas is 0 now');
    return decision(desired, desired, false, { atMs: nowMs, replicas: desired });
  }
  if (sources.recommendation === undefined) {
    // No signal: keep what runs (only the bounds may move it), never fall to zero.
    const desired = Math.min(bounds.max, Math.max(bounds.min, current));
    reasons.push('no usable metric signal');
    return decision(desired, current, false, { atMs: nowMs, replicas: current });
  }
  for (const s of sources.perSource) {
    reasons.push(`${s.name} ${round(s.value)} → ${s.replicas}`);
  }

  let recommendation = sources.recommendation;
  let panic = false;
  let panicTriggerMs: number | undefined;
  if (input.strategy === 'KPA') {
    const state = kpaPanicState(
      input.history,
      nowMs,
      tunables.stableWindowMs,
      sources.overPanicThreshold,
    );
    if (state.inPanic) {
      // Knative: never below the episode's highest recommendation; AIBrix: never scale down.
      panic = true;
      panicTriggerMs = state.panicTriggerMs;
      recommendation = Math.max(
        sources.panicRecommendation ?? recommendation,
        state.maxPanicReplicas,
        current,
      );
      reasons.push('panic mode');
    }
  }
  const record: RecommendationRecord =
    panicTriggerMs === undefined
      ? { atMs: nowMs, replicas: recommendation }
      : { atMs: nowMs, replicas: recommendation, panicTriggerMs };

  const idleForMs = input.lastDemandMs === undefined ? undefined : nowMs - input.lastDemandMs;
  if (canBeZero && idleForMs !== undefined && idleForMs >= tunables.scaleToZeroDelayMs) {
    // The delay is the stabilization for this step: no window or rate applies on top.
    if (current > 0) reasons.push(`scale to zero: no demand for ${Math.round(idleForMs / 1000)} s`);
    return decision(0, recommendation, panic, record);
  }

  const stabilized = stabilizeRecommendation({
    recommendation,
    currentReplicas: current,
    history: input.history,
    nowMs,
    scaleUpWindowMs: tunables.scaleUpCooldownMs,
    scaleDownWindowMs: tunables.scaleDownCooldownMs,
  });
  let desired = stabilized.replicas;
  if (stabilized.heldBy) reasons.push(`${stabilized.heldBy} holds ${desired}`);
  if (input.strategy === 'HPA' && desired > current && current > 0) {
    const recentUp =
      input.lastScaleUpMs !== undefined && nowMs - input.lastScaleUpMs < HPA_SCALE_UP_PERIOD_MS;
    const limit = recentUp ? current : hpaScaleUpLimit(current, tunables);
    if (desired > limit) {
      desired = limit;
      reasons.push(recentUp ? 'scale-up period not over' : `scale-up policy limits to ${limit}`);
    }
  }
  const hold = cooldownHold({
    desired,
    currentReplicas: current,
    nowMs,
    lastScaleUpMs: input.lastScaleUpMs,
    lastScaleDownMs: input.lastScaleDownMs,
    scaleUpCooldownMs: tunables.scaleUpCooldownMs,
    scaleDownCooldownMs: tunables.scaleDownCooldownMs,
  });
  if (hold) {
    desired = current;
    reasons.push(hold);
  }
  const bounded = clamp(desired);
  if (bounded !== desired) {
    reasons.push(
      `bounds [${floor}, ${bounds.max}]${bounds.activeSchedule ? ` (schedule ${bounds.activeSchedule})` : ''}`,
    );
  }
  return decision(bounded, recommendation, panic, record);
}

function round(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : String(value);
}
