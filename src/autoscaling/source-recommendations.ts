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
  /**
   * KPA: the max over sources of max(stable, panic) replicas, what a decision in panic mode
   * uses (Knative scales on the panic window while panicking, even once the burst eases).
   */
  readonly panicRecommendation?: number;
  /** KPA: some source's panic/stable exceeded the threshold. */
  readonly overPanicThreshold: boolean;
  /** Extra words for the reason (SLO fallbacks). */
  readonly notes: readonly string[];
}

interface RawRecommendation {
  readonly replicas: number;
  readonly panicReplicas: number;
  readonly over: boolean;
}

function rawRecommend(input: DecideInput, signal: SourceSignal): RawRecommendation {
  const algorithmInput = {
    signal,
    currentReplicas: input.currentReplicas,
    readyReplicas: input.readyReplicas,
    tunables: input.tunables,
  };
  if (signal.isReplicaCount) {
    const value = Number.isFinite(signal.stable) ? signal.stable : input.currentReplicas;
    const replicas = Math.ceil(Math.max(0, value));
    return { replicas, panicReplicas: replicas, over: false };
  }
  switch (input.strategy) {
    case 'KPA': {
      const kpa = kpaRecommend(algorithmInput);
      const panicReplicas = Math.max(kpa.stableReplicas, kpa.panicReplicas);
      return { replicas: kpa.replicas, panicReplicas, over: kpa.overPanicThreshold };
    }
    case 'HPA': {
      const replicas = hpaRecommend(algorithmInput);
      return { replicas, panicReplicas: replicas, over: false };
    }
    case 'APA':
    case 'SLO': {
      // SLO mode's raw floor is the APA rule (slo-scaling.ts says why).
      const replicas = apaRecommend(algorithmInput);
      return { replicas, panicReplicas: replicas, over: false };
    }
  }
}

/** Every source's recommendation and the max of them (see the file comment). */
export function recommendBySources(input: DecideInput): SourceRecommendations {
  const perSource: { name: string; value: number; replicas: number }[] = [];
  const notes: string[] = [];
  let overPanicThreshold = false;
  let panicRecommendation = 0;
  for (const signal of input.signals) {
    const { replicas, panicReplicas, over } = rawRecommend(input, signal);
    overPanicThreshold ||= over;
    panicRecommendation = Math.max(panicRecommendation, panicReplicas);
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
  return {
    perSource,
    recommendation,
    panicRecommendation: Math.max(recommendation, panicRecommendation),
    overPanicThreshold,
    notes,
  };
}
