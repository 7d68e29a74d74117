/**
 * Pure checks of the Kubernetes-mode agent identity: which pod a reviewed ServiceAccount token
 * belongs to, and whether that pod's node is the one the agent may speak for. No I/O here; the
 * TokenReview authenticator feeds it what the API server said.
 */
import type { PodPlacement, TokenReviewOutcome } from '../kube/index.js';

/** The extra keys the API server adds to a pod-bound ServiceAccount token's user. */
export const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';
/** The extra key holding the UID of the pod a token is bound to. */
export const POD_UID_EXTRA = 'authentication.kubernetes.io/pod-uid';

/** The pod a token was issued to, or why the review does not name an agent pod. */
export type ReviewedPod =
  | { readonly ok: true; readonly namespace: string; readonly pod: string; readonly uid?: string }
  | { readonly ok: false; readonly detail: string };

/**
 * The agent pod a TokenReview vouches for: the token must be authenticated for `audience`, belong
 * to `username` (`system:serviceaccount:<ns>:<sa>`) and be bound to a pod.
 */
export function reviewedAgentPod(
  review: TokenReviewOutcome,
  audience: string,
  username: string,
): ReviewedPod {
  if (!review.authenticated)
    return {
      ok: false,
      detail: `token not authenticated${review.error ? `: ${review.error}` : ''}`,
    };
  // An API server that ignores spec.audiences returns none: the token may be for another audience.
  if (!review.audiences.includes(audience))
    return { ok: false, detail: `token is not for audience ${audience}` };
  if (review.username !== username)
    return { ok: false, detail: `token belongs to ${review.username ?? '?'}, not ${username}` };
  const pod = review.extra[POD_NAME_EXTRA]?.[0];
  if (pod === undefined || pod === '') return { ok: false, detail: 'token is not bound to a pod' };
  const namespace = username.split(':')[2] ?? '';
  const uid = review.extra[POD_UID_EXTRA]?.[0];
  return uid === undefined ? { ok: true, namespace, pod } : { ok: true, namespace, pod, uid };
}

/** The node of the reviewed pod, or why the pod does not vouch for one. */
export function nodeOfAgentPod(
  reviewed: Extract<ReviewedPod, { ok: true }>,
  placement: PodPlacement,
): { ok: true; node: string } | { ok: false; detail: string } {
  // A pod deleted and recreated under the same name has a new uid; the old token must not pass.
  if (reviewed.uid !== undefined && placement.uid !== reviewed.uid)
    return { ok: false, detail: `pod ${reviewed.pod} is not the pod the token was issued to` };
  if (placement.nodeName === undefined || placement.nodeName === '')
    return { ok: false, detail: `pod ${reviewed.pod} is not scheduled on a node` };
  return { ok: true, node: placement.nodeName };
}

/** `system:serviceaccount:<namespace>:<name>`, the username of a ServiceAccount's tokens. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}
