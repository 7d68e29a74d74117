import { describe, expect, it } from 'vitest';
import { buildAdapters, usesKubernetes } from '../../../src/leader/build-adapters.js';
import { nodeOpsMode } from '../../../src/leader/leader-adapters.js';
import { leaderConfigSpec } from '../../../src/leader/index.js';
import { InMemoryNodeOps } from '../../../src/kube/index.js';
import { StaticAgentAuthenticator } from '../../../src/leader/adapters/static-agent-authenticator.js';
import { createRegistry, loadConfig, silentLogger } from '../../../src/shared/index.js';

const configWith = (env: Record<string, string>) =>
  loadConfig(leaderConfigSpec, 'LEADER', {
    env: { INFERNODE_CLUSTER_SECRET: 'cluster-secret-0123456789', ...env },
  });

describe('which leader adapters need Kubernetes', () => {
  it('a cluster file with static agent tokens and node operations in memory needs none', () => {
    const config = configWith({});
    expect(nodeOpsMode(config)).toBe('memory');
    expect(usesKubernetes(config)).toBe(false);
  });

  it('Kubernetes discovery, TokenReview or Kubernetes node operations each need it', () => {
    expect(usesKubernetes(configWith({ INFERNODE_LEADER_DISCOVERY: 'kubernetes' }))).toBe(true);
    expect(usesKubernetes(configWith({ INFERNODE_LEADER_AGENTS_AUTH: 'kubernetes' }))).toBe(true);
    const nodeOps = configWith({ INFERNODE_LEADER_GPU_REMEDIATION_NODE_OPS: 'kubernetes' });
    expect(nodeOpsMode(nodeOps)).toBe('kubernetes');
    expect(usesKubernetes(nodeOps)).toBe(true);
  });

  it('node operations follow discovery unless configured', () => {
    expect(nodeOpsMode(configWith({ INFERNODE_LEADER_DISCOVERY: 'kubernetes' }))).toBe(
      'kubernetes',
    );
    const memory = configWith({
      INFERNODE_LEADER_DISCOVERY: 'kubernetes',
      INFERNODE_LEADER_GPU_REMEDIATION_NODE_OPS: 'memory',
    });
    expect(nodeOpsMode(memory)).toBe('memory');
  });

  it('builds a cluster file leader from in-memory and static parts', async () => {
    const adapters = await buildAdapters(configWith({}), {}, silentLogger(), createRegistry());
    expect(adapters.nodeOps).toBeInstanceOf(InMemoryNodeOps);
    expect(adapters.authenticator).toBeInstanceOf(StaticAgentAuthenticator);
    expect(adapters.staticStatuses).toBeDefined();
    expect([adapters.scale, adapters.secrets, adapters.fleetApi]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});
