/**
 * The gateway's port onto models that are expected to be served soon although no engine serves
 * them now: a PodAutoscaler's target at zero replicas (scale from zero), an adapter whose
 * ModelAdapter exists but is still loading. The leader composes it from the autoscaler and the
 * ModelAdapter controller; the gateway holds such requests (request-hold.ts) instead of a 404.
 */

/** What the gateway asks about a model it has no ready engine for. */
export interface ExpectedModels {
  /** True when `model` is declared to be served (a scale target's model, a declared adapter). */
  isExpected(model: string): boolean;
  /**
   * True when an engine is ready to serve `model` now (reported ready by its agent; for an
   * adapter: loaded on a ready engine). Requests are held only while this is false.
   */
  isReady(model: string): boolean;
  /** A request for `model` is waiting: start capacity for it (the autoscaler's scale from zero). */
  demand(model: string): void;
  /**
   * Resolves when `model` becomes ready (at once when it is); rejects with the signal's reason
   * when `signal` aborts. Must let go of the signal's listener when settled.
   */
  whenReady(model: string, signal: AbortSignal): Promise<void>;
  /** How long requests for this model may wait, ms; undefined: the gateway's holdTimeoutMs. */
  holdTimeoutMs?(model: string): number | undefined;
}
