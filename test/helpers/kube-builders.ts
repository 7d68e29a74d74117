/**
 * Builders for Kubernetes objects in tests (STYLE.md §19) and a poll-until helper for
 * eventually-consistent assertions against the fake API server.
 */
import type { KubeObject } from './kube-api-server.js';

/** A pod builder: `aPod('vllm-0').onNode('gpu-1').withModel('llama').ready().withIp('10.0.0.7').build()`. */
export class PodBuilder {
  readonly #pod: KubeObject & {
    spec: {
      nodeName?: string;
      containers: {
        name: string;
        image: string;
        env?: { name: string; value: string }[];
        resources?: { requests?: Record<string, string> };
      }[];
    };
    status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
  };

  constructor(name: string, namespace: string) {
    this.#pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels: {} },
      spec: { containers: [{ name: 'engine', image: 'vllm/vllm-openai:v0.11.0' }] },
      status: { phase: 'Pending' },
    };
  }

  onNode(node: string): this {
    this.#pod.spec.nodeName = node;
    return this;
  }

  withModel(model: string, labelKey = 'model.infernode.io/name'): this {
    this.#pod.metadata.labels = { ...this.#pod.metadata.labels, [labelKey]: model };
    return this;
  }

  withLabel(key: string, value: string): this {
    this.#pod.metadata.labels = { ...this.#pod.metadata.labels, [key]: value };
    return this;
  }

  withIp(ip: string): this {
    this.#pod.status.podIP = ip;
    return this;
  }

  withGpus(value: string): this {
    this.#pod.spec.containers[0]!.env = [{ name: 'NVIDIA_VISIBLE_DEVICES', value }];
    return this;
  }

  /** The engine container's `resources.requests` (quantity strings: `{ cpu: '500m' }`). */
  withRequests(requests: Record<string, string>): this {
    this.#pod.spec.containers[0]!.resources = { requests };
    return this;
  }

  withFinalizer(name: string): this {
    this.#pod.metadata.finalizers = [...(this.#pod.metadata.finalizers ?? []), name];
    return this;
  }

  /** Adds a controller owner reference (as a ReplicaSet or StatefulSet sets on its pods). */
  ownedBy(kind: string, name: string): this {
    const ref = { apiVersion: 'apps/v1', kind, name, uid: `uid-${name}`, controller: true };
    const md = this.#pod.metadata as { ownerReferences?: (typeof ref)[] };
    md.ownerReferences = [...(md.ownerReferences ?? []), ref];
    return this;
  }

  ready(isReady = true): this {
    this.#pod.status.phase = 'Running';
    this.#pod.status.conditions = [{ type: 'Ready', status: isReady ? 'True' : 'False' }];
    return this;
  }

  build(): KubeObject {
    return structuredClone(this.#pod);
  }
}

/** Starts a pod builder in namespace `ns` (default 'default'). */
export const aPod = (name: string, ns = 'default'): PodBuilder => new PodBuilder(name, ns);

/**
 * A metrics.k8s.io/v1beta1 PodMetrics as metrics-server writes it: the pod's name, namespace and
 * labels, a timestamp and window, and each container's usage (quantity strings, e.g. cpu in
 * nanocores `"412345678n"`, memory in `"131072Ki"`).
 */
export function aPodMetrics(
  pod: KubeObject,
  usage: Readonly<Record<string, { cpu: string; memory: string }>>,
): KubeObject {
  return {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'PodMetrics',
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      labels: { ...pod.metadata.labels },
    },
    timestamp: new Date().toISOString(),
    window: '10.5s',
    containers: Object.entries(usage).map(([name, u]) => ({ name, usage: u })),
  };
}

/** A node object with optional taints. */
export function aNode(
  name: string,
  taints: { key: string; value?: string; effect: string }[] = [],
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: taints.length > 0 ? { taints } : {},
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
  };
}

/**
 * Polls `check` until it returns without throwing (or returns a truthy value), then resolves
 * with its result; rejects with the last failure after `timeoutMs` (default 10 s).
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== false && value !== undefined && value !== null) return value;
      last = new Error(`condition returned ${String(value)}`);
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
