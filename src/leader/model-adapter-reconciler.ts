/**
 * The ModelAdapter reconcile (issue #13; DESIGN.md §8b): observe the resource, the engines (from
 * the cluster state store) and the controller's memory; plan purely (AdapterPlanner); send each
 * `lora.load` / `lora.unload` in the background through the command client (a result enqueues the
 * key again); write the status with conflict retry; record Events. Invalid input ends in a status
 * condition, never a crash loop. On Kubernetes a finalizer holds deletion until the adapter is
 * unloaded everywhere; in the static file a resource that disappears is unloaded everywhere too.
 */
import {
  ConflictRetryingStatusWriter,
  DONE,
  type EventRecorder,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
  type StatusStore,
} from '../controllers/index.js';
import { isResourceOfKind, type CustomResource } from '../discovery/index.js';
import type { ResourceFinalizers, SecretReader } from '../kube/index.js';
import {
  MODEL_ADAPTER_FINALIZER,
  adapterWant,
  engineErrorsOf,
  nextAdapterStatus,
  type AdapterWant,
  type ModelAdapter,
  type ModelAdapterStatus,
  type StatusDraft,
} from '../lora/index.js';
import type { Clock, Logger, Rng } from '../shared/index.js';
import { observedOf, type AdapterMemory } from './adapter-memory.js';
import type { AdapterPlanner } from './adapter-planner.js';
import { engineSlots } from './adapter-engine-slots.js';
import type { ClusterStateStore } from './cluster-state.js';
import type { CommandClient } from './command-client.js';
import { adapterEvents, type AdapterEvents } from './model-adapter-events.js';
import { dispatchAdapterCommand } from './model-adapter-dispatch.js';

/** What the reconcile reads and acts through. */
export interface ModelAdapterReconcilerOptions {
  readonly store: ClusterStateStore;
  readonly commands: Pick<CommandClient, 'send'>;
  readonly statuses: StatusStore<ModelAdapterStatus>;
  readonly events: EventRecorder;
  readonly planner: AdapterPlanner;
  readonly memory: AdapterMemory;
  /** Kubernetes only: the finalizer that holds deletion until everything is unloaded. */
  readonly finalizers?: ResourceFinalizers;
  /** Kubernetes only: credentialsSecretRef's Secret. */
  readonly secrets?: SecretReader;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly log: Logger;
  /** A command result arrived: reconcile this key again. */
  readonly enqueue: (key: string) => void;
  /** Long-lived signal of the controller (commands outlive one reconcile). */
  readonly signal: () => AbortSignal | undefined;
  /** Agent-side timeout of a `lora.load`. Default 300000 ms. */
  readonly loadTimeoutMs?: number;
  /** Agent-side timeout of a `lora.unload`. Default 60000 ms. */
  readonly unloadTimeoutMs?: number;
  /** Retry a missing credentials Secret after this long. Default 30000 ms. */
  readonly secretRetryMs?: number;
}

/** The ModelAdapter resource of `key` (`<namespace>/<name>`; `default` when the file gives none). */
export function findAdapter(
  resources: readonly CustomResource[],
  key: string,
): ModelAdapter | undefined {
  return resources.find(
    (r): r is ModelAdapter =>
      isResourceOfKind<ModelAdapter>(r, 'ModelAdapter') && adapterKey(r) === key,
  );
}

/** `<namespace>/<name>` of a resource. */
export const adapterKey = (r: CustomResource): string =>
  `${r.metadata.namespace ?? 'default'}/${r.metadata.name}`;

export class ModelAdapterReconciler implements Reconciler {
  readonly #o: ModelAdapterReconcilerOptions;
  readonly #writer: ConflictRetryingStatusWriter<ModelAdapterStatus>;
  readonly #events: AdapterEvents;

  constructor(options: ModelAdapterReconcilerOptions) {
    this.#o = options;
    this.#writer = new ConflictRetryingStatusWriter(options.statuses);
    this.#events = adapterEvents(options.events);
  }

  async reconcile(key: string, context: ReconcileContext): Promise<ReconcileResult> {
    const { store, memory, clock } = this.#o;
    const { signal } = context;
    const resource = findAdapter(store.resources(), key);
    const record = memory.get(key);
    let want: AdapterWant;
    let credentials: Readonly<Record<string, string>> | undefined;
    if (resource === undefined) {
      if (record === undefined) return DONE;
      // Gone (removed from the file, or deleted without our finalizer): unload everywhere.
      want = { ...record.want, deleting: true };
    } else {
      const baseModels = new Set(store.endpoints().map((e) => e.endpoint.model));
      const result = adapterWant(key, resource, baseModels, record?.rank);
      if (!result.ok) {
        if (record !== undefined) record.phase = 'Failed';
        await this.#events.invalid(resource, result.reason, result.message, signal);
        await this.#write(
          key,
          resource,
          invalidDraft(resource, result.reason, result.message),
          signal,
        );
        return DONE;
      }
      want = result.want;
      if (!want.deleting) await this.#o.finalizers?.add(key, MODEL_ADAPTER_FINALIZER, { signal });
      const ref = resource.spec.credentialsSecretRef;
      if (!want.deleting && ref !== undefined && this.#o.secrets !== undefined) {
        const namespace = resource.metadata.namespace ?? 'default';
        credentials = await this.#o.secrets.read(namespace, ref.name, { signal });
        if (credentials === undefined) {
          const message = `Secret ${namespace}/${ref.name} (credentialsSecretRef) does not exist; nothing is loaded until it does`;
          await this.#events.invalid(resource, 'CredentialsSecretMissing', message, signal);
          const draft = {
            ...invalidDraft(resource, 'CredentialsSecretMissing', message),
            phase: 'Pending' as const,
          };
          await this.#write(key, resource, draft, signal);
          return { requeueAfterMs: this.#o.secretRetryMs ?? 30_000 };
        }
      }
    }
    const artifactUrl = resource?.spec.artifactURL ?? record?.artifactUrl ?? '';
    const rec = memory.ensure(key, want, artifactUrl);
    const engines = engineSlots(store);
    const byId = new Map(engines.map((e) => [e.id, e]));
    for (const id of rec.instances) {
      const slot = byId.get(id);
      if (slot?.ready === true) continue;
      // Lost with its engine (pod gone) or not routable: placement puts it elsewhere.
      if (slot === undefined && !rec.inFlight.has(id)) rec.instances.delete(id);
      if (resource !== undefined && !want.deleting)
        await this.#events.moving(
          resource,
          id,
          slot === undefined ? 'is gone' : 'is not ready',
          signal,
        );
    }
    const nowMs = clock.now();
    const plan = this.#o.planner.plan({
      want,
      engines,
      observed: observedOf(rec),
      nowMs,
      random: this.#o.rng.next(),
    });
    // An instance on an engine that is down (the static file still lists a stopped engine) and
    // that placement has replaced is forgotten: it cannot be told to unload, the replacement
    // holds the replica, and if the engine returns still holding it, it is a stray to unload.
    const desired = new Set(plan.desired);
    for (const id of rec.instances)
      if (byId.get(id)?.ready !== true && !desired.has(id) && !rec.inFlight.has(id))
        rec.instances.delete(id);
    for (const action of plan.actions)
      dispatchAdapterCommand(rec, action, {
        options: this.#o,
        events: this.#events,
        credentials,
        resource,
        log: context.log,
      });
    rec.phase = plan.phase;
    rec.desiredReplicas = plan.desiredReplicas;
    rec.readyReplicas = plan.readyReplicas;
    if (resource !== undefined) {
      const draft: StatusDraft = {
        phase: plan.phase,
        conditions: plan.conditions,
        instances: [...rec.instances],
        candidates: plan.candidates,
        desiredReplicas: plan.desiredReplicas,
        readyReplicas: plan.readyReplicas,
        engineErrors: engineErrorsOf(rec.attempts, (id) => id),
        observedGeneration: resource.metadata.generation,
      };
      const before = resource.status?.phase;
      await this.#write(key, resource, draft, signal);
      if (plan.phase === 'Failed' && before !== 'Failed')
        await this.#events.failed(resource, plan.conditions, signal);
    }
    if (plan.finalized) {
      if (resource !== undefined)
        await this.#o.finalizers?.remove(key, MODEL_ADAPTER_FINALIZER, { signal });
      if (resource === undefined || this.#o.finalizers === undefined || want.deleting)
        memory.delete(key);
      return DONE;
    }
    return plan.requeueAfterMs === undefined
      ? DONE
      : { requeueAfterMs: Math.max(1, plan.requeueAfterMs) };
  }

  async #write(
    key: string,
    resource: ModelAdapter,
    draft: StatusDraft,
    signal: AbortSignal,
  ): Promise<void> {
    const nowMs = this.#o.clock.now();
    await this.#writer.update(key, (previous) => nextAdapterStatus(previous, draft, nowMs), {
      signal,
    });
  }
}

/** The status of a resource that cannot be placed. */
function invalidDraft(resource: ModelAdapter, reason: string, message: string): StatusDraft {
  return {
    phase: 'Failed',
    conditions: [{ type: 'Ready', status: 'False', reason, message }],
    instances: resource.status?.instances ?? [],
    candidates: [],
    desiredReplicas: 0,
    readyReplicas: 0,
    engineErrors: resource.status?.engineErrors ?? [],
    observedGeneration: resource.metadata.generation,
  };
}
