/**
 * The leader's cluster state store: the single writer of what the gateway routes on. Discovery
 * says which engines exist; agent reports enrich them with metrics, engine liveness and GPU
 * health. Losing an agent never removes an engine: its data turns stale and is flagged.
 */
import type { ClusterView, CustomResource, EngineEndpoint } from '../discovery/index.js';
import type {
  EngineReport,
  GpuHealthSummary,
  NodeSnapshot,
  StateMessage,
} from '../protocol/index.js';
import type { Clock } from '../shared/index.js';
import { decideNewNode, nodesToForget } from './node-retention.js';

/** One engine as the gateway sees it. */
export interface EndpointState {
  readonly endpoint: EngineEndpoint;
  /** The latest agent report, if any agent ever reported it. */
  readonly report: EngineReport | undefined;
  /** The agent's data is missing, from a lost agent, or older than the staleness limit. */
  readonly stale: boolean;
  /**
   * The agent's last report says the engine stopped answering. Staleness never clears it: an
   * agent that reported an engine down and then went quiet (or was lost) has told us nothing new,
   * so only a later report that says ready (or discovery dropping the engine) brings it back.
   */
  readonly agentSaysDown: boolean;
  /** A GPU the engine uses is failed (or, without a GPU mapping, any GPU of its node). */
  readonly gpuFailed: boolean;
  /**
   * The agent's last report says the engine is draining (`engine.drain`): alive and not down,
   * but no new request goes to it. Like agentSaysDown, only a later report clears it.
   */
  readonly draining: boolean;
}

/** A node as the leader sees it. */
export interface NodeState {
  readonly node: string;
  readonly connected: boolean;
  readonly lastReportMs: number;
  readonly agentVersion: string;
  readonly gpus: readonly GpuHealthSummary[];
  readonly engineIds: readonly string[];
}

interface AgentRecord {
  readonly node: string;
  connected: boolean;
  /** When the agent was last lost; undefined while connected. */
  disconnectedAtMs: number | undefined;
  lastReportMs: number;
  agentVersion: string;
  engines: Map<string, EngineReport>;
  gpus: readonly GpuHealthSummary[];
  /** Indices of the failed GPUs in `gpus`, kept with it so no read filters them again. */
  failedGpus: readonly number[];
}

const failedIndices = (gpus: readonly GpuHealthSummary[]): readonly number[] =>
  gpus.filter((g) => g.health === 'failed').map((g) => g.index);

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
  readonly #staleAfterMs: number;
  readonly #retention: { readonly forgetAfterMs: number; readonly maxUndiscoveredNodes: number };
  #view: ClusterView = { endpoints: [], resources: [] };
  #discoveredNodes: ReadonlySet<string> = new Set();
  /**
   * The discovery view indexed by model and by id, rebuilt only when discovery changes: a gateway
   * pick reads one model's engines, and at 1,000 nodes × 8 engines a scan of them all per pick
   * was most of the leader's CPU (issue #18).
   */
  #byModel = new Map<string, EngineEndpoint[]>();
  #byId = new Map<string, EngineEndpoint>();
  readonly #agents = new Map<string, AgentRecord>();
  readonly #listeners = new Set<StateListener>();

  constructor(options: ClusterStateOptions) {
    this.#clock = options.clock;
    this.#staleAfterMs = options.staleAfterMs ?? 3000;
    this.#retention = {
      forgetAfterMs: options.forgetAfterMs ?? 600_000,
      maxUndiscoveredNodes: options.maxUndiscoveredNodes ?? 256,
    };
  }

  /** Replaces the discovery view (from the ClusterSource). */
  setDiscovery(view: ClusterView): void {
    this.#view = view;
    this.#discoveredNodes = new Set(view.endpoints.map((e) => e.node));
    const byModel = new Map<string, EngineEndpoint[]>();
    const byId = new Map<string, EngineEndpoint>();
    for (const e of view.endpoints) {
      const list = byModel.get(e.model);
      if (list === undefined) byModel.set(e.model, [e]);
      else list.push(e);
      // The first wins, as the scans it replaces found the first.
      if (!byId.has(e.id)) byId.set(e.id, e);
    }
    this.#byModel = byModel;
    this.#byId = byId;
    this.forgetGoneNodes();
  }

  /**
   * Drops the records of nodes gone from discovery whose agent has been away past
   * `forgetAfterMs`. Runs on every discovery change, hello and `nodes()` read, so no timer is
   * needed; returns the names forgotten.
   */
  forgetGoneNodes(): string[] {
    const gone = nodesToForget(
      this.#agents.values(),
      this.#discoveredNodes,
      this.#clock.now(),
      this.#retention,
    );
    for (const node of gone) this.#agents.delete(node);
    return gone;
  }

  /** Custom resources from discovery, for controllers. */
  resources(): readonly CustomResource[] {
    return this.#view.resources;
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
        this.#discoveredNodes,
        this.#retention,
      );
      if (decision.kind === 'refuse') return false;
      if (decision.kind === 'admit-evicting') this.#agents.delete(decision.evict);
    }
    this.#agents.set(node, {
      node,
      connected: true,
      disconnectedAtMs: undefined,
      lastReportMs: this.#clock.now(),
      agentVersion,
      engines: new Map(snapshot.engines.map((e) => [e.id, e])),
      gpus: snapshot.gpus,
      failedGpus: failedIndices(snapshot.gpus),
    });
    this.#emit('snapshot', node);
    return true;
  }

  /** Applies a delta. The hub has already checked its seq. */
  applyDelta(node: string, delta: StateMessage): void {
    const record = this.#agents.get(node);
    if (record === undefined) return;
    record.lastReportMs = this.#clock.now();
    record.connected = true;
    record.disconnectedAtMs = undefined;
    // An engine that lost (or gained) an adapter or changed readiness matters to the ModelAdapter
    // controller at once (an engine restart must be healed now, not at a resync).
    let enginesChanged = (delta.removedEngines ?? []).length > 0;
    for (const e of delta.engines ?? []) {
      const before = record.engines.get(e.id);
      if (before?.ready !== e.ready || !sameList(before.adapters, e.adapters))
        enginesChanged = true;
      record.engines.set(e.id, e);
    }
    for (const id of delta.removedEngines ?? []) record.engines.delete(id);
    if (delta.gpus !== undefined) {
      record.gpus = delta.gpus;
      record.failedGpus = failedIndices(delta.gpus);
    }
    if (delta.urgent === true || delta.gpus !== undefined) this.#emit('urgent', node);
    else if (enginesChanged) this.#emit('engines', node);
  }

  /** Marks a node's agent as lost: its engines stay, their data turns stale. */
  markAgentLost(node: string): void {
    const record = this.#agents.get(node);
    if (record === undefined) return;
    record.connected = false;
    record.disconnectedAtMs = this.#clock.now();
    this.#emit('agent-lost', node);
  }

  /**
   * The time reports' freshness is judged at: now here; a gateway replica's store judges it when
   * its leader's feed stopped, for a while (replicated-cluster-state.ts).
   */
  protected freshnessNow(): number {
    return this.#clock.now();
  }

  /** Every discovered engine with what the agents said about it. */
  endpoints(): EndpointState[] {
    const now = this.freshnessNow();
    return this.#view.endpoints.map((endpoint) => this.#stateOf(endpoint, now));
  }

  /** Engines serving `model` (ready in discovery; health filters are the gateway's). */
  endpointsForModel(model: string): EndpointState[] {
    const now = this.freshnessNow();
    return (this.#byModel.get(model) ?? []).map((endpoint) => this.#stateOf(endpoint, now));
  }

  /** One discovered engine by id (the first, should discovery list an id twice). */
  endpoint(id: string): EndpointState | undefined {
    const endpoint = this.#byId.get(id);
    return endpoint === undefined ? undefined : this.#stateOf(endpoint, this.freshnessNow());
  }

  /** Models with at least one discovered engine, in discovery order. */
  discoveredModels(): string[] {
    return [...this.#byModel.keys()];
  }

  /** Base models with at least one endpoint that is ready and not known to be down. */
  readyModels(): string[] {
    const models = new Set<string>();
    for (const s of this.endpoints()) {
      if (s.endpoint.ready && !s.agentSaysDown && !s.gpuFailed) models.add(s.endpoint.model);
    }
    return [...models].sort();
  }

  /** Adapters loaded on ready engines, by base model. */
  readyAdapters(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const s of this.endpoints()) {
      if (!s.endpoint.ready || s.agentSaysDown || s.gpuFailed) continue;
      for (const a of s.report?.adapters ?? []) {
        const set = out.get(s.endpoint.model) ?? new Set<string>();
        set.add(a);
        out.set(s.endpoint.model, set);
      }
    }
    return out;
  }

  /** Every node that reported and is not yet forgotten (see {@link forgetGoneNodes}). */
  nodes(): NodeState[] {
    this.forgetGoneNodes();
    return [...this.#agents.values()].map(nodeStateOf);
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
    if (nodesToForget([record], this.#discoveredNodes, now, this.#retention).length > 0) {
      this.#agents.delete(name);
      return undefined;
    }
    return nodeStateOf(record);
  }

  #stateOf(endpoint: EngineEndpoint, now: number): EndpointState {
    const record = this.#agents.get(endpoint.node);
    const report = record?.engines.get(endpoint.id);
    const fresh =
      record !== undefined && record.connected && now - record.lastReportMs <= this.#staleAfterMs;
    const stale = !fresh || report === undefined;
    const failed = record?.failedGpus ?? [];
    const gpuFailed =
      failed.length > 0 &&
      (endpoint.gpuIndices === undefined || endpoint.gpuIndices.some((i) => failed.includes(i)));
    // Down is the last thing the agent said, fresh or not: a dead engine's report stops changing,
    // so its data ages into "stale", and stale must not read as "maybe up again".
    const agentSaysDown = report !== undefined && !report.ready;
    const draining = report?.draining === true;
    return { endpoint, report, stale, agentSaysDown, gpuFailed, draining };
  }

  #emit(reason: string, node: string): void {
    for (const listener of this.#listeners) listener(reason, node);
  }
}

const nodeStateOf = (r: AgentRecord): NodeState => ({
  node: r.node,
  connected: r.connected,
  lastReportMs: r.lastReportMs,
  agentVersion: r.agentVersion,
  gpus: r.gpus,
  engineIds: [...r.engines.keys()],
});

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
