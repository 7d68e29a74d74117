/**
 * The `scaleGroups:` section of the cluster file: a group of simulated engines with a replica
 * count, the local stand-in for a Deployment. A PodAutoscaler in `resources:` targets one with
 * `scaleTargetRef: {kind: ScaleGroup (or Deployment), name}`; `infernode up` starts and stops
 * simulators to follow its desired replicas. Replica i is engine `<group>-<i>` on node
 * `nodes[i % nodes.length]`, port `basePort + i`: scaling down removes the highest index, the
 * newest replica, first (as a StatefulSet does). Parsing and expansion are pure.
 */
import type { ConfigIssue } from '../shared/index.js';
import { ENGINE_KINDS, type EngineKind } from './cluster-source.js';
import { isObj, optionalNumber, port, type Obj } from './cluster-file-fields.js';
import { parseSimSpec, type SimSpec } from './cluster-file-sim.js';

/** One scale group of the cluster file. */
export interface ScaleGroupEntry {
  /** DNS-style name; the PodAutoscaler's scaleTargetRef.name. */
  readonly name: string;
  readonly model: string;
  readonly engine: EngineKind;
  /** Desired replicas at start (and while no autoscaler set any). 0 allowed. Default 1. */
  readonly replicas: number;
  /** Most replicas the group may have; ports basePort … basePort + maxReplicas − 1 are its own. */
  readonly maxReplicas: number;
  readonly basePort: number;
  /** Nodes the replicas run on, in turn. */
  readonly nodes: readonly string[];
  /** The simulator settings of every replica (an engine's `sim:`, without `port`). */
  readonly sim: SimSpec;
}

/** Largest maxReplicas (ports are reserved for all of them). */
export const MAX_SCALE_GROUP_REPLICAS = 64;

const NAME = /^[a-z0-9][a-z0-9.-]*$/;
const KNOWN = new Set([
  'name',
  'model',
  'engine',
  'replicas',
  'maxReplicas',
  'basePort',
  'nodes',
  'sim',
]);

/** Parses one group; records every issue under `path`. Undefined when it cannot be used at all. */
export function parseScaleGroup(
  raw: unknown,
  path: string,
  nodeNames: ReadonlySet<string>,
  issues: ConfigIssue[],
): ScaleGroupEntry | undefined {
  if (!isObj(raw)) {
    issues.push({ path, message: 'expected a mapping' });
    return undefined;
  }
  for (const key of Object.keys(raw))
    if (!KNOWN.has(key))
      issues.push({
        path: `${path}.${key}`,
        message: `unknown setting; known: ${[...KNOWN].join(', ')}`,
      });
  const name = typeof raw.name === 'string' && NAME.test(raw.name) ? raw.name : undefined;
  if (name === undefined)
    issues.push({ path: `${path}.name`, message: 'expected a DNS-style name' });
  if (typeof raw.model !== 'string' || raw.model === '')
    issues.push({ path: `${path}.model`, message: 'expected a model name' });
  const engine = raw.engine ?? 'vllm';
  if (!ENGINE_KINDS.some((k) => k === engine))
    issues.push({ path: `${path}.engine`, message: `expected one of ${ENGINE_KINDS.join(', ')}` });
  const maxReplicas =
    optionalNumber(raw.maxReplicas, `${path}.maxReplicas`, issues, {
      min: 1,
      max: MAX_SCALE_GROUP_REPLICAS,
      integer: true,
    }) ?? 1;
  if (raw.maxReplicas === undefined)
    issues.push({
      path: `${path}.maxReplicas`,
      message: 'required: it bounds the ports the group takes',
    });
  const replicas =
    optionalNumber(raw.replicas, `${path}.replicas`, issues, {
      min: 0,
      max: maxReplicas,
      integer: true,
    }) ?? 1;
  const basePort = port(raw.basePort, `${path}.basePort`, issues);
  if (basePort > 0 && basePort + maxReplicas - 1 > 65535)
    issues.push({
      path: `${path}.basePort`,
      message: `basePort + maxReplicas − 1 must be ≤ 65535`,
    });
  const nodes = Array.isArray(raw.nodes) ? (raw.nodes as unknown[]) : [];
  if (!Array.isArray(raw.nodes) || nodes.length === 0)
    issues.push({ path: `${path}.nodes`, message: 'expected a non-empty list of node names' });
  nodes.forEach((n, i) => {
    if (typeof n !== 'string' || !nodeNames.has(n))
      issues.push({
        path: `${path}.nodes[${i}]`,
        message: `no node named ${JSON.stringify(n)} in nodes`,
      });
  });
  const simRaw: Obj = isObj(raw.sim) ? raw.sim : {};
  if (raw.sim !== undefined && !isObj(raw.sim))
    issues.push({ path: `${path}.sim`, message: 'expected a mapping' });
  if (simRaw.port !== undefined)
    issues.push({
      path: `${path}.sim.port`,
      message: 'replicas take basePort + i; set basePort on the group',
    });
  const sim = parseSimSpec({ ...simRaw, port: basePort > 0 ? basePort : 1 }, `${path}.sim`, issues);
  if (name === undefined) return undefined;
  return {
    name,
    model: String(raw.model),
    engine: engine as EngineKind,
    replicas,
    maxReplicas,
    basePort,
    nodes: nodes.filter((n): n is string => typeof n === 'string'),
    sim,
  };
}

/** Problems between groups and with the rest of the file: duplicate names, overlapping ports. */
export function checkScaleGroups(
  groups: readonly (readonly [ScaleGroupEntry, number])[],
  takenPorts: ReadonlyMap<number, string>,
  issues: ConfigIssue[],
): void {
  const names = new Set<string>();
  const owners = new Map(takenPorts);
  groups.forEach(([g, i]) => {
    if (names.has(g.name))
      issues.push({ path: `scaleGroups[${i}].name`, message: `duplicate scale group ${g.name}` });
    names.add(g.name);
    for (let k = 0; k < g.maxReplicas; k++) {
      const p = g.basePort + k;
      const owner = owners.get(p);
      if (owner !== undefined) {
        issues.push({
          path: `scaleGroups[${i}].basePort`,
          message: `port ${p} of group ${g.name} is also ${owner}`,
        });
        break;
      }
      owners.set(p, `a replica port of group ${g.name}`);
    }
  });
}

/** One replica of a group as an engine: where it runs and what it is called. */
export interface ScaleGroupReplica {
  readonly group: string;
  readonly index: number;
  readonly node: string;
  /** Engine name on its node: `<group>-<index>`. */
  readonly name: string;
  readonly model: string;
  readonly engine: EngineKind;
  readonly sim: SimSpec;
}

/** The replicas a group has at `replicas` desired (clamped to 0 … maxReplicas), oldest first. */
export function scaleGroupReplicas(group: ScaleGroupEntry, replicas: number): ScaleGroupReplica[] {
  const count = Math.max(0, Math.min(group.maxReplicas, Math.floor(replicas)));
  const out: ScaleGroupReplica[] = [];
  for (let i = 0; i < count; i++)
    out.push({
      group: group.name,
      index: i,
      node: group.nodes[i % group.nodes.length] ?? '',
      name: `${group.name}-${i}`,
      model: group.model,
      engine: group.engine,
      sim: { ...group.sim, port: group.basePort + i },
    });
  return out;
}

/** Parses the `scaleGroups:` list (absent: none) and checks it against the ports already taken. */
export function parseScaleGroups(
  raw: unknown,
  nodeNames: ReadonlySet<string>,
  takenPorts: ReadonlyMap<number, string>,
  issues: ConfigIssue[],
): ScaleGroupEntry[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    issues.push({ path: 'scaleGroups', message: 'expected a list of scale groups' });
    return [];
  }
  // Paired with their index in the file, so issues name the right entry when one is unusable.
  const groups = (raw as unknown[])
    .map((g, i) => [parseScaleGroup(g, `scaleGroups[${i}]`, nodeNames, issues), i] as const)
    .filter((p): p is readonly [ScaleGroupEntry, number] => p[0] !== undefined);
  checkScaleGroups(groups, takenPorts, issues);
  return groups.map(([g]) => g);
}
