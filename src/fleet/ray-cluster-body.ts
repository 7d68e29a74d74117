/**
 * The RayCluster a fleet creates for one revision: the template's labels and annotations plus
 * the fleet's name, template hash and revision, a controller owner reference (so deleting the
 * fleet deletes its clusters), and — when the fleet is labelled with a model name
 * (`model.infernode.io/name` or AIBrix's `model.aibrix.ai/name`) — the model, port and engine
 * labels copied onto the head group's pod template only, so discovery finds each cluster's
 * head pod as an engine and never its workers. The template's own labels (which the fleet's
 * selector matches) go onto the head pod template too: KubeRay puts a RayCluster's labels on
 * none of its pods, and the fleet's scale selector (`status.scalingTargetSelector`, the
 * fleet's spec.selector) must claim the head pods for a PodAutoscaler's engine and pod
 * sources to read them. Pure.
 */
import { FLEET_LABELS, type OwnerReference, type RayClusterObject } from './fleet-cluster-api.js';

/** Engine labels copied from the fleet to head pods (discovery reads these). */
export const HEAD_ENGINE_LABELS = [
  'model.infernode.io/name',
  'model.aibrix.ai/name',
  'model.infernode.io/port',
  'model.aibrix.ai/port',
  'model.infernode.io/engine',
  'model.aibrix.ai/engine',
] as const;

/** What one new cluster is made from. */
export interface RayClusterBodyInput {
  readonly namespace: string;
  readonly name: string;
  readonly hash: string;
  readonly revision: number;
  /** The fleet's template at that revision: metadata + a KubeRay RayClusterSpec. */
  readonly template: unknown;
  readonly fleetLabels: Readonly<Record<string, string>>;
  readonly owner: OwnerReference;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): Record<string, string> =>
  isObject(v)
    ? Object.fromEntries(
        Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'),
      )
    : {};

/** The model labels of the fleet (metadata first, then the template's) to put on head pods. */
function engineLabels(
  fleetLabels: Readonly<Record<string, string>>,
  templateLabels: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of HEAD_ENGINE_LABELS) {
    const value = fleetLabels[key] ?? templateLabels[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The head group with the cluster's labels and the engine labels on its pod template. */
function withHeadLabels(spec: unknown, labels: Record<string, string>): unknown {
  if (Object.keys(labels).length === 0 || !isObject(spec) || !isObject(spec.headGroupSpec))
    return spec;
  const head = spec.headGroupSpec;
  const pod = isObject(head.template) ? head.template : {};
  const meta = isObject(pod.metadata) ? pod.metadata : {};
  return {
    ...spec,
    headGroupSpec: {
      ...head,
      template: {
        ...pod,
        metadata: { ...meta, labels: { ...strings(meta.labels), ...labels } },
      },
    },
  };
}

/** The RayCluster object to create. */
export function rayClusterBody(input: RayClusterBodyInput): RayClusterObject {
  const template = isObject(input.template) ? input.template : {};
  const meta = isObject(template.metadata) ? template.metadata : {};
  const templateLabels = strings(meta.labels);
  return {
    apiVersion: 'ray.io/v1',
    kind: 'RayCluster',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: {
        ...templateLabels,
        [FLEET_LABELS.fleetName]: input.owner.name,
        [FLEET_LABELS.templateHash]: input.hash,
      },
      annotations: {
        ...strings(meta.annotations),
        [FLEET_LABELS.revision]: String(input.revision),
      },
      ownerReferences: [input.owner],
    },
    spec: withHeadLabels(template.spec, {
      ...templateLabels,
      ...engineLabels(input.fleetLabels, templateLabels),
    }),
  };
}

/**
 * A cluster name: `<fleet>-<hash>-<suffix>`, cut so it stays a valid DNS label (KubeRay
 * derives Service names from it, which must fit 63 characters with its own suffixes).
 */
export function rayClusterName(fleet: string, hash: string, suffix: string): string {
  const tail = `-${hash}-${suffix}`;
  return `${fleet.slice(0, Math.max(1, 40 - tail.length)).replace(/-+$/, '')}${tail}`;
}
