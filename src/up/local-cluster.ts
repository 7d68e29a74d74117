/**
 * Starts a whole infernode cluster on loopback from a cluster file: the simulated engines, the
 * leader and one agent per node, as child processes; waits until the gateway serves every model
 * and every agent reports. Used by `infernode up`, the end-to-end tests and the benchmarks.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withScaleGroupReplicas, type ClusterFile } from '../discovery/index.js';
import { readClusterFile, scaleStatePath, writeScaleState } from '../discovery/adapters/index.js';
import { deriveAgentToken } from '../protocol/index.js';
import { AppError, freePorts } from '../shared/index.js';
import { ChildSupervisor } from './child-supervisor.js';
import { describeChildExit } from './child-exit-reason.js';
import { clusterPorts } from './cluster-ports.js';
import type { LocalObjectStore } from './object-store.js';
import { waitForListening } from './port-wait.js';
import { waitUntilServing } from './wait-until-serving.js';
import { assertPortsFree } from './port-check.js';
import { childName, simChildSpec, type SimChildContext } from './sim-child.js';
import { ScaleGroupFollower, groupReplicaChildren } from './scale-group-follower.js';
import { agentWeightsSettings, type ObjectStoreAccess } from './weights-wiring.js';
import { agentKvSettings, agentKvUrl, type AgentKvService } from './kv-wiring.js';
import {
  agentHubUrls,
  leaderReplicaArgs,
  leaderReplicas,
  waitForFollowersReady,
} from './gateway-replicas.js';

export { childName } from './sim-child.js';
export { waitUntilServing } from './wait-until-serving.js';

export interface LocalClusterOptions {
  readonly clusterFile: string;
  /** Directory for the children's logs. Default `.infernode/logs`. */
  readonly logDir?: string;
  /**
   * Directory for the cluster's state: the object store's objects, the seeded models, the
   * agents' weight caches. Default `.infernode/state` in the package root.
   */
  readonly stateDir?: string;
  /** Cluster secret the agents' per-node tokens derive from; default a fresh random one. */
  readonly secret?: string;
  /** Extra environment for every child (e.g. a PATH with fake GPU tools). */
  readonly env?: Readonly<Record<string, string>>;
  readonly report?: (line: string) => void;
  /** How long to wait for the cluster to serve. Default 60000 ms. */
  readonly readyTimeoutMs?: number;
  /** Extra flags for the leader / every agent / every simulator. */
  readonly leaderArgs?: readonly string[];
  readonly agentArgs?: readonly string[];
  readonly simArgs?: readonly string[];
  /** Aborting it (Ctrl-C while starting) stops what was started and rejects. */
  readonly signal?: AbortSignal;
  /**
   * The KV cache (issue #14): each agent's block service on a free port with one token for the
   * cluster, each simulator publishing the KV events its `kvEvents:` names. Default true.
   */
  readonly kv?: boolean;
  /** Leader processes serving the gateway (issue #18): 1 + followers. Default 1. */
  readonly gateways?: number;
}

export interface LocalCluster {
  readonly file: ClusterFile;
  readonly gatewayUrl: string;
  readonly controlUrl: string;
  /** Every replica's gateway URL, the leader's (`gatewayUrl`) first. */
  readonly gatewayUrls: readonly string[];
  /** Every replica's control URL, the leader's (`controlUrl`) first. */
  readonly controlUrls: readonly string[];
  /** Agent local API URL by node name. */
  readonly agentUrls: ReadonlyMap<string, string>;
  /** Each agent's KV block service URL (`ikv://127.0.0.1:<port>`) by node; empty when KV is off. */
  readonly kvUrls: ReadonlyMap<string, string>;
  /** The local cluster's KV token (engines and peers present it); undefined when KV is off. */
  readonly kvToken: string | undefined;
  /** The local object store's URL (AWS_ENDPOINT_URL), when the file has `objectStore:`. */
  readonly objectStoreUrl: string | undefined;
  readonly supervisor: ChildSupervisor;
  /** The cluster secret (only the leader gets it; each agent gets its node's token). */
  readonly secret: string;
  stop(): Promise<void>;
}

/** The repository root (where package.json is), found from this module's location. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above this module');
    dir = parent;
  }
  return dir;
}

/**
 * Starts the cluster described by the file. Fails fast, with one line, on a missing or invalid
 * file, a port in use, or a child that exits while starting; on failure everything started is
 * stopped.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const root = packageRoot();
  const { file } = await readClusterFile(options.clusterFile, { signal: options.signal });
  await assertPortsFree(clusterPorts(file), options.clusterFile, { signal: options.signal });
  const secret = options.secret ?? randomBytes(24).toString('hex');
  const supervisor = new ChildSupervisor({
    cliPath: join(root, 'dist', 'cli', 'main.js'),
    logDir: resolve(options.logDir ?? join(root, '.infernode', 'logs')),
    report: options.report ?? (() => undefined),
  });
  // Children inherit this process's environment: blank the credentials so none leaks across.
  const env = { ...options.env, INFERNODE_CLUSTER_SECRET: '', INFERNODE_AGENT_TOKEN: '' };
  const { host, gatewayPort, controlPort } = file.leader;
  const controlUrl = `http://${host}:${controlPort}`;
  const clusterPath = resolve(options.clusterFile);
  const stateDir = resolve(options.stateDir ?? join(root, '.infernode', 'state'));
  let objectStore: LocalObjectStore | undefined;
  // Scale groups start at the file's replicas, whatever an earlier run left in the state file.
  const initialReplicas = new Map(file.scaleGroups.map((g) => [g.name, g.replicas]));
  const started = withScaleGroupReplicas(file, initialReplicas);
  if (file.scaleGroups.length > 0)
    await writeScaleState(scaleStatePath(clusterPath), initialReplicas, options.signal);
  const replicas = await leaderReplicas(host, file.leader, options.gateways ?? 1);
  const hubUrls = agentHubUrls(replicas);
  const kvServices = await kvServicesFor(file, options.kv ?? true);
  let sims: SimChildContext | undefined;
  const startup = supervisor.watchStartup();
  try {
    // The object store first: engines and agents read from it as they start. s3rver and the S3
    // SDK are loaded only for a file that has one.
    let access: ObjectStoreAccess | undefined;
    if (file.objectStore !== undefined) {
      options.report?.(`starting the object store on port ${file.objectStore.port} …`);
      const store = await import('./object-store.js');
      objectStore = await store.startObjectStore(file.objectStore, stateDir, options.signal);
      const { S3RVER_CREDENTIALS: credentials, LOCAL_OBJECT_STORE_REGION: region } = store;
      access = { url: objectStore.url, ...credentials, region };
    }
    for (const replica of replicas)
      supervisor.start({
        name: childName.leaderReplica(replica.index),
        env: { ...env, INFERNODE_CLUSTER_SECRET: secret },
        args: [...leaderReplicaArgs(replica, clusterPath, host), ...(options.leaderArgs ?? [])],
      });
    for (const node of file.nodes) {
      const weights = agentWeightsSettings(node, stateDir, access, [
        dirname(clusterPath),
        join(root, 'examples'),
      ]);
      supervisor.start({
        name: childName.agent(node.name),
        env: {
          ...env,
          ...weights.env,
          ...agentKvSettings(kvServices.get(node.name)).env,
          ...node.env,
          INFERNODE_AGENT_TOKEN: deriveAgentToken(secret, node.name),
        },
        args: [
          'agent',
          '--node',
          node.name,
          '--cluster-file',
          clusterPath,
          '--leader-url',
          hubUrls[0] as string,
          ...(hubUrls.length > 1 ? ['--leader-standby-urls', hubUrls.slice(1).join(',')] : []),
          '--api-port',
          String(node.agentPort),
          ...weights.args,
          ...(options.agentArgs ?? []),
        ],
      });
    }
    // Engines last: one that streams through its agent's read-through endpoint needs it up.
    sims = {
      extraArgs: options.simArgs ?? [],
      clusterDir: dirname(clusterPath),
      objectStore: access,
      kvEvents: options.kv ?? true,
    };
    for (const node of started.nodes) {
      if (node.readThroughPort !== undefined && access !== undefined)
        await waitForListening(host, node.readThroughPort, `agent ${node.name}'s read-through`, {
          timeoutMs: options.readyTimeoutMs ?? 60_000,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
      for (const engine of node.engines) {
        const spec = simChildSpec(node, engine, sims);
        if (spec !== undefined) supervisor.start({ ...spec, env: { ...env, ...spec.env } });
      }
    }
    const stopped = new AbortController();
    const signal = AbortSignal.any([stopped.signal, ...(options.signal ? [options.signal] : [])]);
    const childFailed = startup.failed.then((exit) => {
      throw new AppError('PROC_CHILD_FAILED', describeChildExit(exit));
    });
    childFailed.catch(() => undefined); // also handled when the race is already over
    await Promise.race([
      waitUntilServing(controlUrl, started, options.readyTimeoutMs ?? 60_000, signal).then(() =>
        waitForFollowersReady(replicas, options.readyTimeoutMs ?? 60_000, signal),
      ),
      childFailed,
    ]).finally(() => stopped.abort());
    startup.done();
  } catch (err) {
    startup.done();
    await supervisor.stopAll();
    await objectStore?.close();
    throw err;
  }
  const simContext = sims;
  const following = new AbortController();
  const follower = new ScaleGroupFollower(
    {
      file,
      clusterPath,
      supervisor,
      sims: simContext,
      env,
      report: options.report ?? (() => undefined),
    },
    groupReplicaChildren(file, initialReplicas, simContext).keys(),
  );
  const followed =
    file.scaleGroups.length === 0 ? Promise.resolve() : follower.run(following.signal);
  return {
    file,
    gatewayUrl: `http://${host}:${gatewayPort}`,
    controlUrl,
    gatewayUrls: replicas.map((r) => r.gatewayUrl),
    controlUrls: replicas.map((r) => r.controlUrl),
    agentUrls: new Map(file.nodes.map((n) => [n.name, `http://127.0.0.1:${n.agentPort}`])),
    kvUrls: new Map([...kvServices].map(([node, service]) => [node, agentKvUrl(service)])),
    kvToken: kvServices.values().next().value?.token,
    objectStoreUrl: objectStore?.url,
    supervisor,
    secret,
    // The object store last: engines and agents may read from it until they stop.
    stop: async () => {
      following.abort();
      await followed;
      await supervisor.stopAll();
      await objectStore?.close();
    },
  };
}

/**
 * One block service per agent, each on a free loopback port (the cluster file names no KV port:
 * one fewer to choose), all with one fresh token. Empty when KV is off.
 */
async function kvServicesFor(file: ClusterFile, on: boolean): Promise<Map<string, AgentKvService>> {
  if (!on || file.nodes.length === 0) return new Map();
  const token = randomBytes(24).toString('hex');
  const ports = await freePorts(file.nodes.length);
  return new Map(file.nodes.map((n, i) => [n.name, { port: ports[i] as number, token }]));
}
