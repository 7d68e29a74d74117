/**
 * The gateway's EndpointCatalog over the cluster state store: which engines serve a model or an
 * adapter, with what the agents know about them.
 */
import type { CandidateLocator } from '../routing/index.js';
import type {
  EndpointCatalog,
  GatewayEndpoint,
  ModelEntry,
  ModelLookup,
} from '../gateway/index.js';
import type { EngineConnection, EngineEndpoint } from '../discovery/index.js';
import type { ClusterStateStore, EndpointState } from './cluster-state.js';

/** False only when the engine's model list is known and lacks the configured model. */
function servesConfiguredModel(s: EndpointState): boolean {
  const served = s.report?.servedModels;
  return served === undefined || served.includes(s.endpoint.model);
}

function toGatewayEndpoint(s: EndpointState): GatewayEndpoint {
  const lora = s.report?.metrics?.scrape.lora;
  return {
    id: s.endpoint.id,
    name: s.endpoint.name,
    model: s.endpoint.model,
    node: s.endpoint.node,
    url: s.endpoint.url,
    ready: s.endpoint.ready,
    // An engine whose /v1/models does not list the configured model would answer 404: skip it.
    // A draining engine is healthy but takes no new requests, so it is not routable either.
    clusterHealthy: !s.agentSaysDown && !s.gpuFailed && !s.draining && servesConfiguredModel(s),
    metrics: s.report?.metrics,
    // Metrics the agent could not read this cycle are stale data (not a dead engine).
    stale: s.stale || s.report?.metricsStale === true,
    adapters: s.report?.adapters ?? [],
    maxLoras: lora?.maxLoras ?? 0,
    ...(s.endpoint.connection === undefined ? {} : { connection: s.endpoint.connection }),
  };
}

/** Positions of a model's engines by id and node, built once per discovery list. */
class EnginePositions implements CandidateLocator {
  readonly #byId = new Map<string, number>();
  readonly #byNode = new Map<string, number[]>();

  constructor(endpoints: readonly GatewayEndpoint[]) {
    endpoints.forEach((e, i) => {
      if (!this.#byId.has(e.id)) this.#byId.set(e.id, i);
      const positions = this.#byNode.get(e.node);
      if (positions === undefined) this.#byNode.set(e.node, [i]);
      else positions.push(i);
    });
  }

  indexOfId(id: string): number | undefined {
    return this.#byId.get(id);
  }

  indexesOfNode(node: string): readonly number[] {
    return this.#byNode.get(node) ?? [];
  }
}

/**
 * The gateway's catalog read live from the cluster state store. The store hands back the same
 * list of states while a model's engines are unchanged, and patches only the states of nodes
 * that reported (model-states-cache.ts); the catalog patches its views of them at the same
 * positions, so a request over a model's 1,000 engines neither builds an object per engine nor
 * walks them (issue #18).
 */
export class ClusterEndpointCatalog implements EndpointCatalog {
  readonly #store: ClusterStateStore;
  /**
   * Each engine's view of its latest state, keyed by discovery's engine (stable), not by the
   * state: states are replaced at every report (~5,000 a second at 1,000 × 8) and live past
   * young-generation collections, so a table keyed by them grew until the next full collection
   * (hundreds of thousands of dead entries, its rehash a 40-ms turn of the leader, #18).
   */
  readonly #views = new WeakMap<EngineEndpoint, { state: EndpointState; view: GatewayEndpoint }>();
  /** Each model's last answer with the states it was built from; models gone are dropped. */
  readonly #byModel = new Map<string, { states: readonly EndpointState[]; lookup: ModelLookup }>();
  readonly #toGateway = (s: EndpointState): GatewayEndpoint => {
    const kept = this.#views.get(s.endpoint);
    if (kept?.state === s) return kept.view;
    const view = toGatewayEndpoint(s);
    if (kept === undefined) this.#views.set(s.endpoint, { state: s, view });
    else {
      kept.state = s;
      kept.view = view;
    }
    return view;
  };

  constructor(store: ClusterStateStore) {
    this.#store = store;
  }

  lookup(model: string): ModelLookup {
    const direct = this.#store.endpointsForModel(model);
    if (direct.length > 0) return this.#direct(model, direct);
    this.#byModel.delete(model);
    // An adapter name: engines of its base model are the candidates; routing prefers those
    // that have it loaded.
    for (const [base, adapters] of this.#store.readyAdapterIndex()) {
      if (adapters.has(model)) {
        const endpoints = this.#store
          .endpointsForModel(base)
          .map(this.#toGateway)
          .filter((e) => e.adapters.includes(model));
        return { known: true, baseModel: base, adapter: model, endpoints };
      }
    }
    return { known: false, baseModel: model, adapter: undefined, endpoints: [] };
  }

  knows(model: string): boolean {
    if (this.#store.servesModel(model)) return true;
    for (const adapters of this.#store.readyAdapterIndex().values())
      if (adapters.has(model)) return true;
    return false;
  }

  /** A base model's answer: the last one while its states are the same, else patched from it. */
  #direct(model: string, states: readonly EndpointState[]): ModelLookup {
    const last = this.#byModel.get(model);
    if (last?.states === states) return last.lookup;
    const changed = last && this.#store.changedSince(last.states, states);
    let endpoints: GatewayEndpoint[];
    let locate: CandidateLocator;
    if (last !== undefined && changed !== undefined) {
      // The same engines in the same places: only the replaced states get new views.
      endpoints = last.lookup.endpoints.slice();
      for (const i of changed) endpoints[i] = this.#toGateway(states[i] as EndpointState);
      locate = last.lookup.locate as CandidateLocator;
    } else {
      endpoints = states.map(this.#toGateway);
      locate = new EnginePositions(endpoints);
    }
    const lookup: ModelLookup = {
      known: true,
      baseModel: model,
      adapter: undefined,
      endpoints,
      locate,
    };
    this.#byModel.set(model, { states, lookup });
    return lookup;
  }

  models(): readonly ModelEntry[] {
    const out: ModelEntry[] = this.#store.readyModels().map((id) => ({ id, parent: undefined }));
    for (const [base, adapters] of this.#store.readyAdapterIndex()) {
      for (const a of [...adapters].sort()) out.push({ id: a, parent: base });
    }
    return out;
  }

  endpointUrl(id: string): string | undefined {
    return this.#store.endpoint(id)?.endpoint.url;
  }

  endpointConnection(id: string): EngineConnection | undefined {
    return this.#store.endpoint(id)?.endpoint.connection;
  }
}
