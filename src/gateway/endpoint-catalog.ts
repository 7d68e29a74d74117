/**
 * What the gateway needs to know about engines, as a port: the leader implements it over its
 * cluster state store, tests over a fixed list.
 */
import type { CandidateLocator, EndpointLoad } from '../routing/index.js';
import type { EngineConnection } from '../discovery/index.js';

/** An engine the gateway may send to: the routing view plus its address. */
export interface GatewayEndpoint extends Omit<
  EndpointLoad,
  'inFlight' | 'pendingPrefillTokens' | 'healthy'
> {
  readonly url: string;
  /** Healthy as far as the cluster knows (agent says up, GPU not failed). */
  readonly clusterHealthy: boolean;
  /** TLS and API key settings of the engine (discovery's); absent for a plain engine. */
  readonly connection?: EngineConnection;
}

/**
 * The engines that can serve one requested model, and whether it names an adapter of a base model.
 */
export interface ModelLookup {
  /** False when no engine serves the model or an adapter of that name (→ 404). */
  readonly known: boolean;
  readonly baseModel: string;
  readonly adapter: string | undefined;
  readonly endpoints: readonly GatewayEndpoint[];
  /**
   * Optional: where each engine sits in `endpoints` by id and node, so a pick over a shortlist
   * reaches a prompt's holders without a pass over every engine (routing/shortlist.ts).
   */
  readonly locate?: CandidateLocator;
}

/** One row of GET /v1/models: a base model, or an adapter with its parent. */
export interface ModelEntry {
  readonly id: string;
  /** Base model of an adapter. */
  readonly parent: string | undefined;
}

/**
 * The gateway's port onto what the cluster knows: which engines serve a model, and how to reach
 * one.
 */
export interface EndpointCatalog {
  lookup(model: string): ModelLookup;
  /** Whether `lookup(model).known` would be true, without building the model's endpoints. */
  knows(model: string): boolean;
  /** Models (and adapters) with at least one ready engine, for GET /v1/models. */
  models(): readonly ModelEntry[];
  /** Base URL of an endpoint by id (for health probes); undefined when it is gone. */
  endpointUrl(id: string): string | undefined;
  /** TLS and API key settings of an endpoint by id (for health probes); optional. */
  endpointConnection?(id: string): EngineConnection | undefined;
}
