/**
 * One PodAutoscaler's decision and scale, for the controller (pod-autoscaler-controller.ts):
 * stable and panic averages of each source's window, the pure decision, the no-scale-down rule
 * while a source fails, the prefetch before a scale-up, the scale write, its Event and status.
 */
import type {
  AutoscalerTunables,
  ConditionDecision,
  PodAutoscaler,
  SourceSignal,
  StatusUpdate,
} from '../autoscaling/index.js';
import type { ReconcileContext, ReconcileResult } from '../controllers/index.js';
import { DONE } from '../controllers/index.js';
import { toError } from '../shared/index.js';
import type { PodAutoscalerControllerOptions } from './pod-autoscaler-options.js';
import { prefetchBeforeScaleUp } from './pod-autoscaler-prefetch.js';
import type { AutoscalerState } from './pod-autoscaler-sampler.js';

/** A condition as a reconcile decides it. */
export const condition = (
  type: string,
  ok: boolean,
  reason: string,
  message: string,
): ConditionDecision => ({ type, status: ok ? 'True' : 'False', reason, message });

const targetOf = (signals: readonly SourceSignal[], name: string): { target?: number } => {
  const s = signals.find((x) => x.name === name);
  return s === undefined ? {} : { target: s.target };
};

/** Decides, scales when the answer differs, records the Event and writes status. */
export async function decideAndScale(
  o: PodAutoscalerControllerOptions,
  pa: PodAutoscaler,
  state: AutoscalerState,
  tunables: AutoscalerTunables,
  current: number,
  ready: number,
  base: ConditionDecision[],
  write: (update: StatusUpdate) => Promise<unknown>,
  ctx: ReconcileContext,
): Promise<ReconcileResult> {
  const nowMs = o.clock.now();
  const signals: SourceSignal[] = [];
  const failing: string[] = [];
  for (const source of state.sources) {
    const window = state.windows.get(source.name);
    const stable = window?.average(nowMs, tunables.stableWindowMs);
    const panic = window?.average(nowMs, tunables.panicWindowMs);
    const failure = state.failures.get(source.name);
    if (failure !== undefined || stable === undefined || panic === undefined) {
      failing.push(`${source.name}: ${failure ?? 'no sample yet'}`);
      continue;
    }
    signals.push({
      name: source.name,
      target: source.target,
      stable,
      panic,
      ...(source.kind === 'external' && source.isReplicaCount ? { isReplicaCount: true } : {}),
    });
  }
  state.history = state.history.filter((h) => nowMs - h.atMs <= tunables.scaleDownCooldownMs);
  const decision = o.decide({
    strategy: pa.spec.scalingStrategy,
    tunables,
    minReplicas: pa.spec.minReplicas ?? 1,
    maxReplicas: pa.spec.maxReplicas,
    schedules: pa.spec.schedules ?? [],
    now: new Date(nowMs),
    nowMs,
    currentReplicas: current,
    readyReplicas: ready,
    signals,
    history: state.history,
    ...(state.lastScaleUpMs === undefined ? {} : { lastScaleUpMs: state.lastScaleUpMs }),
    ...(state.lastScaleDownMs === undefined ? {} : { lastScaleDownMs: state.lastScaleDownMs }),
    ...(state.lastDemandMs === undefined ? {} : { lastDemandMs: state.lastDemandMs }),
    heldRequests: state.heldRequests,
  });
  state.history.push(decision.record);
  // A source that cannot be read never lowers the scale: without it the others may read low.
  const desired =
    failing.length > 0 || signals.length === 0
      ? Math.max(decision.desired, current)
      : decision.desired;
  const active =
    failing.length > 0
      ? condition('ScalingActive', false, 'MetricSourceFailed', failing.join('; '))
      : condition('ScalingActive', true, 'ValidMetricFound', decision.reason);
  const update = {
    metricValues: decision.perSource.map((p) => ({
      name: p.name,
      value: p.value,
      replicas: p.replicas,
      ...targetOf(signals, p.name),
    })),
    scheduledBounds: {
      ...(decision.bounds.activeSchedule === undefined
        ? {}
        : { activeSchedule: decision.bounds.activeSchedule }),
      effectiveMinReplicas: decision.bounds.min,
      effectiveMaxReplicas: decision.bounds.max,
    },
  };
  if (desired === current) {
    await write({
      ...update,
      conditions: [
        ...base,
        active,
        condition('AbleToScale', true, 'ReadyForNewScale', 'the target can be scaled'),
        condition('Ready', true, 'AsExpected', 'scaling on its metrics'),
      ],
      desiredScale: desired,
      actualScale: ready,
    });
    return DONE;
  }
  if (desired > current && o.prefetch)
    prefetchBeforeScaleUp(o.prefetch, pa, state, desired - current, ctx.log);
  const involvedObject = {
    kind: 'PodAutoscaler',
    name: pa.metadata.name,
    namespace: state.namespace,
    apiVersion: pa.apiVersion,
  };
  const timestamp = new Date(nowMs).toISOString();
  try {
    await o.scale.setReplicas(state.target, desired, { signal: ctx.signal });
  } catch (err) {
    const message = toError(err).message;
    await o.events.record(
      {
        involvedObject,
        type: 'Warning',
        reason: 'FailedRescale',
        message: `scale ${current} → ${desired} failed: ${message}`,
      },
      { signal: ctx.signal },
    );
    await write({
      ...update,
      conditions: [
        ...base,
        active,
        condition('AbleToScale', false, 'FailedUpdateScale', message),
        condition('Ready', false, 'FailedUpdateScale', message),
      ],
      desiredScale: desired,
      scaled: {
        timestamp,
        previousScale: current,
        newScale: desired,
        reason: decision.reason,
        success: false,
        error: message,
      },
    });
    throw err;
  }
  if (desired > current) state.lastScaleUpMs = nowMs;
  else state.lastScaleDownMs = nowMs;
  state.currentReplicas = desired;
  if (desired > 0) state.heldRequests = 0;
  await o.events.record(
    {
      involvedObject,
      type: 'Normal',
      reason: 'SuccessfulRescale',
      message: `New size: ${desired}; reason: ${decision.reason}`,
    },
    { signal: ctx.signal },
  );
  await write({
    ...update,
    conditions: [
      ...base,
      active,
      condition('AbleToScale', true, 'SucceededRescale', `scaled ${current} → ${desired}`),
      condition('Ready', true, 'AsExpected', 'scaling on its metrics'),
    ],
    desiredScale: desired,
    actualScale: ready,
    scaled: {
      timestamp,
      previousScale: current,
      newScale: desired,
      reason: decision.reason,
      success: true,
    },
  });
  return DONE;
}
