/**
 * Every name `infernode up` uses to wire weights between its processes, in one place, so they can
 * be aligned with the agent's and the engines' configuration in one edit:
 * - what an agent gets: its read-through endpoint's port and its upstream object store;
 * - what a simulated engine gets: `--model-path`/`--load-format` and, for the Run:ai streamer,
 *   the AWS_* environment pointing at its node's agent (or, when the node has no read-through
 *   port, straight at the object store).
 * Pure.
 */
import { isAbsolute, join, resolve } from 'node:path';
import type { EngineEntry, NodeEntry } from '../discovery/index.js';

/** The object store as the wiring needs it. */
export interface ObjectStoreAccess {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

/** Flags and environment for one child. */
export interface ChildWeightsSettings {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/**
 * What `up` passes an agent for weights. Environment only, no flags: an agent that does not yet
 * know a setting ignores an environment variable but would refuse an unknown flag.
 * - INFERNODE_AGENT_WEIGHTS_READ_THROUGH_ENABLED / _PORT: the agent config
 *   `weights.readThrough.{enabled,port}` (nodes[].readThroughPort; off when absent);
 * - INFERNODE_AGENT_NODE_CACHE_PATH: `nodeCachePath`, one directory per node under the
 *   cluster's state directory (nodes on one machine must not share a cache);
 * - AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION,
 *   AWS_S3_FORCE_PATH_STYLE: the agent's upstream S3 source (`weights.s3.*`: the local store);
 * - INFERNODE_AGENT_WEIGHTS_FILE_ROOTS: `weights.fileRoots`, the directories file:// artifacts
 *   may come from (`fileRoots`: the cluster file's directory and the repository's examples/), so
 *   a local ModelAdapter with a file:// artifactURL loads without flags while a path outside
 *   them is still refused. A node's `env` or an agent flag overrides it.
 */
export function agentWeightsSettings(
  node: NodeEntry,
  stateDir: string,
  objectStore: ObjectStoreAccess | undefined,
  fileRoots: readonly string[] = [],
): ChildWeightsSettings {
  const env: Record<string, string> = {
    INFERNODE_AGENT_NODE_CACHE_PATH: join(stateDir, 'node-cache', node.name),
  };
  if (fileRoots.length > 0) env.INFERNODE_AGENT_WEIGHTS_FILE_ROOTS = fileRoots.join(',');
  if (node.readThroughPort !== undefined) {
    env.INFERNODE_AGENT_WEIGHTS_READ_THROUGH_ENABLED = 'true';
    env.INFERNODE_AGENT_WEIGHTS_READ_THROUGH_PORT = String(node.readThroughPort);
    // The engines keep the object store's key pair and only change their endpoint to the agent,
    // so the agent's read-through verifies the signatures made with that same pair.
    if (objectStore !== undefined) {
      env.INFERNODE_AGENT_WEIGHTS_READ_THROUGH_ACCESS_KEY_ID = objectStore.accessKeyId;
      env.INFERNODE_AGENT_WEIGHTS_READ_THROUGH_SECRET_ACCESS_KEY = objectStore.secretAccessKey;
    }
  }
  if (objectStore !== undefined)
    Object.assign(env, awsEnv(objectStore.url, objectStore), { AWS_S3_FORCE_PATH_STYLE: 'true' });
  return { args: [], env };
}

/**
 * What `up` passes a simulated engine for weights: `--model-path` (a relative directory is
 * resolved against the cluster file's directory) and `--load-format`; for an s3:// model, the
 * environment vLLM's Run:ai streamer reads, pointed at the node's read-through endpoint, or at
 * the object store when the node has none.
 */
export function engineWeightsSettings(
  node: NodeEntry,
  engine: EngineEntry,
  clusterDir: string,
  objectStore: ObjectStoreAccess | undefined,
): ChildWeightsSettings {
  const sim = engine.sim;
  if (sim?.modelPath === undefined)
    return {
      args: sim?.loadFormat === undefined ? [] : ['--load-format', sim.loadFormat],
      env: {},
    };
  const isS3 = sim.modelPath.startsWith('s3://');
  const modelPath =
    isS3 || isAbsolute(sim.modelPath) ? sim.modelPath : resolve(clusterDir, sim.modelPath);
  const args = ['--model-path', modelPath, '--load-format', sim.loadFormat ?? 'auto'];
  if (!isS3) return { args, env: {} };
  const endpoint =
    node.readThroughPort !== undefined
      ? `http://127.0.0.1:${node.readThroughPort}`
      : objectStore?.url;
  if (endpoint === undefined) return { args, env: {} };
  return {
    args,
    env: {
      ...awsEnv(endpoint, objectStore),
      // What vLLM's documentation sets for an S3-compatible store.
      RUNAI_STREAMER_S3_USE_VIRTUAL_ADDRESSING: '0',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  };
}

function awsEnv(
  endpoint: string,
  access: Omit<ObjectStoreAccess, 'url'> | undefined,
): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    ...(access === undefined
      ? {}
      : {
          AWS_ACCESS_KEY_ID: access.accessKeyId,
          AWS_SECRET_ACCESS_KEY: access.secretAccessKey,
          AWS_REGION: access.region,
        }),
  };
}
