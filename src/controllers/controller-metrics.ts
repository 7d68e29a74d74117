/**
 * Reconcile metrics with controller-runtime's names under infernode's prefix (STYLE.md §7):
 * every controller on a registry shares one set, told apart by the `controller` label, whose
 * values come from code (the controller names), never from keys, so cardinality stays bounded.
 */
import { Counter, Gauge, Histogram, type Registry } from '../shared/index.js';

/** Reconcile outcomes, as controller-runtime labels them. */
export type ReconcileResultLabel = 'success' | 'error' | 'requeue_after';

/** Reconcile durations, seconds: 5 ms … 60 s (controller-runtime's range, trimmed). */
const RECONCILE_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const perRegistry = new WeakMap<Registry, ControllerMetrics>();

export class ControllerMetrics {
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly terminalErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly depth: Gauge<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly retries: Counter<'controller'>;
  readonly dropped: Counter<'controller'>;

  private constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['controller'] as const;
    this.reconcileTotal = new Counter({
      name: 'infernode_controller_reconcile_total',
      help: 'Reconciles per controller and result (success, error, requeue_after)',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'infernode_controller_reconcile_errors_total',
      help: 'Reconciles that threw, terminal errors included',
      labelNames,
      registers,
    });
    this.terminalErrors = new Counter({
      name: 'infernode_controller_terminal_reconcile_errors_total',
      help: 'Reconciles that threw a TerminalError (not retried)',
      labelNames,
      registers,
    });
    this.reconcileTime = new Histogram({
      name: 'infernode_controller_reconcile_time_seconds',
      help: 'Time per reconcile, seconds',
      labelNames,
      buckets: RECONCILE_BUCKETS_SECONDS,
      registers,
    });
    this.depth = new Gauge({
      name: 'infernode_controller_workqueue_depth',
      help: 'Keys waiting for a worker',
      labelNames,
      registers,
    });
    this.activeWorkers = new Gauge({
      name: 'infernode_controller_active_workers',
      help: 'Reconciles running now',
      labelNames,
      registers,
    });
    this.retries = new Counter({
      name: 'infernode_controller_workqueue_retries_total',
      help: 'Keys requeued with backoff after an error',
      labelNames,
      registers,
    });
    this.dropped = new Counter({
      name: 'infernode_controller_workqueue_dropped_total',
      help: 'Keys refused because the queue was full (the next resync brings them back)',
      labelNames,
      registers,
    });
  }

  /** The metrics of this registry, created on first use and shared by every controller. */
  static for(registry: Registry): ControllerMetrics {
    let metrics = perRegistry.get(registry);
    if (metrics === undefined) {
      metrics = new ControllerMetrics(registry);
      perRegistry.set(registry, metrics);
    }
    return metrics;
  }
}
