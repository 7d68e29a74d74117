/**
 * The deploy/ manifests, rendered as `kubectl apply -k` would (kubectl kustomize when kubectl is
 * installed, else the in-repo kustomize-lite), validated offline: built-in objects against
 * kubernetes-models' schemas, custom resources against their CRD's openAPIV3Schema (ajv) plus
 * JavaScript mirrors of the CRDs' CEL rules, and infernode's own deployment rules.
 */
import { join } from 'node:path';

import * as models from 'kubernetes-models';
import { describe, expect, it } from 'vitest';
import { kustomizeLite, type Manifest } from '../../helpers/kustomize-lite.js';
import { DEPLOY_DIR, hasKubectl, renderKustomization } from '../../helpers/render-deploy.js';
import { crdValidation } from '../../helpers/crd-validation.js';

type Obj = Record<string, unknown>;

const DEPLOY = DEPLOY_DIR;
const render = renderKustomization;

const root = render(DEPLOY);
const examples = render(join(DEPLOY, 'examples'));
const byKind = (kind: string, objs = root): Manifest[] => objs.filter((m) => m.kind === kind);
const one = (kind: string, name: string): Manifest => {
  const found = root.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered`);
  return found;
};

// The processes' shutdownGraceMs defaults (src/agent/agent-config.ts, src/leader/leader-config.ts).
const SHUTDOWN_GRACE_MS = { agent: 10_000, leader: 30_000 };

/** kubernetes-models' class for an apiVersion/kind, e.g. rbac.authorization.k8s.io/v1 Role. */
function modelClass(
  apiVersion: string,
  kind: string,
): (new (data: unknown) => { validate(): void }) | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const key = group === '' ? '' : group!.replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase());
  const all = models as unknown as Record<string, Record<string, Record<string, unknown>>>;
  const ns =
    key === ''
      ? (all as unknown as Record<string, Record<string, unknown>>)[version!]
      : all[key]?.[version!];
  return ns?.[kind] as (new (data: unknown) => { validate(): void }) | undefined;
}

const crds = byKind('CustomResourceDefinition');
const { crProblems } = crdValidation(crds);
describe('deploy/ manifests', () => {
  it(`render with ${hasKubectl ? 'kubectl kustomize' : 'kustomize-lite (no kubectl here)'}`, () => {
    const kinds = root.map((m) => m.kind).sort();
    expect(kinds).toEqual([
      'ClusterRole',
      'ClusterRole',
      'ClusterRole',
      'ClusterRoleBinding',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'CustomResourceDefinition',
      'DaemonSet',
      'Deployment',
      'Namespace',
      'NetworkPolicy',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Role',
      'RoleBinding',
      'RoleBinding',
      'RoleBinding',
      'Service',
      'Service',
      'Service',
      'ServiceAccount',
      'ServiceAccount',
    ]);
    for (const m of root)
      if (
        !['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(
          m.kind,
        )
      )
        expect(m.metadata.namespace, `${m.kind}/${m.metadata.name}`).toBe('infernode-system');
  });

  it.runIf(hasKubectl)(
    'kustomize-lite renders what kubectl renders (so CI without kubectl checks the same objects)',
    () => {
      const key = (m: Manifest): string =>
        `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
      const sort = (ms: Manifest[]): Manifest[] =>
        [...ms].sort((a, b) => key(a).localeCompare(key(b)));
      expect(sort(kustomizeLite(DEPLOY))).toEqual(sort(root));
      expect(sort(kustomizeLite(join(DEPLOY, 'examples')))).toEqual(sort(examples));
    },
  );

  it('every built-in object is valid against the Kubernetes schemas (kubernetes-models)', () => {
    for (const m of [
      ...root,
      ...examples.filter((e) => !e.apiVersion.startsWith('infernode.io/')),
    ]) {
      const Model = modelClass(m.apiVersion, m.kind);
      expect(Model, `${m.apiVersion} ${m.kind} has a model`).toBeDefined();
      expect(() => new Model!(m).validate(), `${m.kind}/${m.metadata.name}`).not.toThrow();
    }
  });

  it('the CRDs: infernode.io/v1alpha1, status subresource, printer columns, scale only where AIBrix has one', () => {
    const scale: Record<string, boolean> = {
      ModelAdapter: false,
      PodAutoscaler: false,
      RayClusterFleet: true,
      KVCache: false,
      RateLimitPolicy: false,
    };
    for (const crd of crds) {
      const spec = crd.spec as {
        group: string;
        names: { kind: string };
        versions: {
          name: string;
          subresources: { status?: unknown; scale?: unknown };
          additionalPrinterColumns?: unknown[];
          schema?: unknown;
        }[];
      };
      expect(spec.group).toBe('infernode.io');
      const [v] = spec.versions;
      expect(v?.name).toBe('v1alpha1');
      expect(v?.subresources.status).toEqual({});
      expect(v?.subresources.scale !== undefined, spec.names.kind).toBe(scale[spec.names.kind]);
      expect(v?.additionalPrinterColumns?.length).toBeGreaterThan(1);
      expect(v?.schema).toBeDefined();
    }
  });

  it('the examples are valid custom resources', () => {
    const crs = examples.filter((e) => e.apiVersion === 'infernode.io/v1alpha1');
    expect(crs.map((c) => c.kind).sort()).toEqual([
      'KVCache',
      'ModelAdapter',
      'PodAutoscaler',
      'RateLimitPolicy',
    ]);
    for (const cr of crs) expect(crProblems(cr), cr.kind).toEqual([]);
    const pa = crs.find((c) => c.kind === 'PodAutoscaler')!;
    expect(pa.spec).toMatchObject({
      scalingStrategy: 'APA',
      metricsSources: [{ metricSourceType: 'engine', targetMetric: 'num_requests_running' }],
    });
  });

  it('the CRDs reject what AIBrix rejects', () => {
    const pa = examples.find((e) => e.kind === 'PodAutoscaler')!;
    const withSpec = (m: Manifest, patch: Obj): Manifest => ({
      ...m,
      spec: { ...(m.spec as Obj), ...patch },
    });
    expect(crProblems(withSpec(pa, { minReplicas: 9, maxReplicas: 2 }))).toContain(
      'minReplicas must be less than or equal to maxReplicas',
    );
    expect(crProblems(withSpec(pa, { scalingStrategy: 'XPA' })).join()).toMatch(/allowed values/);
    expect(crProblems(withSpec(pa, { panicWindowSeconds: 300 }))).toContain(
      'panicWindowSeconds must be less than or equal to observeWindowSeconds',
    );
    expect(crProblems(withSpec(pa, { metricsSources: [] })).join()).toMatch(/fewer than 1/);
    expect(
      crProblems(
        withSpec(pa, {
          metricsSources: [{ metricSourceType: 'pod', targetMetric: 'x', targetValue: '1' }],
        }),
      ),
    ).toContain('a pod metric source needs protocolType, port and path');
    expect(
      crProblems(
        withSpec(pa, { schedules: [{ name: 'night', startTime: '22:00', endTime: '06:00' }] }),
      ),
    ).toContain('endTime must be after startTime (a window cannot cross midnight)');
    const noMax: Obj = { ...(pa.spec as Obj) };
    delete noMax.maxReplicas;
    expect(crProblems({ ...pa, spec: noMax }).join()).toMatch(/maxReplicas/);

    const ma = examples.find((e) => e.kind === 'ModelAdapter')!;
    expect(crProblems(withSpec(ma, { artifactURL: 'ftp://host/x' })).join()).toMatch(/pattern/);
    expect(crProblems(withSpec(ma, { replicas: 0 })).join()).toMatch(/>= 1/);
    expect(crProblems(withSpec(ma, { replicas: 1.5 })).join()).toMatch(/integer/);
    for (const replicas of [1, 2, 7]) expect(crProblems(withSpec(ma, { replicas }))).toEqual([]);
    for (const url of ['s3://bucket/lora', 'file:///tmp/lora', 'hf://org/repo', '/models/x'])
      expect(crProblems(withSpec(ma, { artifactURL: url })), url).toEqual([]);
    expect(crProblems(withSpec(ma, { artifactURL: 'huggingface://only-org' }))).toContain(
      'a Hugging Face artifactURL names a repository, org/name',
    );
    expect(crProblems(withSpec(ma, { baseModel: ma.metadata.name }))).toContain(
      'metadata.name must differ from spec.baseModel (requests name the adapter by it)',
    );
    expect(crProblems({ ...ma, metadata: { name: 'Bad_Name' } }).join()).toMatch(
      /metadata.name is the served model id/,
    );

    const kv = examples.find((e) => e.kind === 'KVCache')!;
    expect(
      crProblems(withSpec(kv, { metadata: { redis: { runtime: {} }, etcd: { runtime: {} } } })),
    ).toContain('choose one metadata store, redis or etcd');
    expect(crProblems(withSpec(kv, { metadata: { redis: {} } }))).toContain(
      'set exactly one of externalConnection and runtime',
    );
    expect(crProblems(withSpec(kv, { mode: 'sharded' })).join()).toMatch(/allowed values/);

    const rl = examples.find((e) => e.kind === 'RateLimitPolicy')!;
    expect(crProblems(withSpec(rl, { users: { a: { rpm: 0 } } }))).toContain(
      'rpm and tpm must be above 0',
    );
    expect(crProblems(withSpec(rl, { defaultUser: { tpm: -5 } }))).toContain(
      'rpm and tpm must be above 0',
    );
    expect(crProblems(withSpec(rl, { models: { m: { rps: 0 } } }))).toContain(
      'rps must be above 0',
    );
    expect(crProblems(withSpec(rl, { users: { a: { rpm: 'many' } } })).join()).toMatch(/number/);
  });

  it("AIBrix's ModelAdapter example is valid with only apiVersion changed", () => {
    // From AIBrix's docs (features/lora-dynamic-loading), apiVersion model.aibrix.ai/v1alpha1.
    const aibrix: Manifest = {
      apiVersion: 'infernode.io/v1alpha1',
      kind: 'ModelAdapter',
      metadata: {
        name: 'qwen-code-lora',
        labels: { 'model.aibrix.ai/name': 'qwen-code-lora', 'model.aibrix.ai/port': '8000' },
      },
      spec: {
        baseModel: 'qwen-coder-1-5b-instruct',
        podSelector: { matchLabels: { 'model.aibrix.ai/name': 'qwen-coder-1-5b-instruct' } },
        artifactURL: 'huggingface://ajayhjainam/qwen-coder-1-5b-instruct-lora',
        schedulerName: 'default',
      },
    };
    expect(crProblems(aibrix)).toEqual([]);
    expect(crProblems({ ...aibrix, spec: { ...(aibrix.spec as Obj), replicas: 1 } })).toEqual([]);
  });

  it('workloads: command, downward API, probes, resources, securityContext, scrape annotations, grace', () => {
    const agent = one('DaemonSet', 'infernode-agent');
    const leader = one('Deployment', 'infernode-leader');
    for (const [w, role, ports] of [
      [agent, 'agent', [9100]],
      [leader, 'leader', [8080, 8081]],
    ] as const) {
      const pod = (w.spec as { template: { metadata: { annotations: Obj }; spec: Obj } }).template;
      expect(pod.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(ports.at(-1)),
      });
      expect((pod.spec.terminationGracePeriodSeconds as number) * 1000).toBeGreaterThan(
        SHUTDOWN_GRACE_MS[role],
      );
      const containers = pod.spec.containers as {
        command: string[];
        args: string[];
        env: { name: string; valueFrom?: unknown }[];
        ports: { containerPort: number }[];
        resources: { requests: Obj; limits: Obj };
        securityContext: Obj;
        livenessProbe: unknown;
        readinessProbe: unknown;
      }[];
      const [main] = containers;
      expect([...main!.command, ...main!.args]).toEqual([
        'infernode',
        role,
        '--discovery',
        'kubernetes',
      ]);
      expect(main!.ports.map((p) => p.containerPort)).toEqual(ports);
      const env = new Set(main!.env.map((e) => e.name));
      for (const name of ['NODE_NAME', 'POD_NAME', 'POD_NAMESPACE'])
        expect(env.has(name), name).toBe(true);
      // Agents prove their node with a ServiceAccount token, not a shared secret.
      expect(
        env.has(role === 'agent' ? 'INFERNODE_AGENT_AUTH' : 'INFERNODE_LEADER_AGENTS_AUTH'),
      ).toBe(true);
      expect(main!.livenessProbe).toBeDefined();
      expect(main!.readinessProbe).toBeDefined();
      for (const c of [...containers, ...((pod.spec.initContainers ?? []) as typeof containers)]) {
        expect(c.resources.requests).toBeDefined();
        expect(c.resources.limits).toBeDefined();
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.securityContext.privileged).toBeUndefined();
      }
      expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    }
  });

  it('the agent: GPU nodes, GPU and own taints tolerated, node cache, read-only /dev/kmsg, RollingUpdate', () => {
    const spec = one('DaemonSet', 'infernode-agent').spec as {
      updateStrategy: { type: string };
      template: {
        spec: {
          nodeSelector: Obj;
          tolerations: { key: string; effect: string }[];
          volumes: { name: string; hostPath?: { path: string } }[];
          containers: {
            args: string[];
            env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
            volumeMounts: { mountPath: string; readOnly?: boolean }[];
          }[];
        };
      };
    };
    const pod = spec.template.spec;
    expect(spec.updateStrategy.type).toBe('RollingUpdate');
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(pod.tolerations.map((t) => `${t.key}:${t.effect}`).sort()).toEqual([
      'amd.com/gpu:NoSchedule',
      'infernode.io/gpu-unhealthy:NoSchedule',
      'nvidia.com/gpu:NoSchedule',
    ]);
    expect(
      pod.volumes
        .map((v) => v.hostPath?.path)
        .filter(Boolean)
        .sort(),
    ).toEqual(['/dev/kmsg', '/var/cache/infernode']);
    const mounts = pod.containers[0]!.volumeMounts;
    expect(mounts.find((m) => m.mountPath === '/dev/kmsg')?.readOnly).toBe(true);
    expect(
      pod.containers[0]!.env.find((e) => e.name === 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath,
    ).toBe('spec.nodeName');
  });

  it('the leader: two spread replicas, a PDB, a gateway on every replica or the followers, control on the elected pod', () => {
    const spec = one('Deployment', 'infernode-leader').spec as {
      replicas: number;
      template: { spec: { affinity: { podAntiAffinity: unknown } } };
    };
    expect(spec.replicas).toBe(2);
    expect(spec.template.spec.affinity.podAntiAffinity).toBeDefined();
    expect((one('PodDisruptionBudget', 'infernode-leader').spec as Obj).minAvailable).toBe(1);
    const gateway = one('Service', 'infernode-gateway').spec as {
      selector: Obj;
      ports: { port: number }[];
    };
    // Every leader replica serves the gateway (issue #18); readiness (/readyz) keeps unfed ones out.
    expect(gateway.selector).toEqual({
      'app.kubernetes.io/name': 'infernode',
      'app.kubernetes.io/component': 'leader',
    });
    expect(gateway.ports[0]!.port).toBe(8080);
    // ...and one Service selects the followers only, to keep inference off the leader's loop.
    const followers = one('Service', 'infernode-gateway-followers').spec as {
      selector: Obj;
      ports: { port: number; targetPort: string }[];
    };
    expect(followers.selector).toEqual({
      'app.kubernetes.io/name': 'infernode',
      'app.kubernetes.io/component': 'leader',
      'infernode.io/role': 'follower',
    });
    expect(followers.ports[0]).toMatchObject({ port: 8080, targetPort: 'gateway' });
    const control = one('Service', 'infernode-control').spec as {
      selector: Obj;
      ports: { port: number }[];
    };
    expect(control.selector).toMatchObject({
      'infernode.io/role': 'leader',
      'app.kubernetes.io/component': 'leader',
    });
    expect(control.ports[0]!.port).toBe(8081);
  });
});
