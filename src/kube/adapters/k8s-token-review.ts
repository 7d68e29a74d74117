/**
 * The two Kubernetes reads behind agent authentication in the Kubernetes mode: a TokenReview of
 * the agent's projected ServiceAccount token, and the pod named in it (for its node). Both go
 * through kubeCall, so each has the request timeout, the caller's signal and K8S_* errors.
 */
import { V1TokenReview, V1TokenReviewSpec } from '@kubernetes/client-node';
import type { KubeClients } from './clients.js';
import { kubeCall } from './request.js';
import type { KubeCallOptions } from '../call-options.js';
import type { PodPlacement, TokenReviewApi, TokenReviewOutcome } from '../token-review.js';

/** TokenReview and pod reads through the Kubernetes API. */
export class K8sTokenReviewApi implements TokenReviewApi {
  readonly #clients: KubeClients;
  readonly #timeoutMs: number;

  constructor(clients: KubeClients, requestTimeoutMs: number) {
    this.#clients = clients;
    this.#timeoutMs = requestTimeoutMs;
  }

  async reviewToken(
    token: string,
    audiences: readonly string[],
    options: KubeCallOptions,
  ): Promise<TokenReviewOutcome> {
    const review = await kubeCall(
      'create TokenReview',
      { ...options, timeoutMs: this.#timeoutMs },
      (o) =>
        this.#clients.authentication.createTokenReview(
          {
            body: Object.assign(new V1TokenReview(), {
              apiVersion: 'authentication.k8s.io/v1',
              kind: 'TokenReview',
              spec: Object.assign(new V1TokenReviewSpec(), { token, audiences: [...audiences] }),
            }),
          },
          o,
        ),
    );
    const status = review.status;
    return {
      authenticated: status?.authenticated === true,
      error: status?.error,
      username: status?.user?.username,
      audiences: status?.audiences ?? [],
      extra: status?.user?.extra ?? {},
    };
  }

  async readPod(namespace: string, name: string, options: KubeCallOptions): Promise<PodPlacement> {
    const pod = await kubeCall(
      `get pod ${namespace}/${name}`,
      { ...options, timeoutMs: this.#timeoutMs },
      (o) => this.#clients.core.readNamespacedPod({ namespace, name }, o),
    );
    return { uid: pod.metadata?.uid, nodeName: pod.spec?.nodeName };
  }
}
