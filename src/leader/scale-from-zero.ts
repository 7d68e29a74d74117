/**
 * Scale from zero on demand (Knative's activator): a request held for a model whose scale
 * targets are all at zero replicas sets them to one at once, without waiting for the
 * autoscaler's next period. The autoscaler decides everything past the first replica (it sees the
 * held requests as demand); this only takes a target off zero. One attempt per model at a time.
 */
import type { ScaleClient, ScaleTarget } from '../kube/index.js';
import { linkedSignal, toError, type Logger } from '../shared/index.js';

export interface ScaleFromZeroOptions {
  readonly scale: ScaleClient;
  /** The scale targets that serve `model` (e.g. the scale groups of the cluster file). */
  readonly targetsOf: (model: string) => readonly ScaleTarget[];
  readonly log: Logger;
  /** Bound of one attempt (reads and writes together), ms. Default 10 000. */
  readonly timeoutMs?: number;
}

/** See the file comment. */
export class ScaleFromZero {
  readonly #options: ScaleFromZeroOptions;
  readonly #busy = new Set<string>();

  constructor(options: ScaleFromZeroOptions) {
    this.#options = options;
  }

  /** Called for every held request; resolves when the attempt it started (if any) is over. */
  async demand(model: string, signal?: AbortSignal): Promise<void> {
    if (this.#busy.has(model)) return;
    const targets = this.#options.targetsOf(model);
    if (targets.length === 0) return;
    this.#busy.add(model);
    const linked = linkedSignal([signal], this.#options.timeoutMs ?? 10_000);
    try {
      const scales = await Promise.all(
        targets.map((t) => this.#options.scale.getScale(t, { signal: linked.signal })),
      );
      // Some target has replicas already (starting or serving): nothing to take off zero.
      if (scales.some((s) => s.replicas > 0)) return;
      const first = targets[0];
      if (first === undefined) return;
      await this.#options.scale.setReplicas(first, 1, { signal: linked.signal });
      this.#options.log.info({ model, target: first.name }, 'scaled from zero for a held request');
    } catch (err) {
      this.#options.log.warn({ err: toError(err), model }, 'scale from zero failed');
    } finally {
      linked.dispose();
      this.#busy.delete(model);
    }
  }
}
