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
  connected: boolean;
  lastReportMs: number;
  agentVersion: string;
  engines: Map<string, EngineReport>;
  gpus: readonly GpuHealthSummary[];
}

export interface ClusterStateOptions {
  readonly clock: Clock;
  /** A report older than this is stale. Default 3000 ms. */
  readonly staleAfterMs?: number;
  /** Most nodes tracked. Default 10000. */
  readonly maxNodes?: number;
}

/** Listener for changes that must reach routing at once (GPU failures, engines down). */
export type StateListener = (reason: string, node: string) => void;

export class ClusterStateStore {
  readonly #clock: Clock;
  readonly #staleAfterMs: number;
  readonly #maxNodes: number;
  #view: ClusterView = { endpoints: [], resources: [] };
  readonly #agents = new Map<string, AgentRecord>();
  readonly #listeners = new Set<StateListener>();

  constructor(options: ClusterStateOptions) {
    this.#clock = options.clock;
    this.#staleAfterMs = options.staleAfterMs ?? 3000;
    this.#maxNodes = options.maxNodes ?? 10_000;
  }

  /** Replaces the discovery view (from the ClusterSource). */
  setDiscovery(view: ClusterView): void {
    this.#view = view;
  }

  /** Custom resources from discovery, for controllers. */
  resources(): readonly CustomResource[] {
    return this.#view.resources;
  }

  onChange(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Applies an agent's full snapshot (hello or resync). False when the node limit is reached. */
  applySnapshot(node: string, agentVersion: string, snapshot: NodeSnapshot): boolean {
    if (!this.#agents.has(node) && this.#agents.size >= this.#maxNodes) return false;
    this.#agents.set(node, {
      connected: true,
      lastReportMs: this.#clock.now(),
      agentVersion,
      engines: new Map(snapshot.engines.map((e) => [e.id, e])),
      gpus: snapshot.gpus,
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
    for (const e of delta.engines ?? []) record.engines.set(e.id, e);
    for (const id of delta.removedEngines ?? []) record.engines.delete(id);
    if (delta.gpus !== undefined) record.gpus = delta.gpus;
    if (delta.urgent === true || delta.gpus !== undefined) this.#emit('urgent', node);
  }

  /** Marks a node's agent as lost: its engines stay, their data turns stale. */
  markAgentLost(node: string): void {
    const record = this.#agents.get(node);
    if (record === undefined) return;
    record.connected = false;
    this.#emit('agent-lost', node);
  }

  /** Every discovered engine with what the agents said about it. */
  endpoints(): EndpointState[] {
    const now = this.#clock.now();
    return this.#view.endpoints.map((endpoint) => this.#stateOf(endpoint, now));
  }

  /** Engines serving `model` (ready in discovery; health filters are the gateway's). */
  endpointsForModel(model: string): EndpointState[] {
    const now = this.#clock.now();
    const out: EndpointState[] = [];
    for (const endpoint of this.#view.endpoints) {
      if (endpoint.model === model) out.push(this.#stateOf(endpoint, now));
    }
    return out;
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

  /** Every node that has ever reported. */
  nodes(): NodeState[] {
    return [...this.#agents.entries()].map(([node, r]) => ({
      node,
      connected: r.connected,
      lastReportMs: r.lastReportMs,
      agentVersion: r.agentVersion,
      gpus: r.gpus,
      engineIds: [...r.engines.keys()],
    }));
  }

  #stateOf(endpoint: EngineEndpoint, now: number): EndpointState {
    const record = this.#agents.get(endpoint.node);
    const report = record?.engines.get(endpoint.id);
    const fresh =
      record !== undefined && record.connected && now - record.lastReportMs <= this.#staleAfterMs;
    const stale = !fresh || report === undefined;
    const failed = record?.gpus.filter((g) => g.health === 'failed').map((g) => g.index) ?? [];
    const gpuFailed =
      failed.length > 0 &&
      (endpoint.gpuIndices === undefined || endpoint.gpuIndices.some((i) => failed.includes(i)));
    // Down is the last thing the agent said, fresh or not: a dead engine's report stops changing,
    // so its data ages into "stale", and stale must not read as "maybe up again".
    const agentSaysDown = report !== undefined && !report.ready;
    return { endpoint, report, stale, agentSaysDown, gpuFailed };
  }

  #emit(reason: string, node: string): void {
    for (const listener of this.#listeners) listener(reason, node);
  }
}
