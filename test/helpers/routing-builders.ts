import type { EndpointLoad, RoutingRequest } from '../../src/routing/index.js';

/** A ready, healthy endpoint with no load; override what a test cares about. */
export function anEndpoint(id: string, overrides: Partial<EndpointLoad> = {}): EndpointLoad {
  return {
    id,
    name: id.split('/').pop() ?? id,
    model: 'm',
    node: 'node-a',
    ready: true,
    healthy: true,
    inFlight: 0,
    metrics: undefined,
    stale: false,
    adapters: [],
    maxLoras: 0,
    ...overrides,
  };
}

/** A request for model `m` with a short prompt; override what a test cares about. */
export function aRequest(overrides: Partial<RoutingRequest> = {}): RoutingRequest {
  return {
    model: 'm',
    baseModel: 'm',
    adapter: undefined,
    promptText: 'hello world',
    promptTokens: 3,
    maxTokens: 16,
    user: undefined,
    sessionId: undefined,
    requestId: 'req-1',
    ...overrides,
  };
}
