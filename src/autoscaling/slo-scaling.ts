/**
 * SLO mode (beyond AIBrix): size the target so the queue it has now would drain within the TTFT
 * target, instead of reacting to a raw metric crossing a threshold.
 *
 * predicted TTFT(n) ≈ waitingPromptTokens / (prefillTokensPerSecondPerPod × n) + one step,
 * desired = the smallest n with predicted TTFT(n) ≤ sloTtft × (1 − headroom).
 *
 * The queue sees prefill pressure only: a target busy decoding long answers has an empty queue
 * and full KV caches. So decideScale never goes below what the raw signals need (the APA rule on
 * them): SLO mode adds a proportional, early scale-up sized to the queue; it does not scale
 * down on its own (docs/decisions.md).
 */
import type { QueueSignal } from './scaling-contract.js';

/** Fraction of the TTFT target kept free for what the model leaves out (routing, jitter). */
export const SLO_DEFAULT_HEADROOM = 0.2;
/** One engine step added to the queueing time (a prefill chunk or decode step), ms. */
export const SLO_DEFAULT_STEP_MS = 50;

/** Input of {@link sloRecommend}. */
export interface SloInput {
  readonly queue: QueueSignal;
  readonly sloTtftMs: number;
  readonly currentReplicas: number;
  readonly maxReplicas: number;
  readonly headroom?: number;
  readonly stepMs?: number;
}

/** SLO mode's recommendation. */
export interface SloRecommendation {
  readonly replicas: number;
  /** Predicted TTFT at the current replicas (at least 1), ms. */
  readonly predictedTtftMs: number;
  /** False when even one step exceeds the budget: `replicas` is then maxReplicas. */
  readonly feasible: boolean;
}

/** Predicted TTFT of the queue on `replicas` engines, ms (Infinity at 0 replicas with a queue). */
export function predictedTtftMs(
  queue: QueueSignal,
  replicas: number,
  stepMs = SLO_DEFAULT_STEP_MS,
): number {
  const waiting = Math.max(0, queue.waitingPromptTokens);
  if (waiting === 0) return stepMs;
  const rate = queue.prefillTokensPerSecondPerPod * replicas;
  return rate > 0 ? (waiting * 1000) / rate + stepMs : Number.POSITIVE_INFINITY;
}

/**
 * SLO mode's replicas for the queue, or undefined when the queue signal is unusable (no
 * measured prefill throughput yet, or non-finite values): the caller falls back to raw signals.
 */
export function sloRecommend(input: SloInput): SloRecommendation | undefined {
  const { queue, sloTtftMs } = input;
  const stepMs = input.stepMs ?? SLO_DEFAULT_STEP_MS;
  const headroom = input.headroom ?? SLO_DEFAULT_HEADROOM;
  if (
    !Number.isFinite(queue.waitingPromptTokens) ||
    !Number.isFinite(queue.prefillTokensPerSecondPerPod) ||
    queue.prefillTokensPerSecondPerPod <= 0 ||
    !(sloTtftMs > 0)
  ) {
    return undefined;
  }
  const predicted = predictedTtftMs(queue, Math.max(1, input.currentReplicas), stepMs);
  const waiting = Math.max(0, queue.waitingPromptTokens);
  if (waiting === 0) return { replicas: 0, predictedTtftMs: predicted, feasible: true };
  const budgetMs = sloTtftMs * (1 - headroom) - stepMs;
  if (budgetMs <= 0) {
    return { replicas: input.maxReplicas, predictedTtftMs: predicted, feasible: false };
  }
  const replicas = Math.ceil((waiting * 1000) / (queue.prefillTokensPerSecondPerPod * budgetMs));
  return { replicas, predictedTtftMs: predicted, feasible: true };
}
