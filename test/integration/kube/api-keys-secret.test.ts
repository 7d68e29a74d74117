/**
 * Gateway API keys from a watched Secret, against the fake API server: the leader's real
 * K8sSecretWatch feeding its real admission policy. Keys are applied, rotated (without losing
 * the user's rate-limit counters) and removed; a Secret that does not parse keeps the previous
 * keys and is counted; with no keys at all a Kubernetes leader refuses requests (no open
 * gateway) unless gateway.allowAnonymous is set.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeClients, K8sSecretWatch } from '../../../src/kube/adapters/index.js';
import { leaderConfigSpec } from '../../../src/leader/index.js';
import { admissionFor } from '../../../src/leader/traffic-admission.js';
import {
  createRegistry,
  loadConfig,
  silentLogger,
  systemClock,
  systemRng,
} from '../../../src/shared/index.js';
import { FakeKubeApiServer } from '../../helpers/kube-api-server.js';
import { eventually } from '../../helpers/kube-builders.js';

const NS = 'infernode-system';
const SECRET = 'infernode-api-keys';

function secret(keysYaml: string | undefined) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: SECRET, namespace: NS },
    type: 'Opaque',
    data: keysYaml === undefined ? {} : { 'keys.yaml': Buffer.from(keysYaml).toString('base64') },
  };
}

describe('API keys from a watched Secret', () => {
  let server: FakeKubeApiServer;
  let stop: AbortController;

  beforeEach(async () => {
    server = await FakeKubeApiServer.start();
    stop = new AbortController();
  });

  afterEach(async () => {
    stop.abort();
    await server.close();
  });

  async function startLeaderTraffic(env: Record<string, string> = {}) {
    const config = loadConfig(leaderConfigSpec, 'LEADER', {
      env: {
        INFERNODE_LEADER_DISCOVERY: 'kubernetes',
        INFERNODE_AGENT_TOKEN: 'agent-token-0123456789',
        POD_NAMESPACE: NS,
        ...env,
      },
    });
    const registry = createRegistry();
    const traffic = await admissionFor(config, {}, silentLogger(), registry);
    const watch = new K8sSecretWatch({
      clients: createKubeClients(server.kubeConfig()),
      namespace: NS,
      name: config.kube.apiKeysSecret,
      log: silentLogger(),
      requestTimeoutMs: 5000,
      onChange: traffic.applyApiKeysSecret,
      supervisor: {
        backoff: { initialMs: 20, maxMs: 100, factor: 2 },
        clock: systemClock,
        rng: systemRng,
      },
    });
    void watch.run(stop.signal);
    const admit = async (key?: string) => {
      const result = await traffic.admission.admit(
        {
          user: undefined,
          authorization: key === undefined ? undefined : `Bearer ${key}`,
          model: 'm',
          promptTokens: 1,
          maxTokens: 1,
        },
        { signal: stop.signal },
      );
      return result.ok ? `ok:${result.user ?? '-'}` : String(result.status);
    };
    const metric = async (name: string) =>
      (await registry.getSingleMetric(name)?.get())?.values[0]?.value;
    return { watch, admit, metric };
  }

  it('applies, rotates and removes keys; a bad Secret keeps the previous keys', async () => {
    const { watch, admit, metric } = await startLeaderTraffic();
    await watch.synced;
    // No Secret, no keys: the Kubernetes gateway is closed, not open.
    expect(await admit()).toBe('401');

    server.put(
      secret(
        'apiKeys:\n  - { key: sk-alice-one, user: alice }\nlimits:\n  users: { alice: { rpm: 2 } }\n',
      ),
    );
    await eventually(async () => (await admit('sk-alice-one')) === 'ok:alice');
    expect(await admit('sk-bob-000')).toBe('401');
    expect(await metric('infernode_leader_api_keys')).toBe(1);

    // Rotated (and bob added, whose key tells when the new version is in force): the old key
    // stops working, the new one counts against the same budget (the first request above
    // already spent one of alice's 2 per minute).
    server.put(
      secret(
        'apiKeys:\n  - { key: sk-alice-two, user: alice }\n  - { key: sk-bob-0000, user: bob }\nlimits:\n  users: { alice: { rpm: 2 } }\n',
      ),
    );
    await eventually(async () => (await admit('sk-bob-0000')) === 'ok:bob');
    expect(await admit('sk-alice-one')).toBe('401');
    expect(await admit('sk-alice-two')).toBe('ok:alice');
    expect(await admit('sk-alice-two')).toBe('429');
    expect(await metric('infernode_leader_api_keys')).toBe(2);

    // A Secret that does not parse: the previous keys stay in force, and it is counted.
    server.put(secret('apiKeys: [ { key: sk-broken'));
    await eventually(
      async () => (await metric('infernode_leader_api_keys_secret_errors_total')) === 1,
    );
    server.put(secret(undefined));
    await eventually(
      async () => (await metric('infernode_leader_api_keys_secret_errors_total')) === 2,
    );
    expect(await admit('sk-alice-one')).toBe('401');
    expect(await admit('sk-alice-two')).toBe('429');

    // Removed: no keys from the Secret, so the gateway is closed again.
    server.delete('v1', 'Secret', NS, SECRET);
    await eventually(async () => (await admit('sk-alice-two')) === '401');
    expect(await admit()).toBe('401');
    expect(await metric('infernode_leader_api_keys')).toBe(0);
  });

  it('serves anonymously without keys only when gateway.allowAnonymous is set', async () => {
    const { watch, admit } = await startLeaderTraffic({
      INFERNODE_LEADER_GATEWAY_ALLOW_ANONYMOUS: 'true',
    });
    await watch.synced;
    expect(await admit()).toBe('ok:-');
    server.put(secret('apiKeys:\n  - { key: sk-alice-one, user: alice }\n'));
    // Keys configured: they are required, allowAnonymous or not.
    await eventually(async () => (await admit()) === '401');
    expect(await admit('sk-alice-one')).toBe('ok:alice');
  });

  it('watches only its one Secret, by name', async () => {
    const { watch } = await startLeaderTraffic();
    await watch.synced;
    await eventually(() =>
      server.calls.some((c) => c.resource === 'secrets' && c.verb === 'watch'),
    );
    const reads = server.calls.filter((c) => c.resource === 'secrets');
    expect(reads.length).toBeGreaterThan(0);
    for (const c of reads) expect([c.verb, c.namespace, c.name]).toEqual([c.verb, NS, SECRET]);
    expect(new Set(reads.map((c) => c.verb))).toEqual(new Set(['list', 'watch']));
  });
});
