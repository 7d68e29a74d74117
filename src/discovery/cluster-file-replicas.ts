/**
 * A cluster file with its scale groups' replicas as engines of their nodes, at the replica counts
 * desired now (the scale state file's, else each group's `replicas`). Discovery, the agents and
 * `infernode up` all see a group's replicas through this one function, so they agree. Pure.
 */
import type { ClusterFile, EngineEntry } from './cluster-file.js';
import { scaleGroupReplicas } from './cluster-file-scale-group.js';
import { MODEL_NAME_LABEL } from './cluster-file-labels.js';

/** The label every replica of a scale group carries, valued with the group's name. */
export const SCALE_GROUP_LABEL = 'infernode.io/scale-group';

/** Desired replicas by group name; groups not in it keep the file's `replicas`. */
export type ScaleGroupReplicaCounts = ReadonlyMap<string, number>;

/** The file with each group's replicas appended to the engines of their nodes. */
export function withScaleGroupReplicas(
  file: ClusterFile,
  desired: ScaleGroupReplicaCounts,
): ClusterFile {
  if (file.scaleGroups.length === 0) return file;
  const added = new Map<string, EngineEntry[]>();
  for (const group of file.scaleGroups) {
    for (const r of scaleGroupReplicas(group, desired.get(group.name) ?? group.replicas)) {
      const list = added.get(r.node) ?? [];
      const base = file.nodes.find((n) => n.name === r.node)?.engines.length ?? 0;
      list.push({
        name: r.name,
        model: r.model,
        engine: r.engine,
        sim: r.sim,
        url: undefined,
        // The GPUs after the node's own engines' (a simulated node has as many as it needs).
        gpus: [base + list.length],
        scaleGroup: r.group,
        // As a Deployment's pods carry its template's labels: the model, and the group.
        labels: { [MODEL_NAME_LABEL]: r.model, [SCALE_GROUP_LABEL]: r.group },
        ...(r.sim.maxLoraRank === undefined ? {} : { maxLoraRank: r.sim.maxLoraRank }),
      });
      added.set(r.node, list);
    }
  }
  return {
    ...file,
    nodes: file.nodes.map((n) => ({ ...n, engines: [...n.engines, ...(added.get(n.name) ?? [])] })),
  };
}
