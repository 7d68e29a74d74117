/**
 * The leader's cluster state store: the single writer of what the gateway routes on. Discovery
 * says which engines exist; agent reports enrich them with metrics, engine liveness and GPU
 * health. Losing an agent never removes an engine: its data turns stale and is flagged.
 */
import type { ClusterView, CustomResource, EngineEndpoint } from '../discovery/index.js';
import type { NodeSnapshot, ReplicaNode, StateMessage } from '../protocol/index.js';
import type { Clock } from '../shared/index.js';
import {
  agentRecordFromSnapshot,
  applyDeltaToRecord,
  nodeStateOf,
  replicaNodeOf,
  type AgentRecord,
  type NodeState,
} from './agent-record.js';
import { indexDiscovery, type DiscoveryIndex } from './discovery-index.js';
import type { EndpointState } from './endpoint-state.js';
import { EVERY_ENGINE, ModelStatesCache } from './model-states-cache.js';
import { decideNewNode, nextForgetAtMs, nodesToForget } from './node-retention.js';
import { readyByModel, type ReadySummary } from './ready-models.js';

export type { EndpointState } from './endpoint-state.js';
export type { NodeState } from './agent-record.js';

export interface ClusterStateOptions {
  readonly clock: Clock;
  /** A report older than this is stale. Default 3000 ms. */
  readonly staleAfterMs?: number;
  /**
   * A node gone from discovery whose agent has been disconnected this long is forgotten, ms.
   * Default 600000 (10 min).
   */
  readonly forgetAfterMs?: number;
  /**
   * Most records held for nodes discovery does not know (see node-retention.ts). Default 256.
   */
  readonly maxUndiscoveredNodes?: number;
}

/** Listener for changes that must reach routing at once (GPU failures, engines down). */
export type StateListener = (reason: string, node: string) => void;

export class ClusterStateStore {
  readonly #clock: Clock;
  readonly #retention: { readonly forgetAfterMs: number; readonly maxUndiscoveredNodes: number };
  /** The discovery view with its nodes and engines indexed (discovery-index.ts). */
  #discovery: DiscoveryIndex = indexDiscovery({ endpoints: [], resources: [] });
  readonly #agents = new Map<string, AgentRecord>();
  readonly #listeners = new Set<StateListener>();
  /** Engines' states; each model's list kept and patched as nodes report. */
  readonly #states: ModelStatesCache;
  #revisions = 0;
  /**
   * Which models and adapters are ready, kept until an input changes (discovery, a record, an
   * engine's readiness or adapters, a GPU list): `/v1/models` and every adapter-name request read
   * it, and rebuilding it scanned every engine of the cluster.
   */
  #ready: ReadySummary | undefined;
  /**
   * Before this time no record can be due to be forgotten, so `forgetGoneNodes` skips its scan:
   * it runs on every hello, and a scan of every record per hello made a cluster's connect N².
   */
  #forgetCheckAtMs = 0;

  constructor(options: ClusterStateOptions) {
    this.#clock = options.clock;
    this.#states = new ModelStatesCache(options.staleAfterMs ?? 3000, (node) =>
      this.#agents.get(node),
    );
    this.#retention = {
      forgetAfterMs: options.forgetAfterMs ?? 600_000,
      maxUndiscoveredNodes: options.maxUndiscoveredNodes ?? 256,
    };
  }

  /** Replaces the discovery view (from the ClusterSource). */
  setDiscovery(view: ClusterView): void {
    this.#discovery = indexDiscovery(view);
    this.#states.clear();
    this.#ready = undefined;
    this.#forgetCheckAtMs = 0; // a node may have left discovery
    this.forgetGoneNodes();
  }

  /**
   * Drops the records of nodes gone from discovery whose agent has been away past
   * `forgetAfterMs`. Runs on every discovery change, hello and `nodes()` read, so no timer is
   * needed; returns the names forgotten.
   */
  forgetGoneNodes(): string[] {
    const now = this.#clock.now();
    if (now < this.#forgetCheckAtMs) return [];
    const gone = nodesToForget(this.#agents.values(), this.#discovery.nodes, now, this.#retention);
    for (const node of gone) this.#delete(node);
    this.#forgetCheckAtMs = nextForgetAtMs(
      this.#agents.values(),
      this.#discovery.nodes,
      this.#retention,
    );
    return gone;
  }

  /** Custom resources from discovery, for controllers. */
  resources(): readonly CustomResource[] {
    return this.#discovery.view.resources;
  }

  onChange(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Applies an agent's full snapshot (hello or resync). False when the node is new, discovery
   * does not know it, and the undiscovered records are at their bound, all connected.
   */
  applySnapshot(node: string, agentVersion: string, snapshot: NodeSnapshot): boolean {
    this.forgetGoneNodes();
    if (!this.#agents.has(node)) {
      const decision = decideNewNode(
        node,
        this.#agents.values(),
        this.#discovery.nodes,
        this.#retention,
      );
      if (decision.kind === 'refuse') return false;
      if (decision.kind === 'admit-evicting') this.#delete(decision.evict);
    }
    this.#ready = undefined;
    this.#agents.set(
      node,
      agentRecordFromSnapshot(node, agentVersion, snapshot, ++this.#revisions, this.#clock.now()),
    );
    this.#states.touch(node);
    this.#emit('snapshot', node);
    return true;
  }

  /** Applies a delta. The hub has already checked its seq. */
  applyDelta(node: string, delta: StateMessage): void {
    const record = this.#agents.get(node);
    if (record === undefined) return;
    // An engine that lost (or gained) an adapter or changed readiness matters to the ModelAdapter
    // controller at once (an engine restart must be healed now, not at a resync).
    const enginesChanged = applyDeltaToRecord(record, delta, ++this.#revisions, this.#clock.now());
    this.#states.touch(node);
    if (enginesChanged || delta.gpus !== undefined) this.#ready = undefined;
    if (delta.urgent === true || delta.gpus !== undefined) this.#emit('urgent', node);
    else if (enginesChanged) this.#emit('engines', node);
  }

  /** Agents were asked to space routine reports by `gapMs` (see ModelStatesCache). */
  allowReportGap(gapMs: number): void {
    this.#states.allowReportGap(gapMs);
  }

  /** Marks a node's agent as lost: its engines stay, their data turns stale. */
  markAgentLost(node: string): void {
    const record = this.#agents.get(node);
    if (record === undefined) return;
    record.revision = ++this.#revisions;
    this.#states.touch(node);
    record.connected = false;
    record.disconnectedAtMs = this.#clock.now();
    this.#forgetCheckAtMs = Math.min(
      this.#forgetCheckAtMs,
      record.disconnectedAtMs + this.#retention.forgetAfterMs,
    );
    this.#emit('agent-lost', node);
  }

  /**
   * The time reports' freshness is judged at: now here; a gateway replica's store judges it when
   * its leader's feed stopped, for a while (replicated-cluster-state.ts).
   */
  protected freshnessNow(): number {
    return this.#clock.now();
  }

  /**
   * Every discovered engine with what the agents said about it. Kept between reads and patched
   * where nodes reported, as each model's list is (model-states-cache.ts): the console, /metrics
   * and the controllers read all 8,000 engines of 1,000 nodes several times a second.
   */
  endpoints(): readonly EndpointState[] {
    return this.#states.forModel(EVERY_ENGINE, this.#discovery.view.endpoints, this.freshnessNow());
  }

  /** Engines serving `model` (ready in discovery; health filters are the gateway's). */
  endpointsForModel(model: string): readonly EndpointState[] {
    const endpoints = this.#discovery.byModel.get(model);
    // Only discovered models are kept: a request's model name must not grow the cache.
    if (endpoints === undefined) return [];
    return this.#states.forModel(model, endpoints, this.freshnessNow());
  }

  /** Whether discovery lists any engine for `model`, without reading their states. */
  servesModel(model: string): boolean {
    return (this.#discovery.byModel.get(model)?.length ?? 0) > 0;
  }

  /**
   * The positions whose state differs between two lists of one model that this store handed
   * out, `earlier` first; undefined when it cannot tell (see ModelStatesCache.changedSince).
   */
  changedSince(
    earlier: readonly EndpointState[],
    later: readonly EndpointState[],
  ): readonly number[] | undefined {
    return this.#states.changedSince(earlier, later);
  }

  /** One discovered engine by id (the first, should discovery list an id twice). */
  endpoint(id: string): EndpointState | undefined {
    const endpoint = this.#discovery.byId.get(id);
    return endpoint === undefined ? undefined : this.#stateOf(endpoint, this.freshnessNow());
  }

  /** Models with at least one discovered engine, in discovery order. */
  discoveredModels(): string[] {
    return [...this.#discovery.byModel.keys()];
  }

  /** Base models with at least one endpoint that is ready and not known to be down. */
  readyModels(): string[] {
    return [...this.#readySummary().models];
  }

  /** Adapters loaded on ready engines, by base model (a copy: callers may keep or change it). */
  readyAdapters(): Map<string, Set<string>> {
    const adapters = this.#readySummary().adapters;
    return new Map([...adapters].map(([model, set]) => [model, new Set(set)]));
  }

  /** The same as {@link readyAdapters}, shared and read-only (no copy per gateway lookup). */
  readyAdapterIndex(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.#readySummary().adapters;
  }

  #readySummary(): ReadySummary {
    this.#ready ??= readyByModel(this.endpoints());
    return this.#ready;
  }

  /** Every node that reported and is not yet forgotten (see {@link forgetGoneNodes}). */
  nodes(): NodeState[] {
    this.forgetGoneNodes();
    return [...this.#agents.values()].map(nodeStateOf);
  }

  /**
   * {@link nodes} as a gateway replica's welcome carries them: the records hold just what the
   * agents said (a copy kept for the feed cost the leader's loop ~4 % at 1,000 nodes, #18).
   */
  replicaNodes(): ReplicaNode[] {
    this.forgetGoneNodes();
    return [...this.#agents.values()].map(replicaNodeOf);
  }

  /**
   * One node's state, as `nodes()` would list it, without listing them all: listeners that react
   * to one node's change read it here (a scan per change made 1,000 hellos cost N²).
   */
  node(name: string): NodeState | undefined {
    const record = this.#agents.get(name);
    if (record === undefined) return undefined;
    // The retention rule `nodes()` applies, for this one record.
    const now = this.#clock.now();
    if (nodesToForget([record], this.#discovery.nodes, now, this.#retention).length > 0) {
      this.#delete(name);
      return undefined;
    }
    return nodeStateOf(record);
  }

  #stateOf(endpoint: EngineEndpoint, now: number): EndpointState {
    return this.#states.stateOf(endpoint, now);
  }

  #delete(node: string): void {
    if (!this.#agents.delete(node)) return;
    this.#ready = undefined;
    this.#states.touch(node);
  }

  #emit(reason: string, node: string): void {
    for (const listener of this.#listeners) listener(reason, node);
  }
}
