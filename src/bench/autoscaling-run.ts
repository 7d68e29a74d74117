/**
 * One autoscaling strategy over one workload, in virtual time: requests arrive at their trace
 * times on the virtual cluster; every tick (1 s) the ready engines are sampled, the per-pod
 * average of the scaling metric is recorded into a stable and a panic window (as the controller
 * does, AIBrix's aggregation), the decision function is called and its answer applied (pods
 * added with a cold start, or removed and drained). Pure: no clock, no I/O, seeded.
 */
import type {
  AutoscalerTunables,
  DecideInput,
  MetricWindow,
  RecommendationRecord,
  ScaleDecision,
} from '../autoscaling/index.js';
import { SeededRng } from '../shared/index.js';
import { VirtualCluster } from './autoscaling-cluster.js';
import type { ClusterOptions, RequestOutcome } from './autoscaling-pod.js';
import type { TraceEntry } from './routing-trace.js';

/** The strategies the bench compares (DecideInput's). */
export type ScalingStrategy = DecideInput['strategy'];

/** The engine metric HPA, KPA and APA scale on (per-pod average). */
export const SCALING_METRICS = [
  'kv_cache_usage_perc',
  'num_requests_running',
  'num_requests_waiting',
] as const;

/** One of SCALING_METRICS. */
export type ScalingMetric = (typeof SCALING_METRICS)[number];

/** What one run needs. */
export interface StrategyRunOptions {
  readonly strategy: ScalingStrategy;
  readonly workload: readonly TraceEntry[];
  /** The workload's length, seconds (cost is counted over it). */
  readonly durationS: number;
  readonly decide: (input: DecideInput) => ScaleDecision;
  readonly newWindow: () => MetricWindow;
  readonly tunables: AutoscalerTunables;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly metric: ScalingMetric;
  /** Per-pod target of the metric. */
  readonly target: number;
  readonly cluster: Omit<ClusterOptions, 'rng'>;
  readonly seed: number;
  /** Decision period, seconds (1). */
  readonly tickS: number;
  /** After the workload ends, the most seconds left to finish requests in flight. */
  readonly drainLimitS: number;
}

/** A change of the target's replicas. */
export interface ScaleEvent {
  readonly atS: number;
  readonly from: number;
  readonly to: number;
  readonly reason: string;
}

/** One tick of the timeline. */
export interface TimelinePoint {
  readonly atS: number;
  /** Desired replicas (starting + ready). */
  readonly replicas: number;
  readonly ready: number;
  /** Pods that cost: starting, ready, draining. */
  readonly allocated: number;
  readonly panic: boolean;
}

/** What a run leaves for the metrics. */
export interface StrategyTrace {
  readonly strategy: ScalingStrategy;
  readonly outcomes: readonly RequestOutcome[];
  readonly events: readonly ScaleEvent[];
  readonly timeline: readonly TimelinePoint[];
  /** Every pod's life: created, became ready (NaN: never), gone (NaN: still there at the end). */
  readonly pods: readonly { createdS: number; readyS: number; goneS: number }[];
}

const EPOCH_MS = Date.UTC(2026, 0, 5, 12, 0, 0);

function perPodValue(metric: ScalingMetric, s: ReturnType<VirtualCluster['sample']>): number {
  if (metric === 'kv_cache_usage_perc') return s.kvUsageSum / s.ready;
  if (metric === 'num_requests_running') return s.running / s.ready;
  return s.waiting / s.ready;
}

/** Replays the workload under one strategy. */
export function runStrategy(o: StrategyRunOptions): StrategyTrace {
  const cluster = new VirtualCluster({ ...o.cluster, rng: new SeededRng(o.seed) });
  for (let i = 0; i < Math.max(1, o.minReplicas); i++) cluster.addPod(0, true);
  const metricWindow = o.newWindow();
  const prefillWindow = o.newWindow();
  const history: RecommendationRecord[] = [];
  const events: ScaleEvent[] = [];
  const timeline: TimelinePoint[] = [];
  let lastScaleUpMs: number | undefined;
  let lastScaleDownMs: number | undefined;
  let lastDemandMs: number | undefined;
  // Stabilization reads the cooldown windows; KPA's panic memory reads a stable window back.
  const horizonMs = Math.max(
    o.tunables.scaleDownCooldownMs,
    o.tunables.scaleUpCooldownMs,
    o.tunables.stableWindowMs,
  );

  const tick = (nowS: number): void => {
    const nowMs = Math.round(nowS * 1000);
    const sample = cluster.sample();
    if (sample.ready > 0) metricWindow.record(nowMs, perPodValue(o.metric, sample));
    if (Number.isFinite(sample.prefillTokensPerSecond))
      prefillWindow.record(nowMs, sample.prefillTokensPerSecond);
    if (cluster.pending > 0) lastDemandMs = nowMs;
    const stable = metricWindow.average(nowMs, o.tunables.stableWindowMs);
    const panic = metricWindow.average(nowMs, o.tunables.panicWindowMs);
    const prefill = prefillWindow.average(nowMs, o.tunables.stableWindowMs);
    const replicas = cluster.replicas;
    const decision = o.decide({
      strategy: o.strategy,
      tunables: o.tunables,
      minReplicas: o.minReplicas,
      maxReplicas: o.maxReplicas,
      schedules: [],
      now: new Date(EPOCH_MS + nowMs),
      nowMs,
      currentReplicas: replicas,
      readyReplicas: sample.ready,
      signals:
        stable === undefined
          ? []
          : [{ name: o.metric, target: o.target, stable, panic: panic ?? stable }],
      ...(prefill === undefined
        ? {}
        : {
            queue: {
              waitingPromptTokens: sample.waitingPromptTokens,
              prefillTokensPerSecondPerPod: prefill,
            },
          }),
      history,
      ...(lastScaleUpMs === undefined ? {} : { lastScaleUpMs }),
      ...(lastScaleDownMs === undefined ? {} : { lastScaleDownMs }),
      ...(lastDemandMs === undefined ? {} : { lastDemandMs }),
      heldRequests: cluster.held,
    });
    history.push(decision.record);
    while (history.length > 0 && (history[0] as RecommendationRecord).atMs < nowMs - horizonMs)
      history.shift();
    const desired = Math.max(0, Math.min(o.maxReplicas, decision.desired));
    if (desired > replicas) {
      for (let i = replicas; i < desired; i++) cluster.addPod(nowS);
      lastScaleUpMs = nowMs;
    } else if (desired < replicas) {
      for (let i = desired; i < replicas; i++) cluster.removePod(nowS);
      lastScaleDownMs = nowMs;
    }
    if (desired !== replicas)
      events.push({ atS: nowS, from: replicas, to: desired, reason: decision.reason });
    timeline.push({
      atS: nowS,
      replicas: cluster.replicas,
      ready: cluster.ready,
      allocated: cluster.allocated,
      panic: decision.panic,
    });
  };

  const endS = o.durationS + o.drainLimitS;
  let next = 0;
  let nextTickS = o.tickS;
  for (;;) {
    const entry = o.workload[next];
    const arrivalS = entry === undefined ? Infinity : entry.timestampMs / 1000;
    if (entry === undefined && cluster.pending === 0 && nextTickS > o.durationS) break;
    const t = Math.min(arrivalS, nextTickS, cluster.nextReadyS());
    if (t > endS) break;
    cluster.advanceTo(t);
    if (entry !== undefined && t === arrivalS) {
      cluster.arrive(entry, t);
      next++;
    } else if (t === nextTickS) {
      tick(t);
      nextTickS += o.tickS;
    }
  }
  return {
    strategy: o.strategy,
    outcomes: cluster.outcomes,
    events,
    timeline,
    pods: cluster.pods.map((p) => ({
      createdS: p.createdS,
      readyS: p.state === 'gone' && p.goneS < p.readyS ? NaN : p.readyS,
      goneS: p.goneS,
    })),
  };
}
