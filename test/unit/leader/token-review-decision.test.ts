import { describe, expect, it } from 'vitest';
import type { TokenReviewOutcome } from '../../../src/kube/index.js';
import {
  nodeOfAgentPod,
  reviewedAgentPod,
  serviceAccountUsername,
} from '../../../src/leader/token-review-decision.js';

const SA = serviceAccountUsername('infernode-system', 'infernode-agent');
const review = (over: Partial<TokenReviewOutcome> = {}): TokenReviewOutcome => ({
  authenticated: true,
  error: undefined,
  username: SA,
  audiences: ['infernode'],
  extra: {
    'authentication.kubernetes.io/pod-name': ['agent-x'],
    'authentication.kubernetes.io/pod-uid': ['u-1'],
  },
  ...over,
});

describe('reviewedAgentPod', () => {
  it('names the pod of an authenticated agent token for the audience', () => {
    expect(SA).toBe('system:serviceaccount:infernode-system:infernode-agent');
    expect(reviewedAgentPod(review(), 'infernode', SA)).toEqual({
      ok: true,
      namespace: 'infernode-system',
      pod: 'agent-x',
      uid: 'u-1',
    });
  });

  it.each([
    ['unauthenticated', review({ authenticated: false, error: 'expired' }), /expired/],
    ['no audience returned', review({ audiences: [] }), /audience infernode/],
    ['another audience', review({ audiences: ['api'] }), /audience infernode/],
    ['another account', review({ username: 'system:serviceaccount:x:y' }), /belongs to/],
    ['not pod-bound', review({ extra: {} }), /not bound to a pod/],
  ])('refuses a review that is %s', (_name, outcome, detail) => {
    const result = reviewedAgentPod(outcome, 'infernode', SA);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.detail).toMatch(detail);
  });
});

describe('nodeOfAgentPod', () => {
  const pod = { ok: true, namespace: 'ns', pod: 'agent-x', uid: 'u-1' } as const;
  it('is the pod’s spec.nodeName', () => {
    expect(nodeOfAgentPod(pod, { uid: 'u-1', nodeName: 'gpu-1' })).toEqual({
      ok: true,
      node: 'gpu-1',
    });
  });
  it('refuses a recreated pod (other uid) and an unscheduled one', () => {
    expect(nodeOfAgentPod(pod, { uid: 'u-2', nodeName: 'gpu-1' }).ok).toBe(false);
    expect(nodeOfAgentPod(pod, { uid: 'u-1', nodeName: undefined }).ok).toBe(false);
  });
});
