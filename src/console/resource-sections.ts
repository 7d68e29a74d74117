/**
 * The resource sections of the console snapshot: ModelAdapters (where each adapter is loaded,
 * its phase, its last error) and PodAutoscalers (current/desired, the signal, the last decisions
 * with their reasons), read from the custom resources with the statuses their controllers wrote.
 * A resource whose spec or status is malformed still shows, with what could be read.
 */
import type { CustomResource } from '../discovery/index.js';
import type { ModelAdapterSpec, ModelAdapterStatus } from '../lora/index.js';
import type { PodAutoscalerSpec, PodAutoscalerStatus } from '../autoscaling/index.js';
import {
  CONSOLE_LIMITS,
  type ConsoleAdapter,
  type ConsoleAutoscaler,
  type ConsoleScaleDecision,
} from './console-snapshot.js';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
/** The list, or empty when a malformed status holds something else there. */
function listOf<T>(v: readonly T[] | undefined): readonly T[] {
  const value: unknown = v;
  return Array.isArray(value) ? (v as readonly T[]) : [];
}
const byName = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) =>
  `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`);

/** The last error of an adapter: the newest engine error, else a False condition's message. */
function lastErrorOf(status: Partial<ModelAdapterStatus>): string | null {
  const newest = listOf(status.engineErrors)[0];
  if (newest !== undefined) return `${newest.engine}: ${newest.message}`;
  const failed = listOf(status.conditions).find(
    (c) => c.status === 'False' && typeof c.message === 'string' && c.message !== '',
  );
  return failed?.message ?? null;
}

/** Every ModelAdapter, sorted by namespace/name. */
export function consoleAdapters(resources: readonly CustomResource[]): ConsoleAdapter[] {
  return resources
    .filter((r) => r.kind === 'ModelAdapter')
    .map((r) => {
      const spec = obj(r.spec) as Partial<ModelAdapterSpec>;
      const status = obj(r.status) as Partial<ModelAdapterStatus>;
      return {
        namespace: r.metadata.namespace ?? 'default',
        name: r.metadata.name,
        baseModel: typeof spec.baseModel === 'string' ? spec.baseModel : '',
        phase: typeof status.phase === 'string' ? status.phase : null,
        loadedOn: listOf(status.instances).map(String),
        desiredReplicas: num(status.desiredReplicas ?? spec.replicas),
        lastError: lastErrorOf(status),
      };
    })
    .sort(byName);
}

/** The history's decisions, newest first (the status keeps them oldest first). */
function decisionsOf(status: Partial<PodAutoscalerStatus>): ConsoleScaleDecision[] {
  const history = listOf(status.scalingHistory);
  return history
    .map((h) => ({
      atMs: Date.parse(h.timestamp),
      from: h.previousScale,
      to: h.newScale,
      reason: h.success
        ? (h.reason ?? '')
        : `failed: ${h.error ?? 'unknown error'}${h.reason === undefined ? '' : ` (${h.reason})`}`,
    }))
    .filter((d) => Number.isFinite(d.atMs))
    .sort((a, b) => b.atMs - a.atMs)
    .slice(0, CONSOLE_LIMITS.maxScaleDecisions);
}

/** The metric a PodAutoscaler scales on, from its first source. */
function signalOf(
  spec: Partial<PodAutoscalerSpec>,
  status: Partial<PodAutoscalerStatus>,
): ConsoleAutoscaler['signal'] {
  const source = listOf(spec.metricsSources)[0];
  const read = listOf(status.metricValues)[0];
  const metric =
    source === undefined
      ? (read?.name ?? '')
      : 'targetMetric' in source
        ? source.targetMetric
        : source.prometheus.query;
  const declared = source === undefined ? Number.NaN : Number(source.targetValue);
  return {
    metric,
    value: num(read?.value),
    target: num(read?.target) ?? num(declared),
  };
}

/** Every PodAutoscaler, sorted by namespace/name. */
export function consoleAutoscalers(resources: readonly CustomResource[]): ConsoleAutoscaler[] {
  return resources
    .filter((r) => r.kind === 'PodAutoscaler')
    .map((r) => {
      const spec = obj(r.spec) as Partial<PodAutoscalerSpec>;
      const status = obj(r.status) as Partial<PodAutoscalerStatus>;
      const ref = obj(spec.scaleTargetRef);
      return {
        namespace: r.metadata.namespace ?? 'default',
        name: r.metadata.name,
        target: `${typeof ref.kind === 'string' ? ref.kind : '?'}/${typeof ref.name === 'string' ? ref.name : '?'}`,
        strategy: typeof spec.scalingStrategy === 'string' ? spec.scalingStrategy : '',
        current: num(status.actualScale),
        desired: num(status.desiredScale),
        minReplicas: num(spec.minReplicas) ?? 1,
        maxReplicas: num(spec.maxReplicas) ?? 0,
        signal: signalOf(spec, status),
        decisions: decisionsOf(status),
      };
    })
    .sort(byName);
}
