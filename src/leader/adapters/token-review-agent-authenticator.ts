/**
 * Kubernetes-mode agent authentication: the agent presents its projected ServiceAccount token
 * (audience `infernode`); a TokenReview says whose it is and which pod it is bound to, and the
 * pod's `spec.nodeName` is the node the agent may speak for. Positive answers are cached for a
 * short while (bounded LRU keyed by the token's hash) so a reconnect storm after a leader
 * failover costs one review per agent, not one per attempt.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { TokenReviewApi } from '../../kube/index.js';
import { hasCode, toError } from '../../shared/index.js';
import type { AgentAuthResult, AgentAuthenticator } from '../agent-authenticator.js';
import { nodeOfAgentPod, reviewedAgentPod } from '../token-review-decision.js';

/**
 * The TokenReview API and what an agent token must show (audience, ServiceAccount), with the
 * bounded cache of accepted tokens.
 */
export interface TokenReviewAgentAuthenticatorOptions {
  readonly api: TokenReviewApi;
  /** The audience agents' tokens must carry. */
  readonly audience: string;
  /** The agents' ServiceAccount username, `system:serviceaccount:<ns>:<sa>`. */
  readonly username: string;
  /** How long an accepted token stays accepted without a new review, ms. */
  readonly cacheTtlMs: number;
  /** Most tokens remembered at once. */
  readonly cacheMax: number;
}

/**
 * Kubernetes-mode agent authentication: reviews the ServiceAccount token, then checks the pod it
 * was issued to runs on the node the agent claims.
 */
export class TokenReviewAgentAuthenticator implements AgentAuthenticator {
  readonly #options: TokenReviewAgentAuthenticatorOptions;
  readonly #accepted: LRUCache<string, string>;

  constructor(options: TokenReviewAgentAuthenticatorOptions) {
    this.#options = options;
    this.#accepted = new LRUCache({ max: options.cacheMax, ttl: options.cacheTtlMs });
  }

  async authenticate(
    credential: string,
    options: { signal: AbortSignal },
  ): Promise<AgentAuthResult> {
    // Keyed by a hash so the cache never holds usable tokens.
    const key = createHash('sha256').update(credential).digest('base64url');
    const cached = this.#accepted.get(key);
    if (cached !== undefined) return { ok: true, node: cached };
    try {
      const { api, audience, username } = this.#options;
      const review = await api.reviewToken(credential, [audience], options);
      const pod = reviewedAgentPod(review, audience, username);
      if (!pod.ok) return { ok: false, reason: 'unauthorized', detail: pod.detail };
      const placement = await api.readPod(pod.namespace, pod.pod, options);
      const node = nodeOfAgentPod(pod, placement);
      if (!node.ok) return { ok: false, reason: 'unauthorized', detail: node.detail };
      this.#accepted.set(key, node.node);
      return { ok: true, node: node.node };
    } catch (err) {
      if (hasCode(err, 'K8S_NOT_FOUND'))
        return { ok: false, reason: 'unauthorized', detail: 'the token’s pod no longer exists' };
      return { ok: false, reason: 'auth-unavailable', detail: toError(err).message };
    }
  }
}
