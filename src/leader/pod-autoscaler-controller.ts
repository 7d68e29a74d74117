/**
 * The PodAutoscaler controller (DESIGN.md §8b): a thin loop on the reconcile host
 * ('pod-autoscaler', resync every 10 s as AIBrix). Each reconcile reads the target's scale,
 * takes the sampler's windows (pod-autoscaler-sampler.ts), asks the pure decision, prefetches the
 * weights before a scale-up, sets replicas when they change, records an Event on every scale and
 * writes status (conditions, last 5 attempts, bounds, the values decided on). Two
 * PodAutoscalers on one target both get MultiPodAutoscalerConflict=True and neither scales. A
 * failing source turns ScalingActive False (reason MetricSourceFailed) and is never a reason to
 * scale down, let alone to zero. A target's models come from the model annotation, its pod
 * template's model label (read once through the scale target) and its engines seen.
 */
import {
  conflictsByKey,
  nextStatus,
  resolveMetricSources,
  targetIdentity,
  type PodAutoscaler,
  type StatusUpdate,
} from '../autoscaling/index.js';
import {
  DONE,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
} from '../controllers/index.js';
import { isResourceOfKind } from '../discovery/index.js';
import { scaleTargetOf } from '../kube/index.js';
import { toError } from '../shared/index.js';
import { newAutoscalerState, setSelector, type AutoscalerState } from './pod-autoscaler-sampler.js';
import { condition, decideAndScale } from './pod-autoscaler-scaling.js';
import { MODEL_ANNOTATION, type PodAutoscalerControllerOptions } from './pod-autoscaler-options.js';

/** See the file comment. */
export class PodAutoscalerController implements Reconciler {
  readonly #o: PodAutoscalerControllerOptions;
  readonly #states = new Map<string, AutoscalerState>();

  constructor(options: PodAutoscalerControllerOptions) {
    this.#o = options;
  }

  /** Every PodAutoscaler's state (the sampler reads these). */
  states(): Iterable<AutoscalerState> {
    return this.#states.values();
  }

  /**
   * The gateway holds `held` requests for `model`, which has no ready engine: marks demand on
   * every PodAutoscaler whose target serves it. Returns their keys (to reconcile now).
   */
  demand(model: string, held = 1): string[] {
    const keys: string[] = [];
    for (const s of this.#states.values())
      if (s.models.has(model)) {
        s.lastDemandMs = this.#o.clock.now();
        s.heldRequests = held;
        keys.push(s.key);
      }
    return keys;
  }

  /** Models whose PodAutoscaler's target is at zero replicas now. */
  modelsAtZero(): ReadonlySet<string> {
    const out = new Set<string>();
    for (const s of this.#states.values())
      if (s.currentReplicas === 0) for (const m of s.models) out.add(m);
    return out;
  }

  /**
   * Adds the model the target's pod template names (once per target): after a leader restart a
   * target at zero has no engine to learn its model from, and without it a held request for that
   * model would never reach this PodAutoscaler. A failed read is retried next reconcile and
   * never stops scaling.
   */
  async #readTemplateModel(state: AutoscalerState, signal: AbortSignal): Promise<void> {
    const identity = targetIdentity(state.target);
    if (this.#o.scale.templateModel === undefined || state.templateReadFor === identity) return;
    try {
      const model = await this.#o.scale.templateModel(state.target, { signal });
      if (model !== undefined) state.models.add(model);
      state.templateReadFor = identity;
    } catch {
      // Retried on the next reconcile; the annotation and the engines seen still name models.
    }
  }

  #autoscalers(): Map<string, PodAutoscaler> {
    const out = new Map<string, PodAutoscaler>();
    for (const r of this.#o.resources())
      if (isResourceOfKind<PodAutoscaler>(r, 'PodAutoscaler'))
        out.set(`${r.metadata.namespace ?? this.#o.defaultNamespace}/${r.metadata.name}`, r);
    return out;
  }

  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    const all = this.#autoscalers();
    const pa = all.get(key);
    if (pa === undefined) {
      this.#states.delete(key);
      return DONE;
    }
    const namespace = pa.metadata.namespace ?? this.#o.defaultNamespace;
    const write = (update: StatusUpdate): Promise<unknown> =>
      this.#o.status.update(
        key,
        (current) => nextStatus(current, update, new Date(this.#o.clock.now()).toISOString()),
        { signal: ctx.signal },
      );
    let target;
    try {
      target = scaleTargetOf(pa.spec.scaleTargetRef, namespace);
    } catch (err) {
      await write({
        conditions: [condition('ValidSpec', false, 'InvalidScaleTarget', toError(err).message)],
      });
      return DONE;
    }
    const { sources, problems } = resolveMetricSources(
      pa.spec.metricsSources,
      this.#o.prometheusConfigured,
    );
    const state = this.#states.get(key) ?? newAutoscalerState(key, namespace, target);
    this.#states.set(key, state);
    state.target = target;
    state.sources = sources;
    const { tunables, problems: tunableProblems } = this.#o.tunablesOf(pa);
    state.stableWindowMs = tunables.stableWindowMs;
    const modelAnnotation = pa.metadata.annotations?.[MODEL_ANNOTATION];
    if (modelAnnotation) state.models.add(modelAnnotation);
    const valid = problems.length === 0 && sources.length > 0;
    // A bad annotation is reported but does not stop scaling: its default is used instead.
    const validCondition = !valid
      ? condition(
          'ValidSpec',
          false,
          'InvalidMetricSource',
          problems.join('; ') || 'no metric source',
        )
      : tunableProblems.length > 0
        ? condition(
            'ValidSpec',
            false,
            'InvalidAnnotation',
            `${tunableProblems.join('; ')} (scaling on the defaults)`,
          )
        : condition('ValidSpec', true, 'AsExpected', 'the spec is valid');
    const targets = new Map<string, string>();
    for (const [k, other] of all) {
      try {
        const ns = other.metadata.namespace ?? this.#o.defaultNamespace;
        targets.set(k, targetIdentity(scaleTargetOf(other.spec.scaleTargetRef, ns)));
      } catch {
        // An invalid target conflicts with nothing.
      }
    }
    const rivals = conflictsByKey(targets).get(key) ?? [];
    const conflict = condition(
      'MultiPodAutoscalerConflict',
      rivals.length > 0,
      rivals.length > 0 ? 'MultiplePodAutoscalers' : 'NoConflict',
      rivals.length > 0
        ? `the target is also scaled by ${rivals.join(', ')}`
        : 'one PodAutoscaler on the target',
    );
    if (rivals.length > 0 || !valid) {
      await write({
        conditions: [
          validCondition,
          conflict,
          condition('Ready', false, rivals.length > 0 ? 'Conflict' : 'InvalidSpec', 'not scaling'),
        ],
      });
      return DONE;
    }
    let scaleNow;
    try {
      scaleNow = await this.#o.scale.getScale(target, { signal: ctx.signal });
    } catch (err) {
      await write({
        conditions: [
          validCondition,
          conflict,
          condition('AbleToScale', false, 'FailedGetScale', toError(err).message),
          condition('Ready', false, 'FailedGetScale', 'cannot read the target'),
        ],
      });
      throw err;
    }
    await this.#readTemplateModel(state, ctx.signal);
    setSelector(state, scaleNow.selector);
    state.currentReplicas = scaleNow.replicas;
    return decideAndScale(
      this.#o,
      pa,
      state,
      tunables,
      scaleNow.replicas,
      scaleNow.statusReplicas,
      [validCondition, conflict],
      write,
      ctx,
    );
  }
}
