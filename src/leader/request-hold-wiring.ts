/**
 * Builds the gateway's request hold for the leader: which models are expected (static mode: the
 * cluster file's scale groups; declared adapters and PodAutoscaler targets join through `sources`),
 * readiness from the cluster state store, and demand to scale from zero.
 */
import { RequestHold } from '../gateway/index.js';
import type { ScaleGroupEntry } from '../discovery/index.js';
import { INFERNODE_GROUP, INFERNODE_VERSION } from '../discovery/index.js';
import type { ScaleClient, ScaleTarget } from '../kube/index.js';
import type { Logger, Registry } from '../shared/index.js';
import type { ClusterStateStore } from './cluster-state.js';
import { ExpectedModelsState, type ExpectedModel } from './expected-models-state.js';
import { ScaleFromZero } from './scale-from-zero.js';

export interface RequestHoldWiring {
  readonly store: ClusterStateStore;
  readonly registry: Registry;
  readonly log: Logger;
  readonly settings: { readonly holdTimeoutMs: number; readonly maxHeldRequests: number };
  /** More declarations of expected models (e.g. h-lctl's declared adapters). */
  readonly sources?: readonly (() => Iterable<ExpectedModel>)[];
  /** Static mode: the scale groups now, and the client that scales them. */
  readonly scaleGroups?: {
    readonly current: () => readonly ScaleGroupEntry[];
    readonly client: ScaleClient;
  };
  /**
   * Demand for the autoscaler (it decides at once), with the requests held for the model now;
   * true when it took the demand, and then the hold's ScaleFromZero stays out (one actor per
   * target).
   */
  readonly onDemand?: (model: string, held: number) => boolean;
}

/** How long a request for a declared adapter still loading waits, ms (adapters load in seconds). */
export const ADAPTER_HOLD_MS = 15_000;

/** The declared ModelAdapters as expected models with the adapter hold time. */
export function declaredAdapterSource(
  declared: () => ReadonlySet<string>,
  holdTimeoutMs = ADAPTER_HOLD_MS,
): () => ExpectedModel[] {
  return () => [...declared()].map((model) => ({ model, holdTimeoutMs }));
}

/** A scale group as the scale target its PodAutoscaler would name. */
export function scaleGroupTarget(group: ScaleGroupEntry): ScaleTarget {
  return {
    group: INFERNODE_GROUP,
    version: INFERNODE_VERSION,
    plural: 'scalegroups',
    namespace: 'default',
    name: group.name,
  };
}

/** The hold, and the ScaleFromZero behind its demand when the mode has scale groups. */
export function buildRequestHold(wiring: RequestHoldWiring): RequestHold {
  const groups = wiring.scaleGroups;
  const fromZero =
    groups === undefined
      ? undefined
      : new ScaleFromZero({
          scale: groups.client,
          targetsOf: (model) =>
            groups
              .current()
              .filter((g) => g.model === model)
              .map(scaleGroupTarget),
          log: wiring.log,
        });
  const expected = new ExpectedModelsState({
    store: wiring.store,
    sources: [
      ...(groups === undefined ? [] : [() => groups.current().map((g) => ({ model: g.model }))]),
      ...(wiring.sources ?? []),
    ],
    onDemand: (model) => {
      if (wiring.onDemand?.(model, hold.held(model)) === true) return;
      void fromZero?.demand(model);
    },
  });
  const hold: RequestHold = new RequestHold({
    expected,
    registry: wiring.registry,
    log: wiring.log,
    holdTimeoutMs: wiring.settings.holdTimeoutMs,
    maxHeldRequests: wiring.settings.maxHeldRequests,
  });
  return hold;
}
