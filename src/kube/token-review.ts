/**
 * The two Kubernetes reads behind agent authentication in the Kubernetes mode, as a port: a
 * TokenReview of the agent's projected ServiceAccount token, and the pod named in it (for its
 * node). The adapter is adapters/k8s-token-review.ts.
 */
import type { KubeCallOptions } from './call-options.js';

/** What a TokenReview said about a token (the fields agent authentication needs). */
export interface TokenReviewOutcome {
  readonly authenticated: boolean;
  readonly error: string | undefined;
  readonly username: string | undefined;
  /** The audiences the token is valid for among those asked for. */
  readonly audiences: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

/** The pod facts agent authentication needs. */
export interface PodPlacement {
  readonly uid: string | undefined;
  readonly nodeName: string | undefined;
}

/** The port the TokenReview authenticator uses; {@link K8sTokenReviewApi} is its adapter. */
export interface TokenReviewApi {
  reviewToken(
    token: string,
    audiences: readonly string[],
    options: KubeCallOptions,
  ): Promise<TokenReviewOutcome>;
  readPod(namespace: string, name: string, options: KubeCallOptions): Promise<PodPlacement>;
}
