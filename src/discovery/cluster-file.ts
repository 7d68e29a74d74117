/**
 * The static cluster file (`examples/local-cluster.yaml`): nodes, their engines and GPUs, and the
 * same custom resources Kubernetes would hold. Validation is pure and reports every problem at once.
 */
import { ConfigError, type ConfigIssue } from '../shared/index.js';
import type { CustomResource, EngineEndpoint } from './cluster-source.js';
import { isObj, optionalNumber, port } from './cluster-file-fields.js';
import { parseObjectStore, type ObjectStoreEntry } from './cluster-file-object-store.js';
import { parseScaleGroups, type ScaleGroupEntry } from './cluster-file-scale-group.js';
import { parseEngine, type EngineEntry } from './cluster-file-engine.js';

export type { EngineEntry } from './cluster-file-engine.js';

export type { SimSpec } from './cluster-file-sim.js';
export { SIM_LOAD_FORMATS } from './cluster-file-sim.js';
export type { ObjectStoreEntry, ObjectStoreSeed } from './cluster-file-object-store.js';
export { MAX_SEED_SIZE_MIB } from './cluster-file-object-store.js';
export {
  MAX_SCALE_GROUP_REPLICAS,
  scaleGroupReplicas,
  type ScaleGroupEntry,
  type ScaleGroupReplica,
} from './cluster-file-scale-group.js';

export interface NodeEntry {
  readonly name: string;
  /** Port of the node agent's local API (/metrics, /healthz, /v1/gpus). */
  readonly agentPort: number;
  readonly engines: readonly EngineEntry[];
  /**
   * Port of the agent's read-through S3-compatible endpoint (the agent's
   * `weights.readThrough.port`); `up` points this node's runai_streamer engines at it.
   */
  readonly readThroughPort?: number;
  /**
   * Extra environment for this node's agent under `infernode up`, e.g. `INFERNODE_KMSG_PATH` or
   * a fake GPU tool's scenario, so each simulated node can have its own GPUs.
   */
  readonly env: Readonly<Record<string, string>>;
}

export interface LeaderEntry {
  readonly host: string;
  /** OpenAI-compatible gateway port. */
  readonly gatewayPort: number;
  /** Agent hub (WebSocket /v1/agents), leader API and /metrics port. */
  readonly controlPort: number;
}

export interface ClusterFile {
  readonly leader: LeaderEntry;
  readonly nodes: readonly NodeEntry[];
  readonly resources: readonly CustomResource[];
  /** The local object store `infernode up` runs (s3rver), when the file has one. */
  readonly objectStore?: ObjectStoreEntry;
  /** Groups of simulated engines with a replica count (PodAutoscaler targets); may be empty. */
  readonly scaleGroups: readonly ScaleGroupEntry[];
}

/** Validates a parsed cluster file. Throws one ConfigError (code CONFIG_INVALID) with every issue. */
export function parseClusterFile(raw: unknown): ClusterFile {
  const issues: ConfigIssue[] = [];
  const root = isObj(raw) ? raw : {};
  if (!isObj(raw)) issues.push({ path: '', message: 'the cluster file must be a YAML mapping' });
  const leaderRaw = isObj(root.leader) ? root.leader : {};
  const leader: LeaderEntry = {
    host: typeof leaderRaw.host === 'string' ? leaderRaw.host : '127.0.0.1',
    gatewayPort: port(leaderRaw.gatewayPort, 'leader.gatewayPort', issues, 8080),
    controlPort: port(leaderRaw.controlPort, 'leader.controlPort', issues, 8081),
  };
  const nodes: NodeEntry[] = [];
  const rawNodes = Array.isArray(root.nodes) ? (root.nodes as unknown[]) : [];
  if (!Array.isArray(root.nodes))
    issues.push({ path: 'nodes', message: 'expected a list of nodes' });
  rawNodes.forEach((n, i) => {
    const path = `nodes[${i}]`;
    if (!isObj(n) || typeof n.name !== 'string') {
      issues.push({ path, message: 'expected a node with a name' });
      return;
    }
    const engines = (Array.isArray(n.engines) ? (n.engines as unknown[]) : [])
      .map((e, k) => parseEngine(e, `${path}.engines[${k}]`, k, issues))
      .filter((e): e is EngineEntry => e !== undefined);
    const env: Record<string, string> = {};
    if (n.env !== undefined) {
      if (!isObj(n.env) || Object.values(n.env).some((v) => typeof v !== 'string'))
        issues.push({ path: `${path}.env`, message: 'expected a map of strings' });
      else Object.assign(env, n.env);
    }
    const readThroughPort =
      n.readThroughPort === undefined
        ? undefined
        : optionalNumber(n.readThroughPort, `${path}.readThroughPort`, issues, {
            min: 1,
            max: 65535,
            integer: true,
          });
    nodes.push({
      name: n.name,
      agentPort: port(n.agentPort, `${path}.agentPort`, issues),
      engines,
      env,
      ...(readThroughPort === undefined ? {} : { readThroughPort }),
    });
  });
  const seen = new Set<string>();
  for (const id of nodes.flatMap((n) => n.engines.map((e) => `${n.name}/${e.name}`))) {
    if (seen.has(id)) issues.push({ path: 'nodes', message: `duplicate engine ${id}` });
    seen.add(id);
  }
  const resources = Array.isArray(root.resources) ? (root.resources as CustomResource[]) : [];
  resources.forEach((r, i) => {
    if (
      !isObj(r) ||
      typeof r.kind !== 'string' ||
      !isObj(r.metadata) ||
      typeof r.metadata.name !== 'string'
    ) {
      issues.push({
        path: `resources[${i}]`,
        message: 'expected a resource with kind and metadata.name',
      });
    }
  });
  const objectStore = parseObjectStore(root.objectStore, issues);
  const taken = new Map<number, string>([
    [leader.gatewayPort, 'leader.gatewayPort'],
    [leader.controlPort, 'leader.controlPort'],
    ...nodes.map((n): [number, string] => [n.agentPort, `the agent port of ${n.name}`]),
    ...nodes.flatMap((n) =>
      n.engines.map((e): [number, string] => [e.sim?.port ?? 0, `engine ${n.name}/${e.name}`]),
    ),
  ]);
  const nodeNames = new Set(nodes.map((n) => n.name));
  const scaleGroups = parseScaleGroups(root.scaleGroups, nodeNames, taken, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    leader,
    nodes,
    resources,
    scaleGroups,
    ...(objectStore === undefined ? {} : { objectStore }),
  };
}

/** The URL an engine entry is served at. */
export function engineUrl(entry: EngineEntry, host = '127.0.0.1'): string {
  return entry.url ?? `http://${host}:${entry.sim?.port ?? 0}`;
}

/** The endpoints a cluster file declares (all ready: the file is the source of truth). */
export function clusterEndpoints(file: ClusterFile): EngineEndpoint[] {
  return file.nodes.flatMap((node) =>
    node.engines.map((e) => ({
      id: `${node.name}/${e.name}`,
      // Engine names repeat across nodes; the short name must not.
      name: `${node.name}-${e.name}`,
      model: e.model,
      url: engineUrl(e).replace(/\/+$/, ''),
      node: node.name,
      engine: e.engine,
      gpuIndices: e.gpus,
      ready: true,
      ...(e.connection === undefined ? {} : { connection: e.connection }),
      labels: e.labels,
      ...(e.maxLoraRank === undefined ? {} : { maxLoraRank: e.maxLoraRank }),
      ...(e.kvEvents === undefined ? {} : { kvEvents: e.kvEvents }),
    })),
  );
}
