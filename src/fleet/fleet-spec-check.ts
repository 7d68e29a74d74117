/**
 * The checks that keep a fleet from creating RayClusters KubeRay would reject or selecting
 * clusters it does not own: a RayClusterSpec with a head group whose pod template has
 * containers, named worker groups with containers, a non-empty selector that matches the
 * template's labels, and int-or-percent rollout bounds. Each problem is one sentence naming
 * the field. Pure.
 */
import type { LabelSelector } from '../discovery/index.js';
import { InvalidIntOrPercent, resolveFenceposts } from './fenceposts.js';
import type { RayClusterFleetSpec } from './ray-cluster-fleet.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function containersProblem(path: string, podTemplate: unknown): string | undefined {
  const spec = isObject(podTemplate) ? podTemplate.spec : undefined;
  const containers = isObject(spec) ? spec.containers : undefined;
  if (!Array.isArray(containers) || containers.length === 0)
    return `${path}.template.spec.containers must list at least one container`;
  return undefined;
}

/** True when `labels` satisfy `selector` (matchLabels and matchExpressions). */
export function selectorMatches(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {}))
    if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key] ?? '');
    if (e.operator === 'In' && !inValues) return false;
    if (e.operator === 'NotIn' && inValues) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function templateLabels(spec: RayClusterFleetSpec): Record<string, string> {
  const labels = spec.template.metadata?.labels;
  if (!isObject(labels)) return {};
  return Object.fromEntries(
    Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** Every reason the fleet's spec cannot be rolled out; empty when it can. */
export function checkFleetSpec(spec: RayClusterFleetSpec): string[] {
  const problems: string[] = [];
  const replicas = spec.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 0)
    problems.push(
      `spec.replicas must be a non-negative integer, got ${JSON.stringify(spec.replicas)}`,
    );
  const selector = spec.selector as LabelSelector | undefined;
  const empty =
    selector === undefined ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 &&
      (selector.matchExpressions ?? []).length === 0);
  if (empty) problems.push('spec.selector must not be empty (it would select every RayCluster)');
  else if (!selectorMatches(selector, templateLabels(spec)))
    problems.push('spec.selector does not match spec.template.metadata.labels');

  const ray = spec.template.spec;
  if (!isObject(ray)) problems.push('spec.template.spec must be a KubeRay RayClusterSpec object');
  else {
    const head = ray.headGroupSpec;
    if (!isObject(head)) problems.push('spec.template.spec.headGroupSpec is required');
    else {
      const p = containersProblem('spec.template.spec.headGroupSpec', head.template);
      if (p !== undefined) problems.push(p);
    }
    const workers = ray.workerGroupSpecs;
    if (workers !== undefined && !Array.isArray(workers))
      problems.push('spec.template.spec.workerGroupSpecs must be a list');
    else
      (workers ?? []).forEach((w: unknown, i: number) => {
        const path = `spec.template.spec.workerGroupSpecs[${i}]`;
        if (!isObject(w)) return void problems.push(`${path} must be an object`);
        if (typeof w.groupName !== 'string' || w.groupName === '')
          problems.push(`${path}.groupName is required`);
        const p = containersProblem(path, w.template);
        if (p !== undefined) problems.push(p);
      });
  }

  const rolling = spec.strategy?.rollingUpdate;
  if (spec.strategy?.type === 'Recreate' && rolling !== undefined)
    problems.push('spec.strategy.rollingUpdate may only be set when type is RollingUpdate');
  try {
    resolveFenceposts(rolling?.maxSurge, rolling?.maxUnavailable, Math.max(0, replicas));
  } catch (err) {
    if (!(err instanceof InvalidIntOrPercent)) throw err;
    problems.push(`spec.strategy.rollingUpdate.${err.message}`);
  }
  return problems;
}
