/**
 * The ModelAdapter controller as the leader builds it (issue #13): the real placement, its status
 * store (the status subresource on Kubernetes, memory in static mode), Events through the node-ops
 * sink, and the Kubernetes-only finalizer and Secret reader when the adapters provide them.
 */
import { CorrelatingEventRecorder, type Timers } from '../controllers/index.js';
import {
  LORA_RETRY,
  planAdapter,
  recordAttempt,
  type LoraRetrySchedule,
  type ModelAdapterStatus,
} from '../lora/index.js';
import type { Clock, Logger, Registry, Rng } from '../shared/index.js';
import type { ClusterStateStore } from './cluster-state.js';
import type { CommandClient } from './command-client.js';
import { reconcileHostSettings } from './controller-settings.js';
import type { LeaderAdapters, LeaderConfig } from './leader-adapters.js';
import { ModelAdapterController } from './model-adapter-controller.js';

/** What the composition root hands over. */
export interface ModelAdapterRoots {
  readonly config: LeaderConfig;
  readonly adapters: LeaderAdapters;
  readonly store: ClusterStateStore;
  readonly commands: Pick<CommandClient, 'send'>;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timers: Timers;
  /** Per-engine load retries. Default: AIBrix's (LORA_RETRY); tests shorten it. */
  readonly retry?: LoraRetrySchedule;
}

/** The controller, ready to run among the leader-only parts. */
export function buildModelAdapters(roots: ModelAdapterRoots): ModelAdapterController {
  const { adapters, clock } = roots;
  const log = roots.log.child({ component: 'model-adapter' });
  return new ModelAdapterController({
    source: adapters.source,
    store: roots.store,
    commands: roots.commands,
    statuses: adapters.resourceStatus<ModelAdapterStatus>('modeladapters', 'ModelAdapter'),
    events: new CorrelatingEventRecorder({
      sink: (event, options) => adapters.nodeOps.recordEvent(event, options),
      clock,
      log,
    }),
    planner: {
      plan: planAdapter,
      record: (attempts, engineId, outcome, nowMs) =>
        recordAttempt(attempts, engineId, outcome, nowMs, roots.retry ?? LORA_RETRY),
    },
    ...(adapters.finalizers === undefined
      ? {}
      : { finalizers: adapters.finalizers('modeladapters') }),
    ...(adapters.secrets === undefined ? {} : { secrets: adapters.secrets }),
    log,
    registry: roots.registry,
    clock,
    rng: roots.rng,
    timers: roots.timers,
    settings: reconcileHostSettings(roots.config.controllers),
  });
}
