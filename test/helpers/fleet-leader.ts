/**
 * The leader's fleet parts as it builds them in Kubernetes mode (buildAdapters + buildFleets),
 * started against a fake API server, and fleet writes as a user makes them (each spec change
 * bumps metadata.generation, as the real API server does). For the fleet controller's
 * integration tests.
 */
import { systemTimers, type ViewSource } from '../../src/controllers/index.js';
import type { ClusterView } from '../../src/discovery/index.js';
import type { RayClusterFleetSpec } from '../../src/fleet/index.js';
import { createKubeClients } from '../../src/kube/adapters/index.js';
import { buildAdapters, leaderConfigSpec } from '../../src/leader/index.js';
import { buildFleets } from '../../src/leader/fleet-wiring.js';
import {
  createRegistry,
  loadConfig,
  silentLogger,
  systemClock,
  systemRng,
  type Registry,
} from '../../src/shared/index.js';
import type { FakeKubeApiServer, KubeObject } from './kube-api-server.js';

/** The fleet API version. */
export const FLEET_API = 'infernode.io/v1alpha1';

/**
 * Starts discovery and the fleet controller on `signal`; `env` adds leader settings
 * (e.g. `INFERNODE_LEADER_CONTROLLERS_BACKOFF_INITIAL_MS`). Returns the leader's discovery
 * source (engines and resources as the leader sees them) and the registry it reports to.
 */
export async function startFleetLeader(
  server: FakeKubeApiServer,
  namespace: string,
  signal: AbortSignal,
  env: Record<string, string> = {},
): Promise<{ source: ViewSource<ClusterView>; registry: Registry }> {
  const config = loadConfig(leaderConfigSpec, 'LEADER', {
    env: {
      INFERNODE_LEADER_DISCOVERY: 'kubernetes',
      POD_NAMESPACE: namespace,
      INFERNODE_AGENT_TOKEN: 'agent-token-0123456789',
      ...env,
    },
  });
  const registry = createRegistry();
  const adapters = await buildAdapters(config, {}, silentLogger(), registry, {
    kubeClients: createKubeClients(server.kubeConfig()),
  });
  const parts = buildFleets({
    config,
    adapters,
    log: silentLogger(),
    registry,
    clock: systemClock,
    rng: systemRng,
    timers: systemTimers,
  });
  for (const part of [adapters.source, ...parts]) void part.run(signal);
  return { source: adapters.source, registry };
}

/** A fleet object as stored (status left out). */
export type FleetObject = KubeObject & {
  spec: RayClusterFleetSpec;
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    /** The selector in string form, for the scale subresource. */
    scalingTargetSelector?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
};

/** The fleet now in the server. */
export const getFleet = (server: FakeKubeApiServer, ns: string, name: string): FleetObject =>
  server.get(FLEET_API, 'RayClusterFleet', ns, name) as FleetObject;

/** A condition of the fleet's status by type. */
export const fleetCondition = (
  server: FakeKubeApiServer,
  ns: string,
  name: string,
  type: string,
): { status: string; reason?: string; message?: string } | undefined =>
  getFleet(server, ns, name).status?.conditions?.find((c) => c.type === type);

/**
 * Writes a fleet's spec as a user would: the status kept, metadata.generation bumped on every
 * spec change; `labels` and `annotations` replace the fleet's when given.
 */
export function writeFleet(
  server: FakeKubeApiServer,
  ns: string,
  name: string,
  spec: RayClusterFleetSpec,
  meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): void {
  const current = server.get(FLEET_API, 'RayClusterFleet', ns, name) as FleetObject | undefined;
  const changed = JSON.stringify(current?.spec) !== JSON.stringify(spec);
  const generation = (current?.metadata.generation ?? 0) + (changed ? 1 : 0);
  server.put({
    apiVersion: FLEET_API,
    kind: 'RayClusterFleet',
    metadata: {
      ...(current?.metadata ?? {}),
      name,
      namespace: ns,
      generation: Math.max(1, generation),
      ...(meta.labels === undefined ? {} : { labels: meta.labels }),
      ...(meta.annotations === undefined ? {} : { annotations: meta.annotations }),
    },
    spec,
    ...(current?.status === undefined ? {} : { status: current.status }),
  });
}

/** `spec` with every container image in the head and worker templates set to `image`. */
export function withImage(spec: RayClusterFleetSpec, image: string): RayClusterFleetSpec {
  const template = structuredClone(spec.template) as {
    spec: {
      headGroupSpec: { template: { spec: { containers: { image: string }[] } } };
      workerGroupSpecs?: { template: { spec: { containers: { image: string }[] } } }[];
    };
  };
  for (const c of template.spec.headGroupSpec.template.spec.containers) c.image = image;
  for (const g of template.spec.workerGroupSpecs ?? [])
    for (const c of g.template.spec.containers) c.image = image;
  return { ...spec, template };
}
