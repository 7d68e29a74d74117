/**
 * The static mode's ScaleClient: the scale targets are the cluster file's scale groups, their
 * desired replicas live in the scale state file next to it (scale-state-file.ts), and
 * `infernode up` starts and stops simulators to follow it. A PodAutoscaler's scaleTargetRef may
 * name a group as `kind: ScaleGroup` or, as it would on Kubernetes, `kind: Deployment`.
 * Writes are serialised (read, change one group, write) so two targets never lose an update.
 */
import {
  readClusterFile,
  readScaleState,
  scaleStatePath,
  writeScaleState,
} from '../../discovery/adapters/index.js';
import type { ScaleGroupEntry } from '../../discovery/index.js';
import type { ScaleCallOptions, ScaleClient, ScaleState, ScaleTarget } from '../../kube/index.js';
import { AppError } from '../../shared/index.js';

/** Kinds (as plurals) that resolve to a scale group by name. */
const GROUP_PLURALS = new Set(['scalegroups', 'deployments', 'statefulsets']);

export interface StaticScaleClientOptions {
  readonly clusterFile: string;
  /** Replicas of a group that are ready now (status), e.g. from the cluster state store. */
  readonly readyReplicas?: (group: string) => number;
}

/** See the file comment. */
export class StaticScaleClient implements ScaleClient {
  readonly #options: StaticScaleClientOptions;
  #writes: Promise<unknown> = Promise.resolve();

  constructor(options: StaticScaleClientOptions) {
    this.#options = options;
  }

  /** The groups of the cluster file now (it may have been edited). */
  async groups(signal?: AbortSignal): Promise<readonly ScaleGroupEntry[]> {
    return (
      await readClusterFile(this.#options.clusterFile, signal === undefined ? {} : { signal })
    ).file.scaleGroups;
  }

  async getScale(target: ScaleTarget, options: ScaleCallOptions): Promise<ScaleState> {
    const group = await this.#group(target, options.signal);
    const state = await readScaleState(scaleStatePath(this.#options.clusterFile), options.signal);
    const replicas = state.replicas.get(group.name) ?? group.replicas;
    return {
      replicas,
      statusReplicas: this.#options.readyReplicas?.(group.name) ?? replicas,
      selector: `infernode.io/scale-group=${group.name}`,
    };
  }

  setReplicas(target: ScaleTarget, replicas: number, options: ScaleCallOptions): Promise<void> {
    const write = this.#writes.then(async () => {
      const group = await this.#group(target, options.signal);
      if (!Number.isInteger(replicas) || replicas < 0 || replicas > group.maxReplicas)
        throw new AppError(
          'K8S_INVALID',
          `scale group ${group.name} takes 0 to ${group.maxReplicas} replicas (its maxReplicas), not ${replicas}`,
        );
      const path = scaleStatePath(this.#options.clusterFile);
      const state = await readScaleState(path, options.signal);
      if (state.replicas.get(group.name) === replicas) return;
      const next = new Map(state.replicas);
      next.set(group.name, replicas);
      await writeScaleState(path, next, options.signal);
    });
    // One failed write must not block the ones after it.
    this.#writes = write.catch(() => undefined);
    return write;
  }

  async #group(target: ScaleTarget, signal: AbortSignal | undefined): Promise<ScaleGroupEntry> {
    const group = GROUP_PLURALS.has(target.plural)
      ? (await this.groups(signal)).find((g) => g.name === target.name)
      : undefined;
    if (group === undefined)
      throw new AppError(
        'K8S_NOT_FOUND',
        `no scale group ${target.name} in ${this.#options.clusterFile} (a ${target.plural} target in static mode names a scaleGroups entry)`,
      );
    return group;
  }
}
