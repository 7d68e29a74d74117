/**
 * Step one of a decision: each metric source's recommendation by the strategy, and their max
 * (AIBrix: several sources → the max of their desired replicas). A source that is already a
 * replica count (the GPU optimizer's answer) recommends its value.
 */
import { apaRecommend } from './apa.js';
import { hpaRecommend } from './hpa.js';
import { kpaRecommend } from './kpa.js';
import type { DecideInput, ScaleDecision, SourceSignal } from './scaling-contract.js';
import { sloRecommend } from './slo-scaling.js';

/** The sources' recommendations. */
export interface SourceRecommendations {
  readonly perSource: ScaleDecision['perSource'];
  /** Max over sources; undefined when there is no usable signal. */
  readonly recommendation?: number;
  /** KPA: some source's panic/stable exceeded the threshold. */
  readonly overPanicThreshold: boolean;
  /** Extra words for the reason (SLO fallbacks). */
  readonly notes: readonly string[];
}

function rawRecommend(
  input: DecideInput,
  signal: SourceSignal,
): { replicas: number; over: boolean } {
  const algorithmInput = {
    signal,
    currentReplicas: input.currentReplicas,
    readyReplicas: input.readyReplicas,
    tunables: input.tunables,
  };
  if (signal.isReplicaCount) {
    const value = Number.isFinite(signal.stable) ? signal.stable : input.currentReplicas;
    return { replicas: Math.ceil(Math.max(0, value)), over: false };
  }
  switch (input.strategy) {
    case 'KPA': {
      const kpa = kpaRecommend(algorithmInput);
      return { replicas: kpa.replicas, over: kpa.overPanicThreshold };
    }
    case 'HPA':
      return { replicas: hpaRecommend(algorithmInput), over: false };
    case 'APA':
    case 'SLO':
      // SLO mode's raw floor is the APA rule (slo-scaling.ts says why).
      return { replicas: apaRecommend(algorithmInput), over: false };
  }
}

/** Every source's recommendation and the max of them (see the file comment). */
export function recommendBySources(input: DecideInput): SourceRecommendations {
  const perSource: { name: string; value: number; replicas: number }[] = [];
  const notes: string[] = [];
  let overPanicThreshold = false;
  for (const signal of input.signals) {
    const { replicas, over } = rawRecommend(input, signal);
    overPanicThreshold ||= over;
    const value = input.strategy === 'HPA' && !signal.isReplicaCount ? signal.panic : signal.stable;
    perSource.push({ name: signal.name, value, replicas });
  }
  if (input.strategy === 'SLO') {
    const slo = input.queue
      ? sloRecommend({
          queue: input.queue,
          sloTtftMs: input.tunables.sloTtftMs,
          currentReplicas: input.currentReplicas,
          maxReplicas: input.maxReplicas,
        })
      : undefined;
    if (slo) {
      perSource.push({
        name: 'slo:predicted-ttft-ms',
        value: slo.predictedTtftMs,
        replicas: slo.replicas,
      });
      if (!slo.feasible) notes.push('SLO unreachable even at max replicas');
    } else {
      notes.push('no usable queue signal, SLO mode falls back to the APA rule on raw signals');
    }
  }
  if (perSource.length === 0) return { perSource, overPanicThreshold, notes };
  const recommendation = Math.max(...perSource.map((s) => s.replicas));
  return { perSource, recommendation, overPanicThreshold, notes };
}
