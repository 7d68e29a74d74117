/**
 * The static cluster file (`examples/local-cluster.yaml`): nodes, their engines and GPUs, and the
 * same custom resources Kubernetes would hold. Validation is pure and reports every problem at once.
 */
import { ConfigError, type ConfigIssue } from '../shared/index.js';
import {
  ENGINE_KINDS,
  type CustomResource,
  type EngineConnection,
  type EngineEndpoint,
  type EngineKind,
} from './cluster-source.js';
import { isObj, optionalNumber, optionalString, port } from './cluster-file-fields.js';
import { parseObjectStore, type ObjectStoreEntry } from './cluster-file-object-store.js';
import { parseSimSpec, type SimSpec } from './cluster-file-sim.js';
import { parseEngineLabels } from './cluster-file-labels.js';
import { parseScaleGroups, type ScaleGroupEntry } from './cluster-file-scale-group.js';
import { parseEngineKvEvents, type EngineKvEvents } from './engine-kv-events.js';

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

export interface EngineEntry {
  readonly name: string;
  readonly model: string;
  readonly engine: EngineKind;
  /** Either `sim` (started by `up`) or `url` (an existing OpenAI-compatible server). */
  readonly sim: SimSpec | undefined;
  readonly url: string | undefined;
  /** GPU indices on the node; default: the k-th engine of a node uses GPU k. */
  readonly gpus: readonly number[];
  /** `tls: {caFile, insecureSkipVerify}` and `apiKey: {env | file}`; absent when neither is set. */
  readonly connection?: EngineConnection;
  /** `labels:` over `model.infernode.io/name: <model>` (what podSelectors match). */
  readonly labels: Readonly<Record<string, string>>;
  /** `maxLoraRank:` or `sim.maxLoraRank`; undefined: the default (16). */
  readonly maxLoraRank?: number;
  /** The scale group this engine is a replica of (added by withScaleGroupReplicas). */
  readonly scaleGroup?: string;
  /** `kvEvents: {endpoint, replayEndpoint?, topic?}`: where the engine publishes KV events. */
  readonly kvEvents?: EngineKvEvents;
}

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

/** `tls` and `apiKey` of an engine entry; the key only by reference (env or file). */
function parseConnection(
  raw: Record<string, unknown>,
  path: string,
  issues: ConfigIssue[],
): EngineConnection | undefined {
  const tls = raw.tls === undefined ? {} : isObj(raw.tls) ? raw.tls : undefined;
  if (tls === undefined) issues.push({ path: `${path}.tls`, message: 'expected a mapping' });
  const key = raw.apiKey === undefined ? {} : isObj(raw.apiKey) ? raw.apiKey : undefined;
  if (key === undefined)
    issues.push({
      path: `${path}.apiKey`,
      message: 'expected {env: VAR} or {file: path}; never put the key itself in the file',
    });
  const skip = tls?.insecureSkipVerify;
  if (skip !== undefined && typeof skip !== 'boolean')
    issues.push({ path: `${path}.tls.insecureSkipVerify`, message: 'expected true or false' });
  const connection: EngineConnection = {
    ...(tls?.caFile === undefined
      ? {}
      : { caFile: optionalString(tls.caFile, `${path}.tls.caFile`, issues) }),
    ...(skip === true ? { insecureSkipVerify: true } : {}),
    ...(key?.env === undefined
      ? {}
      : { apiKeyEnv: optionalString(key.env, `${path}.apiKey.env`, issues) }),
    ...(key?.file === undefined
      ? {}
      : { apiKeyFile: optionalString(key.file, `${path}.apiKey.file`, issues) }),
  };
  if (connection.apiKeyEnv !== undefined && connection.apiKeyFile !== undefined)
    issues.push({ path: `${path}.apiKey`, message: 'give env or file, not both' });
  return Object.keys(connection).length === 0 ? undefined : connection;
}

function parseEngine(
  raw: unknown,
  path: string,
  index: number,
  issues: ConfigIssue[],
): EngineEntry | undefined {
  if (!isObj(raw)) {
    issues.push({ path, message: 'expected an object' });
    return undefined;
  }
  const name =
    typeof raw.name === 'string' && /^[a-z0-9][a-z0-9.-]*$/.test(raw.name) ? raw.name : undefined;
  if (name === undefined)
    issues.push({ path: `${path}.name`, message: 'expected a DNS-style name' });
  if (typeof raw.model !== 'string' || raw.model === '')
    issues.push({ path: `${path}.model`, message: 'expected a model name' });
  const engine = raw.engine ?? 'vllm';
  if (!ENGINE_KINDS.some((k) => k === engine))
    issues.push({ path: `${path}.engine`, message: `expected one of ${ENGINE_KINDS.join(', ')}` });
  let sim: SimSpec | undefined;
  if (isObj(raw.sim)) sim = parseSimSpec(raw.sim, `${path}.sim`, issues);
  else if (raw.sim !== undefined)
    issues.push({ path: `${path}.sim`, message: 'expected a mapping' });
  const url = typeof raw.url === 'string' ? raw.url : undefined;
  if ((sim === undefined) === (url === undefined))
    issues.push({ path, message: 'give exactly one of sim or url' });
  if (url !== undefined && !/^https?:\/\/[^/]+/.test(url))
    issues.push({ path: `${path}.url`, message: 'expected an http(s) URL' });
  const gpus = raw.gpus ?? [index];
  if (!Array.isArray(gpus) || gpus.some((g) => !Number.isInteger(g) || (g as number) < 0)) {
    issues.push({ path: `${path}.gpus`, message: 'expected a list of GPU indices' });
  }
  const connection = parseConnection(raw, path, issues);
  const { labels, maxLoraRank } = parseEngineLabels(
    raw,
    String(raw.model),
    sim?.maxLoraRank,
    path,
    issues,
  );
  const kvEvents = parseEngineKvEvents(raw, path, issues);
  if (name === undefined) return undefined;
  return {
    labels,
    ...(maxLoraRank === undefined ? {} : { maxLoraRank }),
    ...(kvEvents === undefined ? {} : { kvEvents }),
    name,
    model: String(raw.model),
    engine: engine as EngineKind,
    sim,
    url,
    gpus: gpus as number[],
    ...(connection === undefined ? {} : { connection }),
  };
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
