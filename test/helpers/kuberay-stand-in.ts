/**
 * A small KubeRay stand-in for tests against the fake API server: it watches RayClusters in the
 * server's store (no HTTP, so it never races the leader's own watches for the server's
 * attention) and, `readyAfterMs` after a cluster appears, writes its status as KubeRay does
 * (`state: ready`, HeadPodReady and RayClusterProvisioned True, the ready transition time).
 * With `pods`, it also creates the cluster's head pod and worker pods from the cluster's spec,
 * labelled as KubeRay labels them (`ray.io/node-type`, `ray.io/cluster`, `ray.io/group`), Ready
 * with a pod IP, so discovery can be tested on what KubeRay would really run.
 */
import type { FakeKubeApiServer, KubeObject } from './kube-api-server.js';
import type { Watcher } from './kube-api/store.js';

/** How the stand-in behaves. */
export interface KubeRayStandInOptions {
  readonly namespace: string;
  /** Delay between a cluster's creation and its ready status. Default 50 ms. */
  readonly readyAfterMs?: number;
  /** Also create head and worker pods for each cluster. Default false. */
  readonly pods?: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The pod template's metadata labels and spec of a group (head or one worker group). */
function podTemplate(group: unknown): { labels: Record<string, string>; spec: unknown } {
  const template = isObject(group) && isObject(group.template) ? group.template : {};
  const meta = isObject(template.metadata) ? template.metadata : {};
  const labels = isObject(meta.labels) ? (meta.labels as Record<string, string>) : {};
  return { labels, spec: template.spec ?? {} };
}

export class KubeRayStandIn {
  readonly #server: FakeKubeApiServer;
  readonly #options: KubeRayStandInOptions;
  readonly #timers = new Set<NodeJS.Timeout>();
  #ready = true;
  #podSerial = 0;
  #watcher: Watcher | undefined;

  constructor(server: FakeKubeApiServer, options: KubeRayStandInOptions) {
    this.#server = server;
    this.#options = options;
  }

  /** Starts watching; clusters already there are handled too. */
  start(): void {
    const ns = this.#options.namespace;
    this.#watcher = {
      typeKey: 'ray.io/rayclusters',
      namespace: ns,
      matches: () => true,
      send: (type, obj) => {
        if (type === 'ADDED') this.#schedule((obj as KubeObject).metadata.name ?? '');
      },
      close: () => undefined,
    };
    this.#server.store.watchers.add(this.#watcher);
    for (const c of this.#server.list('ray.io/v1', 'RayCluster', ns))
      this.#schedule(c.metadata.name ?? '');
  }

  /** Stops marking clusters ready (a KubeRay that cannot bring clusters up), or resumes. */
  setReady(ready: boolean): void {
    this.#ready = ready;
  }

  stop(): void {
    if (this.#watcher !== undefined) this.#server.store.watchers.delete(this.#watcher);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #schedule(name: string): void {
    if (!this.#ready) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#markReady(name);
    }, this.#options.readyAfterMs ?? 50);
    this.#timers.add(timer);
  }

  #markReady(name: string): void {
    const ns = this.#options.namespace;
    const cluster = this.#server.get('ray.io/v1', 'RayCluster', ns, name);
    if (cluster === undefined || cluster.metadata.deletionTimestamp !== undefined || !this.#ready)
      return;
    const now = new Date().toISOString();
    if (this.#options.pods === true) this.#createPods(cluster);
    this.#server.put({
      ...cluster,
      status: {
        state: 'ready',
        stateTransitionTimes: { ready: now },
        conditions: [
          {
            type: 'HeadPodReady',
            status: 'True',
            lastTransitionTime: now,
            reason: 'HeadPodRunningAndReady',
          },
          {
            type: 'RayClusterProvisioned',
            status: 'True',
            lastTransitionTime: now,
            reason: 'AllPodRunningAndReadyFirstTime',
          },
        ],
        lastUpdateTime: now,
      },
    });
  }

  #createPods(cluster: KubeObject): void {
    const name = cluster.metadata.name ?? '';
    const spec = isObject((cluster as { spec?: unknown }).spec)
      ? (cluster as { spec: Json }).spec
      : {};
    const owner = {
      apiVersion: 'ray.io/v1',
      kind: 'RayCluster',
      name,
      uid: cluster.metadata.uid ?? '',
      controller: true,
    };
    const pod = (podName: string, labels: Record<string, string>, podSpec: unknown): void => {
      const n = ++this.#podSerial;
      this.#server.put({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName,
          namespace: this.#options.namespace,
          labels,
          ownerReferences: [owner],
        },
        spec: { ...(isObject(podSpec) ? podSpec : {}), nodeName: `node-${n}` },
        status: {
          phase: 'Running',
          podIP: `10.1.${Math.floor(n / 250)}.${(n % 250) + 1}`,
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      });
    };
    const head = podTemplate(spec.headGroupSpec);
    pod(
      `${name}-head`,
      {
        ...head.labels,
        'ray.io/node-type': 'head',
        'ray.io/cluster': name,
        'ray.io/group': 'headgroup',
      },
      head.spec,
    );
    const workers = Array.isArray(spec.workerGroupSpecs) ? spec.workerGroupSpecs : [];
    for (const group of workers) {
      const groupName =
        isObject(group) && typeof group.groupName === 'string' ? group.groupName : 'workers';
      const count = isObject(group) && typeof group.replicas === 'number' ? group.replicas : 1;
      const worker = podTemplate(group);
      for (let i = 0; i < count; i++)
        pod(
          `${name}-${groupName}-worker-${i}`,
          {
            ...worker.labels,
            'ray.io/node-type': 'worker',
            'ray.io/cluster': name,
            'ray.io/group': groupName,
          },
          worker.spec,
        );
    }
  }
}

/** One step of a fleet's RayClusters, after one write the server received. */
export interface RayClusterStep {
  readonly rv: number;
  readonly event: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly cluster: string;
  /** Live (not deleting) clusters per template hash after the write. */
  readonly live: ReadonlyMap<string, number>;
  /** Live and ready clusters per template hash after the write. */
  readonly ready: ReadonlyMap<string, number>;
}

const HASH_LABEL = 'infernode.io/template-hash';
const sum = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

/** Total live clusters of a step. */
export const liveCount = (s: RayClusterStep): number => sum(s.live);
/** Total ready clusters of a step. */
export const readyCount = (s: RayClusterStep): number => sum(s.ready);

/**
 * Every write to the namespace's RayClusters the server kept in its watch history, replayed:
 * the state after each one, in resourceVersion order.
 */
export function rayClusterTimeline(server: FakeKubeApiServer, namespace: string): RayClusterStep[] {
  const history = server.store.since('ray.io/rayclusters', 1000);
  if (history === 'expired') throw new Error('the fake server compacted its history');
  const state = new Map<string, KubeObject>();
  const steps: RayClusterStep[] = [];
  for (const e of history) {
    if (e.object.metadata.namespace !== namespace) continue;
    const name = e.object.metadata.name ?? '';
    if (e.type === 'DELETED') state.delete(name);
    else state.set(name, e.object);
    const live = new Map<string, number>();
    const ready = new Map<string, number>();
    for (const c of state.values()) {
      if (c.metadata.deletionTimestamp !== undefined) continue;
      const hash = c.metadata.labels?.[HASH_LABEL] ?? '';
      live.set(hash, (live.get(hash) ?? 0) + 1);
      if ((c as { status?: { state?: string } }).status?.state === 'ready')
        ready.set(hash, (ready.get(hash) ?? 0) + 1);
    }
    steps.push({ rv: e.rv, event: e.type, cluster: name, live, ready });
  }
  return steps;
}
