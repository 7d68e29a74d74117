import { describe, expect, it } from 'vitest';
import { kubeConfigSpec } from '../../../src/kube/index.js';
import { electionIssues } from '../../../src/leader/election/index.js';
import { describeSpec, loadConfig } from '../../../src/shared/index.js';

describe('kubeConfigSpec', () => {
  const spec = { kube: kubeConfigSpec };

  it('has the documented defaults, and they satisfy the election constraints', () => {
    const config = loadConfig(spec, 'LEADER', {});
    expect(config.kube).toMatchObject({
      namespace: 'default',
      watchNamespaces: [],
      requireLabels: [],
      requireOwnerKinds: [],
      apiKeysSecret: 'infernode-api-keys',
      eventsNamespace: '',
      requestTimeoutMs: 10_000,
      election: {
        leaseName: 'infernode-leader',
        leaseDurationMs: 15_000,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 2_000,
      },
    });
    expect(electionIssues(config.kube.election)).toEqual([]);
  });

  it('reads the namespace from the downward API and the rest from INFERNODE_<PROC>_KUBE_*', () => {
    const config = loadConfig(spec, 'LEADER', {
      env: {
        POD_NAMESPACE: 'infernode-system',
        INFERNODE_LEADER_KUBE_WATCH_NAMESPACES: 'ml,serving',
        INFERNODE_LEADER_KUBE_ELECTION_LEASE_DURATION_MS: '20000',
      },
    });
    expect(config.kube.namespace).toBe('infernode-system');
    expect(config.kube.watchNamespaces).toEqual(['ml', 'serving']);
    expect(config.kube.election.leaseDurationMs).toBe(20_000);
    const envs = describeSpec(spec, 'LEADER').map((f) => f.env);
    expect(envs).toContain('INFERNODE_LEADER_KUBE_REQUEST_TIMEOUT_MS');
  });
});
