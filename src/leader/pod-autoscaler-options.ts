/** The PodAutoscaler controller's options and the annotation naming a target's model. */
import type {
  AutoscalerTunables,
  DecideInput,
  PodAutoscaler,
  PodAutoscalerStatus,
  ScaleDecision,
} from '../autoscaling/index.js';
import type { EventRecorder, StatusWriter } from '../controllers/index.js';
import type { CustomResource } from '../discovery/index.js';
import type { ScaleClient } from '../kube/index.js';
import type { Clock } from '../shared/index.js';
import type { PrefetchDeps } from './pod-autoscaler-prefetch.js';

/** The annotation naming the model a target serves (for scale from zero at the gateway). */
export const MODEL_ANNOTATION = 'autoscaling.infernode.io/model';

/** Options of {@link PodAutoscalerController}. */
export interface PodAutoscalerControllerOptions {
  readonly resources: () => readonly CustomResource[];
  readonly scale: ScaleClient;
  readonly status: StatusWriter<PodAutoscalerStatus>;
  readonly events: EventRecorder;
  readonly clock: Clock;
  /** The pure decision (src/autoscaling decideScale). */
  readonly decide: (input: DecideInput) => ScaleDecision;
  /**
   * Tunables from a PodAutoscaler's annotations and spec, with what was wrong in them (src/
   * autoscaling parseTunables: a bad value falls back to its default).
   */
  readonly tunablesOf: (pa: PodAutoscaler) => {
    readonly tunables: AutoscalerTunables;
    readonly problems: readonly string[];
  };
  readonly prometheusConfigured: boolean;
  readonly prefetch?: PrefetchDeps;
  /** Where PodAutoscalers without a namespace live (the static cluster file). */
  readonly defaultNamespace: string;
}
