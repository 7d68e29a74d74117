/** The child process `up` starts for one simulated engine: `infernode sim` with its flags. */
import type { EngineEntry, NodeEntry } from '../discovery/index.js';
import type { ChildSpec } from './child-supervisor.js';
import { simKvTransferArgs } from './sim-kv-wiring.js';
import { simKvEventsArgs } from './kv-wiring.js';
import { engineWeightsSettings, type ObjectStoreAccess } from './weights-wiring.js';

/** Child names, one scheme everywhere (tests kill children by these names). */
export const childName = {
  leader: 'leader',
  /** Leader replica k of `up --gateways N` (replica 0 is `leader`). */
  leaderReplica: (k: number) => (k === 0 ? 'leader' : `leader-${k}`),
  agent: (node: string) => `agent-${node}`,
  sim: (node: string, engine: string) => `sim-${node}-${engine}`,
};

/** Where the cluster's weights come from, for the engines' flags. */
export interface SimChildContext {
  /** Extra flags for every simulator. */
  readonly extraArgs: readonly string[];
  /** The cluster file's directory: relative model paths are relative to it. */
  readonly clusterDir: string;
  readonly objectStore: ObjectStoreAccess | undefined;
  /** Publish KV events where an engine's `kvEvents:` says (`up --kv false`: off). Default on. */
  readonly kvEvents?: boolean;
}

/** The child spec of an engine with a `sim:` section; undefined for engines given by URL. */
export function simChildSpec(
  node: NodeEntry,
  e: EngineEntry,
  context: SimChildContext,
): ChildSpec | undefined {
  if (e.sim === undefined) return undefined;
  const args = ['sim', '--port', String(e.sim.port), '--model', e.model];
  if (e.sim.profile !== undefined) args.push('--profile', e.sim.profile);
  if (e.sim.speed !== undefined) args.push('--speed', String(e.sim.speed));
  if (e.sim.maxNumSeqs !== undefined) args.push('--max-num-seqs', String(e.sim.maxNumSeqs));
  if (e.sim.numGpuBlocks !== undefined) args.push('--num-gpu-blocks', String(e.sim.numGpuBlocks));
  if (e.sim.maxLoras !== undefined) args.push('--max-loras', String(e.sim.maxLoras));
  if (e.sim.enableLora === true) args.push('--enable-lora');
  if (e.sim.maxLoraRank !== undefined) args.push('--max-lora-rank', String(e.sim.maxLoraRank));
  if (e.sim.slowStartMs !== undefined) args.push('--slow-start-ms', String(e.sim.slowStartMs));
  const weights = engineWeightsSettings(node, e, context.clusterDir, context.objectStore);
  return {
    name: childName.sim(node.name, e.name),
    args: [
      ...args,
      ...weights.args,
      ...(context.kvEvents === false ? [] : simKvEventsArgs(e)),
      ...simKvTransferArgs(node),
      ...context.extraArgs,
    ],
    env: weights.env,
  };
}
