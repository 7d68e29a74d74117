/**
 * How agent traffic reaches the leader only, and gateway traffic the followers if asked
 * (docs/kubernetes.md): the elected leader labels its own pod `infernode.io/role=leader`, the
 * others `follower`; the control Service selects the leader, the followers' gateway Service the
 * followers. On winning, the new leader first relabels any other pod still labelled leader (a
 * previous holder that died or was partitioned) and then labels itself; a replica starting, and
 * a leader stepping down, labels itself follower. Patches are JSON merge patches of
 * `metadata.labels`.
 */
import type { KubeClients } from './clients.js';
import { MERGE_PATCH, kubeCall } from './request.js';
import type { KubeCallOptions } from '../call-options.js';

/** The label the Services select. */
export const ROLE_LABEL = 'infernode.io/role';
/** Its value on the leader's pod. */
export const LEADER_ROLE = 'leader';
/** Its value on every other leader replica's pod. */
export const FOLLOWER_ROLE = 'follower';

export interface PodLabelerOptions {
  readonly clients: KubeClients;
  /** Namespace of this pod (POD_NAMESPACE). */
  readonly namespace: string;
  /** This pod (POD_NAME). */
  readonly podName: string;
  /** Bound of each request in ms (`kube.requestTimeoutMs`). */
  readonly requestTimeoutMs: number;
}

/** Patches this pod's role label. Failures are K8S_* AppErrors; every method is idempotent. */
export class PodLabeler {
  readonly #options: PodLabelerOptions;

  constructor(options: PodLabelerOptions) {
    this.#options = options;
  }

  async #setRole(pod: string, role: string, options: KubeCallOptions): Promise<void> {
    const { clients, namespace, requestTimeoutMs: timeoutMs } = this.#options;
    const body = { metadata: { labels: { [ROLE_LABEL]: role } } };
    await kubeCall(
      `label pod ${namespace}/${pod} ${ROLE_LABEL}=${role}`,
      { ...options, timeoutMs, contentType: MERGE_PATCH },
      (o) => clients.core.patchNamespacedPod({ name: pod, namespace, body }, o),
    );
  }

  /** Pods in this namespace that carry the leader label now. */
  async labelledLeaders(options: KubeCallOptions): Promise<string[]> {
    const { clients, namespace, requestTimeoutMs: timeoutMs } = this.#options;
    const list = await kubeCall(
      `list leader pods in ${namespace}`,
      { ...options, timeoutMs },
      (o) =>
        clients.core.listNamespacedPod(
          { namespace, labelSelector: `${ROLE_LABEL}=${LEADER_ROLE}` },
          o,
        ),
    );
    return list.items.map((p) => p.metadata?.name ?? '').filter((n) => n !== '');
  }

  /** Relabels every other leader-labelled pod follower, then labels this one (after winning). */
  async markLeader(options: KubeCallOptions): Promise<void> {
    for (const pod of await this.labelledLeaders(options)) {
      if (pod !== this.#options.podName) await this.#setRole(pod, FOLLOWER_ROLE, options);
    }
    await this.#setRole(this.#options.podName, LEADER_ROLE, options);
  }

  /**
   * Labels this pod follower: at startup (a restarted container keeps its pod's labels, the
   * leader's too) and when stepping down.
   */
  async markFollower(options: KubeCallOptions): Promise<void> {
    await this.#setRole(this.#options.podName, FOLLOWER_ROLE, options);
  }
}
