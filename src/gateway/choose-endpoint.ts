/**
 * Which engine an admitted request tries next: the routing strategy's pick among the model's
 * endpoints that are ready, not ejected by passive health, not tried already by this request and
 * not known to lack this API (api-support.ts), with their live in-flight and prefill load. Where
 * the model has more engines than `routing.maxScoredCandidates`, among a shortlist of them
 * (routing/shortlist.ts).
 */
import { NoEndpointError, pick, shortlist, type EndpointLoad } from '../routing/index.js';
import { AppError } from '../shared/index.js';
import type { Admitted } from './admit-request.js';
import type { GatewayEndpoint } from './endpoint-catalog.js';
import type { InferenceDeps } from './inference-deps.js';
import type { ApiKind } from './parse-request.js';

/**
 * Picks among ready, healthy engines not tried yet; undefined when none is left. Only the
 * typed NoEndpointError means that: anything else a strategy throws is a bug, surfaced as
 * GW_ROUTING_FAILED (500, logged with the stack by the server) rather than a 503 that would
 * hide it as "no ready engine".
 */
export function chooseEndpoint(
  admitted: Admitted,
  kind: ApiKind,
  tried: ReadonlySet<string>,
  deps: Pick<InferenceDeps, 'inFlight' | 'health' | 'clock' | 'routing' | 'apiSupport'>,
): GatewayEndpoint | undefined {
  const { inFlight, health, clock, routing, apiSupport } = deps;
  const nowMs = clock.now();
  const healthy = (e: GatewayEndpoint): boolean =>
    e.clusterHealthy &&
    !health.isEjected(e.id) &&
    !tried.has(e.id) &&
    !apiSupport.isUnsupported(e.id, kind, nowMs);
  // A model with more engines than a pick scores: only a shortlist gets a load view and a score.
  const entries = shortlist(
    admitted.lookup.endpoints,
    admitted.request,
    admitted.mix,
    routing,
    nowMs,
    {
      limit: routing.maxScoredCandidates ?? 0,
      routable: (e) => e.ready && healthy(e),
      ...(admitted.lookup.locate === undefined ? {} : { locate: admitted.lookup.locate }),
    },
  );
  // Each field named, not `...e`: spreading a catalog entry per engine per pick cost ~5 µs each
  // (a dictionary-mode copy), most of a pick at 200 engines per model (bench leader's profile).
  const endpoints: EndpointLoad[] = entries.map((e) => ({
    id: e.id,
    name: e.name,
    model: e.model,
    node: e.node,
    ready: e.ready,
    metrics: e.metrics,
    stale: e.stale,
    adapters: e.adapters,
    maxLoras: e.maxLoras,
    inFlight: inFlight.get(e.id),
    pendingPrefillTokens: inFlight.prefillTokens(e.id),
    healthy: healthy(e),
  }));
  try {
    const chosen = pick({ endpoints, nowMs }, admitted.request, admitted.mix, routing);
    return entries.find((e) => e.id === chosen.id);
  } catch (err) {
    if (err instanceof NoEndpointError) return undefined;
    throw new AppError('GW_ROUTING_FAILED', 'the routing strategy failed', {
      httpStatus: 500,
      cause: err,
    });
  }
}
