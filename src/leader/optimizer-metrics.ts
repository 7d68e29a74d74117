/**
 * Metrics of the GPU optimizer (`infernode_optimizer_*`): how its rounds go, which method sized
 * each model (the ILP, or the greedy fallback and how often), and what it recommends. Label
 * values are the configured deployments and their models, so they are bounded by the config.
 */
import { deploymentKey, type OptimizerRound } from '../optimizer/index.js';
import { Counter, Gauge, Histogram, type Registry } from '../shared/index.js';

/** See the file comment. */
export class OptimizerMetrics {
  readonly #rounds: Counter<'outcome'>;
  readonly #roundSeconds: Histogram;
  readonly #allocations: Counter<'model' | 'method'>;
  readonly #replicas: Gauge<'deployment'>;
  readonly #cost: Gauge<'model'>;
  readonly #unservable: Gauge<'model'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#rounds = new Counter({
      name: 'infernode_optimizer_rounds_total',
      help: 'Optimizer rounds by outcome (ok, failed: the previous recommendations stay)',
      labelNames: ['outcome'],
      registers,
    });
    this.#roundSeconds = new Histogram({
      name: 'infernode_optimizer_round_duration_seconds',
      help: 'Wall time of one optimizer round (profiles, clustering, solving every model)',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#allocations = new Counter({
      name: 'infernode_optimizer_allocations_total',
      help: 'Models sized per round by method (ilp; greedy: the fallback; floor: no load)',
      labelNames: ['model', 'method'],
      registers,
    });
    this.#replicas = new Gauge({
      name: 'infernode_optimizer_recommended_replicas',
      help: 'Replicas the latest round recommends per deployment (absent: no recommendation)',
      labelNames: ['deployment'],
      registers,
    });
    this.#cost = new Gauge({
      name: 'infernode_optimizer_cost_per_hour',
      help: "Cost per hour of the latest round's allocation per model, in the profiles' unit",
      labelNames: ['model'],
      registers,
    });
    this.#unservable = new Gauge({
      name: 'infernode_optimizer_unservable_slices',
      help: 'Workload slices no profiled GPU type can serve within the SLO, per model',
      labelNames: ['model'],
      registers,
    });
  }

  /** A finished round and its wall time. */
  roundDone(round: OptimizerRound, seconds: number): void {
    this.#rounds.inc({ outcome: 'ok' });
    this.#roundSeconds.observe(seconds);
    for (const m of round.models) {
      this.#allocations.inc({ model: m.model, method: m.allocation.method });
      this.#cost.set({ model: m.model }, m.allocation.costPerHour);
      this.#unservable.set({ model: m.model }, m.allocation.unservable.length);
    }
    for (const r of round.recommendations) {
      const deployment = deploymentKey(r.deployment);
      if (r.replicas === null) this.#replicas.remove({ deployment });
      else this.#replicas.set({ deployment }, r.replicas);
    }
  }

  /** A round that threw. */
  roundFailed(seconds: number): void {
    this.#rounds.inc({ outcome: 'failed' });
    this.#roundSeconds.observe(seconds);
  }
}
