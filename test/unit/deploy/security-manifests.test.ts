/**
 * The security side of the deploy/ manifests: the API keys Secret the leader is pointed at, the
 * NetworkPolicies and the pods they select, RBAC's static rules (test/integration/kube/rbac.test.ts
 * checks the rules against the calls the code makes), and the node cache path set once.
 */
import { describe, expect, it } from 'vitest';
import { agentConfigSpec } from '../../../src/agent/agent-config.js';
import { kubeConfigSpec } from '../../../src/kube/index.js';
import type { Manifest } from '../../helpers/kustomize-lite.js';
import { DEPLOY_DIR, renderKustomization } from '../../helpers/render-deploy.js';

type Obj = Record<string, unknown>;

const root = renderKustomization(DEPLOY_DIR);
const byKind = (kind: string): Manifest[] => root.filter((m) => m.kind === kind);
const one = (kind: string, name: string): Manifest => {
  const found = root.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered`);
  return found;
};

describe('deploy/ manifests: security', () => {
  it('the node cache: one path, set in the DaemonSet, mounted there, and the agent’s default', () => {
    const pod = (
      one('DaemonSet', 'infernode-agent').spec as {
        template: {
          spec: {
            volumes: { name: string; hostPath?: { path: string } }[];
            containers: {
              env: { name: string; value?: string }[];
              volumeMounts: { name: string; mountPath: string }[];
            }[];
          };
        };
      }
    ).template.spec;
    const [agent] = pod.containers;
    const set = agent!.env.find((e) => e.name === 'INFERNODE_AGENT_NODE_CACHE_PATH')?.value;
    const mount = agent!.volumeMounts.find((m) => m.mountPath === set);
    expect(set).toBe(agentConfigSpec.nodeCachePath.default);
    expect(mount?.name).toBe('node-cache');
    expect(pod.volumes.find((v) => v.name === 'node-cache')?.hostPath?.path).toBe(set);
  });

  it('RBAC: no wildcard, no delete, Secrets only by name; the detailed check is rbac.test.ts', () => {
    interface Rule {
      apiGroups: string[];
      resources: string[];
      verbs: string[];
      resourceNames?: string[];
    }
    const all = [...byKind('ClusterRole'), ...byKind('Role')];
    expect(all.map((r) => `${r.kind}/${r.metadata.name}`).sort()).toEqual([
      'ClusterRole/infernode-agent-discovery',
      'ClusterRole/infernode-leader',
      'ClusterRole/infernode-leader-discovery',
      'Role/infernode-leader',
    ]);
    for (const r of all.flatMap((role) => role.rules as Rule[])) {
      expect(r.verbs).not.toContain('*');
      expect(r.resources).not.toContain('*');
      expect(r.apiGroups).not.toContain('*');
      // Deletes only what a controller owns: a RayClusterFleet's RayClusters and revision records.
      if (!r.resources.every((res) => ['rayclusters', 'controllerrevisions'].includes(res)))
        expect(r.verbs).not.toContain('delete');
      // Secrets by name, or (a ModelAdapter's credentialsSecretRef) get-only in watched namespaces.
      if (r.resources.includes('secrets') && r.resourceNames === undefined)
        expect(r.verbs).toEqual(['get']);
      else if (r.resources.includes('secrets'))
        expect(r.resourceNames).toEqual([kubeConfigSpec.apiKeysSecret.default]);
    }
    // Nothing the agent runs writes to the API, and nothing it reads is cluster-wide.
    const agentRules = one('ClusterRole', 'infernode-agent-discovery').rules as Rule[];
    expect(agentRules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
    ]);
    // The discovery ClusterRoles are granted per namespace (RoleBinding), never cluster-wide.
    expect(byKind('ClusterRoleBinding').map((b) => (b.roleRef as Obj).name)).toEqual([
      'infernode-leader',
    ]);
    for (const b of [...byKind('ClusterRoleBinding'), ...byKind('RoleBinding')])
      expect((b.subjects as { namespace: string }[])[0]!.namespace).toBe('infernode-system');
  });

  it('the API keys Secret: the leader is pointed at it, RBAC grants it, anonymous is not on', () => {
    const env = (
      one('Deployment', 'infernode-leader').spec as {
        template: { spec: { containers: { env: { name: string; value?: string }[] }[] } };
      }
    ).template.spec.containers[0]!.env;
    expect(env.find((e) => e.name === 'INFERNODE_LEADER_KUBE_API_KEYS_SECRET')?.value).toBe(
      'infernode-api-keys',
    );
    expect(env.some((e) => e.name === 'INFERNODE_LEADER_GATEWAY_ALLOW_ANONYMOUS')).toBe(false);
  });

  it('NetworkPolicies: gateway open, control port from agents, leader replicas and monitoring, agent API from peers', () => {
    interface Peer {
      podSelector?: { matchLabels: Obj };
      namespaceSelector?: { matchLabels: Obj };
    }
    interface Policy {
      podSelector: { matchLabels: Obj };
      policyTypes: string[];
      ingress: { from?: Peer[]; ports: { port: string | number }[] }[];
    }
    const podLabels = (kind: string, name: string): Obj =>
      (one(kind, name).spec as { template: { metadata: { labels: Obj } } }).template.metadata
        .labels;
    const selects = (policy: Policy, labels: Obj): boolean =>
      Object.entries(policy.podSelector.matchLabels).every(([k, v]) => labels[k] === v);
    const leader = one('NetworkPolicy', 'infernode-leader').spec as Policy;
    const agent = one('NetworkPolicy', 'infernode-agent').spec as Policy;
    const leaderPod = podLabels('Deployment', 'infernode-leader');
    const agentPod = podLabels('DaemonSet', 'infernode-agent');
    expect([selects(leader, leaderPod), selects(leader, agentPod)]).toEqual([true, false]);
    expect([selects(agent, agentPod), selects(agent, leaderPod)]).toEqual([true, false]);
    for (const p of [leader, agent]) expect(p.policyTypes).toEqual(['Ingress']);
    const rule = (p: Policy, port: string) => p.ingress.find((r) => r.ports[0]?.port === port)!;
    expect(rule(leader, 'gateway').from).toBeUndefined(); // clients: anyone
    const fromAgentsAndMonitoring = (r: { from?: Peer[] }) => {
      const pods = r.from?.find((f) => f.podSelector)?.podSelector?.matchLabels ?? {};
      expect(Object.entries(pods).every(([k, v]) => agentPod[k] === v)).toBe(true);
      expect(Object.entries(pods).every(([k, v]) => leaderPod[k] === v)).toBe(false);
      expect(r.from?.find((f) => f.namespaceSelector)?.namespaceSelector?.matchLabels).toEqual({
        'kubernetes.io/metadata.name': 'monitoring',
      });
    };
    fromAgentsAndMonitoring(rule(leader, 'control'));
    fromAgentsAndMonitoring(rule(agent, 'api'));
    expect(rule(agent, 'api').from).toHaveLength(2);
    // Gateway followers read the leader's replica feed on its control port (issue #18).
    const control = rule(leader, 'control').from ?? [];
    expect(control).toHaveLength(3);
    const replicaPeers = control.filter((f) => {
      const labels = Object.entries(f.podSelector?.matchLabels ?? {});
      return labels.length > 0 && labels.every(([k, v]) => leaderPod[k] === v);
    });
    expect(replicaPeers).toHaveLength(1);
    expect(leader.ingress).toHaveLength(2);
    expect(agent.ingress).toHaveLength(1);
    // The named ports exist on the pods they protect.
    const ports = (kind: string, name: string) =>
      (
        one(kind, name).spec as {
          template: { spec: { containers: { ports: { name: string }[] }[] } };
        }
      ).template.spec.containers[0]!.ports.map((p) => p.name);
    expect(ports('Deployment', 'infernode-leader')).toEqual(['gateway', 'control']);
    expect(ports('DaemonSet', 'infernode-agent')).toEqual(['api']);
  });
});
