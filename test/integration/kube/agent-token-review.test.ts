/**
 * Kubernetes-mode agent identity against the fake API server: a projected ServiceAccount token is
 * checked with a real TokenReview request and matched to its pod's node, through the hub's real
 * socket path.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { K8sTokenReviewApi, createKubeClients } from '../../../src/kube/adapters/index.js';
import { TokenReviewAgentAuthenticator } from '../../../src/leader/adapters/token-review-agent-authenticator.js';
import { FakeKubeApiServer } from '../../helpers/kube-api-server.js';
import { aPod } from '../../helpers/kube-builders.js';
import {
  closeOf,
  helloFrame,
  nextJson,
  openAgentSocket,
  startHub,
} from '../../helpers/agent-hub-harness.js';

const NS = 'infernode-system';
const AGENT_SA = `system:serviceaccount:${NS}:infernode-agent`;
const signal = (): AbortSignal => AbortSignal.timeout(5000);

let api: FakeKubeApiServer;
let auth: TokenReviewAgentAuthenticator;

const podToken = (pod: string, audiences = ['infernode'], username = AGENT_SA) =>
  api.tokenReviews.add(`token-of-${pod}`, {
    username,
    audiences,
    extra: {
      'authentication.kubernetes.io/pod-name': [pod],
      'authentication.kubernetes.io/pod-uid': [`uid-${pod}`],
    },
  });
const reviews = (): number => api.requests.filter((r) => r.path.endsWith('/tokenreviews')).length;

beforeAll(async () => {
  api = await FakeKubeApiServer.start();
  api.put(aPod('agent-a', NS).onNode('node-a').build());
  api.put(aPod('agent-b', NS).onNode('node-b').build());
  podToken('agent-a');
  podToken('agent-b');
  podToken('agent-wrong-aud', ['https://kubernetes.default.svc']);
  podToken('agent-a-other-sa', ['infernode'], `system:serviceaccount:${NS}:someone-else`);
});
afterAll(() => api.close());
beforeEach(() => {
  auth = new TokenReviewAgentAuthenticator({
    api: new K8sTokenReviewApi(createKubeClients(api.kubeConfig()), 2000),
    audience: 'infernode',
    username: AGENT_SA,
    cacheTtlMs: 60_000,
    cacheMax: 100,
  });
});

describe('TokenReview agent authenticator', () => {
  it('maps a valid token to its pod’s node and caches the positive answer', async () => {
    const before = reviews();
    expect(await auth.authenticate('token-of-agent-a', { signal: signal() })).toEqual({
      ok: true,
      node: 'node-a',
    });
    expect(await auth.authenticate('token-of-agent-a', { signal: signal() })).toEqual({
      ok: true,
      node: 'node-a',
    });
    expect(reviews() - before).toBe(1);
    const review = api.requests.findLast((r) => r.path.endsWith('/tokenreviews'));
    expect(review).toMatchObject({
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/tokenreviews',
    });
  });

  it('refuses a token for another audience, another ServiceAccount, or an unknown token', async () => {
    for (const token of ['token-of-agent-wrong-aud', 'token-of-agent-a-other-sa', 'nonsense'])
      expect(await auth.authenticate(token, { signal: signal() })).toMatchObject({
        ok: false,
        reason: 'unauthorized',
      });
  });

  it('refuses a token whose pod was replaced by another of the same name', async () => {
    api.put(aPod('agent-c', NS).onNode('node-c').build());
    podToken('agent-c');
    api.delete('v1', 'Pod', NS, 'agent-c');
    const recreated = aPod('agent-c', NS).onNode('node-c').build();
    recreated.metadata.uid = 'uid-agent-c-2';
    api.put(recreated);
    expect(await auth.authenticate('token-of-agent-c', { signal: signal() })).toMatchObject({
      ok: false,
      detail: 'pod agent-c is not the pod the token was issued to',
    });
  });

  it('says auth-unavailable, not unauthorized, when the API server fails', async () => {
    api.failNext(1, 503);
    expect(await auth.authenticate('token-of-agent-b', { signal: signal() })).toMatchObject({
      ok: false,
      reason: 'auth-unavailable',
    });
  });

  it('through the hub: the right node is welcomed, a pod on another node cannot speak for it', async () => {
    const hub = await startHub({ authenticator: auth });
    try {
      const real = await openAgentSocket(hub.url, 'token-of-agent-a');
      const welcome = nextJson(real);
      real.send(helloFrame('node-a'));
      expect(await welcome).toMatchObject({ type: 'welcome' });
      const other = await openAgentSocket(hub.url, 'token-of-agent-b');
      const refused = closeOf(other);
      other.send(helloFrame('node-a'));
      expect(await refused).toMatchObject({ code: 4401 });
      expect(real.readyState).toBe(real.OPEN);
      await expect(openAgentSocket(hub.url, 'token-of-agent-wrong-aud')).rejects.toThrow(
        'HTTP 401',
      );
      real.close();
    } finally {
      await hub.stop();
    }
  });
});
