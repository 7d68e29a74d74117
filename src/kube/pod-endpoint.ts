/**
 * Engine pods → EngineEndpoints (DESIGN.md §5, AIBrix `pkg/utils/pod.go`). Pure. An engine pod
 * carries `model.infernode.io/name` (or AIBrix's `model.aibrix.ai/name`); it is routable only
 * with a pod IP, condition Ready=True and no deletionTimestamp. KubeRay worker pods
 * (`ray.io/node-type: worker`) are never engines: a RayClusterFleet is served by its head pods.
 */
import type { V1Pod } from '@kubernetes/client-node';
import {
  ENGINE_KINDS,
  MAX_LORA_RANK_LABEL,
  kvEventsFromAnnotations,
  type EngineEndpoint,
  type EngineKind,
} from '../discovery/index.js';
import { podConnection } from './pod-connection.js';

/** The labels infernode reads, with AIBrix's equivalents read as a fallback. */
export const ENGINE_LABELS = {
  model: ['model.infernode.io/name', 'model.aibrix.ai/name'],
  port: ['model.infernode.io/port', 'model.aibrix.ai/port'],
  engine: ['model.infernode.io/engine', 'model.aibrix.ai/engine'],
} as const;

/** Port an engine serves on when no port label is set (vLLM's default). */
export const DEFAULT_ENGINE_PORT = 8000;

function firstLabel(pod: V1Pod, keys: readonly string[]): string | undefined {
  const labels = pod.metadata?.labels ?? {};
  const annotations = pod.metadata?.annotations ?? {};
  for (const key of keys) {
    const value = labels[key] ?? annotations[key];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** KubeRay's label for a pod's role in a RayCluster (`head` or `worker`). */
export const RAY_NODE_TYPE_LABEL = 'ray.io/node-type';

/**
 * A KubeRay worker pod: never an engine, even when its template copied the model label — a
 * multi-node replica is served through its head pod only (the workers hold shards of the model
 * behind Ray, not an API a request could be sent to).
 */
const isRayWorker = (pod: V1Pod): boolean =>
  pod.metadata?.labels?.[RAY_NODE_TYPE_LABEL] === 'worker';

/** True when the pod carries an engine model label (infernode's or AIBrix's) and is no Ray worker. */
export function isEnginePod(pod: V1Pod): boolean {
  return firstLabel(pod, ENGINE_LABELS.model) !== undefined && !isRayWorker(pod);
}

function portOf(pod: V1Pod): number {
  const text = firstLabel(pod, ENGINE_LABELS.port);
  const port = Number(text);
  return text !== undefined && Number.isInteger(port) && port > 0 && port < 65536
    ? port
    : DEFAULT_ENGINE_PORT;
}

function engineOf(pod: V1Pod): EngineKind {
  const label = firstLabel(pod, ENGINE_LABELS.engine);
  return ENGINE_KINDS.find((k) => k === label) ?? 'vllm';
}

/** `model.infernode.io/max-lora-rank` (label or annotation) when it is a positive integer. */
function maxLoraRankOf(pod: V1Pod): number | undefined {
  const text = firstLabel(pod, [MAX_LORA_RANK_LABEL]);
  const rank = Number(text);
  return text !== undefined && Number.isInteger(rank) && rank > 0 ? rank : undefined;
}

/**
 * GPU indices from the first container's `NVIDIA_VISIBLE_DEVICES` when it is a list of indices
 * (`0,1`); undefined for `all`, UUIDs, MIG ids or when unset (the whole node then counts).
 */
export function gpuIndicesOf(pod: V1Pod): readonly number[] | undefined {
  for (const container of pod.spec?.containers ?? []) {
    const value = container.env?.find((e) => e.name === 'NVIDIA_VISIBLE_DEVICES')?.value;
    if (value === undefined) continue;
    const parts = value.split(',').map((p) => p.trim());
    if (parts.length > 0 && parts.every((p) => /^\d+$/.test(p))) return parts.map(Number);
    return undefined;
  }
  return undefined;
}

/** Routable as AIBrix's FilterReadyPod decides: an IP, Ready=True, not terminating. */
export function isPodRoutable(pod: V1Pod): boolean {
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  return (
    (pod.status?.podIP ?? '') !== '' && ready === true && pod.metadata?.deletionTimestamp == null
  );
}

/** The endpoint of an engine pod, or undefined when the pod has no model label or no name. */
export function podToEndpoint(pod: V1Pod): EngineEndpoint | undefined {
  const model = firstLabel(pod, ENGINE_LABELS.model);
  const name = pod.metadata?.name;
  if (model === undefined || name === undefined || isRayWorker(pod)) return undefined;
  const ip = pod.status?.podIP ?? '';
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const { scheme, connection } = podConnection(pod);
  const maxLoraRank = maxLoraRankOf(pod);
  const kvEvents = kvEventsFromAnnotations(pod.metadata?.annotations);
  return {
    id: `${pod.metadata?.namespace ?? 'default'}/${name}`,
    name,
    model,
    url: ip === '' ? '' : `${scheme}://${host}:${portOf(pod)}`,
    node: pod.spec?.nodeName ?? '',
    engine: engineOf(pod),
    gpuIndices: gpuIndicesOf(pod),
    ready: isPodRoutable(pod),
    ...(connection === undefined ? {} : { connection }),
    labels: pod.metadata?.labels ?? {},
    ...(maxLoraRank === undefined ? {} : { maxLoraRank }),
    ...(kvEvents === undefined ? {} : { kvEvents }),
  };
}
