/**
 * `infernode up`'s side of scale groups: follows the desired replicas in the scale state file
 * (written by the leader's static ScaleClient) by starting and stopping simulator children.
 * A new replica starts at once (its cold start is the simulator's: slow start, weight load).
 * A removed one is the newest (highest index) and stops gracefully: discovery drops it first
 * (the leader and agents read the same file), so after `drainDelayMs` no new request reaches it,
 * then it gets SIGTERM and its in-flight requests finish within the simulator's shutdown grace.
 */
import { readScaleState, scaleStatePath } from '../discovery/adapters/index.js';
import { withScaleGroupReplicas, type ClusterFile } from '../discovery/index.js';
import { sleep, toError } from '../shared/index.js';
import type { ChildSpec, ChildSupervisor } from './child-supervisor.js';
import { simChildSpec, type SimChildContext } from './sim-child.js';

export interface ScaleGroupFollowerOptions {
  readonly file: ClusterFile;
  /** The cluster file's path (the scale state file lives next to it). */
  readonly clusterPath: string;
  readonly supervisor: ChildSupervisor;
  readonly sims: SimChildContext;
  /** Environment of every simulator child. */
  readonly env: Readonly<Record<string, string>>;
  readonly report: (line: string) => void;
  /** How often the state file is read, ms. Default 250. */
  readonly pollIntervalMs?: number;
  /** Wait between a replica leaving discovery and its SIGTERM, ms. Default 2500 (> the sources' 1 s poll). */
  readonly drainDelayMs?: number;
  /** SIGTERM to SIGKILL for a removed replica, ms. Default 15 000 (the simulator drains for 10 s). */
  readonly stopGraceMs?: number;
}

/** The scale-group replicas the file has at the given counts, by child name, oldest first. */
export function groupReplicaChildren(
  file: ClusterFile,
  replicas: ReadonlyMap<string, number>,
  sims: SimChildContext,
): Map<string, ChildSpec> {
  const out = new Map<string, ChildSpec>();
  const expanded = withScaleGroupReplicas(file, replicas);
  for (const node of expanded.nodes)
    for (const engine of node.engines) {
      if (engine.scaleGroup === undefined) continue;
      const spec = simChildSpec(node, engine, sims);
      if (spec !== undefined) out.set(spec.name, spec);
    }
  return out;
}

/** See the file comment. */
export class ScaleGroupFollower {
  readonly #options: ScaleGroupFollowerOptions;
  /** Replicas running (or starting) now, by child name. */
  readonly #running = new Set<string>();
  readonly #stopping = new Map<string, Promise<void>>();
  /** The last problem reported (each is reported once, not every poll). */
  #lastProblem: string | undefined;

  constructor(options: ScaleGroupFollowerOptions, started: Iterable<string>) {
    this.#options = options;
    for (const name of started) this.#running.add(name);
  }

  /** Follows the state file until `signal` aborts; a bad state file is reported and skipped. */
  async run(signal: AbortSignal): Promise<void> {
    const { clusterPath, pollIntervalMs = 250 } = this.#options;
    while (!signal.aborted) {
      try {
        const state = await readScaleState(scaleStatePath(clusterPath), signal);
        this.#lastProblem = undefined;
        // Every poll, not only on change: a replica that was still stopping when it was wanted
        // again is started once it has stopped.
        this.#apply(state.replicas, signal);
      } catch (err) {
        if (toError(err).name === 'AbortError') break;
        const problem = toError(err).message;
        if (problem !== this.#lastProblem)
          this.#options.report(`scale state unreadable, keeping the replicas: ${problem}`);
        this.#lastProblem = problem;
      }
      await sleep(pollIntervalMs, signal);
    }
    await Promise.all(this.#stopping.values());
  }

  #apply(replicas: ReadonlyMap<string, number>, signal: AbortSignal): void {
    const { supervisor, env, report } = this.#options;
    const wanted = groupReplicaChildren(this.#options.file, replicas, this.#options.sims);
    for (const [name, spec] of wanted) {
      if (this.#running.has(name) || this.#stopping.has(name)) continue;
      this.#running.add(name);
      report(`scale up: starting ${name}`);
      supervisor.start({ ...spec, env: { ...env, ...spec.env } });
    }
    // Newest first: names end in the replica index.
    const removed = [...this.#running].filter((n) => !wanted.has(n)).sort(byIndexDescending);
    for (const name of removed) {
      this.#running.delete(name);
      report(`scale down: draining ${name}`);
      const stopping = this.#drainAndStop(name, signal).finally(() => this.#stopping.delete(name));
      this.#stopping.set(name, stopping);
    }
  }

  async #drainAndStop(name: string, signal: AbortSignal): Promise<void> {
    const { drainDelayMs = 2500, stopGraceMs = 15_000, supervisor } = this.#options;
    await sleep(drainDelayMs, signal).catch(() => undefined);
    await supervisor.stop(name, stopGraceMs);
    this.#options.report(`scale down: stopped ${name}`);
  }
}

const indexOf = (name: string): number => Number(/-(\d+)$/.exec(name)?.[1] ?? 0);
const byIndexDescending = (a: string, b: string): number => indexOf(b) - indexOf(a);
